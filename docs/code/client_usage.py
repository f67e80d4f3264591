"""Client guide example: a ``ClientSession`` sending GET and POST requests, reading JSON,
streaming a download and handling errors.

It runs as it is (``python docs/code/client_usage.py``): ``main`` serves a small
application on a free port of 127.0.0.1, then runs the client functions against it.
"""

from __future__ import annotations

import asyncio

import aiohttp
from aiohttp import web


async def get_text(session: aiohttp.ClientSession) -> None:
    async with session.get("/hello", params={"name": "client"}) as resp:
        print(resp.status, resp.content_type, await resp.text())
        # 200 text/plain Hello, client


async def post_json(session: aiohttp.ClientSession) -> None:
    async with session.post("/items", json={"name": "pen"}) as resp:
        resp.raise_for_status()  # a 4xx/5xx answer raises ClientResponseError
        print(await resp.json())  # {'created': 'pen'}


async def download(session: aiohttp.ClientSession) -> None:
    size = 0
    async with session.get("/data") as resp:
        async for chunk in resp.content.iter_chunked(16 * 1024):
            size += len(chunk)  # write each chunk to a file instead, for big downloads
    print("downloaded", size, "bytes")  # downloaded 200000 bytes


async def handle_errors(session: aiohttp.ClientSession) -> None:
    try:
        async with session.get("/missing", raise_for_status=True):
            pass
    except aiohttp.ClientResponseError as exc:
        print("failed:", exc.status, exc.message)  # failed: 404 Not Found
    timeout = aiohttp.ClientTimeout(total=0.1)
    try:
        async with session.get("/slow", timeout=timeout):
            pass
    except asyncio.TimeoutError:
        print("timed out")


async def run_client(base_url: str) -> None:
    # one session for many requests: it pools the connections
    async with aiohttp.ClientSession(base_url) as session:
        await get_text(session)
        await post_json(session)
        await download(session)
        await handle_errors(session)


# -- a server for the client to talk to ----------------------------------------------------


async def _hello(request: web.Request) -> web.Response:
    return web.Response(text=f"Hello, {request.query.get('name', 'world')}")


async def _create(request: web.Request) -> web.Response:
    data = await request.json()
    return web.json_response({"created": data["name"]}, status=201)


async def _data(request: web.Request) -> web.Response:
    return web.Response(body=b"x" * 200_000)


async def _slow(request: web.Request) -> web.Response:
    await asyncio.sleep(5)
    return web.Response(text="too late")


async def main() -> None:
    app = web.Application()
    app.router.add_get("/hello", _hello)
    app.router.add_post("/items", _create)
    app.router.add_get("/data", _data)
    app.router.add_get("/slow", _slow)
    runner = web.AppRunner(app, handler_cancellation=True)  # a client that gives up cancels
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        await run_client(f"http://127.0.0.1:{port}")
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
