"""The URL dispatcher on its own: resources, routes, resolution (404/405), URL building,
name and path validation, match infos and class-based views."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import pytest
from yarl import URL

from aiohttp import hdrs, web
from aiohttp.web_urldispatcher import (
    DynamicResource,
    MatchInfoError,
    PlainResource,
    ResourceRoute,
    ResourcesView,
    RoutesView,
    SystemRoute,
    UrlMappingMatchInfo,
)

from ._web_fixtures import make_request

_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def handler(request: web.Request) -> web.StreamResponse:
    return web.Response(text="ok")


async def other(request: web.Request) -> web.StreamResponse:
    return web.Response(text="other")


async def resolve(
    router: web.UrlDispatcher, method: str, target: str, headers: dict[str, str] | None = None
) -> UrlMappingMatchInfo:
    return await router.resolve(make_request(method, target, headers))


# --- plain and dynamic resources ---------------------------------------------------------


async def test_resolve_plain_path_matches_exactly() -> None:
    router = web.UrlDispatcher()
    route = router.add_get("/a/b", handler)
    info = await resolve(router, "GET", "/a/b?x=1")
    assert info.http_exception is None
    assert info.route is route
    assert info.handler is handler
    assert dict(info) == {}
    assert info.get_info() == {"path": "/a/b"}
    assert (await resolve(router, "GET", "/a/b/")).http_exception is not None
    assert (await resolve(router, "GET", "/a")).http_exception is not None


async def test_resolve_dynamic_variables_are_unquoted() -> None:
    router = web.UrlDispatcher()
    router.add_get("/users/{name}/posts/{id}", handler)
    info = await resolve(router, "GET", "/users/a%2Fb%20c/posts/%C3%BC")
    assert dict(info) == {"name": "a/b c", "id": "ü"}


async def test_resolve_dynamic_segment_does_not_span_slash() -> None:
    router = web.UrlDispatcher()
    router.add_get("/u/{name}", handler)
    assert (await resolve(router, "GET", "/u/a/b")).http_exception is not None
    assert (await resolve(router, "GET", "/u/")).http_exception is not None


async def test_resolve_regex_variables() -> None:
    router = web.UrlDispatcher()
    router.add_get(r"/n/{num:\d+}", handler)
    router.add_get(r"/y/{year:\d{4}}-{month:\d{2}}", handler)
    router.add_get("/tail/{path:.*}", handler)
    assert dict(await resolve(router, "GET", "/n/42")) == {"num": "42"}
    assert (await resolve(router, "GET", "/n/x")).http_exception is not None
    assert dict(await resolve(router, "GET", "/y/2024-05")) == {"year": "2024", "month": "05"}
    assert dict(await resolve(router, "GET", "/tail/a/b/c")) == {"path": "a/b/c"}
    assert dict(await resolve(router, "GET", "/tail/")) == {"path": ""}


async def test_resolve_unicode_and_escaped_route_paths() -> None:
    router = web.UrlDispatcher()
    plain = router.add_get("/plain/pä th", handler).resource
    escaped = router.add_get("/esc/a%20b", handler).resource
    dyn = router.add_get("/ü/{x}/c d", handler).resource
    assert (await resolve(router, "GET", "/plain/p%C3%A4%20th")).route.resource is plain
    assert (await resolve(router, "GET", "/esc/a%20b")).route.resource is escaped
    assert (await resolve(router, "GET", "/esc/a b")).route.resource is escaped
    info = await resolve(router, "GET", "/%C3%BC/1/c%20d")
    assert info.route.resource is dyn and dict(info) == {"x": "1"}


async def test_resolve_encoded_slash_in_plain_route() -> None:
    router = web.UrlDispatcher()
    resource = router.add_get("/x%2Fy", handler).resource
    assert (await resolve(router, "GET", "/x%2Fy")).route.resource is resource
    assert (await resolve(router, "GET", "/x/y")).http_exception is not None


async def test_resolve_plain_route_wins_over_earlier_dynamic() -> None:
    router = web.UrlDispatcher()
    router.add_get("/users/{id}", other)
    router.add_get("/users/me", handler)
    assert (await resolve(router, "GET", "/users/me")).handler is handler
    assert (await resolve(router, "GET", "/users/7")).handler is other


async def test_resolve_catch_all_is_tried_last() -> None:
    router = web.UrlDispatcher()
    router.add_get("/{anything:.*}", other)
    router.add_get("/a/b", handler)
    assert (await resolve(router, "GET", "/a/b")).handler is handler
    assert dict(await resolve(router, "GET", "/zz/y")) == {"anything": "zz/y"}


async def test_resolve_same_prefix_in_registration_order() -> None:
    router = web.UrlDispatcher()
    router.add_get("/p/{a}", handler)
    router.add_get("/p/{b}", other)
    info = await resolve(router, "GET", "/p/1")
    assert info.handler is handler and dict(info) == {"a": "1"}


# --- methods: 404, 405 and HEAD ------------------------------------------------------------


async def test_resolve_unknown_path_is_404() -> None:
    router = web.UrlDispatcher()
    router.add_get("/a", handler)
    info = await resolve(router, "GET", "/nothing")
    assert isinstance(info, MatchInfoError)
    assert isinstance(info.http_exception, web.HTTPNotFound)
    assert isinstance(info.route, SystemRoute)
    assert info.route.status == 404
    assert repr(info) == "<MatchInfoError 404: Not Found>"
    with pytest.raises(web.HTTPNotFound):
        await info.handler(make_request("GET", "/nothing"))


async def test_resolve_wrong_method_is_405_with_allow() -> None:
    router = web.UrlDispatcher()
    router.add_get("/a", handler)
    router.add_post("/a", handler)
    router.add_put("/b/{x}", handler)
    info = await resolve(router, "DELETE", "/a")
    exc = info.http_exception
    assert isinstance(exc, web.HTTPMethodNotAllowed)
    assert exc.allowed_methods == {"GET", "HEAD", "POST"}
    assert exc.headers["Allow"] == "GET,HEAD,POST"
    exc = (await resolve(router, "GET", "/b/1")).http_exception
    assert isinstance(exc, web.HTTPMethodNotAllowed) and exc.headers["Allow"] == "PUT"


async def test_resolve_405_collects_methods_of_every_matching_resource() -> None:
    router = web.UrlDispatcher()
    router.add_post("/item/{id}", handler)
    router.add_put("/item/{name}", handler)
    exc = (await resolve(router, "GET", "/item/1")).http_exception
    assert isinstance(exc, web.HTTPMethodNotAllowed)
    assert exc.allowed_methods == {"POST", "PUT"}


async def test_add_get_answers_head_unless_disallowed() -> None:
    router = web.UrlDispatcher()
    router.add_get("/with", handler)
    router.add_get("/without", handler, allow_head=False)
    assert (await resolve(router, "HEAD", "/with")).route.method == "HEAD"
    exc = (await resolve(router, "HEAD", "/without")).http_exception
    assert isinstance(exc, web.HTTPMethodNotAllowed) and exc.allowed_methods == {"GET"}


async def test_any_method_route_matches_every_method() -> None:
    router = web.UrlDispatcher()
    router.add_route("*", "/star", handler)
    for method in ("GET", "PATCH", "PROPFIND"):
        info = await resolve(router, method, "/star")
        assert info.http_exception is None and info.route.method == "*"


def test_add_route_twice_for_a_method_raises() -> None:
    router = web.UrlDispatcher()
    router.add_route("HEAD", "/h", handler)
    with pytest.raises(RuntimeError, match="method HEAD is already registered"):
        router.add_route("HEAD", "/h", handler)
    router.add_route("*", "/any", handler)
    with pytest.raises(RuntimeError, match="will never be executed"):
        router.add_route("GET", "/any", handler)


def test_add_route_method_is_upper_cased_and_checked() -> None:
    router = web.UrlDispatcher()
    assert router.add_route("get", "/lower", handler).method == "GET"
    with pytest.raises(ValueError, match="G ET is not allowed HTTP method"):
        router.add_route("G ET", "/x", handler)
    with pytest.raises(ValueError, match="not allowed HTTP method"):
        router.add_route("GET\r\n", "/x", handler)


# --- handlers ------------------------------------------------------------------------------


def test_add_route_rejects_non_callable_handler() -> None:
    router = web.UrlDispatcher()
    with pytest.raises(TypeError, match="async function or a View class"):
        router.add_route("GET", "/x", 42)  # type: ignore[arg-type]  # the misuse under test


def test_add_route_rejects_a_class_that_is_not_a_view() -> None:
    router = web.UrlDispatcher()
    with pytest.raises(TypeError, match="View classes"):
        router.add_route("GET", "/x", dict)  # type: ignore[arg-type]  # the misuse under test


async def test_bare_function_handler_is_deprecated_but_works() -> None:
    def sync_handler(request: web.Request) -> web.StreamResponse:
        return web.Response(text="sync")

    router = web.UrlDispatcher()
    with pytest.warns(DeprecationWarning, match="Bare functions are deprecated") as record:
        router.add_get("/sync", sync_handler, allow_head=False)  # type: ignore[arg-type]
    assert record[0].filename == __file__  # the warning points at the caller
    (route,) = router.routes()
    response = await route.handler(make_request("GET", "/sync"))
    assert isinstance(response, web.Response) and response.text == "sync"


async def test_async_callable_object_is_accepted_without_warning() -> None:
    class Callable_:
        async def __call__(self, request: web.Request) -> web.StreamResponse:
            return web.Response()

    router = web.UrlDispatcher()
    obj = Callable_()
    assert router.add_get("/obj", obj).handler is obj


def test_expect_handler_must_be_async() -> None:
    def sync_expect(request: web.Request) -> None:
        return None

    router = web.UrlDispatcher()
    with pytest.raises(TypeError, match="Coroutine is expected"):
        router.add_get("/x", handler, expect_handler=sync_expect)  # type: ignore[arg-type]


# --- names and paths -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a", "a.b", "a-b", "a:b", "api.v1:users-list", "get"])
def test_route_name_valid(name: str) -> None:
    router = web.UrlDispatcher()
    router.add_get("/x", handler, name=name)
    assert router[name].name == name


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("1x", "sequence of python identifiers"),
        ("a b", "sequence of python identifiers"),
        ("a..b", "sequence of python identifiers"),
        ("for", "python keywords"),
        ("x.class", "python keywords"),
    ],
)
def test_route_name_invalid_raises(name: str, message: str) -> None:
    router = web.UrlDispatcher()
    with pytest.raises(ValueError, match=message):
        router.add_get("/x", handler, name=name)


def test_route_name_duplicate_raises() -> None:
    router = web.UrlDispatcher()
    router.add_get("/x", handler, name="dup")
    with pytest.raises(ValueError, match="Duplicate 'dup', already handled by"):
        router.add_get("/y", handler, name="dup")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("x", "should be started with /"),
        ("/{a", "unbalanced '{'"),
        ("/{a}}", "unbalanced '}'"),
        ("/a}", "unbalanced '}'"),
        ("/{1a}", "bad variable"),
        ("/{ a}", "bad variable"),
        ("/{}", "bad variable"),
        ("/{a:[}", "Bad pattern"),
        ("/{a}/{a}", "Bad pattern"),
    ],
)
def test_invalid_path_raises_at_add_time(path: str, message: str) -> None:
    router = web.UrlDispatcher()
    with pytest.raises(ValueError, match=re.escape(message)):
        router.add_get(path, handler)


def test_add_resource_kind_follows_the_path() -> None:
    router = web.UrlDispatcher()
    assert isinstance(router.add_resource("/plain"), PlainResource)
    assert isinstance(router.add_resource("/{dyn}"), DynamicResource)
    assert isinstance(router.add_resource(r"/{dyn:\d+}/x"), DynamicResource)


def test_add_resource_reuses_the_last_for_the_same_path() -> None:
    router = web.UrlDispatcher()
    first = router.add_resource("/same")
    assert router.add_resource("/same") is first
    assert router.add_resource("/same", name="n") is not first
    get = router.add_get("/multi", handler)
    post = router.add_post("/multi", other)
    assert get.resource is post.resource
    assert len(get.resource or ()) == 3  # GET, HEAD, POST


# --- url_for ----------------------------------------------------------------------------------


def test_url_for_plain_is_percent_encoded() -> None:
    router = web.UrlDispatcher()
    router.add_get("/plain/pä th", handler, name="p")
    router.add_get("/esc/a%20b", handler, name="e")
    assert str(router["p"].url_for()) == "/plain/p%C3%A4%20th"
    assert str(router["e"].url_for()) == "/esc/a%20b"
    assert str(router["p"].url_for().with_query(a="1 2")) == "/plain/p%C3%A4%20th?a=1+2"


def test_url_for_dynamic_quotes_parts() -> None:
    router = web.UrlDispatcher()
    router.add_get("/users/{name}/x{id}.json", handler, name="u")
    url = router["u"].url_for(name="a b?c#d%", id="5")
    assert str(url) == "/users/a%20b%3Fc%23d%25/x5.json"
    assert url.parts == ("/", "users", "a b?c#d%", "x5.json")
    assert str(router["u"].url_for(name="ü", id="1")) == "/users/%C3%BC/x1.json"
    assert str(router["u"].url_for(name="a", id="1").with_query({"q": "x"})) == (
        "/users/a/x1.json?q=x"
    )


def test_url_for_dynamic_missing_part_raises_key_error() -> None:
    router = web.UrlDispatcher()
    router.add_get("/u/{name}/{id}", handler, name="u")
    with pytest.raises(KeyError, match="id"):
        router["u"].url_for(name="x")


async def test_url_for_round_trips_through_resolve() -> None:
    router = web.UrlDispatcher()
    router.add_get("/f/{name}", handler, name="f")
    url = router["f"].url_for(name="a b%c")
    assert dict(await resolve(router, "GET", url.raw_path)) == {"name": "a b%c"}


def test_route_url_for_delegates_to_resource() -> None:
    router = web.UrlDispatcher()
    route = router.add_get("/r/{x}", handler, name="r")
    assert route.url_for(x="1") == URL("/r/1")
    assert route.name == "r"


def test_dynamic_resource_info_and_repr() -> None:
    router = web.UrlDispatcher()
    resource = router.add_resource(r"/g/{x}/{y:\d+}", name="g")
    info = resource.get_info()
    assert info["formatter"] == "/g/{x}/{y}"
    assert info["pattern"].fullmatch("/g/a/1") is not None
    assert resource.canonical == "/g/{x}/{y}"
    assert repr(resource) == "<DynamicResource 'g'  /g/{x}/{y}>"
    assert DynamicResource.GOOD == "[^{}/]+"


# --- the router as a mapping, views -------------------------------------------------------------


def test_router_mapping_and_views() -> None:
    router = web.UrlDispatcher()
    route_a = router.add_get("/a", handler, name="a")
    router.add_post("/b", handler)
    resource_c = router.add_resource("/c", name="c")
    assert list(router) == ["a", "c"]
    assert len(router) == 2
    assert "a" in router and "b" not in router
    assert router["c"] is resource_c
    assert dict(router.named_resources()) == {"a": route_a.resource, "c": resource_c}
    with pytest.raises(TypeError):
        router.named_resources()["x"] = resource_c  # type: ignore[index]  # read-only
    resources = router.resources()
    assert isinstance(resources, ResourcesView)
    assert len(resources) == 3 and resource_c in resources
    routes = router.routes()
    assert isinstance(routes, RoutesView)
    assert [r.method for r in routes] == ["HEAD", "GET", "POST"]
    assert route_a in routes


def test_register_resource_type_checked() -> None:
    router = web.UrlDispatcher()
    with pytest.raises(TypeError, match="AbstractResource"):
        router.register_resource("/x")  # type: ignore[arg-type]  # the misuse under test


def test_frozen_router_refuses_new_resources() -> None:
    router = web.UrlDispatcher()
    router.add_get("/a", handler)
    router.freeze()
    assert router.frozen
    with pytest.raises(RuntimeError, match="frozen router"):
        router.add_get("/b", handler)


async def test_empty_plain_path_becomes_root_when_frozen() -> None:
    router = web.UrlDispatcher()
    resource = router.add_get("", handler).resource
    router.freeze()
    assert (await resolve(router, "GET", "/")).route.resource is resource


# --- resolution cost -------------------------------------------------------------------------


async def test_resolve_does_not_scan_every_plain_route(monkeypatch: pytest.MonkeyPatch) -> None:
    router = web.UrlDispatcher()
    for i in range(5000):
        router.add_get(f"/route/{i}/leaf", handler)
    router.add_get("/users/{id}", handler)
    router.freeze()
    calls = 0
    real = PlainResource._match

    def counting(self: PlainResource, path: str) -> dict[str, str] | None:
        nonlocal calls
        calls += 1
        return real(self, path)

    monkeypatch.setattr(PlainResource, "_match", counting)
    info = await resolve(router, "GET", "/route/4321/leaf")
    assert info.http_exception is None
    assert calls == 1
    calls = 0
    assert (await resolve(router, "GET", "/users/7")).http_exception is None
    assert (await resolve(router, "GET", "/nope/deeper/path")).http_exception is not None
    assert calls == 0


# --- match info ------------------------------------------------------------------------------


async def test_match_info_apps_and_current_app() -> None:
    router = web.UrlDispatcher()
    router.add_get("/a", handler)
    info = await resolve(router, "GET", "/a")
    inner, outer = web.Application(), web.Application()
    with pytest.raises(RuntimeError, match="does not belong to an application"):
        _ = info.current_app
    info.add_app(inner)
    info.add_app(outer)
    assert info.apps == (outer, inner)
    assert info.current_app is inner
    with info.set_current_app(outer):
        assert info.current_app is outer
    assert info.current_app is inner
    other_app = web.Application()
    with (
        pytest.raises(RuntimeError, match="Expected one of the following apps"),
        info.set_current_app(other_app),
    ):
        pass
    info.freeze()
    with pytest.raises(RuntimeError, match=r"Cannot change apps stack after \.freeze"):
        info.add_app(web.Application())


async def test_match_info_repr_and_expect_handler() -> None:
    router = web.UrlDispatcher()
    route = router.add_get("/m/{x}", handler)
    info = await resolve(router, "GET", "/m/1")
    assert repr(info) == f"<MatchInfo {{'x': '1'}}: {route!r}>"
    assert info.expect_handler == route.handle_expect_header
    assert info["x"] == "1"


def test_system_route_refuses_url_for() -> None:
    route = SystemRoute(web.HTTPNotFound())
    with pytest.raises(RuntimeError, match="not allowed for SystemRoute"):
        route.url_for()
    assert route.name is None and route.method == "*"
    assert repr(route) == "<SystemRoute 404: Not Found>"


def test_resource_register_route_type_checked() -> None:
    resource = PlainResource("/x")
    with pytest.raises(TypeError, match="ResourceRoute"):
        resource.register_route("GET")  # type: ignore[arg-type]  # the misuse under test
    route = ResourceRoute("GET", handler, resource)
    resource.register_route(route)
    assert list(resource) == [route]
    assert repr(route).startswith("<ResourceRoute [GET] <PlainResource  /x> -> ")


# --- class-based views -------------------------------------------------------------------------


class ItemView(web.View):
    async def get(self) -> web.StreamResponse:
        return web.Response(text="get")

    async def post(self) -> web.StreamResponse:
        return web.Response(text="post")


async def test_view_dispatches_on_method() -> None:
    response = await ItemView(make_request("POST", "/v"))
    assert isinstance(response, web.Response) and response.text == "post"


@pytest.mark.parametrize("method", ["DELETE", "HEAD", "PROPFIND"])
async def test_view_unknown_method_is_405_with_allow(method: str) -> None:
    with pytest.raises(web.HTTPMethodNotAllowed) as info:
        await ItemView(make_request(method, "/v"))
    assert info.value.headers[hdrs.ALLOW] == "GET,POST"


async def test_add_view_routes_every_method_to_the_class() -> None:
    router = web.UrlDispatcher()
    route = router.add_view("/v", ItemView)
    assert route.method == "*"
    info = await resolve(router, "DELETE", "/v")
    assert info.http_exception is None
    assert info.handler is ItemView
