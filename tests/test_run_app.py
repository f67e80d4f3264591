"""``web.run_app``: in a subprocess stopped by SIGINT/SIGTERM (an in-flight request still
finishes), and in-process for the listening options and bad input."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
import tempfile
import textwrap
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
BANNER = re.compile(r"======== Running on (.+) ========")

SERVER_SCRIPT = textwrap.dedent(
    """
    import asyncio
    from aiohttp import web

    async def slow(request):
        print("HANDLER-START", flush=True)
        await asyncio.sleep(0.5)
        print("HANDLER-END", flush=True)
        return web.Response(text="finished")

    async def on_shutdown(app):
        print("SHUTDOWN", flush=True)

    async def on_cleanup(app):
        print("CLEANUP", flush=True)

    app = web.Application()
    app.router.add_get("/slow", slow)
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.append(on_cleanup)
    web.run_app(
        app, host="127.0.0.1", port=0, shutdown_timeout=5, access_log=None,
        print=lambda *args: print(*args, flush=True),
    )
    print("EXITED", flush=True)
    """
)


@asynccontextmanager
async def server_process(script: str) -> AsyncIterator[tuple[asyncio.subprocess.Process, str]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        script,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        url = await wait_for_banner(proc)
        yield proc, url
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def wait_for_banner(proc: asyncio.subprocess.Process) -> str:
    assert proc.stdout is not None
    while True:
        line = (await asyncio.wait_for(proc.stdout.readline(), 15)).decode()
        if not line:
            assert proc.stderr is not None
            raise AssertionError((await proc.stderr.read()).decode())
        match = BANNER.search(line)
        if match:
            assert (await proc.stdout.readline()).decode().strip() == "(Press CTRL+C to quit)"
            return match.group(1)


async def read_rest(proc: asyncio.subprocess.Process) -> list[str]:
    assert proc.stdout is not None
    out = await asyncio.wait_for(proc.stdout.read(), 15)
    return out.decode().split()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
async def test_signal_shuts_down_gracefully(signum: int) -> None:
    async with server_process(SERVER_SCRIPT) as (proc, url):
        assert url.startswith("http://127.0.0.1:") and not url.endswith(":0")
        assert proc.stdout is not None
        async with httpx.AsyncClient() as client:
            request = asyncio.ensure_future(client.get(f"{url}/slow"))
            assert await asyncio.wait_for(proc.stdout.readline(), 10) == b"HANDLER-START\n"
            proc.send_signal(signum)
            response = await asyncio.wait_for(request, 10)
        assert response.status_code == 200 and response.text == "finished"
        assert await read_rest(proc) == ["SHUTDOWN", "HANDLER-END", "CLEANUP", "EXITED"]
        assert await asyncio.wait_for(proc.wait(), 10) == 0


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
async def test_signal_with_no_request_in_flight_exits_quickly() -> None:
    async with server_process(SERVER_SCRIPT) as (proc, _):
        loop = asyncio.get_running_loop()
        begin = loop.time()
        proc.send_signal(signal.SIGINT)
        assert await read_rest(proc) == ["SHUTDOWN", "CLEANUP", "EXITED"]
        assert await asyncio.wait_for(proc.wait(), 10) == 0
        assert loop.time() - begin < 5


# --- in process ----------------------------------------------------------------------------


def stop_soon(app: web.Application, delay: float = 0.2) -> None:
    """Make the running ``run_app`` exit (as a signal would) shortly after startup."""

    async def schedule(app: web.Application) -> None:
        def stop() -> None:
            raise web.GracefulExit()

        asyncio.get_running_loop().call_later(delay, stop)

    app.on_startup.append(schedule)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_run_app_in_process_serves_then_cleans_up() -> None:
    events: list[str] = []
    printed: list[str] = []

    async def probe(app: web.Application) -> None:
        async def check() -> None:
            url = BANNER.search(printed[0])
            assert url is not None
            async with httpx.AsyncClient() as client:
                events.append((await client.get(url.group(1) + "/")).text)

        asyncio.get_running_loop().call_later(0.05, lambda: asyncio.ensure_future(check()))

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hello")

    async def on_cleanup(app: web.Application) -> None:
        events.append("cleanup")

    app = web.Application()
    app.router.add_get("/", hello)
    app.on_startup.append(probe)
    app.on_cleanup.append(on_cleanup)
    stop_soon(app, 0.5)
    web.run_app(
        app, host="127.0.0.1", port=0, print=printed.append, handle_signals=False, access_log=None
    )
    assert events == ["hello", "cleanup"]


def test_run_app_accepts_a_coroutine_and_listens_everywhere_asked() -> None:
    printed: list[str] = []
    ports = [free_port(), free_port()]
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock_port = sock.getsockname()[1]

    async def make() -> web.Application:
        app = web.Application()
        stop_soon(app)
        return app

    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "app.sock")
        web.run_app(
            make(),
            host=["127.0.0.1"],
            port=ports[0],
            path=path,
            sock=sock,
            print=printed.append,
            access_log=None,
        )
        names = BANNER.search(printed[0])
        assert names is not None
        assert names.group(1).split(", ") == sorted(
            [
                f"http://127.0.0.1:{ports[0]}",
                f"http://unix:{path}:",
                f"http://127.0.0.1:{sock_port}",
            ]
        )
    sock.close()


def test_run_app_default_print_banner(capsys: pytest.CaptureFixture[str]) -> None:
    app = web.Application()
    stop_soon(app, 0.05)
    port = free_port()
    web.run_app(app, host="127.0.0.1", port=port, access_log=None)
    out = capsys.readouterr().out
    assert out == f"======== Running on http://127.0.0.1:{port} ========\n(Press CTRL+C to quit)\n"


def test_run_app_refuses_what_is_not_an_application() -> None:
    with pytest.raises(TypeError, match="needs an Application"):
        web.run_app(object(), print=None)  # type: ignore[arg-type]

    async def not_an_app() -> object:
        return 42

    with pytest.raises(TypeError, match="returned 42"):
        web.run_app(not_an_app(), print=None)  # type: ignore[arg-type]


def test_run_app_reports_a_bind_failure() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError):
            web.run_app(web.Application(), host="127.0.0.1", port=port, print=None)


def test_run_app_startup_failure_tears_down_contexts() -> None:
    events: list[str] = []

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        events.append("up")
        yield
        events.append("down")

    async def fail(app: web.Application) -> None:
        raise RuntimeError("cannot start")

    app = web.Application()
    app.cleanup_ctx.append(ctx)
    app.on_startup.append(fail)
    with pytest.raises(RuntimeError, match="cannot start"):
        web.run_app(app, port=free_port(), print=None)
    assert events == ["up", "down"]


def test_run_app_closes_the_loop_it_was_given() -> None:
    loop = asyncio.new_event_loop()
    app = web.Application()
    stop_soon(app, 0.05)
    web.run_app(app, host="127.0.0.1", port=free_port(), print=None, loop=loop)
    assert loop.is_closed()
