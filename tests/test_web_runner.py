"""Runners and sites over real sockets: lifecycle, addresses, the kinds of site, misuse
errors, and the graceful shutdown (in-flight requests finish; slow ones are cancelled)."""

from __future__ import annotations

import asyncio
import socket
import sys
import tempfile
from pathlib import Path
from typing import Optional

import httpx
import pytest

from aiohttp import web


async def hello(request: web.Request) -> web.Response:
    return web.Response(text="hello")


def hello_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/", hello)
    return app


def server_of(runner: web.BaseRunner) -> Optional[web.Server]:
    return runner.server  # (a call, so the type checker does not keep a narrowed value)


async def fetch(port: int, path: str = "/") -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.get(f"http://127.0.0.1:{port}{path}")


async def test_app_runner_lifecycle() -> None:
    app = hello_app()
    runner = web.AppRunner(app)
    assert runner.app is app
    assert server_of(runner) is None
    assert runner.sites == set() and runner.addresses == []
    await runner.setup()
    assert isinstance(runner.server, web.Server)
    assert app.frozen
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    assert runner.sites == {site}
    host, port = runner.addresses[0][:2]
    assert host == "127.0.0.1" and port > 0
    assert site.name == f"http://127.0.0.1:{port}"
    assert (await fetch(port)).text == "hello"
    await runner.cleanup()
    assert server_of(runner) is None and runner.sites == set()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


async def test_tcp_site_default_names() -> None:
    runner = web.AppRunner(hello_app())
    await runner.setup()
    try:
        assert web.TCPSite(runner).name == "http://0.0.0.0:8080"
        assert web.TCPSite(runner, "::1", 9000).name == "http://[::1]:9000"
        import ssl

        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        assert web.TCPSite(runner, "localhost", ssl_context=tls).name == "https://localhost:8443"
    finally:
        await runner.cleanup()


async def test_site_before_setup_is_refused() -> None:
    runner = web.AppRunner(hello_app())
    with pytest.raises(RuntimeError, match=r"Call runner\.setup\(\) before making a site"):
        web.TCPSite(runner)


async def test_site_registration_errors() -> None:
    runner = web.AppRunner(hello_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        with pytest.raises(RuntimeError, match="already registered"):
            runner._reg_site(site)
        await site.stop()
        with pytest.raises(RuntimeError, match="not registered"):
            await site.stop()
    finally:
        await runner.cleanup()


async def test_site_shutdown_timeout_is_deprecated() -> None:
    runner = web.AppRunner(hello_app())
    await runner.setup()
    try:
        with pytest.warns(DeprecationWarning, match="shutdown_timeout should be set on BaseRunner"):
            web.TCPSite(runner, "127.0.0.1", 0, shutdown_timeout=5.0)
        assert runner._shutdown_timeout == 5.0
    finally:
        await runner.cleanup()


async def test_app_runner_refuses_non_application() -> None:
    with pytest.raises(TypeError, match=r"should be web\.Application instance"):
        web.AppRunner(object())  # type: ignore[arg-type]


async def test_two_sites_on_one_runner() -> None:
    runner = web.AppRunner(hello_app())
    await runner.setup()
    first, second = web.TCPSite(runner, "127.0.0.1", 0), web.TCPSite(runner, "127.0.0.1", 0)
    await first.start()
    await second.start()
    try:
        ports = [address[1] for address in runner.addresses]
        assert len(set(ports)) == 2
        for port in ports:
            assert (await fetch(port)).text == "hello"
    finally:
        await runner.cleanup()


async def test_sock_site_serves_a_bound_socket() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    runner = web.AppRunner(hello_app())
    await runner.setup()
    site = web.SockSite(runner, sock)
    assert site.name == f"http://127.0.0.1:{port}"
    await site.start()
    try:
        assert (await fetch(port)).text == "hello"
    finally:
        await runner.cleanup()
        sock.close()


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="needs Unix sockets")
async def test_unix_site() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "web.sock")
        runner = web.AppRunner(hello_app())
        await runner.setup()
        site = web.UnixSite(runner, path)
        assert site.name == f"http://unix:{path}:"
        await site.start()
        try:
            transport = httpx.AsyncHTTPTransport(uds=path)
            async with httpx.AsyncClient(transport=transport) as client:
                assert (await client.get("http://localhost/")).text == "hello"
            assert runner.addresses == [path]
        finally:
            await runner.cleanup()

        unix_sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock_path = str(Path(tmp) / "other.sock")
        unix_sock.bind(sock_path)
        runner = web.AppRunner(hello_app())
        await runner.setup()
        try:
            assert web.SockSite(runner, unix_sock).name == f"http://unix:{sock_path}:"
        finally:
            await runner.cleanup()
            unix_sock.close()


@pytest.mark.skipif(sys.platform == "win32", reason="checks the non-Windows refusal")
async def test_named_pipe_site_needs_windows() -> None:
    runner = web.AppRunner(hello_app())
    await runner.setup()
    try:
        with pytest.raises(RuntimeError, match="Named Pipes only available"):
            web.NamedPipeSite(runner, r"\\.\pipe\aiohttp")
    finally:
        await runner.cleanup()


async def test_server_runner_serves_a_low_level_server() -> None:
    async def handler(request: web.BaseRequest) -> web.StreamResponse:
        return web.Response(text=f"low level {request.path}")

    runner = web.ServerRunner(web.Server(handler))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        assert (await fetch(runner.addresses[0][1], "/x")).text == "low level /x"
    finally:
        await runner.cleanup()


async def test_cleanup_without_setup_and_twice() -> None:
    calls: list[str] = []

    async def on_cleanup(app: web.Application) -> None:
        calls.append("cleanup")

    app = hello_app()
    app.on_cleanup.append(on_cleanup)
    runner = web.AppRunner(app)
    await runner.cleanup()
    assert calls == []
    await runner.setup()
    await runner.cleanup()
    await runner.cleanup()
    assert calls == ["cleanup"]


async def test_handle_signals_installs_and_removes_handlers() -> None:
    loop = asyncio.get_running_loop()
    runner = web.AppRunner(hello_app(), handle_signals=True)
    await runner.setup()
    try:
        import signal

        assert loop.remove_signal_handler(signal.SIGTERM)  # it was installed
        loop.add_signal_handler(signal.SIGTERM, lambda: None)
    finally:
        await runner.cleanup()
    assert not loop.remove_signal_handler(signal.SIGTERM)


def test_graceful_exit_is_a_system_exit() -> None:
    assert issubclass(web.GracefulExit, SystemExit)
    assert web.GracefulExit().code == 1


# --- graceful shutdown ----------------------------------------------------------------------


async def test_graceful_shutdown_lets_an_inflight_request_finish() -> None:
    started, events = asyncio.Event(), []

    async def slow(request: web.Request) -> web.Response:
        started.set()
        await asyncio.sleep(0.3)
        events.append("handler done")
        return web.Response(text="finished")

    async def on_shutdown(app: web.Application) -> None:
        events.append("on_shutdown")

    async def on_cleanup(app: web.Application) -> None:
        events.append("on_cleanup")

    app = web.Application()
    app.router.add_get("/slow", slow)
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.append(on_cleanup)
    runner = web.AppRunner(app, shutdown_timeout=5.0)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]

    request = asyncio.ensure_future(fetch(port, "/slow"))
    await asyncio.wait_for(started.wait(), 5)
    await runner.cleanup()
    response = await request
    assert response.status_code == 200 and response.text == "finished"
    assert events == ["on_shutdown", "handler done", "on_cleanup"]


async def test_graceful_shutdown_cancels_requests_past_the_timeout() -> None:
    started, outcome = asyncio.Event(), []

    async def stuck(request: web.Request) -> web.Response:
        started.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise
        return web.Response()  # pragma: no cover

    app = web.Application()
    app.router.add_get("/stuck", stuck)
    runner = web.AppRunner(app, shutdown_timeout=0.2)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /stuck HTTP/1.1\r\nHost: x\r\n\r\n")
    await asyncio.wait_for(started.wait(), 5)
    loop = asyncio.get_running_loop()
    begin = loop.time()
    await runner.cleanup()
    assert loop.time() - begin < 3
    assert outcome == ["cancelled"]
    # The connection is closed (without an answer, or with a 5xx), not left hanging.
    data = await asyncio.wait_for(reader.read(), 5)
    assert data == b"" or data.startswith(b"HTTP/1.1 5")
    writer.close()


async def test_idle_keepalive_connection_is_closed_on_shutdown() -> None:
    runner = web.AppRunner(hello_app(), shutdown_timeout=5.0)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    head = await reader.readuntil(b"hello")
    assert head.startswith(b"HTTP/1.1 200")
    loop = asyncio.get_running_loop()
    begin = loop.time()
    await runner.cleanup()
    assert loop.time() - begin < 2  # did not wait for the idle connection
    assert await asyncio.wait_for(reader.read(), 5) == b""
    writer.close()


async def test_new_connections_are_refused_during_shutdown() -> None:
    started = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        started.set()
        await asyncio.sleep(0.3)
        return web.Response(text="done")

    app = web.Application()
    app.router.add_get("/", slow)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    inflight = asyncio.ensure_future(fetch(port))
    await asyncio.wait_for(started.wait(), 5)
    cleanup = asyncio.ensure_future(runner.cleanup())
    await asyncio.sleep(0.05)
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", port)
    await cleanup
    assert (await inflight).text == "done"
