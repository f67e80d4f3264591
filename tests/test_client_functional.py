"""ClientSession end to end against scripted raw-socket servers: bodies both ways, connection
reuse, parameters and headers, authentication, cookies, raise_for_status and base_url."""

from __future__ import annotations

import asyncio
import base64
import json

import pytest
from multidict import CIMultiDict

from aiohttp import hdrs
from aiohttp.client import (
    ClientResponse,
    ClientResponseError,
    ClientSession,
    InvalidUrlClientError,
    NonHttpUrlClientError,
    ServerDisconnectedError,
)
from aiohttp.cookiejar import CookieJar
from aiohttp.helpers import BasicAuth
from tests._raw_server import Request, raw_server
from tests._session_helpers import base, keep_alive, reply, requests_of, serve


def ok(request: Request) -> bytes:
    return reply(200, b"hello", [("Content-Type", "text/plain")])


async def test_get_text_end_to_end() -> None:
    async with (
        serve(ok) as srv,
        ClientSession() as session,
        session.get(f"{base(srv)}/path?x=1") as resp,
    ):
        assert resp.status == 200
        assert await resp.text() == "hello"
        assert resp.url.path == "/path"
    req = requests_of(srv)[0]
    assert req.request_line == b"GET /path?x=1 HTTP/1.1"
    assert req.header("host") == f"127.0.0.1:{srv.port}".encode()


async def test_post_json_sends_serialized_body() -> None:
    async with (
        serve(lambda r: reply(201, r.body, [("Content-Type", "application/json")])) as srv,
        ClientSession() as session,
        session.post(f"{base(srv)}/j", json={"k": [1, 2]}) as resp,
    ):
        assert resp.status == 201
        assert await resp.json() == {"k": [1, 2]}
    req = requests_of(srv)[0]
    assert req.header("content-type") == b"application/json"
    assert json.loads(req.body) == {"k": [1, 2]}


async def test_json_uses_session_serializer() -> None:
    async with (
        serve(ok) as srv,
        ClientSession(json_serialize=lambda v: "custom") as session,
        session.put(f"{base(srv)}/", json={"a": 1}) as resp,
    ):
        await resp.read()
    assert requests_of(srv)[0].body == b"custom"


async def test_data_and_json_together_rejected() -> None:
    async with ClientSession() as session:
        with pytest.raises(ValueError, match="data and json"):
            await session.post("http://127.0.0.1:9/", data=b"x", json={"a": 1})


async def test_streaming_download_in_chunks() -> None:
    chunks = [bytes([65 + i]) * 50_000 for i in range(4)]
    body = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"
    head = reply(200, b"", [("Transfer-Encoding", "chunked")], length=False)
    async with (
        serve(lambda r: head + body) as srv,
        ClientSession() as session,
        session.get(base(srv)) as resp,
    ):
        received = bytearray()
        async for piece in resp.content.iter_chunked(8192):
            assert len(piece) <= 8192
            received += piece
    assert bytes(received) == b"".join(chunks)


async def test_connection_reused_across_requests() -> None:
    async with serve(ok) as srv, ClientSession() as session:
        for _ in range(3):
            async with session.get(base(srv)) as resp:
                assert await resp.read() == b"hello"
    assert len(srv.connections) == 1
    assert len(requests_of(srv)) == 3


async def test_unread_body_closes_connection_instead_of_reuse() -> None:
    partial = reply(200, b"12345", [("Content-Length", "10")], length=False)
    async with serve(lambda r: partial) as srv, ClientSession() as session:
        for _ in range(2):
            async with session.get(base(srv)) as resp:
                assert resp.status == 200  # body left unread
    assert len(srv.connections) == 2


async def test_params_extend_the_url_query() -> None:
    async with serve(ok) as srv, ClientSession() as session:
        async with session.get(f"{base(srv)}/q?a=1", params={"b": "2", "c": ["3", "4"]}) as r:
            await r.read()
        async with session.get(f"{base(srv)}/q", params=[("z", "9"), ("z", "8")]) as r:
            await r.read()
    lines = [r.request_line for r in requests_of(srv)]
    assert lines == [b"GET /q?a=1&b=2&c=3&c=4 HTTP/1.1", b"GET /q?z=9&z=8 HTTP/1.1"]


async def test_session_headers_merge_and_request_headers_win() -> None:
    async with (
        serve(ok) as srv,
        ClientSession(headers={"X-A": "session", "X-B": "session"}) as session,
    ):
        headers = CIMultiDict([("x-b", "request"), ("X-C", "1"), ("X-C", "2")])
        async with session.get(base(srv), headers=headers) as resp:
            await resp.read()
    req = requests_of(srv)[0]
    assert req.header("x-a") == b"session"
    assert req.header("x-b") == b"request"
    assert [v for n, v in req.headers if n == b"x-c"] == [b"1", b"2"]


async def test_skip_auto_headers_from_session_and_request() -> None:
    async with (
        serve(ok) as srv,
        ClientSession(skip_auto_headers=["User-Agent"]) as session,
        session.get(base(srv), skip_auto_headers=["Accept"]) as resp,
    ):
        await resp.read()
    req = requests_of(srv)[0]
    assert req.header("user-agent") is None
    assert req.header("accept") is None
    assert req.header("accept-encoding") is not None


def _basic(login: str, password: str) -> bytes:
    return b"Basic " + base64.b64encode(f"{login}:{password}".encode())


async def test_auth_argument_sends_basic_credentials() -> None:
    async with (
        serve(ok) as srv,
        ClientSession() as session,
        session.get(base(srv), auth=BasicAuth("user", "pw")) as resp,
    ):
        await resp.read()
    assert requests_of(srv)[0].header("authorization") == _basic("user", "pw")


async def test_url_credentials_become_authorization_and_leave_the_url() -> None:
    async with serve(ok) as srv, ClientSession() as session:
        url = f"http://us%40r:p%3Aw@127.0.0.1:{srv.port}/secret"
        async with session.get(url) as resp:
            await resp.read()
            assert resp.url.user is None
    req = requests_of(srv)[0]
    assert req.header("authorization") == _basic("us@r", "p:w")
    assert req.request_line == b"GET /secret HTTP/1.1"


async def test_auth_with_url_credentials_rejected() -> None:
    async with ClientSession() as session:
        with pytest.raises(ValueError, match="credentials encoded in URL"):
            await session.get("http://u:p@127.0.0.1:9/", auth=BasicAuth("a", "b"))


async def test_auth_with_authorization_header_rejected() -> None:
    async with ClientSession() as session:
        with pytest.raises(ValueError, match="AUTHORIZATION header"):
            await session.get(
                "http://127.0.0.1:9/", auth=BasicAuth("a", "b"), headers={"Authorization": "x"}
            )


async def test_session_auth_only_for_base_url_origin() -> None:
    async with serve(ok) as home, serve(ok) as other:
        session = ClientSession(base(home) + "/", auth=BasicAuth("s", "pw"))
        async with session:
            async with session.get("api") as resp:
                await resp.read()
            async with session.get(base(other)) as resp:
                await resp.read()
    assert requests_of(home)[0].header("authorization") == _basic("s", "pw")
    assert requests_of(other)[0].header("authorization") is None


async def test_cookies_round_trip_through_the_jar() -> None:
    def respond(request: Request) -> bytes:
        return reply(200, b"", [("Set-Cookie", "sid=abc; Path=/"), ("Set-Cookie", "t=1")])

    jar = CookieJar(unsafe=True)  # the server is an IP address
    async with serve(respond) as srv, ClientSession(cookie_jar=jar) as session:
        async with session.get(base(srv)) as resp:
            assert resp.cookies["sid"].value == "abc"
        async with session.get(base(srv), cookies={"extra": "e"}) as resp:
            await resp.read()
        assert {c.key for c in session.cookie_jar} == {"sid", "t"}
    cookie = requests_of(srv)[1].header("cookie")
    assert cookie is not None
    assert sorted(cookie.split(b"; ")) == [b"extra=e", b"sid=abc", b"t=1"]


async def test_cookies_from_an_ip_address_need_an_unsafe_jar() -> None:
    respond = lambda r: reply(200, b"", [("Set-Cookie", "sid=abc")])  # noqa: E731
    async with serve(respond) as srv, ClientSession() as session:
        async with session.get(base(srv)) as resp:
            await resp.read()
        assert len(session.cookie_jar) == 0


async def test_session_cookies_are_sent() -> None:
    async with (
        serve(ok) as srv,
        ClientSession(cookies={"a": "1"}) as session,
        session.get(base(srv)) as resp,
    ):
        await resp.read()
    assert requests_of(srv)[0].header("cookie") == b"a=1"


async def test_raise_for_status_session_wide() -> None:
    async with (
        serve(lambda r: reply(404, b"nope")) as srv,
        ClientSession(raise_for_status=True) as session,
    ):
        with pytest.raises(ClientResponseError) as info:
            await session.get(base(srv))
        assert info.value.status == 404
        async with session.get(base(srv), raise_for_status=False) as resp:
            assert resp.status == 404


async def test_raise_for_status_per_request() -> None:
    async with serve(lambda r: reply(500)) as srv, ClientSession() as session:
        async with session.get(base(srv)) as resp:
            assert resp.status == 500
        with pytest.raises(ClientResponseError):
            async with session.get(base(srv), raise_for_status=True):
                pass


async def test_raise_for_status_async_callable() -> None:
    seen: list[int] = []

    async def check(resp: ClientResponse) -> None:
        seen.append(resp.status)
        if resp.status == 404:
            raise RuntimeError("custom")

    async with (
        serve(lambda r: reply(404)) as srv,
        ClientSession(raise_for_status=check) as session,
    ):
        with pytest.raises(RuntimeError, match="custom"):
            await session.get(base(srv))
    assert seen == [404]
    assert len(srv.connections) == 1


async def test_raise_for_status_callable_failure_releases_the_connection() -> None:
    async def check(resp: ClientResponse) -> None:
        await resp.read()
        raise RuntimeError("refused")

    async with (
        serve(lambda r: reply(404, b"x")) as srv,
        ClientSession(raise_for_status=check) as session,
    ):
        for _ in range(2):
            with pytest.raises(RuntimeError):
                await session.get(base(srv))
    assert len(srv.connections) == 1  # the read connection went back to the pool


async def test_base_url_resolves_relative_urls_only() -> None:
    async with (
        serve(ok) as srv,
        serve(ok) as other,
        ClientSession(base(srv) + "/api/v1/") as session,
    ):
        for url in ("items?x=1", "/root", "../up", f"{base(other)}/abs"):
            async with session.get(url) as resp:
                await resp.read()
    lines = [r.request_line for r in requests_of(srv)]
    assert lines == [
        b"GET /api/v1/items?x=1 HTTP/1.1",
        b"GET /root HTTP/1.1",
        b"GET /api/up HTTP/1.1",
    ]
    assert requests_of(other)[0].request_line == b"GET /abs HTTP/1.1"


async def test_head_request_has_no_body() -> None:
    async with (
        serve(lambda r: reply(200, b"", [("Content-Length", "100")], length=False)) as srv,
        ClientSession() as session,
    ):
        async with session.head(base(srv)) as resp:
            assert resp.status == 200
            assert await resp.read() == b""
        async with session.head(base(srv)) as resp:  # the connection survived
            assert resp.status == 200
    assert len(srv.connections) == 1


async def test_non_http_url_rejected() -> None:
    async with ClientSession() as session:
        with pytest.raises(NonHttpUrlClientError):
            await session.get("ftp://127.0.0.1/file")
        with pytest.raises(NonHttpUrlClientError):
            await session.get("/relative/without/base")


async def test_url_without_host_rejected() -> None:
    async with ClientSession() as session:
        with pytest.raises(InvalidUrlClientError):
            await session.get("http:///path")


async def test_idempotent_request_retried_once_after_disconnect() -> None:
    """A kept-alive connection dropped by the server: GET is sent again, POST is not."""
    answered = 0

    def respond(request: Request) -> bytes | None:
        nonlocal answered
        answered += 1
        return ok(request) if answered % 2 == 1 else None  # every second one: hang up

    async with serve(respond) as srv, ClientSession() as session:
        async with session.get(base(srv)) as resp:
            await resp.read()
        async with session.get(base(srv)) as resp:  # dropped, then retried
            assert await resp.read() == b"hello"
        async with session.get(base(srv)) as resp:
            await resp.read()
        with pytest.raises(ServerDisconnectedError):
            await session.post(base(srv), data=b"x")  # dropped: not sent again
    assert answered == 6
    assert len(srv.connections) == 3


async def test_read_until_eof_body_without_length() -> None:
    async def handler(conn: object) -> None:
        from tests._raw_server import RawConnection

        assert isinstance(conn, RawConnection)
        await conn.read_request()
        conn.write(b"HTTP/1.1 200 OK\r\n\r\nuntil the end")
        await conn.drain()
        conn.close()

    async with (
        raw_server(handler) as srv,
        ClientSession() as session,
        session.get(base(srv)) as resp,
    ):
        assert await resp.read() == b"until the end"


async def test_concurrent_requests_share_the_session() -> None:
    async with serve(ok) as srv, ClientSession() as session:

        async def one() -> bytes:
            async with session.get(base(srv)) as resp:
                return await resp.read()

        results = await asyncio.gather(*(one() for _ in range(5)))
    assert results == [b"hello"] * 5
    assert len(requests_of(srv)) == 5


async def test_response_history_empty_without_redirect() -> None:
    async with serve(ok) as srv, ClientSession() as session, session.get(base(srv)) as resp:
        assert resp.history == ()
        assert resp.request_info.headers[hdrs.HOST] == f"127.0.0.1:{srv.port}"


async def test_keep_alive_handler_helper_closes_on_none() -> None:
    async with raw_server(keep_alive(lambda r: None)) as srv, ClientSession() as session:
        with pytest.raises(ServerDisconnectedError):
            await session.post(base(srv))
