"""Type checks for ``aiohttp.web_app``: typed state through ``AppKey``, middleware shapes,
signals, ``cleanup_ctx`` and runners.

Checked by the main mypy run only; each misuse line carries the ``type: ignore`` code it
must produce.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Optional, Union

from typing_extensions import assert_type

from aiohttp import web
from aiohttp.abc import AbstractMiddleware

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

counter_key = web.AppKey("counter_key", int)
names_key = web.AppKey("names_key", list[str])
session_key: web.AppKey[asyncio.Lock] = web.AppKey("session_key")

app = web.Application()
app[counter_key] = 1
app[names_key] = ["a"]
assert_type(app[counter_key], int)
assert_type(app[names_key], list[str])
assert_type(app.get(counter_key), Optional[int])
assert_type(app.get(counter_key, "none"), Union[int, str])
app[counter_key] = "one"  # type: ignore[misc]  # no T fits both the key and the value
app[names_key] = [1]  # type: ignore[misc]
app["legacy"] = object()  # str keys still work (they warn at run time)
assert_type(app["legacy"], Any)
del app[counter_key]
assert_type(len(app), int)
assert_type(app(), web.Application)
assert_type(app.frozen, bool)


# Middlewares: a plain async function of the right shape is accepted, decorated or not.
async def plain(request: web.Request, handler: Handler) -> web.StreamResponse:
    return await handler(request)


@web.middleware
async def marked(req: web.Request, nxt: Handler) -> web.StreamResponse:
    return await nxt(req)


async def no_handler(request: web.Request) -> web.StreamResponse:
    return web.Response()


async def wrong_return(request: web.Request, handler: Handler) -> str:
    return "no"


def not_async(request: web.Request, handler: Handler) -> web.StreamResponse:
    return web.Response()


marked_mw: AbstractMiddleware = marked  # the decorator keeps the function's type
web.Application(middlewares=[plain, marked, web.normalize_path_middleware()])
mw: AbstractMiddleware = plain
web.Application(middlewares=[no_handler])  # type: ignore[list-item]
web.Application(middlewares=[wrong_return])  # type: ignore[list-item]
web.Application(middlewares=[not_async])  # type: ignore[list-item]
web.normalize_path_middleware(redirect_class=web.HTTPNotFound)  # type: ignore[arg-type]
web.normalize_path_middleware(redirect_class=web.HTTPMovedPermanently)


# Signals and cleanup contexts.
async def on_startup(app: web.Application) -> None:
    app[counter_key] = 0


async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
    response.headers["X-Prepared"] = "1"


async def ctx(app: web.Application) -> AsyncIterator[None]:
    app[session_key] = asyncio.Lock()
    yield


async def bad_ctx(app: web.Application) -> None:
    return None


def sync_startup(app: web.Application) -> None:
    return None


app.on_startup.append(on_startup)
app.on_cleanup.append(on_startup)
app.on_response_prepare.append(on_prepare)
app.cleanup_ctx.append(ctx)
app.on_startup.append(sync_startup)  # type: ignore[arg-type]
app.on_response_prepare.append(on_startup)  # type: ignore[arg-type]
app.cleanup_ctx.append(bad_ctx)  # type: ignore[arg-type]

# Sub-applications and configuration lookups.
sub = web.Application()
assert_type(app.add_subapp("/sub", sub), web.PrefixedSubAppResource)
app.add_domain("*.example.com", web.Application())
app.add_subapp(b"/sub", sub)  # type: ignore[arg-type]


async def handler(request: web.Request) -> web.Response:
    assert_type(request.app, web.Application)
    assert_type(request.config_dict[counter_key], int)
    return web.Response(text=str(request.app[counter_key]))


app.router.add_get("/", handler)
app.add_routes([web.get("/x", handler)])
web.Application(client_max_size="big")  # type: ignore[arg-type]


# Runners and sites.
async def serve() -> None:
    runner = web.AppRunner(app, keepalive_timeout=5.0, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    assert_type(site.name, str)
    assert_type(runner.sites, set[web.BaseSite])
    assert_type(runner.server, Optional[web.Server])
    assert_type(runner.app, web.Application)
    await runner.cleanup()
    web.AppRunner(app, keepalive_timeout="long")  # type: ignore[arg-type]
    web.AppRunner(app, no_such_option=1)  # type: ignore[call-arg]
    web.TCPSite(runner, port="8080")  # type: ignore[arg-type]


def run() -> None:
    web.run_app(app, host="127.0.0.1", port=0, print=None, max_line_size=8190)
    web.run_app(serve_factory(), path="/tmp/demo.sock")
    web.run_app(app, port="8080")  # type: ignore[arg-type]
    web.run_app(web.Application, port=8080)  # type: ignore[arg-type]
    web.run_app(app, keepalive_timeout=5, no_such_option=1)  # type: ignore[call-arg]


async def serve_factory() -> web.Application:
    return web.Application()
