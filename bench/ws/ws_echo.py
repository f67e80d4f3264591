"""Benchmark: WebSocket echo through aiohttp's own client and server, in one process.

A ``web.WebSocketResponse`` handler echoes every message back; a ``ClientSession.ws_connect``
client measures (1) sequential round trips of a 32-byte text message and (2) the throughput
of 1 MiB binary messages echoed back (each MiB crosses the loopback twice; the figure counts
it once). Each figure is the best of three timed passes after a warm-up. Runs under any
interpreter whose ``aiohttp`` has the 3.13 API; prints one JSON line. Usage:
``ws_echo.py [ROUND_TRIPS] [MEGABYTES] [COMPRESS]`` (COMPRESS: permessage-deflate window
bits the client offers, 0 = off).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import aiohttp
from aiohttp import web
from aiohttp.client import ClientSession
from aiohttp.client_ws import ClientWebSocketResponse
from aiohttp.http_websocket import WSMsgType

REPEAT = 3
TEXT = "x" * 32
BLOB = bytes(range(256)) * 4096  # 1 MiB


async def echo_handler(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(max_msg_size=8 * len(BLOB))
    await ws.prepare(request)
    async for msg in ws:
        if msg.type == WSMsgType.TEXT:
            await ws.send_str(msg.data)
        elif msg.type == WSMsgType.BINARY:
            await ws.send_bytes(msg.data)
    return ws


async def round_trips(ws: ClientWebSocketResponse, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        await ws.send_str(TEXT)
        msg = await ws.receive()
        assert msg.type == WSMsgType.TEXT and msg.data == TEXT
    return n / (time.perf_counter() - start)


async def throughput(ws: ClientWebSocketResponse, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        await ws.send_bytes(BLOB)
        msg = await ws.receive()
        assert msg.type == WSMsgType.BINARY and len(msg.data) == len(BLOB)
    return n * len(BLOB) / 1e6 / (time.perf_counter() - start)


async def main(trips: int, megabytes: int, compress: int = 0) -> dict[str, object]:
    app = web.Application()
    app.router.add_get("/ws", echo_handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with (
            ClientSession() as session,
            session.ws_connect(
                f"http://127.0.0.1:{port}/ws", max_msg_size=8 * len(BLOB), compress=compress
            ) as ws,
        ):
            await round_trips(ws, max(trips // 10, 1))
            await throughput(ws, max(megabytes // 10, 1))
            echo = max([await round_trips(ws, trips) for _ in range(REPEAT)])
            mbps = max([await throughput(ws, megabytes) for _ in range(REPEAT)])
    finally:
        await runner.cleanup()
    return {
        "aiohttp": aiohttp.__file__,
        "compressed": bool(ws.compress),
        "round_trips_per_s": round(echo),
        "mb_per_s": round(mbps, 1),
    }


if __name__ == "__main__":
    trips = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    megabytes = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    compress = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    print(json.dumps(asyncio.run(main(trips, megabytes, compress))))
