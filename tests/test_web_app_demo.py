"""The ``aiohttp.web`` demo application (examples/web_demo.py): its routes over a loopback
socket with httpx, and the script itself started as ``python examples/web_demo.py``."""

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
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app: web.Application = demo.make_app()
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            yield http
    finally:
        await runner.cleanup()


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
        proc.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(proc.wait(), 15) == 0
        log = (await proc.stderr.read()).decode()
        assert '"GET /hello/world HTTP/1.1" 200' in log  # the access log
        assert "served 0 items" in log  # the cleanup context ran
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
