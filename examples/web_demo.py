"""A small ``aiohttp.web`` application: routes, a dynamic route, JSON, static files,
a streamed download, a WebSocket echo, a middleware, typed application state and an access log.

Run it with ``python examples/web_demo.py`` (or ``make demo``) and try::

    curl http://127.0.0.1:8080/
    curl http://127.0.0.1:8080/hello/world
    curl http://127.0.0.1:8080/api/info
    curl -X POST -d '{"name": "pen"}' http://127.0.0.1:8080/api/items
    curl http://127.0.0.1:8080/api/items
    curl -X POST -d '{"any": ["json", 1]}' http://127.0.0.1:8080/api/echo
    curl 'http://127.0.0.1:8080/stream?size=100000' | wc -c
    curl http://127.0.0.1:8080/static/style.css

``/ws`` is a WebSocket echo (text and binary; the text ``close`` ends the session).
Stop it with Ctrl+C: requests in flight finish first, open WebSockets are closed.
"""

from __future__ import annotations

import argparse
import logging
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from aiohttp import WSCloseCode, web

HOST = "127.0.0.1"
PORT = 8080
STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_ITEMS = 100  # the demo keeps items in memory: cap them
MAX_STREAM = 16 * 2**20  # largest /stream download, in bytes
STREAM_CHUNK = 2**16
STREAM_PATTERN = b"0123456789abcdef"  # /stream repeats these bytes

items_key = web.AppKey("items_key", list[str])
started_key = web.AppKey("started_key", float)
sockets_key: web.AppKey[weakref.WeakSet[web.WebSocketResponse]] = web.AppKey("sockets_key")

routes = web.RouteTableDef()


@routes.get("/")
async def index(request: web.Request) -> web.StreamResponse:
    """The home page is the static index."""
    raise web.HTTPFound("/static/index.html")


@routes.get("/hello/{name}")
async def hello(request: web.Request) -> web.Response:
    """A dynamic route: the name comes from the path."""
    name = request.match_info["name"]
    return web.Response(text=f"Hello, {name}!\n")


@routes.get("/api/info")
async def info(request: web.Request) -> web.Response:
    """Some JSON about the server."""
    started = request.app[started_key]
    return web.json_response(
        {
            "uptime_seconds": round(time.monotonic() - started, 3),
            "items": len(request.app[items_key]),
            "path": request.path,
        }
    )


@routes.get("/api/items")
async def list_items(request: web.Request) -> web.Response:
    """The stored items, as a JSON list."""
    return web.json_response(request.app[items_key])


@routes.post("/api/items")
async def add_item(request: web.Request) -> web.Response:
    """Store ``{"name": ...}`` from the JSON body; 400 on anything else."""
    try:
        data = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="the body must be JSON\n") from None
    name = data.get("name") if isinstance(data, dict) else None
    if not isinstance(name, str) or not name:
        raise web.HTTPBadRequest(text='expected {"name": "<non-empty string>"}\n')
    stored = request.app[items_key]
    if len(stored) >= MAX_ITEMS:
        raise web.HTTPInsufficientStorage(text="too many items\n")
    stored.append(name)
    return web.json_response({"added": name, "count": len(stored)}, status=201)


@routes.post("/api/echo")
async def echo_json(request: web.Request) -> web.Response:
    """Send the JSON body back as it came; 400 if it is not JSON."""
    try:
        data: object = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="the body must be JSON\n") from None
    return web.json_response(data)


def stream_bytes(size: int) -> bytes:
    """The body ``/stream?size=N`` sends: ``STREAM_PATTERN`` repeated, cut to ``size`` bytes."""
    repeats = -(-size // len(STREAM_PATTERN))
    return (STREAM_PATTERN * repeats)[:size]


@routes.get("/stream")
async def stream(request: web.Request) -> web.StreamResponse:
    """Stream ``size`` bytes (default 1 MiB, at most ``MAX_STREAM``) in 64 KiB writes."""
    try:
        size = int(request.query.get("size", 2**20))
    except ValueError:
        raise web.HTTPBadRequest(text="size must be an integer\n") from None
    if not 0 <= size <= MAX_STREAM:
        raise web.HTTPBadRequest(text=f"size must be between 0 and {MAX_STREAM}\n")
    response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
    response.content_length = size
    await response.prepare(request)
    chunk = stream_bytes(STREAM_CHUNK)  # a multiple of the pattern length, so chunks line up
    for start in range(0, size, STREAM_CHUNK):
        await response.write(chunk[: size - start])
    await response.write_eof()
    return response


@routes.get("/ws")
async def websocket_echo(request: web.Request) -> web.WebSocketResponse:
    """Echo text and binary messages back; the text message ``close`` ends the session."""
    ws = web.WebSocketResponse(heartbeat=30.0)
    await ws.prepare(request)
    sockets = request.app[sockets_key]
    sockets.add(ws)
    try:
        async for msg in ws:
            if msg.type is web.WSMsgType.TEXT:
                if msg.data == "close":
                    await ws.close()
                else:
                    await ws.send_str(msg.data)
            elif msg.type is web.WSMsgType.BINARY:
                await ws.send_bytes(msg.data)
    finally:
        sockets.discard(ws)
    return ws


async def close_websockets(app: web.Application) -> None:
    """On shutdown, close the open WebSockets so their handlers end promptly."""
    sockets = app[sockets_key]
    for ws in list(sockets):  # a copy: each handler drops its socket from the set as it ends
        await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")


@web.middleware
async def timing_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Adds an ``X-Response-Time`` header to every answer, errors included."""
    start = time.perf_counter()
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # raised answers (404, redirects ...) are responses too
        _stamp(exc, start)
        raise
    _stamp(response, start)
    return response


def _stamp(response: web.StreamResponse, start: float) -> None:
    if not response.prepared:  # a streamed answer has sent its headers already
        response.headers["X-Response-Time"] = f"{(time.perf_counter() - start) * 1000:.2f}ms"


async def state_ctx(app: web.Application) -> AsyncIterator[None]:
    """Set up the application state at startup; report on it at cleanup."""
    app[items_key] = []
    app[started_key] = time.monotonic()
    app[sockets_key] = weakref.WeakSet()
    yield
    logging.getLogger("aiohttp.web").info("served %d items", len(app[items_key]))


def make_app() -> web.Application:
    """Build the demo application."""
    app = web.Application(middlewares=[timing_middleware])
    app.add_routes(routes)
    app.router.add_static("/static", STATIC_DIR)
    app.cleanup_ctx.append(state_ctx)
    app.on_shutdown.append(close_websockets)
    return app


def main() -> None:
    """Serve the demo on ``--host``/``--port`` (127.0.0.1:8080 by default)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default=HOST)
    parser.add_argument("--port", type=int, default=PORT)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    web.run_app(make_app(), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
