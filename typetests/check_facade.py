"""The top-level facade and the names that joined it last."""

from __future__ import annotations

import zlib
from collections.abc import Awaitable

from typing_extensions import assert_type

import aiohttp
from aiohttp import web
from aiohttp.abc import AbstractStreamWriter
from aiohttp.typedefs import Handler, Middleware


async def produce(writer: AbstractStreamWriter, count: int) -> None:
    await writer.write(b"x" * count)


factory = aiohttp.streamer(produce)
factory(3)
factory("three")  # type: ignore[arg-type]

aiohttp.set_zlib_backend(zlib)
aiohttp.set_zlib_backend(object())  # type: ignore[arg-type]


async def handler(request: web.Request) -> web.StreamResponse:
    return web.Response(text="hi")


def logging_mw(request: web.Request, handler: Handler) -> Awaitable[web.StreamResponse]:
    return handler(request)


h: Handler = handler
mw: Middleware = logging_mw
bad: Handler = produce  # type: ignore[assignment]
assert_type(aiohttp.ClientSession, type[aiohttp.ClientSession])
