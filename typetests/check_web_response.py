"""Type checks for ``aiohttp.web_response``: constructors, body types, settable and
read-only attributes, json_response.

Checked by the main mypy run only; each misuse line carries the ``type: ignore`` code it
must produce.
"""

from __future__ import annotations

import asyncio
import datetime
from http.cookies import SimpleCookie
from typing import Optional, Union

from multidict import CIMultiDict
from typing_extensions import assert_type

from aiohttp.abc import AbstractStreamWriter
from aiohttp.helpers import ETag
from aiohttp.payload import BytesPayload, Payload
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import ContentCoding, Response, StreamResponse, json_response

resp = Response(text="hi", status=201, headers={"X": "1"}, content_type="text/html")
Response(body=b"bytes")
Response(body=bytearray(b"bytes"))
Response(body=memoryview(b"bytes"))
Response(body=BytesPayload(b"bytes"))
Response(body="text")  # type: ignore[arg-type]
Response(body=123)  # type: ignore[arg-type]
Response(text=b"bytes")  # type: ignore[arg-type]
Response(status="200")  # type: ignore[arg-type]

assert_type(resp.body, Union[bytes, bytearray, Payload, None])
assert_type(resp.text, Optional[str])
assert_type(resp.status, int)
assert_type(resp.reason, str)
assert_type(resp.headers, CIMultiDict[str])
assert_type(resp.content_type, str)
assert_type(resp.charset, Optional[str])
assert_type(resp.content_length, Optional[int])
assert_type(resp.last_modified, Optional[datetime.datetime])
assert_type(resp.etag, Optional[ETag])
assert_type(resp.cookies, SimpleCookie)
assert_type(resp.keep_alive, Optional[bool])
assert_type(resp.prepared, bool)
assert_type(resp.body_length, int)
assert_type(resp.task, Optional[asyncio.Task[None]])

resp.body = b"new"
resp.body = None
resp.text = "new"
resp.content_type = "application/json"
resp.charset = "utf-8"
resp.last_modified = 0
resp.last_modified = datetime.datetime.now(datetime.timezone.utc)
resp.last_modified = "Sun, 06 Nov 1994 08:49:37 GMT"
resp.etag = "tag"
resp.etag = ETag("tag", is_weak=True)
resp.body = "text"  # type: ignore[assignment]
resp.status = 404  # type: ignore[misc]
resp.reason = "x"  # type: ignore[misc]
resp.prepared = True  # type: ignore[misc]
resp.etag = 5  # type: ignore[assignment]
resp.last_modified = [1]  # type: ignore[assignment]

resp.set_status(404, "Missing")
resp.set_cookie("a", "b", max_age=10, samesite="Lax", partitioned=True)
resp.del_cookie("a")
resp.enable_compression(ContentCoding.gzip)
resp.enable_compression("gzip")  # type: ignore[arg-type]
resp.enable_chunked_encoding()
resp["state"] = object()

assert_type(json_response({"a": 1}), Response)
json_response(text="{}", status=200, dumps=lambda o: "")
json_response(body="{}")  # type: ignore[arg-type]


async def stream(request: BaseRequest) -> StreamResponse:
    out = StreamResponse()
    assert_type(await out.prepare(request), Optional[AbstractStreamWriter])
    await out.write(b"chunk")
    await out.write(memoryview(b"chunk"))
    await out.write("text")  # type: ignore[arg-type]
    await out.write_eof()
    return out
