"""Server guide example: an ``aiohttp.web`` application with routes, JSON, typed state,
a middleware and a cleanup context.

Run it with ``python docs/code/server_app.py`` and try
``curl http://127.0.0.1:8080/hello/you`` or
``curl -d '{"numbers": [1, 2, 3]}' http://127.0.0.1:8080/sum``.
``docs/code/test_guide_app.py`` tests it with the pytest plugin.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web


@dataclass
class Stats:
    visits: int = 0


# typed application state: app[stats_key] is a Stats to the type checker. The state is set
# up before the application starts; handlers then change the object, not the application.
stats_key = web.AppKey("stats_key", Stats)

routes = web.RouteTableDef()


@routes.get("/")
async def index(request: web.Request) -> web.Response:
    request.app[stats_key].visits += 1
    return web.Response(text="Hello, world")


@routes.get("/hello/{name}")
async def hello(request: web.Request) -> web.Response:
    name = request.match_info["name"]  # the {name} part of the path
    return web.Response(text=f"Hello, {name}")


@routes.post("/sum")
async def add(request: web.Request) -> web.Response:
    try:
        data = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="the body must be JSON") from None
    numbers = data.get("numbers") if isinstance(data, dict) else None
    if not isinstance(numbers, list) or not all(isinstance(n, int) for n in numbers):
        raise web.HTTPBadRequest(text='expected {"numbers": [<int>, ...]}')
    return web.json_response({"sum": sum(numbers)})


@routes.get("/visits")
async def visits(request: web.Request) -> web.Response:
    return web.json_response({"visits": request.app[stats_key].visits})


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def server_header(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Runs around every handler: here it labels each answer."""
    response = await handler(request)
    response.headers["X-Served-By"] = "server_app"
    return response


async def counter(app: web.Application) -> AsyncIterator[None]:
    """Startup before the ``yield``, cleanup after it."""
    app[stats_key] = Stats()
    yield
    logging.getLogger(__name__).info("%d visits", app[stats_key].visits)


def make_app() -> web.Application:
    app = web.Application(middlewares=[server_header])
    app.add_routes(routes)
    app.cleanup_ctx.append(counter)
    return app


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    web.run_app(make_app(), host="127.0.0.1", port=8080)
