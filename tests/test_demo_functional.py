"""The wire-core demo server (examples/demo_server.py) over real loopback sockets,
driven by httpx and by raw sockets: parser and writer working together end to end."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest

DEMO_PATH = Path(__file__).resolve().parent.parent / "examples" / "demo_server.py"


def _load_demo() -> ModuleType:
    spec = importlib.util.spec_from_file_location("demo_server", DEMO_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["demo_server"] = module
    spec.loader.exec_module(module)
    return module


demo = _load_demo()


@pytest.fixture
async def base_url() -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: demo.DemoProtocol(loop), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()


async def _raw_exchange(base_url: str, payload: bytes) -> bytes:
    """Send ``payload`` on a fresh connection, return everything until the server closes."""
    port = int(base_url.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(payload)
    await writer.drain()
    data = await asyncio.wait_for(reader.read(), timeout=5)
    writer.close()
    await writer.wait_closed()
    return data


async def test_demo_hello_with_httpx(base_url: str) -> None:
    async with httpx.AsyncClient() as client:
        resp = await client.get(base_url + "/")
    assert resp.status_code == 200
    assert resp.text == "Hello from the aiohttp wire core!\n"
    assert resp.headers["content-type"] == "text/plain; charset=utf-8"


async def test_demo_json_reports_parsed_request(base_url: str) -> None:
    async with httpx.AsyncClient() as client:
        resp = await client.get(base_url + "/json?a=1")
    assert resp.json() == {"method": "GET", "path": "/json?a=1", "version": [1, 1]}


async def test_demo_echo_keepalive_reuses_connection(base_url: str) -> None:
    async with httpx.AsyncClient() as client:
        first = await client.post(base_url + "/echo", content=b"hello")
        second = await client.post(base_url + "/echo", content=b"x" * 100_000)
    assert first.content == b"hello"
    assert second.content == b"x" * 100_000


async def test_demo_stream_is_chunked(base_url: str) -> None:
    async with httpx.AsyncClient() as client:
        resp = await client.get(base_url + "/stream")
    assert resp.headers["transfer-encoding"] == "chunked"
    assert resp.text == "".join(f"chunk {i}\n" for i in range(5))


async def test_demo_pipelined_requests_answered_in_order(base_url: str) -> None:
    requests = b"".join(b"GET /json?n=%d HTTP/1.1\r\nHost: x\r\n\r\n" % i for i in range(5))
    requests += b"GET /json?n=last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    data = await _raw_exchange(base_url, requests)
    responses = data.split(b"HTTP/1.1 200 OK\r\n")[1:]
    assert len(responses) == 6
    paths = [json.loads(r.split(b"\r\n\r\n", 1)[1])["path"] for r in responses]
    assert paths == [f"/json?n={i}" for i in range(5)] + ["/json?n=last"]


async def test_demo_bad_request_gets_400_and_close(base_url: str) -> None:
    data = await _raw_exchange(base_url, b"GET / HTTP/1.1\r\nBad Header: x\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 400 ")
    assert b"Connection: close" in data


async def test_demo_oversized_body_is_refused(base_url: str) -> None:
    body = b"x" * (demo.MAX_BODY + 1)
    head = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body)
    data = await _raw_exchange(base_url, head + body)
    assert data.startswith(b"HTTP/1.1 413 ")
