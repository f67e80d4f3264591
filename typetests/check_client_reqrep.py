"""Type checks for ``aiohttp.client_reqrep``: what a response's readers return, the value
types' fields, and the request's typed surface.

Checked by the main mypy run only; each misuse line carries the ``type: ignore`` code it
must produce.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Any, Optional, Union

from multidict import CIMultiDict, CIMultiDictProxy, MultiDictProxy
from typing_extensions import assert_type
from yarl import URL

from aiohttp.client_proto import ResponseHandler
from aiohttp.client_reqrep import (
    ClientRequest,
    ClientResponse,
    ConnectionKey,
    ContentDisposition,
    Fingerprint,
    RequestInfo,
)
from aiohttp.helpers import BasicAuth
from aiohttp.http_writer import HttpVersion
from aiohttp.payload import Payload
from aiohttp.streams import StreamReader


async def read_response(resp: ClientResponse) -> None:
    assert_type(await resp.read(), bytes)
    assert_type(await resp.text(), str)
    assert_type(await resp.text("latin-1", errors="replace"), str)
    assert_type(await resp.json(), Any)
    assert_type(await resp.json(content_type=None, encoding="utf-8"), Any)
    assert_type(resp.release(), None)
    assert_type(resp.close(), None)
    assert_type(resp.raise_for_status(), None)
    assert_type(resp.get_encoding(), str)
    assert_type(resp.status, int)
    assert_type(resp.reason, Optional[str])
    assert_type(resp.ok, bool)
    assert_type(resp.version, Optional[HttpVersion])
    assert_type(resp.url, URL)
    assert_type(resp.real_url, URL)
    assert_type(resp.host, str)
    assert_type(resp.headers, CIMultiDictProxy[str])
    assert_type(resp.raw_headers, tuple[tuple[bytes, bytes], ...])
    assert_type(resp.content, StreamReader)
    assert_type(resp.content_type, str)
    assert_type(resp.charset, Optional[str])
    assert_type(resp.content_length, Optional[int])
    assert_type(resp.cookies, SimpleCookie)
    assert_type(resp.history, tuple[ClientResponse, ...])
    assert_type(resp.request_info, RequestInfo)
    assert_type(resp.closed, bool)
    assert_type(resp.content_disposition, Optional[ContentDisposition])
    assert_type(resp.links, MultiDictProxy[MultiDictProxy[Union[str, URL]]])
    async with resp as entered:
        assert_type(entered, ClientResponse)

    await resp.release()  # type: ignore[func-returns-value,misc]
    await resp.text(encoding=1)  # type: ignore[arg-type]
    resp.status = "200"  # type: ignore[assignment]
    resp.url = URL()  # type: ignore[misc]


def request_info_fields(info: RequestInfo) -> None:
    assert_type(info.url, URL)
    assert_type(info.method, str)
    assert_type(info.headers, CIMultiDictProxy[str])
    assert_type(info.real_url, URL)
    url, method, headers, real_url = info
    assert_type((url, method, headers, real_url), tuple[URL, str, CIMultiDictProxy[str], URL])
    info.url = URL()  # type: ignore[misc]


def build_values() -> None:
    headers = CIMultiDictProxy(CIMultiDict[str]())
    assert_type(RequestInfo(URL("http://h/"), "GET", headers), RequestInfo)
    assert_type(Fingerprint(b"\x00" * 32).fingerprint, bytes)
    Fingerprint("hex digest")  # type: ignore[arg-type]
    key = ConnectionKey("h", 80, False, True, None, None, None)
    assert_type(key.is_ssl, bool)
    assert_type(key.port, Optional[int])


async def use_request(req: ClientRequest) -> None:
    assert_type(req.method, str)
    assert_type(req.url, URL)
    assert_type(req.original_url, URL)
    assert_type(req.headers, CIMultiDict[str])
    assert_type(req.host, str)
    assert_type(req.port, Optional[int])
    assert_type(req.is_ssl(), bool)
    assert_type(req.auth, Optional[BasicAuth])
    assert_type(req.body, Payload)
    assert_type(req.connection_key, ConnectionKey)
    assert_type(req.request_info, RequestInfo)
    assert_type(req.version, HttpVersion)
    assert_type(req.chunked, Optional[bool])
    assert_type(req.compress, Optional[str])
    await req.update_body(b"new body")
    req.update_headers({"X-A": "1"})
    req.update_headers({"X-A": 1})  # type: ignore[arg-type]
    ClientRequest("GET", "http://example.com/")  # type: ignore[arg-type]
    ClientRequest("GET", URL("http://example.com/"), auth=("u", "p"))  # type: ignore[arg-type]


def protocol_surface(protocol: ResponseHandler) -> None:
    assert_type(protocol.should_close, bool)
    assert_type(protocol.is_connected(), bool)
    assert_type(protocol.read_timeout, Optional[float])
    protocol.set_response_params(read_timeout=1.0, max_headers=64, method="HEAD")
    protocol.set_response_params(read_timeout="1")  # type: ignore[arg-type]
