"""Sub-applications in the dispatcher: prefixes, nesting, domains and masks."""

from __future__ import annotations

import pytest

from aiohttp import web
from aiohttp.web_urldispatcher import (
    Domain,
    MaskDomain,
    MatchedSubAppResource,
    PrefixedSubAppResource,
    UrlMappingMatchInfo,
)

from ._web_fixtures import make_request


async def handler(request: web.Request) -> web.StreamResponse:
    return web.Response()


async def resolve(
    app: web.Application, method: str, target: str, headers: dict[str, str] | None = None
) -> UrlMappingMatchInfo:
    return await app.router.resolve(make_request(method, target, headers))


async def test_subapp_prefix_resolves_into_the_subapp() -> None:
    app, sub = web.Application(), web.Application()
    sub.router.add_get("/in", handler, name="inner")
    sub.router.add_post("/post", handler)
    resource = app.add_subapp("/sub/", sub)
    assert isinstance(resource, PrefixedSubAppResource)
    assert resource.canonical == "/sub"
    assert resource.get_info() == {"app": sub, "prefix": "/sub"}
    assert len(resource) == 3 and [r.method for r in resource] == ["HEAD", "GET", "POST"]
    info = await resolve(app, "GET", "/sub/in")
    assert info.http_exception is None and info.apps == (sub,)
    assert str(sub.router["inner"].url_for()) == "/sub/in"
    exc = (await resolve(app, "GET", "/sub/post")).http_exception
    assert isinstance(exc, web.HTTPMethodNotAllowed) and exc.allowed_methods == {"POST"}
    missing = await resolve(app, "GET", "/sub/nope")
    assert isinstance(missing.http_exception, web.HTTPNotFound)
    assert missing.apps == (sub,)  # the sub-app's middlewares see its own 404s
    assert isinstance((await resolve(app, "GET", "/subx/in")).http_exception, web.HTTPNotFound)
    with pytest.raises(RuntimeError, match="not supported by sub-application root"):
        resource.url_for()


async def test_nested_subapps_stack_prefixes_and_apps() -> None:
    app, sub, subsub = web.Application(), web.Application(), web.Application()
    subsub.router.add_get("/x/{v}", handler, name="x")
    sub.add_subapp("/ss", subsub)
    app.add_subapp("/sub", sub)
    info = await resolve(app, "GET", "/sub/ss/x/1")
    assert info.http_exception is None and dict(info) == {"v": "1"}
    assert list(info.apps) == [sub, subsub]
    assert info.current_app is subsub
    info.add_app(app)
    assert list(info.apps) == [app, sub, subsub]
    assert str(subsub.router["x"].url_for(v="2")) == "/sub/ss/x/2"


async def test_subapp_routes_after_parent_routes_with_longer_paths_first() -> None:
    app, sub = web.Application(), web.Application()
    sub.router.add_get("/a", handler)
    app.add_subapp("/sub", sub)
    app.router.add_get("/sub/special", handler, name="special")
    assert (await resolve(app, "GET", "/sub/special")).route.name == "special"
    assert (await resolve(app, "GET", "/sub/a")).apps == (sub,)


@pytest.mark.parametrize(
    ("host", "matches"),
    [
        ("example.com", True),
        ("EXAMPLE.com", True),
        ("example.com:8080", False),
        ("www.example.com", False),
        ("", False),
    ],
)
async def test_domain_matches_host_header(host: str, matches: bool) -> None:
    app, sub = web.Application(), web.Application()
    sub.router.add_get("/d", handler)
    resource = app.add_domain("example.com", sub)
    assert isinstance(resource, MatchedSubAppResource)
    info = await resolve(app, "GET", "/d", {"Host": host} if host else {})
    assert (info.http_exception is None) is matches


@pytest.mark.parametrize(
    ("host", "matches"),
    [("a.example.com", True), ("A.B.Example.COM", True), ("example.com", False)],
)
async def test_mask_domain_matches_host_header(host: str, matches: bool) -> None:
    app, sub = web.Application(), web.Application()
    sub.router.add_get("/d", handler)
    resource = app.add_domain("*.example.com", sub)
    assert resource.canonical == r".*\.example\.com"
    info = await resolve(app, "GET", "/d", {"Host": host})
    assert (info.http_exception is None) is matches


def test_domain_with_port_and_normalisation() -> None:
    assert Domain("Example.COM").canonical == "example.com"
    assert Domain("example.com:80").canonical == "example.com"
    assert Domain("example.com:8080").canonical == "example.com:8080"
    assert Domain("bücher.de").canonical == "xn--bcher-kva.de"
    assert Domain("example.com").get_info() == {"domain": "example.com"}
    assert isinstance(MaskDomain("*.x.org"), Domain)


@pytest.mark.parametrize(
    ("domain", "message"),
    [
        ("", "Domain cannot be empty"),
        ("http://x.com", "Scheme not supported"),
        ("exa mple.com", "Domain not valid"),
        ("-x.com", "Domain not valid"),
        ("x..com", "Domain not valid"),
        ("x.com/path", "Domain not valid"),
        ("*.x.com", "Domain not valid"),
    ],
)
def test_domain_invalid_raises(domain: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Domain(domain)


async def test_domain_subapp_resource_info_and_repr() -> None:
    app, sub = web.Application(), web.Application()
    resource = app.add_domain("*.ex.org", sub)
    info = resource.get_info()
    assert info["app"] is sub and isinstance(info["rule"], MaskDomain)
    assert repr(resource) == f"<MatchedSubAppResource -> {sub!r}>"


async def test_app_with_domain_subapp_mounted_under_prefix() -> None:
    app, middle, domain = web.Application(), web.Application(), web.Application()
    domain.router.add_get("/d", handler)
    matched = middle.add_domain("example.com", domain)
    app.add_subapp("/m", middle)
    assert matched not in middle.router._resource_index.get("/m", [])  # tried before the index
    info = await resolve(app, "GET", "/m/d", {"Host": "example.com"})
    assert info.http_exception is None and list(info.apps) == [middle, domain]
    miss = await resolve(app, "GET", "/m/d", {"Host": "other.com"})
    assert isinstance(miss.http_exception, web.HTTPNotFound)


async def test_matching_domain_answers_the_whole_request() -> None:
    root, exact = web.Application(), web.Application()
    root.router.add_get("/", handler, name="root")
    root.router.add_get("/x", handler, name="root_x")
    root.router.add_post("/p", handler)
    exact.router.add_get("/", handler, name="exact")
    exact.router.add_get("/p", handler)
    root.add_domain("example.com", exact)
    host = {"Host": "example.com"}
    assert (await resolve(root, "GET", "/", host)).route.name == "exact"
    missing = await resolve(root, "GET", "/x", host)  # the parent's route is shadowed
    assert isinstance(missing.http_exception, web.HTTPNotFound) and missing.apps == (exact,)
    exc = (await resolve(root, "POST", "/p", host)).http_exception
    assert isinstance(exc, web.HTTPMethodNotAllowed) and exc.allowed_methods == {"GET", "HEAD"}
    assert (await resolve(root, "GET", "/x", {"Host": "other.org"})).route.name == "root_x"
