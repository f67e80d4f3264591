"""The benchmark web server: one ``aiohttp.web`` application, run under each contender.

It uses only the public aiohttp 3.13 ``aiohttp.web`` API, so the very same file runs on this
project and on the reference aiohttp. Routes: ``GET /`` (hello world text), ``GET /json``
(a small ``web.json_response``), ``GET /users/{user_id}/posts/{post_id}`` (a dynamic route
behind a few dozen others, answered from ``match_info``), ``POST /echo`` (reads the body and
sends it back) and ``GET /file`` (``web.FileResponse`` of the file given with ``--file``).
It listens on 127.0.0.1 only, with no access log, and once it is serving prints one JSON line
(port, pid, which aiohttp and which parser it runs) so the harness knows it is ready.
SIGTERM or SIGINT stop it. Usage: ``app.py [--port N] [--file PATH]`` (port 0: any free one).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
from pathlib import Path

import aiohttp
from aiohttp import web
from aiohttp.base_protocol import BaseProtocol
from aiohttp.http_parser import HttpRequestParser

HELLO = "Hello, World!"
FILE_KEY = web.AppKey("file", Path)


async def hello(request: web.Request) -> web.Response:
    return web.Response(text=HELLO)


async def json_small(request: web.Request) -> web.Response:
    return web.json_response(
        {"message": HELLO, "id": 4711, "tags": ["bench", "json"], "ok": True, "score": 0.5}
    )


async def user_post(request: web.Request) -> web.Response:
    info = request.match_info
    return web.Response(text=f"user {info['user_id']} post {info['post_id']}")


async def echo(request: web.Request) -> web.Response:
    body = await request.read()
    return web.Response(body=body, content_type="application/octet-stream")


async def send_file(request: web.Request) -> web.FileResponse:
    return web.FileResponse(request.app[FILE_KEY])


async def unused(request: web.Request) -> web.Response:
    raise web.HTTPGone()


def make_app(file: Path) -> web.Application:
    """The application; the filler routes make the dynamic route's lookup a realistic one."""
    app = web.Application()
    app[FILE_KEY] = file
    routes = [web.get("/", hello), web.get("/json", json_small)]
    for i in range(20):
        routes.append(web.get(f"/api/v1/items{i}", unused))
        routes.append(web.get(f"/api/v1/items{i}/{{item_id}}", unused))
    routes += [
        web.get(r"/users/{user_id:\d+}/posts/{post_id}", user_post),
        web.post("/echo", echo),
        web.get("/file", send_file),
    ]
    app.add_routes(routes)
    return app


def describe(loop: asyncio.AbstractEventLoop) -> str:
    """The request parser class the server uses, and its engine where there is one."""
    parser = HttpRequestParser(BaseProtocol(loop), loop, 2**16)
    impl = f"{type(parser).__module__}.{type(parser).__qualname__}"
    engine = getattr(parser, "_engine", None)  # this project's parsers drive a wire-core engine
    if engine is not None:
        impl += f" (engine: {type(engine).__name__}"
        # the httptools engine hands some parsers (lax ones) to the pure one from the start
        fallback = getattr(engine, "_py", None)
        if fallback is not None:
            impl += f", running {type(fallback).__name__}"
        impl += ")"
    return impl


async def serve(port: int, file: Path) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    runner = web.AppRunner(make_app(file), access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", port)
        await site.start()
        bound = runner.addresses[0][1]
        ready = {
            "ready": True,
            "port": bound,
            "pid": os.getpid(),
            "impl": describe(loop),
            "aiohttp_file": aiohttp.__file__,
            "aiohttp_version": aiohttp.__version__,
        }
        print(json.dumps(ready), flush=True)
        await stop.wait()
    finally:
        await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument("--file", type=Path, default=Path(__file__), help="file for GET /file")
    args = parser.parse_args()
    if not args.file.is_file():
        parser.error(f"no such file: {args.file}")
    asyncio.run(serve(args.port, args.file.resolve()))


if __name__ == "__main__":
    main()
