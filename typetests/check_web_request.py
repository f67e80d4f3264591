"""Type checks for ``aiohttp.web_request``: request properties, read-only attributes,
the body readers, clone and the low-level server's handler types.

Checked by the main mypy run only; each misuse line carries the ``type: ignore`` code it
must produce.
"""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Mapping
from typing import Optional, Union

from multidict import CIMultiDictProxy, MultiDictProxy
from typing_extensions import assert_type
from yarl import URL

from aiohttp.abc import AbstractStreamWriter
from aiohttp.helpers import ChainMapProxy, ETag
from aiohttp.http_parser import HttpVersion, RawRequestMessage
from aiohttp.multipart import MultipartReader
from aiohttp.streams import StreamReader
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest, FileField, Request
from aiohttp.web_response import Response, StreamResponse
from aiohttp.web_server import Server


async def inspect(request: BaseRequest) -> StreamResponse:
    assert_type(request.method, str)
    assert_type(request.version, HttpVersion)
    assert_type(request.url, URL)
    assert_type(request.rel_url, URL)
    assert_type(request.path, str)
    assert_type(request.path_qs, str)
    assert_type(request.raw_path, str)
    assert_type(request.query, MultiDictProxy[str])
    assert_type(request.query_string, str)
    assert_type(request.headers, CIMultiDictProxy[str])
    assert_type(request.raw_headers, tuple[tuple[bytes, bytes], ...])
    assert_type(request.host, str)
    assert_type(request.remote, Optional[str])
    assert_type(request.scheme, str)
    assert_type(request.secure, bool)
    assert_type(request.forwarded, tuple[Mapping[str, str], ...])
    assert_type(request.cookies, Mapping[str, str])
    assert_type(request.content_type, str)
    assert_type(request.charset, Optional[str])
    assert_type(request.content_length, Optional[int])
    assert_type(request.keep_alive, bool)
    assert_type(request.transport, Optional[asyncio.Transport])
    assert_type(request.protocol, RequestHandler)
    assert_type(request.writer, AbstractStreamWriter)
    _ = assert_type(request.task, asyncio.Task[None])
    assert_type(request.if_modified_since, Optional[datetime.datetime])
    assert_type(request.if_unmodified_since, Optional[datetime.datetime])
    assert_type(request.if_range, Optional[datetime.datetime])
    assert_type(request.if_match, Optional[tuple[ETag, ...]])
    assert_type(request.if_none_match, Optional[tuple[ETag, ...]])
    assert_type(request.http_range, slice[Optional[int], Optional[int], int])
    assert_type(request.can_read_body, bool)
    assert_type(request.body_exists, bool)
    assert_type(request.content, StreamReader)
    assert_type(request.client_max_size, int)
    assert_type(await request.read(), bytes)
    assert_type(await request.text(), str)
    assert_type(await request.multipart(), MultipartReader)
    form = await request.post()
    assert_type(form, MultiDictProxy[Union[str, bytes, FileField]])
    field = form["upload"]
    if isinstance(field, FileField):
        assert_type(field.filename, str)
        assert_type(field.headers, CIMultiDictProxy[str])
    assert_type(request.clone(method="POST"), BaseRequest)
    request["user"] = object()  # per-request state takes any value
    return Response()


def misuse(request: BaseRequest) -> None:
    request.method = "POST"  # type: ignore[misc]
    request.path = "/x"  # type: ignore[misc]
    request.headers = request.headers  # type: ignore[misc]
    request.url = URL("/")  # type: ignore[assignment]
    request.host = "h"  # type: ignore[assignment]
    request.remote = "r"  # type: ignore[assignment]
    request.cookies = {}  # type: ignore[assignment]
    request.clone(method=1)  # type: ignore[arg-type]
    request.clone(unknown="x")  # type: ignore[call-arg]


async def routed(request: Request) -> StreamResponse:
    assert_type(request.clone(), Request)
    assert_type(request.config_dict, ChainMapProxy)
    return Response()


def make_request(
    message: RawRequestMessage,
    payload: StreamReader,
    protocol: RequestHandler,
    writer: AbstractStreamWriter,
    task: asyncio.Task[None],
) -> Request:
    return Request(message, payload, protocol, writer, task, asyncio.get_running_loop())


async def servers() -> None:
    Server(inspect)
    Server(routed, request_factory=make_request)  # the factory's type reaches the handler
    Server(routed)  # type: ignore[arg-type]
    Server(inspect, keepalive_timeout=5.0, read_head_timeout=10.0, debug=True)
    Server(inspect, keepalive_timeout="5")  # type: ignore[call-overload]
