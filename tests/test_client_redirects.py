"""Following redirects: each status code's method/body rule, relative locations, history,
limits, bad locations, and what is dropped on the way to another origin."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest

from aiohttp.client import (
    ClientSession,
    InvalidUrlRedirectClientError,
    NonHttpUrlRedirectClientError,
    TooManyRedirects,
)
from aiohttp.cookiejar import CookieJar
from aiohttp.helpers import BasicAuth
from tests._raw_server import Request
from tests._session_helpers import base, reply, requests_of, serve


def redirecting(
    status: int, location: str, *, extra: tuple[tuple[str, str], ...] = ()
) -> Callable[[Request], bytes]:
    """Answer ``/start`` with a redirect, everything else with 200 and the request body."""

    def respond(request: Request) -> bytes:
        method, target, _ = request.request_line.split()
        body = b"" if method == b"HEAD" else b"moved"  # no body in an answer to HEAD
        if target.startswith(b"/start"):
            return reply(status, body, [("Location", location), *extra])
        return reply(200, request.body or (body and b"done"))

    return respond


@pytest.mark.parametrize(
    ("status", "method", "expected_method", "body_kept"),
    [
        (301, "POST", "GET", False),
        (302, "POST", "GET", False),
        (303, "POST", "GET", False),
        (303, "PUT", "GET", False),
        (307, "POST", "POST", True),
        (308, "POST", "POST", True),
        (301, "PUT", "PUT", True),
        (302, "DELETE", "DELETE", True),
        (303, "HEAD", "HEAD", False),
        (307, "GET", "GET", False),
    ],
)
async def test_redirect_status_rules(
    status: int, method: str, expected_method: str, body_kept: bool
) -> None:
    async with serve(redirecting(status, "/next")) as srv, ClientSession() as session:
        data = None if method in ("GET", "HEAD") else b"payload"
        async with session.request(
            method, f"{base(srv)}/start", data=data, allow_redirects=True
        ) as resp:
            assert resp.status == 200
            assert str(resp.url) == f"{base(srv)}/next"
            assert [r.status for r in resp.history] == [status]
            assert resp.history[0].url.path == "/start"
            assert resp.method == expected_method
    first, second = requests_of(srv)
    assert first.request_line.startswith(f"{method} /start ".encode())
    assert second.request_line == f"{expected_method} /next HTTP/1.1".encode()
    if body_kept:
        assert second.body == b"payload"
        assert second.header("content-length") == b"7"
    else:
        assert second.body == b""
        assert second.header("content-length") in (None, b"0")
        assert second.header("content-type") is None


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("/abs/path", "/abs/path"),
        ("sibling", "/dir/sibling"),
        ("../up?q=1", "/up?q=1"),
        ("?only=query", "/dir/start?only=query"),
    ],
)
async def test_relative_location(location: str, expected: str) -> None:
    def respond(request: Request) -> bytes:
        target = request.request_line.split()[1]
        if target == b"/dir/start":
            return reply(302, b"", [("Location", location)])
        return reply(200, target)

    async with (
        serve(respond) as srv,
        ClientSession() as session,
        session.get(f"{base(srv)}/dir/start") as resp,
    ):
        assert await resp.read() == expected.encode()


async def test_redirect_chain_keeps_history_in_order() -> None:
    def respond(request: Request) -> bytes:
        target = request.request_line.split()[1].decode()
        step = int(target.strip("/") or 0)
        if step < 3:
            return reply(302 if step % 2 else 307, b"", [("Location", f"/{step + 1}")])
        return reply(200, b"end")

    async with (
        serve(respond) as srv,
        ClientSession() as session,
        session.get(f"{base(srv)}/0") as resp,
    ):
        assert await resp.read() == b"end"
        assert [r.url.path for r in resp.history] == ["/0", "/1", "/2"]
        assert [r.status for r in resp.history] == [307, 302, 307]
        assert all(r.closed for r in resp.history)


async def test_allow_redirects_false_returns_the_redirect() -> None:
    async with serve(redirecting(302, "/next")) as srv, ClientSession() as session:
        async with session.get(f"{base(srv)}/start", allow_redirects=False) as resp:
            assert resp.status == 302
            assert resp.headers["Location"] == "/next"
            assert await resp.read() == b"moved"
        async with session.head(f"{base(srv)}/start") as resp:  # HEAD: off by default
            assert resp.status == 302
    assert len(requests_of(srv)) == 2


async def test_redirect_without_location_is_the_final_response() -> None:
    async with (
        serve(lambda r: reply(301, b"no location")) as srv,
        ClientSession() as session,
        session.get(base(srv)) as resp,
    ):
        assert resp.status == 301
        assert resp.history == ()
        assert await resp.read() == b"no location"


async def test_too_many_redirects() -> None:
    async with (
        serve(lambda r: reply(302, b"", [("Location", "/again")])) as srv,
        ClientSession() as session,
    ):
        with pytest.raises(TooManyRedirects) as info:
            await session.get(f"{base(srv)}/loop", max_redirects=3)
        assert len(info.value.history) == 3
        assert info.value.request_info.url.path == "/loop"
        with pytest.raises(TooManyRedirects):
            await session.get(f"{base(srv)}/loop")  # 10 by default
        with pytest.raises(TooManyRedirects):
            await session.get(f"{base(srv)}/loop", max_redirects=0)  # never unbounded
    assert len(requests_of(srv)) == 3 + 10 + 1


@pytest.mark.parametrize(
    ("location", "error"),
    [
        ("ftp://127.0.0.1/file", NonHttpUrlRedirectClientError),
        ("javascript:alert(1)", NonHttpUrlRedirectClientError),
        ("http://[::1", InvalidUrlRedirectClientError),
        ("http:///nohost", InvalidUrlRedirectClientError),
    ],
)
async def test_bad_location(location: str, error: type[Exception]) -> None:
    async with serve(redirecting(302, location)) as srv, ClientSession() as session:
        with pytest.raises(error):
            await session.get(f"{base(srv)}/start")


def _basic(login: str, password: str) -> bytes:
    return b"Basic " + base64.b64encode(f"{login}:{password}".encode())


SECRET_HEADERS = {
    "Authorization": "Bearer secret",
    "Proxy-Authorization": "Basic cHJveHk6cHc=",
    "Cookie": "session=secret",
}


async def test_cross_origin_redirect_drops_credentials_and_cookies() -> None:
    async with (
        serve(lambda r: reply(200, b"other")) as other,
        serve(redirecting(302, f"{base(other)}/landing")) as home,
        ClientSession() as session,
    ):
        async with session.get(
            f"{base(home)}/start", headers=SECRET_HEADERS, cookies={"percall": "1"}
        ) as resp:
            assert await resp.read() == b"other"
        async with session.get(
            f"{base(home)}/start", auth=BasicAuth("user", "pw"), cookies={"percall": "1"}
        ) as resp:
            assert await resp.read() == b"other"
    first_home, second_home = requests_of(home)
    assert first_home.header("authorization") == b"Bearer secret"
    assert first_home.header("cookie") == b"session=secret; percall=1"
    assert second_home.header("authorization") == _basic("user", "pw")
    for landed in requests_of(other):
        assert landed.header("authorization") is None
        assert landed.header("proxy-authorization") is None
        assert landed.header("cookie") is None


async def test_url_credentials_not_carried_to_another_origin() -> None:
    async with (
        serve(lambda r: reply(200)) as other,
        serve(redirecting(307, f"{base(other)}/x")) as home,
        ClientSession() as session,
    ):
        url = f"http://user:pw@127.0.0.1:{home.port}/start"
        async with session.post(url, data=b"body") as resp:
            await resp.read()
    assert requests_of(home)[0].header("authorization") == _basic("user", "pw")
    landed = requests_of(other)[0]
    assert landed.header("authorization") is None
    assert landed.body == b"body"  # 307 keeps the body, only credentials go


async def test_session_auth_not_carried_to_another_origin() -> None:
    async with (
        serve(lambda r: reply(200)) as other,
        serve(redirecting(302, f"{base(other)}/x")) as home,
        ClientSession(auth=BasicAuth("s", "pw")) as session,
        session.get(f"{base(home)}/start") as resp,
    ):
        await resp.read()
    assert requests_of(home)[0].header("authorization") == _basic("s", "pw")
    assert requests_of(other)[0].header("authorization") is None


async def test_same_origin_redirect_keeps_credentials_and_cookies() -> None:
    async with (
        serve(redirecting(302, "/next")) as srv,
        ClientSession() as session,
        session.get(f"{base(srv)}/start", headers=SECRET_HEADERS, cookies={"percall": "1"}) as resp,
    ):
        await resp.read()
    landed = requests_of(srv)[1]
    assert landed.header("authorization") == b"Bearer secret"
    assert landed.header("cookie") == b"session=secret; percall=1"


async def test_cookie_set_by_a_redirect_is_sent_on_the_next_hop() -> None:
    respond = redirecting(302, "/next", extra=(("Set-Cookie", "hop=1"),))
    async with (
        serve(respond) as srv,
        ClientSession(cookie_jar=CookieJar(unsafe=True)) as session,
        session.get(f"{base(srv)}/start") as resp,
    ):
        await resp.read()
    assert requests_of(srv)[1].header("cookie") == b"hop=1"


async def test_requote_redirect_url() -> None:
    async with serve(redirecting(302, "/a%2Fb%7Ec")) as srv:
        async with ClientSession() as session, session.get(f"{base(srv)}/start") as resp:
            await resp.read()
        async with (
            ClientSession(requote_redirect_url=False) as session,
            session.get(f"{base(srv)}/start") as resp,
        ):
            await resp.read()
    lines = [r.request_line for r in requests_of(srv)]
    assert lines[1] == b"GET /a%2Fb~c HTTP/1.1"
    assert lines[3] == b"GET /a%2Fb%7Ec HTTP/1.1"
