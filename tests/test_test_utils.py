"""aiohttp.test_utils: test servers and client over real loopback sockets, the mocked
request and coroutine, the loop helpers and ``AioHTTPTestCase`` (run by ``unittest``)."""

from __future__ import annotations

import asyncio
import inspect
import io
import socket
import ssl
import unittest
import warnings
from pathlib import Path

import pytest
from multidict import CIMultiDict
from yarl import URL

from aiohttp import hdrs, test_utils, web
from aiohttp._test_options import _SessionOptions
from aiohttp.client import ClientSession
from aiohttp.cookiejar import CookieJar
from aiohttp.http_writer import HttpVersion10
from aiohttp.streams import StreamReader
from aiohttp.test_utils import (
    AioHTTPTestCase,
    RawTestServer,
    TestClient,
    TestServer,
    get_port_socket,
    get_unused_port_socket,
    loop_context,
    make_mocked_coro,
    make_mocked_request,
    setup_test_loop,
    teardown_test_loop,
    unittest_run_loop,
    unused_port,
)

CERTS = Path(__file__).parent / "certs"


async def _echo(request: web.BaseRequest) -> web.Response:
    body = await request.text()
    return web.Response(text=f"{request.method} {request.path_qs} {body}")


def _app() -> web.Application:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", _echo)
    return app


# -- TestServer / TestClient ---------------------------------------------------------------


async def test_client_methods_reach_the_app_over_loopback() -> None:
    async with TestClient(TestServer(_app())) as client:
        for name in ("get", "post", "put", "patch", "delete", "options"):
            resp = await getattr(client, name)("/p?q=1", data=b"x" if name != "get" else None)
            assert resp.status == 200
            assert await resp.text() == f"{name.upper()} /p?q=1 {'x' if name != 'get' else ''}"
        resp = await client.head("/h")
        assert resp.status == 200
        assert await resp.read() == b""
        async with client.request("GET", "/r") as resp:
            assert await resp.text() == "GET /r "


async def test_client_properties_describe_the_server() -> None:
    app = _app()
    server = TestServer(app)
    client = TestClient(server)
    port_before_start = client.port
    assert port_before_start is None
    await client.start_server()
    try:
        assert client.server is server
        assert client.app is app
        assert client.host == server.host == "127.0.0.1"
        assert isinstance(client.port, int)
        assert client.port == server.port
        assert server.scheme == "http"
        assert client.make_url("/a?b=1") == URL(f"http://127.0.0.1:{client.port}/a?b=1")
        assert isinstance(client.session, ClientSession)
        assert server.started
        assert isinstance(server.handler, web.Server)
    finally:
        await client.close()
    assert client.closed and server.closed
    assert server.port is None


async def test_close_runs_the_app_shutdown_and_cleanup() -> None:
    calls: list[str] = []

    async def on_shutdown(app: web.Application) -> None:
        calls.append("shutdown")

    async def on_cleanup(app: web.Application) -> None:
        calls.append("cleanup")

    app = _app()
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.append(on_cleanup)
    async with TestServer(app) as server:
        assert server.started
    assert calls == ["shutdown", "cleanup"]
    await server.close()  # idempotent
    assert calls == ["shutdown", "cleanup"]


async def test_raw_server_serves_a_bare_handler() -> None:
    seen: list[type[web.BaseRequest]] = []

    async def handler(request: web.BaseRequest) -> web.Response:
        seen.append(type(request))
        return web.Response(text="raw")

    async with TestClient(RawTestServer(handler)) as client:
        assert client.app is None
        resp = await client.get("/")
        assert await resp.text() == "raw"
    assert seen == [web.BaseRequest]


async def test_client_keeps_cookies_of_the_ip_host() -> None:
    async def set_cookie(request: web.Request) -> web.Response:
        resp = web.Response(text="set")
        resp.set_cookie("k", "v")
        return resp

    async def read_cookie(request: web.Request) -> web.Response:
        return web.Response(text=request.cookies.get("k", "none"))

    app = web.Application()
    app.router.add_get("/set", set_cookie)
    app.router.add_get("/read", read_cookie)
    async with TestClient(TestServer(app)) as client:
        assert isinstance(client.session.cookie_jar, CookieJar)
        await (await client.get("/set")).read()
        assert await (await client.get("/read")).text() == "v"


async def test_server_binds_the_port_asked_for() -> None:
    port = unused_port()
    async with TestServer(_app(), port=port) as server:
        assert server.port == port
        assert server.make_url("/") == URL(f"http://127.0.0.1:{port}/")


async def test_server_binds_ipv6_loopback() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        get_unused_port_socket("::1", socket.AF_INET6).close()
    except OSError:
        pytest.skip("no IPv6 loopback")
    async with TestClient(TestServer(_app(), host="::1")) as client:
        assert str(client.make_url("/x")).startswith("http://[::1]:")
        assert (await client.get("/x")).status == 200


async def test_server_serves_tls_with_an_https_root() -> None:
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(CERTS / "localhost.crt", CERTS / "localhost.key")
    client_ctx = ssl.create_default_context(cafile=str(CERTS / "localhost.crt"))
    async with TestClient(TestServer(_app(), ssl=server_ctx)) as client:
        assert client.server.scheme == "https"
        resp = await client.get("/tls", ssl=client_ctx)
        assert await resp.text() == "GET /tls "


async def test_server_options_reach_the_runner() -> None:
    server = TestServer(_app(), shutdown_timeout=0.5, access_log=None)
    async with server:
        assert server.runner is not None
        assert server.runner._shutdown_timeout == 0.5
        assert server.handler._kwargs["access_log"] is None


async def test_make_url_rejects_absolute_and_unstarted() -> None:
    server = TestServer(_app())
    with pytest.raises(RuntimeError, match="not started"):
        server.make_url("/")
    with pytest.raises(RuntimeError, match="not started"):
        server.handler  # noqa: B018
    async with server:
        with pytest.raises(ValueError, match="relative path"):
            server.make_url("http://example.com/")
    with pytest.raises(RuntimeError, match="closed"):
        await server.start_server()


async def test_make_url_skip_url_asserts_appends_as_is() -> None:
    async with TestServer(_app(), skip_url_asserts=True) as server:
        # "//x" parses as a URL with a host; appended as is it is a path.
        assert server.make_url("//x").path == "//x"


async def test_client_rejects_a_non_server() -> None:
    with pytest.raises(TypeError, match="TestServer or RawTestServer"):
        TestClient(_app())  # type: ignore[call-overload]  # the misuse under test


def test_server_rejects_a_non_application() -> None:
    with pytest.raises(TypeError, match=r"web\.Application"):
        TestServer(_echo)  # type: ignore[arg-type]  # the misuse under test


async def test_closed_client_refuses_requests() -> None:
    client = TestClient(TestServer(_app()))
    await client.start_server()
    await client.close()
    with pytest.raises(RuntimeError, match="closed"):
        await client.get("/")
    await client.close()  # idempotent


async def test_sync_with_is_refused() -> None:
    server = TestServer(_app())
    with pytest.raises(TypeError, match="async with"), server:
        pass
    client = TestClient(server)
    with pytest.raises(TypeError, match="async with"), client:
        pass
    await client.close()


async def test_client_close_closes_its_open_responses() -> None:
    async with TestClient(TestServer(_app())) as client:
        resp = await client.get("/unread")
    assert resp.closed


async def test_ws_connect_delegates_to_the_session() -> None:
    async def ws_handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            if msg.type is web.WSMsgType.TEXT:
                await ws.send_str(f"echo {msg.data}")
        return ws

    app = web.Application()
    app.router.add_get("/ws", ws_handler)
    async with TestClient(TestServer(app)) as client:
        ws = await client.ws_connect("/ws")
        await ws.send_str("hi")
        msg = await ws.receive()
        assert msg.data == "echo hi"
    assert ws.closed


def test_session_options_follow_client_session() -> None:
    params = inspect.signature(ClientSession.__init__).parameters
    expected = {name for name in params if name not in ("self", "base_url", "loop", "cookie_jar")}
    assert set(_SessionOptions.__annotations__) == expected


# -- sockets --------------------------------------------------------------------------------


def test_port_helpers_bind_loopback() -> None:
    port = unused_port()
    assert 0 < port < 65536
    with get_unused_port_socket("127.0.0.1") as sock:
        host, bound = sock.getsockname()
        assert host == "127.0.0.1" and bound > 0
        if test_utils.REUSE_ADDRESS:
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)
    with get_port_socket("127.0.0.1", 0, socket.AF_INET) as sock:
        assert sock.family == socket.AF_INET


# -- make_mocked_request / make_mocked_coro ---------------------------------------------------


def test_mocked_request_carries_the_head() -> None:
    req = make_mocked_request(
        "POST", "/a/b?x=1", headers={"Token": "t", "Transfer-Encoding": "chunked"}
    )
    assert isinstance(req, web.Request)
    assert req.method == "POST"
    assert req.path == "/a/b"
    assert req.query["x"] == "1"
    assert req.headers["token"] == "t"
    assert req.raw_headers[0] == (b"Token", b"t")
    assert req.version == (1, 1)
    assert req.keep_alive
    assert req.scheme == "http"
    assert req.match_info == {}
    assert req.transport is not None
    assert req.client_max_size == 1024**2


def test_mocked_request_options() -> None:
    app = web.Application()
    payload = StreamReader.__new__(StreamReader)  # any stream object will do here
    ctx = ssl.create_default_context()
    req = make_mocked_request(
        "GET",
        "/",
        CIMultiDict([("A", "1"), ("A", "2")]),
        match_info={"name": "v"},
        version=HttpVersion10,
        app=app,
        payload=payload,
        sslcontext=ctx,
        client_max_size=10,
    )
    assert req.headers.getall("a") == ["1", "2"]
    assert req.match_info == {"name": "v"}
    assert not req.keep_alive  # HTTP/1.0 closes
    assert req.app is app
    assert req.content is payload
    assert req.scheme == "https"
    assert req.get_extra_info("sslcontext") is ctx
    assert req.client_max_size == 10


def test_mocked_request_app_is_a_plain_mapping() -> None:
    req = make_mocked_request("GET", "/")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        req.app["db"] = 1
    assert req.app["db"] == 1
    assert "db" in req.app
    assert req.config_dict["db"] == 1
    assert req.app.get("missing") is None


async def test_mocked_request_lets_a_response_be_sent() -> None:
    req = make_mocked_request("GET", "/")
    assert req._loop is asyncio.get_running_loop()
    resp = web.Response(text="data")
    await resp.prepare(req)
    await resp.write_eof()
    req.writer.write_headers.assert_called_once()  # type: ignore[attr-defined]  # a Mock
    assert resp.prepared


async def test_mocked_coro_returns_raises_and_records() -> None:
    mocked = make_mocked_coro(1)
    assert await mocked(1, 2) == 1
    mocked.assert_called_with(1, 2)
    assert await make_mocked_coro()() is None
    fut = asyncio.get_running_loop().create_future()
    fut.set_result("awaited")
    assert await make_mocked_coro(fut)() == "awaited"
    with pytest.raises(ValueError, match="boom"):
        await make_mocked_coro(raise_exception=ValueError("boom"))()


# -- loops ------------------------------------------------------------------------------------


def test_loop_context_installs_and_closes_a_loop() -> None:
    with loop_context() as loop:
        assert asyncio.get_event_loop() is loop
        assert loop.run_until_complete(asyncio.sleep(0, "ok")) == "ok"
    assert loop.is_closed()


def test_client_driven_from_a_loop_context_without_a_running_loop() -> None:
    with loop_context() as loop:
        client = TestClient(TestServer(_app()), loop=loop)
        loop.run_until_complete(client.start_server())

        async def fetch() -> str:
            resp = await client.get("/sync")
            return await resp.text()

        assert loop.run_until_complete(fetch()) == "GET /sync "
        loop.run_until_complete(client.close())


def test_teardown_test_loop_tolerates_a_closed_loop() -> None:
    loop = setup_test_loop()
    loop.close()
    teardown_test_loop(loop, fast=True)
    assert loop.is_closed()


def test_teardown_reports_a_leaked_session() -> None:
    loop = setup_test_loop()
    reported: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _loop, context: reported.append(context))

    async def leak() -> list[ClientSession]:
        return [ClientSession()]

    leaked = loop.run_until_complete(leak())
    with pytest.warns(ResourceWarning, match="Unclosed client session"):
        del leaked
        teardown_test_loop(loop)
    assert any(c.get("message") == "Unclosed client session" for c in reported)


def test_teardown_reports_a_leaked_task() -> None:
    loop = setup_test_loop()
    reported: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _loop, context: reported.append(context))

    async def forever() -> None:
        await asyncio.Event().wait()

    async def leak() -> None:
        _ = asyncio.get_running_loop().create_task(forever())  # the leak: no reference kept
        await asyncio.sleep(0)

    loop.run_until_complete(leak())
    teardown_test_loop(loop)
    assert any(c.get("message") == "Task was destroyed but it is pending!" for c in reported)


def test_unittest_run_loop_is_a_deprecated_noop() -> None:
    async def f() -> None:
        pass

    with pytest.warns(DeprecationWarning, match="no longer needed"):
        assert unittest_run_loop(f) is f


# -- AioHTTPTestCase ---------------------------------------------------------------------------


def test_aiohttp_test_case_runs_async_tests_against_the_app() -> None:
    events: list[str] = []

    class Case(AioHTTPTestCase):
        async def get_application(self) -> web.Application:
            app = _app()

            async def cleanup(app: web.Application) -> None:
                events.append("cleanup")

            app.on_cleanup.append(cleanup)
            return app

        async def test_get(self) -> None:
            assert self.client.server is self.server
            assert self.client.app is self.app
            assert self.loop is asyncio.get_running_loop()
            resp = await self.client.get("/x")
            self.assertEqual(await resp.text(), "GET /x ")
            events.append("test")

    class Forgotten(AioHTTPTestCase):
        async def test_nothing(self) -> None:
            pass

    suite = unittest.TestSuite([Case("test_get"), Forgotten("test_nothing")])
    result = unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(suite)
    assert result.testsRun == 2
    assert not result.failures
    assert len(result.errors) == 1
    assert "Did you forget to define get_application()" in result.errors[0][1]
    assert events == ["test", "cleanup"]


def test_session_header_option_reaches_the_server() -> None:
    async def main() -> str:
        async def handler(request: web.Request) -> web.Response:
            return web.Response(text=request.headers.get(hdrs.USER_AGENT, ""))

        app = web.Application()
        app.router.add_get("/", handler)
        async with TestClient(TestServer(app), headers={"User-Agent": "tester"}) as client:
            return await (await client.get("/")).text()

    assert asyncio.run(main()) == "tester"
