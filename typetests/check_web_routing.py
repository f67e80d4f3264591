"""Type checks for routing: handler shapes the router accepts and rejects, route
definitions, ``RouteTableDef`` decorators (which keep the handler's own type), class-based
views, match infos and resources.

Checked by the main mypy run only; each misuse line carries the ``type: ignore`` code it
must produce.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any, Optional

from typing_extensions import assert_type
from yarl import URL

from aiohttp import web
from aiohttp.abc import AbstractMatchInfo, AbstractRouter
from aiohttp.web_routedef import AbstractRouteDef, RouteDef, StaticDef
from aiohttp.web_urldispatcher import (
    AbstractResource,
    AbstractRoute,
    PlainResource,
    Resource,
    ResourcesView,
    RoutesView,
    StaticResource,
    UrlMappingMatchInfo,
)


async def handler(request: web.Request) -> web.Response:
    return web.Response()


async def stream_handler(request: web.Request) -> web.StreamResponse:
    return web.StreamResponse()


def sync_handler(request: web.Request) -> web.Response:
    return web.Response()


async def wrong_argument(request: str) -> web.Response:
    return web.Response()


async def wrong_result(request: web.Request) -> str:
    return ""


async def expect(request: web.Request) -> Optional[web.StreamResponse]:
    return None


class ItemView(web.View):
    async def get(self) -> web.StreamResponse:
        return web.Response()


router = web.UrlDispatcher()
assert_type(router.add_get("/", handler), AbstractRoute)
assert_type(router.add_post("/", stream_handler, name="n", expect_handler=expect), AbstractRoute)
assert_type(router.add_route("*", "/v", ItemView), AbstractRoute)
assert_type(router.add_view("/v", ItemView), AbstractRoute)
assert_type(router.add_resource("/r"), Resource)
assert_type(router.add_static("/s", Path("."), show_index=True), AbstractResource)
router.add_get("/", sync_handler)  # type: ignore[arg-type]  # deprecated at run time too
router.add_get("/", wrong_argument)  # type: ignore[arg-type]
router.add_get("/", wrong_result)  # type: ignore[arg-type]
router.add_get("/", handler, allow_head="yes")  # type: ignore[arg-type]
router.add_post("/", handler, allow_head=False)  # type: ignore[call-arg]
router.add_view("/v", handler)  # type: ignore[arg-type]  # not a view class
router.add_static("/s", 42)  # type: ignore[arg-type]

assert_type(router["name"], AbstractResource)
assert_type(router.resources(), ResourcesView)
assert_type(router.routes(), RoutesView)
assert_type(router.named_resources(), Mapping[str, AbstractResource])
router_protocol: AbstractRouter = router

resource = router.add_resource("/users/{id}")
assert_type(resource.url_for(id="1"), URL)
assert_type(resource.canonical, str)
assert_type(PlainResource("/p").url_for(), URL)
static = StaticResource("/s", ".")
assert_type(static.url_for(filename="a.txt", append_version=True), URL)
static.url_for("a.txt")  # type: ignore[call-arg]  # keyword only
resource.add_route("PATCH", handler, expect_handler=expect)
resource.add_route("GET", handler, expect_handler=sync_handler)  # type: ignore[arg-type]

route = router.add_get("/x", handler)
assert_type(route.method, str)
assert_type(route.name, Optional[str])
assert_type(route.resource, Optional[AbstractResource])
assert_type(route.handler, Callable[[web.Request], Awaitable[web.StreamResponse]])


async def resolve(request: web.Request) -> None:
    info = await router.resolve(request)
    assert_type(info, UrlMappingMatchInfo)
    assert_type(info["id"], str)
    assert_type(info.http_exception, Optional[web.HTTPException])
    assert_type(info.route, AbstractRoute)
    assert_type(info.apps, tuple[web.Application, ...])
    assert_type(info.current_app, web.Application)
    assert_type(await info.handler(request), web.StreamResponse)
    assert_type(await info.expect_handler(request), Optional[web.StreamResponse])
    protocol: AbstractMatchInfo = info
    with info.set_current_app(info.current_app):
        pass
    info["id"] = 1  # type: ignore[assignment]
    pattern = resource.get_info().get("pattern")
    assert_type(pattern, Optional[re.Pattern[str]])
    assert protocol is info


# Route definitions and the table decorators.
assert_type(web.get("/", handler), RouteDef)
assert_type(web.get("/", handler, name="n", allow_head=False, expect_handler=expect), RouteDef)
assert_type(web.view("/v", ItemView), RouteDef)
assert_type(web.static("/s", "dir", show_index=True), StaticDef)
web.get("/", sync_handler)  # type: ignore[arg-type]
web.post("/", handler, allow_head=False)  # type: ignore[call-arg]
web.view("/v", handler)  # type: ignore[arg-type]
web.static("/s", "dir", show_index="yes")  # type: ignore[arg-type]
definitions: list[AbstractRouteDef] = [web.get("/", handler), web.static("/s", "dir")]
assert_type(router.add_routes(definitions), list[AbstractRoute])

routes = web.RouteTableDef()


@routes.get("/")
async def decorated(request: web.Request) -> web.Response:
    return web.Response()


@routes.view("/items")
class DecoratedView(web.View):
    async def get(self) -> web.StreamResponse:
        return web.Response()


async def keeps_types(request: web.Request) -> None:
    # The decorators return the handler with its own, narrower type.
    call: Coroutine[Any, Any, web.Response] = decorated(request)
    assert_type(await call, web.Response)
    view: DecoratedView = DecoratedView(request)
    assert_type(await view, web.StreamResponse)


assert_type(DecoratedView, type[DecoratedView])
assert_type(routes[0], AbstractRouteDef)
assert_type(routes[0:1], list[AbstractRouteDef])
routes.static("/s", "dir", append_version=True)
routes.get("/", allow_head=False)(handler)
routes.post("/", allow_head=False)  # type: ignore[call-arg]
routes.get("/")(sync_handler)  # type: ignore[type-var]
routes.view("/v")(handler)  # type: ignore[type-var]
app = web.Application()
assert_type(app.add_routes(routes), list[AbstractRoute])


# File responses.
assert_type(web.FileResponse(Path("f"), chunk_size=1024, status=200), web.FileResponse)
web.FileResponse(b"f")  # type: ignore[arg-type]
