"""Type checks for ``aiohttp.payload``: the factory, the registry and payload attributes.

Checked by the main mypy run only; each misuse line carries the ``type: ignore`` code it
must produce.
"""

from __future__ import annotations

import io
from typing import Optional

from multidict import CIMultiDict
from typing_extensions import assert_type

from aiohttp.abc import AbstractStreamWriter
from aiohttp.payload import (
    PAYLOAD_REGISTRY,
    BytesPayload,
    JsonPayload,
    Payload,
    StringPayload,
    get_payload,
    payload_type,
)

assert_type(get_payload(b"data"), Payload)
assert_type(get_payload("text", content_type="text/plain"), Payload)

body = BytesPayload(b"data")
assert_type(body.size, int)
assert_type(body.headers, CIMultiDict[str])
assert_type(body.content_type, str)
assert_type(body.filename, Optional[str])
assert_type(body.encoding, Optional[str])
assert_type(body.decode(), str)
text = StringPayload("text", encoding="utf-8")
json_body = JsonPayload({"a": [1, 2]})
from_buffer = BytesPayload(memoryview(b"data"))
BytesPayload("text")  # type: ignore[arg-type]
StringPayload(b"bytes")  # type: ignore[arg-type]
body.size = 3  # type: ignore[misc]  # read-only property


async def write_it(payload: Payload, writer: AbstractStreamWriter) -> None:
    await payload.write(writer)
    assert_type(await payload.as_bytes(), bytes)
    await payload.write(b"not a writer")  # type: ignore[arg-type]


@payload_type(io.StringIO)
class MyStringIOPayload(StringPayload):
    pass


PAYLOAD_REGISTRY.register(BytesPayload, bytes)
