"""Route definitions: ``web.get()`` and friends, ``RouteTableDef`` and registering them."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiohttp import web
from aiohttp.web_routedef import RouteDef, StaticDef
from aiohttp.web_urldispatcher import StaticResource

from ._web_fixtures import make_request


async def handler(request: web.Request) -> web.StreamResponse:
    return web.Response()


EXPECT_ANSWER = web.Response(status=417)


async def expect(request: web.Request) -> web.StreamResponse:
    return EXPECT_ANSWER


class ItemView(web.View):
    async def get(self) -> web.StreamResponse:
        return web.Response()


@pytest.mark.parametrize(
    ("factory", "method"),
    [
        (web.head, "HEAD"),
        (web.options, "OPTIONS"),
        (web.post, "POST"),
        (web.put, "PUT"),
        (web.patch, "PATCH"),
        (web.delete, "DELETE"),
    ],
)
def test_module_function_registers_one_route(factory: object, method: str) -> None:
    assert callable(factory)
    definition = factory("/p", handler, name="n")
    assert isinstance(definition, RouteDef)
    assert (definition.method, definition.path, definition.handler) == (method, "/p", handler)
    router = web.UrlDispatcher()
    routes = router.add_routes([definition])
    assert [r.method for r in routes] == [method]
    assert routes[0].name == "n"


def test_get_registers_head_too_unless_disallowed() -> None:
    router = web.UrlDispatcher()
    routes = router.add_routes([web.get("/a", handler), web.get("/b", handler, allow_head=False)])
    assert [r.method for r in routes] == ["GET", "GET"]
    assert [r.method for r in router.routes()] == ["HEAD", "GET", "GET"]


def test_route_and_view_definitions() -> None:
    router = web.UrlDispatcher()
    routes = router.add_routes(
        [web.route("PROPFIND", "/dav", handler), web.view("/v", ItemView, name="v")]
    )
    assert [r.method for r in routes] == ["PROPFIND", "*"]
    assert routes[1].handler is ItemView


async def test_route_definition_passes_expect_handler() -> None:
    router = web.UrlDispatcher()
    (route,) = router.add_routes([web.post("/e", handler, expect_handler=expect)])
    assert await route.handle_expect_header(make_request("POST", "/e")) is EXPECT_ANSWER


def test_allow_head_on_other_methods_is_refused() -> None:
    definition = web.route("POST", "/x", handler, allow_head=False)
    with pytest.raises(TypeError, match="allow_head applies to GET routes only"):
        web.UrlDispatcher().add_routes([definition])


def test_route_def_repr_and_immutability() -> None:
    definition = web.get("/r", handler, name="r")
    assert repr(definition) == "<RouteDef GET /r -> 'handler', allow_head=True, name='r'>"
    with pytest.raises(AttributeError):
        definition.path = "/other"  # type: ignore[misc]  # frozen


def test_static_definition(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("x")
    definition = web.static("/st", tmp_path, show_index=True)
    assert isinstance(definition, StaticDef)
    assert repr(definition) == f"<StaticDef /st -> {tmp_path}, show_index=True>"
    router = web.UrlDispatcher()
    routes = router.add_routes([definition])
    assert sorted(r.method for r in routes) == ["GET", "HEAD"]
    (resource,) = router.resources()
    assert isinstance(resource, StaticResource)
    assert str(resource.url_for(filename="f.txt")) == "/st/f.txt"


def test_route_table_def_decorators_keep_the_handler() -> None:
    routes = web.RouteTableDef()

    @routes.get("/g", name="g")
    async def get_handler(request: web.Request) -> web.StreamResponse:
        return web.Response()

    @routes.post("/p")
    async def post_handler(request: web.Request) -> web.StreamResponse:
        return web.Response()

    @routes.view("/v")
    class View(web.View):
        async def get(self) -> web.StreamResponse:
            return web.Response()

    for decorator in (routes.head, routes.put, routes.patch, routes.delete, routes.options):
        assert decorator("/m")(handler) is handler
    routes.route("PROPFIND", "/dav")(handler)

    assert len(routes) == 9
    assert repr(routes) == "<RouteTableDef count=9>"
    first = routes[0]
    assert isinstance(first, RouteDef) and first.handler is get_handler
    assert isinstance(routes[1], RouteDef) and routes[1].handler is post_handler
    assert isinstance(routes[2], RouteDef) and routes[2].handler is View
    assert first in routes
    assert [d.method for d in routes[1:3] if isinstance(d, RouteDef)] == ["POST", "*"]
    router = web.UrlDispatcher()
    registered = router.add_routes(routes)
    assert [r.method for r in registered] == [
        "GET", "POST", "*", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND"
    ]  # fmt: skip
    assert router["g"] is registered[0].resource


def test_route_table_def_static(tmp_path: Path) -> None:
    routes = web.RouteTableDef()
    routes.static("/files", tmp_path, name="files")
    assert isinstance(routes[0], StaticDef)
    router = web.UrlDispatcher()
    router.add_routes(routes)
    assert "files" in router
