"""``aiohttp.web_exceptions``: each status class's status, reason, body and headers, built
directly and sent over a loopback socket (raised and returned), and the bad input the
constructors refuse."""

from __future__ import annotations

import pickle
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Optional

import httpx
import pytest
from yarl import URL

from aiohttp import web, web_exceptions

# (class name, status, direct base) as aiohttp 3.13 defines them.
STATUS_CLASSES: list[tuple[str, int, str]] = [
    ("HTTPOk", 200, "HTTPSuccessful"),
    ("HTTPCreated", 201, "HTTPSuccessful"),
    ("HTTPAccepted", 202, "HTTPSuccessful"),
    ("HTTPNonAuthoritativeInformation", 203, "HTTPSuccessful"),
    ("HTTPNoContent", 204, "HTTPSuccessful"),
    ("HTTPResetContent", 205, "HTTPSuccessful"),
    ("HTTPPartialContent", 206, "HTTPSuccessful"),
    ("HTTPMultipleChoices", 300, "HTTPMove"),
    ("HTTPMovedPermanently", 301, "HTTPMove"),
    ("HTTPFound", 302, "HTTPMove"),
    ("HTTPSeeOther", 303, "HTTPMove"),
    ("HTTPNotModified", 304, "HTTPRedirection"),
    ("HTTPUseProxy", 305, "HTTPMove"),
    ("HTTPTemporaryRedirect", 307, "HTTPMove"),
    ("HTTPPermanentRedirect", 308, "HTTPMove"),
    ("HTTPBadRequest", 400, "HTTPClientError"),
    ("HTTPUnauthorized", 401, "HTTPClientError"),
    ("HTTPPaymentRequired", 402, "HTTPClientError"),
    ("HTTPForbidden", 403, "HTTPClientError"),
    ("HTTPNotFound", 404, "HTTPClientError"),
    ("HTTPMethodNotAllowed", 405, "HTTPClientError"),
    ("HTTPNotAcceptable", 406, "HTTPClientError"),
    ("HTTPProxyAuthenticationRequired", 407, "HTTPClientError"),
    ("HTTPRequestTimeout", 408, "HTTPClientError"),
    ("HTTPConflict", 409, "HTTPClientError"),
    ("HTTPGone", 410, "HTTPClientError"),
    ("HTTPLengthRequired", 411, "HTTPClientError"),
    ("HTTPPreconditionFailed", 412, "HTTPClientError"),
    ("HTTPRequestEntityTooLarge", 413, "HTTPClientError"),
    ("HTTPRequestURITooLong", 414, "HTTPClientError"),
    ("HTTPUnsupportedMediaType", 415, "HTTPClientError"),
    ("HTTPRequestRangeNotSatisfiable", 416, "HTTPClientError"),
    ("HTTPExpectationFailed", 417, "HTTPClientError"),
    ("HTTPMisdirectedRequest", 421, "HTTPClientError"),
    ("HTTPUnprocessableEntity", 422, "HTTPClientError"),
    ("HTTPFailedDependency", 424, "HTTPClientError"),
    ("HTTPUpgradeRequired", 426, "HTTPClientError"),
    ("HTTPPreconditionRequired", 428, "HTTPClientError"),
    ("HTTPTooManyRequests", 429, "HTTPClientError"),
    ("HTTPRequestHeaderFieldsTooLarge", 431, "HTTPClientError"),
    ("HTTPUnavailableForLegalReasons", 451, "HTTPClientError"),
    ("HTTPInternalServerError", 500, "HTTPServerError"),
    ("HTTPNotImplemented", 501, "HTTPServerError"),
    ("HTTPBadGateway", 502, "HTTPServerError"),
    ("HTTPServiceUnavailable", 503, "HTTPServerError"),
    ("HTTPGatewayTimeout", 504, "HTTPServerError"),
    ("HTTPVersionNotSupported", 505, "HTTPServerError"),
    ("HTTPVariantAlsoNegotiates", 506, "HTTPServerError"),
    ("HTTPInsufficientStorage", 507, "HTTPServerError"),
    ("HTTPNotExtended", 510, "HTTPServerError"),
    ("HTTPNetworkAuthenticationRequired", 511, "HTTPServerError"),
]
EMPTY_BODY = {204, 205, 304}
BASES = {
    "HTTPException": "Response",
    "HTTPError": "HTTPException",
    "HTTPRedirection": "HTTPException",
    "HTTPSuccessful": "HTTPException",
    "HTTPMove": "HTTPRedirection",
    "HTTPClientError": "HTTPError",
    "HTTPServerError": "HTTPError",
}


def make(name: str, headers: Optional[dict[str, str]] = None) -> web.HTTPException:
    """An instance of the class ``name`` with the arguments its constructor needs."""
    cls = getattr(web, name)
    if issubclass(cls, web.HTTPMove):
        move: web.HTTPMove = cls("/target", headers=headers)
        return move
    if cls is web.HTTPMethodNotAllowed:
        return web.HTTPMethodNotAllowed("put", ["GET", "POST"], headers=headers)
    if cls is web.HTTPRequestEntityTooLarge:
        return web.HTTPRequestEntityTooLarge(10, 20, headers=headers)
    if cls is web.HTTPUnavailableForLegalReasons:
        return web.HTTPUnavailableForLegalReasons("https://example.com/why", headers=headers)
    exc: web.HTTPException = cls(headers=headers)
    return exc


def test_all_matches_the_status_classes() -> None:
    expected = {name for name, _, _ in STATUS_CLASSES} | set(BASES) - {"Response"}
    assert set(web_exceptions.__all__) == expected
    assert len(web_exceptions.__all__) == len(set(web_exceptions.__all__)) == 58


@pytest.mark.parametrize(("name", "status", "base"), STATUS_CLASSES)
def test_status_class_hierarchy_and_code(name: str, status: int, base: str) -> None:
    cls = getattr(web, name)
    assert cls.__bases__ == (getattr(web, base),)
    assert cls.status_code == status
    assert issubclass(cls, Exception) and issubclass(cls, web.Response)
    assert cls.__module__ == "aiohttp.web_exceptions"


@pytest.mark.parametrize(("name", "base"), sorted(BASES.items()))
def test_abstract_bases_have_no_status(name: str, base: str) -> None:
    cls = getattr(web, name)
    assert cls.status_code == -1
    assert getattr(web, base) in cls.__bases__


def test_abstract_base_refuses_to_be_instantiated() -> None:
    with pytest.raises(TypeError, match="HTTPClientError is a base class"):
        web.HTTPClientError()


@pytest.mark.parametrize(("name", "status", "base"), STATUS_CLASSES)
def test_status_class_defaults(name: str, status: int, base: str) -> None:
    exc = make(name)
    assert exc.status == status
    assert exc.reason == HTTPStatus(status).phrase
    assert str(exc) == exc.reason
    assert exc.args == (exc.reason,)
    assert exc.empty_body is (status in EMPTY_BODY)
    if status in EMPTY_BODY:
        assert exc.body is None and exc.text is None
        assert "Content-Type" not in exc.headers
    elif name == "HTTPRequestEntityTooLarge":
        assert exc.text == "Maximum request body size 10 exceeded, actual body size 20"
    else:
        assert exc.text == f"{status}: {exc.reason}"
        assert exc.content_type == "text/plain"
        assert exc.charset == "utf-8"


def test_reason_text_and_headers_are_used() -> None:
    exc = web.HTTPNotFound(reason="Gone Fishing", headers={"X-Extra": "1"})
    assert exc.reason == "Gone Fishing"
    assert exc.text == "404: Gone Fishing"
    assert exc.headers["X-Extra"] == "1"
    assert str(exc) == "Gone Fishing"
    conflict = web.HTTPConflict(text="busy", content_type="text/html")
    assert conflict.text == "busy"
    assert conflict.headers["Content-Type"] == "text/html; charset=utf-8"


def test_json_content_type_from_headers() -> None:
    exc = web.HTTPBadRequest(headers={"Content-Type": "application/json"}, text='{"a": 1}')
    assert exc.content_type == "application/json"
    assert exc.text == '{"a": 1}'


def test_body_argument_is_deprecated_but_works() -> None:
    with pytest.warns(DeprecationWarning, match="body argument is deprecated"):
        exc = web.HTTPOk(body=b"raw", content_type="application/octet-stream")
    assert exc.body == b"raw"
    assert exc.content_type == "application/octet-stream"


def test_body_and_text_together_are_refused() -> None:
    with pytest.warns(DeprecationWarning), pytest.raises(ValueError, match="not allowed together"):
        web.HTTPOk(body=b"a", text="b")


def test_exceptions_compare_by_identity_and_are_truthy() -> None:
    a, b = web.HTTPOk(), web.HTTPOk()
    assert a != b and a == a
    assert bool(a)
    assert len({a, b}) == 2
    assert repr(web.HTTPNotFound()) == "<HTTPNotFound Not Found not prepared>"


def test_redirect_location_header_and_attribute() -> None:
    exc = web.HTTPFound("/path?q=1")
    assert exc.location == "/path?q=1"
    assert exc.headers["Location"] == "/path?q=1"
    assert exc.text == "302: Found"
    see_other = web.HTTPSeeOther(URL("http://example.com/a b"))
    assert see_other.headers["Location"] == "http://example.com/a%20b"
    temporary = web.HTTPTemporaryRedirect("http://example.com/ä")
    assert temporary.headers["Location"] == "http://example.com/%C3%A4"


def test_redirect_without_location_is_refused() -> None:
    with pytest.raises(ValueError, match="need a location"):
        web.HTTPFound("")


@pytest.mark.parametrize("bad", ["/a\r\nSet-Cookie: x=1", "/a\nb", "/a\rb", "/a\x00b"])
def test_redirect_location_with_control_characters_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="must not contain CR, LF or NUL"):
        web.HTTPMovedPermanently(bad)


def test_method_not_allowed_allow_header() -> None:
    exc = web.HTTPMethodNotAllowed("patch", ["POST", "GET", "GET"])
    assert exc.method == "PATCH"
    assert exc.allowed_methods == {"GET", "POST"}
    assert exc.headers["Allow"] == "GET,POST"


def test_method_not_allowed_refuses_line_breaks_in_methods() -> None:
    with pytest.raises(ValueError, match="must not contain"):
        web.HTTPMethodNotAllowed("GET", ["GET\r\nX-Injected: 1"])


def test_request_entity_too_large_custom_text() -> None:
    exc = web.HTTPRequestEntityTooLarge(max_size=1.5, actual_size=2, text="too big")
    assert exc.text == "too big"
    exc = web.HTTPRequestEntityTooLarge(1, 2, reason="Huge")
    assert exc.reason == "Huge"


def test_unavailable_for_legal_reasons_link() -> None:
    exc = web.HTTPUnavailableForLegalReasons("https://example.com/why")
    assert exc.link == URL("https://example.com/why")
    assert exc.headers["Link"] == '<https://example.com/why>; rel="blocked-by"'
    exc = web.HTTPUnavailableForLegalReasons(None)
    assert exc.link is None
    assert "Link" not in exc.headers
    with pytest.raises(ValueError, match="must not contain"):
        web.HTTPUnavailableForLegalReasons("https://example.com/\r\nX: 1")


def test_not_app_key_warning_is_a_user_warning() -> None:
    assert issubclass(web.NotAppKeyWarning, UserWarning)
    assert web.NotAppKeyWarning.__module__ == "aiohttp.web_exceptions"


def test_exception_can_be_raised_and_caught_by_base() -> None:
    with pytest.raises(web.HTTPClientError) as info:
        raise web.HTTPForbidden(text="no")
    assert info.value.status == 403


def test_pickling_is_not_supported_like_3_13() -> None:
    # 3.13 cannot unpickle these either (their __init__ takes keywords only).
    data = pickle.dumps(web.HTTPNotFound())
    with pytest.raises(TypeError):
        pickle.loads(data)


# --- over a loopback socket ---------------------------------------------------------------


@asynccontextmanager
async def serve(
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> AsyncIterator[httpx.AsyncClient]:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            yield client
    finally:
        await runner.cleanup()


async def test_every_status_class_raised_over_the_wire() -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        raise make(request.match_info["tail"], headers={"X-Name": request.match_info["tail"]})

    async with serve(handler) as client:
        for name, status, _ in STATUS_CLASSES:
            resp = await client.get(f"/{name}")
            assert resp.status_code == status, name
            assert resp.reason_phrase == HTTPStatus(status).phrase
            assert resp.headers["X-Name"] == name
            if status in EMPTY_BODY:
                assert resp.content == b""
                assert "content-type" not in resp.headers
            elif name == "HTTPRequestEntityTooLarge":
                assert resp.text == "Maximum request body size 10 exceeded, actual body size 20"
            else:
                assert resp.text == f"{status}: {HTTPStatus(status).phrase}"
                assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
            if 300 <= status < 400 and status != 304:
                assert resp.headers["Location"] == "/target"
            if status == 405:
                assert resp.headers["Allow"] == "GET,POST"
            if status == 451:
                assert resp.headers["Link"] == '<https://example.com/why>; rel="blocked-by"'


async def test_status_class_returned_over_the_wire() -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.HTTPCreated(text="made it", headers={"Location": "/things/1"})

    async with serve(handler) as client:
        # aiohttp 3.13 warns (DeprecationWarning) when an HTTPException is returned.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            resp = await client.post("/things")
    assert resp.status_code == 201
    assert resp.text == "made it"
    assert resp.headers["Location"] == "/things/1"


async def test_custom_reason_and_text_over_the_wire() -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        raise web.HTTPTooManyRequests(reason="Slow Down", text="wait", headers={"Retry-After": "3"})

    async with serve(handler) as client:
        resp = await client.get("/")
    assert (resp.status_code, resp.reason_phrase, resp.text) == (429, "Slow Down", "wait")
    assert resp.headers["Retry-After"] == "3"


async def test_head_request_gets_headers_without_body() -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        raise web.HTTPNotFound()

    async with serve(handler) as client:
        resp = await client.head("/")
    assert resp.status_code == 404
    assert resp.content == b""
    assert resp.headers["Content-Length"] == str(len(b"404: Not Found"))
