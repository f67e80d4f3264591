"""Quickstart example: serve one route, fetch it with a client, stop.

It runs as it is: ``python docs/code/hello_world.py``. It serves on a free port of 127.0.0.1,
so it never clashes with a server already running; ``web.run_app(app)`` is the way to serve
until Ctrl+C instead.
"""

from __future__ import annotations

import asyncio

import aiohttp
from aiohttp import web


async def hello(request: web.Request) -> web.Response:
    name = request.match_info.get("name", "world")
    return web.Response(text=f"Hello, {name}")


async def main() -> None:
    app = web.Application()
    app.router.add_get("/", hello)
    app.router.add_get("/{name}", hello)

    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()  # port 0: any free port
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/typed"
    try:
        async with aiohttp.ClientSession() as session, session.get(url) as resp:
            print(resp.status, await resp.text())  # 200 Hello, typed
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
