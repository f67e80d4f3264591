"""WebSocket guide example: a server handler that echoes messages and a client that talks
to it.

It runs as it is (``python docs/code/websocket_echo.py``): ``main`` serves the handler on a
free port of 127.0.0.1 and runs the client against it.
"""

from __future__ import annotations

import asyncio

import aiohttp
from aiohttp import web


async def echo(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse()
    await ws.prepare(request)  # the opening handshake
    async for msg in ws:  # ends when the client closes
        if msg.type is web.WSMsgType.TEXT:
            await ws.send_str(f"echo: {msg.data}")  # msg.data is a str
        elif msg.type is web.WSMsgType.BINARY:
            await ws.send_bytes(msg.data[::-1])  # msg.data is bytes
        elif msg.type is web.WSMsgType.ERROR:
            print("connection failed:", msg.data)  # msg.data is the exception
    return ws


async def talk(url: str) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(url) as ws:
            await ws.send_str("hello")
            print(await ws.receive_str())  # echo: hello
            await ws.send_bytes(b"\x01\x02\x03")
            print((await ws.receive_bytes()).hex())  # 030201
            await ws.send_json({"n": 1})
            msg = await ws.receive()
            if msg.type is aiohttp.WSMsgType.TEXT:
                print(msg.data)  # echo: {"n": 1}
        # leaving the block closed the WebSocket: a close frame, answered by the server
        print("close code:", ws.close_code)  # close code: 1000


async def main() -> None:
    app = web.Application()
    app.router.add_get("/ws", echo)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    try:
        await talk(f"http://127.0.0.1:{port}/ws")
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
