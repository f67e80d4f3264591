"""Applications over a loopback socket: sub-applications (prefix, middleware order,
``request.app``, ``config_dict``), domains, ``on_response_prepare``, ``Expect`` handling and
``client_max_size``; driven with httpx and raw sockets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager

import httpx
import pytest

from aiohttp import web
from aiohttp.abc import AbstractMiddleware

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
name_key = web.AppKey("name_key", str)
only_root_key = web.AppKey("only_root_key", str)


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[httpx.AsyncClient]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            yield client
    finally:
        await runner.cleanup()


def tracing(log: list[str], name: str) -> AbstractMiddleware:
    async def mw(request: web.Request, handler: Handler) -> web.StreamResponse:
        log.append(f"{name} in (app={request.app[name_key]})")
        response = await handler(request)
        log.append(f"{name} out")
        return response

    return mw


def named_app(name: str, middlewares: Iterable[AbstractMiddleware] = ()) -> web.Application:
    app = web.Application(middlewares=middlewares)
    app[name_key] = name
    return app


async def test_subapp_middleware_order_and_current_app() -> None:
    log: list[str] = []
    root = named_app("root", middlewares=[tracing(log, "r1"), tracing(log, "r2")])
    root[only_root_key] = "inherited"
    sub = named_app("sub", middlewares=[tracing(log, "s1")])

    async def handler(request: web.Request) -> web.Response:
        log.append(f"handler (app={request.app[name_key]})")
        config = request.config_dict
        return web.json_response(
            {"name": config[name_key], "root_only": config[only_root_key], "path": request.path}
        )

    sub.router.add_get("/leaf", handler)
    root.add_subapp("/sub", sub)
    async with serve(root) as client:
        resp = await client.get("/sub/leaf")
    assert resp.status_code == 200
    assert resp.json() == {"name": "sub", "root_only": "inherited", "path": "/sub/leaf"}
    assert log == [
        "r1 in (app=root)",
        "r2 in (app=root)",
        "s1 in (app=sub)",
        "handler (app=sub)",
        "s1 out",
        "r2 out",
        "r1 out",
    ]


async def test_request_app_without_middlewares_is_the_innermost_app() -> None:
    root, sub = named_app("root"), named_app("sub")

    async def handler(request: web.Request) -> web.Response:
        return web.Response(text=request.app[name_key])

    sub.router.add_get("/", handler)
    root.router.add_get("/", handler)
    root.add_subapp("/sub", sub)
    async with serve(root) as client:
        assert (await client.get("/sub/")).text == "sub"
        assert (await client.get("/")).text == "root"


async def test_nested_subapps_and_url_for() -> None:
    root, mid, leaf = named_app("root"), named_app("mid"), named_app("leaf")

    async def handler(request: web.Request) -> web.Response:
        url = request.app.router["item"].url_for(id="7")
        return web.Response(text=f"{request.config_dict[name_key]} {url}")

    leaf.router.add_get("/item/{id}", handler, name="item")
    mid.add_subapp("/leaf", leaf)
    root.add_subapp("/mid", mid)
    async with serve(root) as client:
        resp = await client.get("/mid/leaf/item/1")
    assert resp.text == "leaf /mid/leaf/item/7"


async def test_subapp_unknown_path_is_404_through_root_middlewares() -> None:
    log: list[str] = []
    root = named_app("root", middlewares=[tracing(log, "r")])
    sub = named_app("sub")

    async def handler(request: web.Request) -> web.Response:
        return web.Response()

    sub.router.add_get("/x", handler)
    root.add_subapp("/sub", sub)
    async with serve(root) as client:
        assert (await client.get("/sub/missing")).status_code == 404
        assert (await client.post("/sub/x")).status_code == 405
    assert log.count("r in (app=root)") == 2


async def test_domains_route_by_host_header() -> None:
    root = named_app("root")
    exact, wildcard = named_app("exact"), named_app("wildcard")

    async def handler(request: web.Request) -> web.Response:
        return web.Response(text=request.app[name_key])

    for app in (root, exact, wildcard):
        app.router.add_get("/", handler)
    root.add_domain("example.com", exact)
    root.add_domain("*.example.org", wildcard)
    async with serve(root) as client:
        assert (await client.get("/", headers={"Host": "example.com"})).text == "exact"
        assert (await client.get("/", headers={"Host": "a.example.org"})).text == "wildcard"
        assert (await client.get("/", headers={"Host": "example.org"})).text == "root"
        assert (await client.get("/", headers={"Host": "other.net"})).text == "root"


async def test_on_response_prepare_fires_for_every_app_on_the_path() -> None:
    root, sub = named_app("root"), named_app("sub")

    def stamp(name: str) -> Callable[[web.Request, web.StreamResponse], Awaitable[None]]:
        async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
            response.headers.add("X-Prepared", name)

        return on_prepare

    async def handler(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    root.on_response_prepare.append(stamp("root"))
    sub.on_response_prepare.append(stamp("sub"))
    sub.router.add_get("/", handler)
    root.add_subapp("/sub", sub)
    async with serve(root) as client:
        resp = await client.get("/sub/")
        assert resp.headers.get_list("X-Prepared") == ["root", "sub"]
        resp = await client.get("/missing")
        assert resp.headers.get_list("X-Prepared") == ["root"]


async def test_handler_args_reach_the_request_handler() -> None:
    app = web.Application(handler_args={"max_line_size": 64})

    async def handler(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app.router.add_get("/{tail:.*}", handler)
    async with serve(app) as client:
        assert (await client.get("/short")).status_code == 200
        assert (await client.get("/" + "x" * 200)).status_code in (400, 414)


async def test_client_max_size_limits_the_body() -> None:
    app = web.Application(client_max_size=10)

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=await request.read())

    app.router.add_post("/", handler)
    async with serve(app) as client:
        assert (await client.post("/", content=b"0123456789")).content == b"0123456789"
        resp = await client.post("/", content=b"01234567890")
    assert resp.status_code == 413


async def test_expect_100_continue_default_and_custom() -> None:
    app = web.Application()

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=await request.read())

    async def refuse(request: web.Request) -> web.StreamResponse:
        return web.Response(status=417, text="no thanks")

    app.router.add_post("/ok", handler)
    app.router.add_route("POST", "/refuse", handler, expect_handler=refuse)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST /ok HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"
        )
        assert await reader.readline() == b"HTTP/1.1 100 Continue\r\n"
        assert await reader.readline() == b"\r\n"
        writer.write(b"abc")
        assert (await reader.readline()).startswith(b"HTTP/1.1 200")
        writer.close()

        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST /refuse HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
            b"Expect: 100-continue\r\nConnection: close\r\n\r\n"
        )
        answer = await asyncio.wait_for(reader.read(), 5)
        assert answer.startswith(b"HTTP/1.1 417")
        assert answer.endswith(b"no thanks")
        writer.close()
    finally:
        await runner.cleanup()


async def test_handler_exception_is_a_500() -> None:
    app = web.Application()

    async def handler(request: web.Request) -> web.Response:
        raise ZeroDivisionError

    app.router.add_get("/", handler)
    async with serve(app) as client:
        resp = await client.get("/")
    assert resp.status_code == 500


@pytest.mark.parametrize("subapp", [False, True])
async def test_old_style_middleware_still_runs(subapp: bool) -> None:
    async def factory(app: web.Application, handler: Handler) -> Handler:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            response = await handler(request)
            response.headers["X-Old"] = app[name_key]
            return response

        return wrapped

    async def handler(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = named_app("old", middlewares=[factory])  # type: ignore[list-item]  # old-style
    app.router.add_get("/", handler)
    root = app
    with pytest.warns(DeprecationWarning, match="old-style middleware"):
        if subapp:
            root = named_app("root")
            root.add_subapp("/sub", app)  # pre-freezes the sub-application
        else:
            app.pre_freeze()
    async with serve(root) as client:
        resp = await client.get("/sub/" if subapp else "/")
    assert resp.headers["X-Old"] == "old"
