"""Middlewares over a loopback socket: list order, short-circuits, error translation,
handler attributes, and ``normalize_path_middleware`` redirects."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
import pytest

from aiohttp import web
from aiohttp.abc import AbstractMiddleware

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[tuple[httpx.AsyncClient, int]]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            yield client, port
    finally:
        await runner.cleanup()


async def raw_get(port: int, target: str) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    try:
        return await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()


async def ok(request: web.Request) -> web.Response:
    return web.Response(text=f"ok {request.path}")


async def test_middleware_marker_returns_the_same_function() -> None:
    async def mw(request: web.Request, handler: Handler) -> web.StreamResponse:
        return await handler(request)

    assert web.middleware(mw) is mw
    assert mw.__middleware_version__ == 1  # type: ignore[attr-defined]


async def test_middlewares_run_in_list_order_and_unwind_in_reverse() -> None:
    log: list[str] = []

    def make(name: str) -> AbstractMiddleware:
        async def mw(request: web.Request, handler: Handler) -> web.StreamResponse:
            log.append(f"{name}>")
            response = await handler(request)
            log.append(f"<{name}")
            response.headers.add("X-Trail", name)
            return response

        return mw

    app = web.Application(middlewares=[make("a"), web.middleware(make("b")), make("c")])
    app.router.add_get("/", ok)
    async with serve(app) as (client, _):
        resp = await client.get("/")
    assert log == ["a>", "b>", "c>", "<c", "<b", "<a"]
    assert resp.headers.get_list("X-Trail") == ["c", "b", "a"]


async def test_middleware_can_answer_without_calling_the_handler() -> None:
    async def gate(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.headers.get("X-Token") != "secret":
            return web.Response(status=401, text="who are you?")
        return await handler(request)

    app = web.Application(middlewares=[gate])
    app.router.add_get("/", ok)
    async with serve(app) as (client, _):
        assert (await client.get("/")).status_code == 401
        assert (await client.get("/", headers={"X-Token": "secret"})).text == "ok /"


async def test_middleware_sees_and_translates_http_exceptions() -> None:
    async def errors_as_json(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPException as exc:
            return web.json_response({"error": exc.reason}, status=exc.status)

    app = web.Application(middlewares=[errors_as_json])
    app.router.add_get("/", ok)
    async with serve(app) as (client, _):
        resp = await client.get("/nowhere")
        assert (resp.status_code, resp.json()) == (404, {"error": "Not Found"})
        resp = await client.delete("/")
        assert (resp.status_code, resp.json()) == (405, {"error": "Method Not Allowed"})


async def test_middleware_sees_attributes_set_on_the_handler() -> None:
    async def public(request: web.Request) -> web.Response:
        return web.Response(text="public")

    public.is_public = True  # type: ignore[attr-defined]

    async def private(request: web.Request) -> web.Response:
        return web.Response(text="private")

    async def auth(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not getattr(handler, "is_public", False):
            raise web.HTTPForbidden()
        return await handler(request)

    app = web.Application(middlewares=[auth, web.normalize_path_middleware()])
    app.router.add_get("/public", public)
    app.router.add_get("/private", private)
    async with serve(app) as (client, _):
        assert (await client.get("/public")).text == "public"
        assert (await client.get("/private")).status_code == 403


# --- normalize_path_middleware --------------------------------------------------------------


def normalizing_app(
    *, append_slash: bool = True, remove_slash: bool = False, merge_slashes: bool = True
) -> web.Application:
    normalize = web.normalize_path_middleware(
        append_slash=append_slash, remove_slash=remove_slash, merge_slashes=merge_slashes
    )
    app = web.Application(middlewares=[normalize])
    for path in ("/with/", "/without", "/a/b", "/only-slash/"):
        app.router.add_get(path, ok)
    app.router.add_get("/dyn/{name}/", ok)
    return app


@pytest.mark.parametrize(
    ("kwargs", "target", "location"),
    [
        ({}, "/with", "/with/"),
        ({}, "/with?q=1&r=2", "/with/?q=1&r=2"),
        ({}, "//a///b", "/a/b"),
        ({}, "/a//b?x=y", "/a/b?x=y"),
        ({}, "//only-slash", "/only-slash/"),
        ({"append_slash": False, "remove_slash": True}, "/without/", "/without"),
        ({"append_slash": False, "remove_slash": True}, "//without//", "/without"),
        ({"merge_slashes": False}, "/dyn/x", "/dyn/x/"),
    ],
)
async def test_normalize_path_redirects(
    kwargs: dict[str, bool], target: str, location: str
) -> None:
    async with serve(normalizing_app(**kwargs)) as (_, port):
        answer = await raw_get(port, target)
    head = answer.split(b"\r\n\r\n", 1)[0].decode()
    assert head.startswith("HTTP/1.1 308 Permanent Redirect")
    assert f"\r\nLocation: {location}\r\n" in head


@pytest.mark.parametrize(
    ("kwargs", "target", "status"),
    [
        ({}, "/with/", 200),
        ({}, "/without", 200),
        ({}, "/nothing", 404),
        ({}, "/without/", 404),  # only appending is enabled
        ({"merge_slashes": False}, "//a//b", 404),
        ({"append_slash": False}, "/with", 404),
        ({"append_slash": False, "remove_slash": True}, "/with/", 200),
    ],
)
async def test_normalize_path_leaves_other_requests(
    kwargs: dict[str, bool], target: str, status: int
) -> None:
    async with serve(normalizing_app(**kwargs)) as (_, port):
        answer = await raw_get(port, target)
    assert answer.startswith(f"HTTP/1.1 {status} ".encode())


async def test_normalize_path_never_redirects_to_another_host() -> None:
    # "//evil.example/" would be a scheme-relative Location: leading slashes collapse.
    async with serve(normalizing_app(merge_slashes=False)) as (_, port):
        answer = await raw_get(port, "//dyn/evil.example")
    head = answer.split(b"\r\n\r\n", 1)[0].decode()
    assert "\r\nLocation: /dyn/evil.example/\r\n" in head


async def test_normalize_path_custom_redirect_class() -> None:
    app = web.Application(
        middlewares=[web.normalize_path_middleware(redirect_class=web.HTTPMovedPermanently)]
    )
    app.router.add_get("/x/", ok)
    async with serve(app) as (client, _):
        resp = await client.get("/x")
    assert resp.status_code == 301
    assert resp.headers["Location"] == "/x/"


async def test_normalize_path_in_a_subapp_resolves_against_the_subapp() -> None:
    sub = web.Application(middlewares=[web.normalize_path_middleware()])
    sub.router.add_get("/page/", ok)
    root = web.Application()
    root.add_subapp("/sub", sub)
    async with serve(root) as (client, _):
        resp = await client.get("/sub/page")
    assert resp.status_code == 308
    assert resp.headers["Location"] == "/sub/page/"


def test_normalize_path_refuses_append_and_remove_together() -> None:
    with pytest.raises(AssertionError, match="Cannot both remove and append slash"):
        web.normalize_path_middleware(append_slash=True, remove_slash=True)
