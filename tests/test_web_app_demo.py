"""The ``aiohttp.web`` demo application (examples/web_demo.py): its routes over a loopback
socket with httpx (HTTP) and aiohttp's client (streaming, WebSocket), its graceful shutdown
with a WebSocket open, and the script itself started as ``python examples/web_demo.py``."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
DEMO_PATH = ROOT / "examples" / "web_demo.py"


def _load_demo() -> ModuleType:
    spec = importlib.util.spec_from_file_location("web_demo", DEMO_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


demo = _load_demo()


@pytest.fixture
async def runner() -> AsyncIterator[web.AppRunner]:
    app: web.Application = demo.make_app()
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield runner
    finally:
        await runner.cleanup()


@pytest.fixture
def base_url(runner: web.AppRunner) -> str:
    return f"http://127.0.0.1:{runner.addresses[0][1]}"


@pytest.fixture
async def client(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base_url) as http:
        yield http


@pytest.fixture
async def session(base_url: str) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(base_url) as http:
        yield http


async def test_demo_index_redirects_to_static_page(client: httpx.AsyncClient) -> None:
    resp = await client.get("/", follow_redirects=True)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/html")
    assert "<h1>aiohttp.web demo</h1>" in resp.text
    assert resp.history[0].status_code == 302


async def test_demo_static_css(client: httpx.AsyncClient) -> None:
    resp = await client.get("/static/style.css")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/css")
    assert "font-family" in resp.text


async def test_demo_dynamic_route(client: httpx.AsyncClient) -> None:
    resp = await client.get("/hello/aiohttp")
    assert resp.text == "Hello, aiohttp!\n"
    assert resp.headers["X-Response-Time"].endswith("ms")


async def test_demo_json_items_round_trip(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/items")).json() == []
    resp = await client.post("/api/items", json={"name": "pen"})
    assert resp.status_code == 201 and resp.json() == {"added": "pen", "count": 1}
    assert (await client.get("/api/items")).json() == ["pen"]
    info = (await client.get("/api/info")).json()
    assert info["items"] == 1 and info["path"] == "/api/info"


async def test_demo_bad_json_is_a_400_with_timing(client: httpx.AsyncClient) -> None:
    resp = await client.post("/api/items", content=b"not json")
    assert resp.status_code == 400
    assert "X-Response-Time" in resp.headers
    resp = await client.post("/api/items", json={"name": ""})
    assert resp.status_code == 400


async def test_demo_unknown_path_is_404(client: httpx.AsyncClient) -> None:
    resp = await client.get("/missing")
    assert resp.status_code == 404
    assert "X-Response-Time" in resp.headers


async def test_demo_json_echo_returns_the_body(client: httpx.AsyncClient) -> None:
    body = {"nested": [1, "two", None, {"x": 1.5}]}
    resp = await client.post("/api/echo", json=body)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("application/json")
    assert resp.json() == body
    assert (await client.post("/api/echo", content=b"{not json")).status_code == 400


@pytest.mark.parametrize("size", [0, 1, 17, 2**16, 2**16 + 3, 300_000])
async def test_demo_stream_sends_size_bytes(client: httpx.AsyncClient, size: int) -> None:
    resp = await client.get("/stream", params={"size": size})
    assert resp.status_code == 200
    assert resp.headers["Content-Length"] == str(size)
    assert resp.content == demo.stream_bytes(size)
    assert resp.content == (demo.STREAM_PATTERN * (size // 16 + 1))[:size]


async def test_demo_stream_default_is_one_mib(session: aiohttp.ClientSession) -> None:
    received = 0
    async with session.get("/stream") as resp:
        async for chunk in resp.content.iter_chunked(2**15):
            received += len(chunk)
    assert received == 2**20


@pytest.mark.parametrize("size", ["-1", "abc", "1.5", str(16 * 2**20 + 1)])
async def test_demo_stream_bad_size_is_a_400(client: httpx.AsyncClient, size: str) -> None:
    resp = await client.get("/stream", params={"size": size})
    assert resp.status_code == 400
    assert "size must be" in resp.text


async def test_demo_websocket_echoes_text_and_binary(session: aiohttp.ClientSession) -> None:
    async with session.ws_connect("/ws") as ws:
        await ws.send_str("hello")
        assert await ws.receive_str() == "hello"
        await ws.send_bytes(b"\x00\xff")
        assert await ws.receive_bytes() == b"\x00\xff"
        await ws.send_str("close")
        msg = await ws.receive()
        assert msg.type is aiohttp.WSMsgType.CLOSE
        assert msg.data == aiohttp.WSCloseCode.OK
    assert ws.closed


async def test_demo_shutdown_closes_open_websockets(
    runner: web.AppRunner, session: aiohttp.ClientSession
) -> None:
    async with session.ws_connect("/ws") as ws:
        await ws.send_str("ping")
        assert await ws.receive_str() == "ping"
        loop = asyncio.get_running_loop()
        started = loop.time()
        # on_shutdown closes the socket instead of letting shutdown wait 5 s for its handler;
        # the client reads meanwhile, so it answers the server's close frame
        cleanup = asyncio.create_task(runner.cleanup())
        msg = await ws.receive(timeout=5)
        await cleanup
        assert loop.time() - started < 2.0
        assert msg.type is aiohttp.WSMsgType.CLOSE
        assert msg.data == aiohttp.WSCloseCode.GOING_AWAY
        assert msg.extra == "server shutdown"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
async def test_demo_script_runs_and_stops_on_sigint() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(DEMO_PATH),
        "--port",
        str(port),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 15)
        assert f"Running on http://127.0.0.1:{port}".encode() in line
        async with httpx.AsyncClient() as http:
            resp = await http.get(f"http://127.0.0.1:{port}/hello/world")
        assert resp.text == "Hello, world!\n"
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(f"http://127.0.0.1:{port}/ws") as ws,
        ):
            # Ctrl+C with a WebSocket open: the server closes it and exits promptly
            proc.send_signal(signal.SIGINT)
            msg = await ws.receive(timeout=10)
            assert msg.type is aiohttp.WSMsgType.CLOSE
            assert msg.data == aiohttp.WSCloseCode.GOING_AWAY
        assert await asyncio.wait_for(proc.wait(), 15) == 0
        log = (await proc.stderr.read()).decode()
        assert '"GET /hello/world HTTP/1.1" 200' in log  # the access log
        assert "served 0 items" in log  # the cleanup context ran
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
