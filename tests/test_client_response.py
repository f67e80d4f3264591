"""ClientResponse against scripted raw-socket responses: framing (Content-Length, chunked,
read-until-close, HEAD, 204/304, interim 1xx), decoding (charset, JSON, Content-Encoding),
the parsed headers (links, cookies, Content-Disposition), status errors, and the failures a
peer can cause: bodies cut short or corrupt, malformed chunks, oversized or invalid heads,
silence (read timeouts) and disconnects."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import gzip
import json
import zlib
from collections.abc import AsyncIterator, Callable
from typing import Optional

import pytest
from yarl import URL

import aiohttp._sansio
from aiohttp._sansio._httptools import HTTPTOOLS_AVAILABLE
from aiohttp.client_exceptions import (
    ClientConnectionError,
    ClientPayloadError,
    ClientResponseError,
    ContentTypeError,
    ServerDisconnectedError,
    ServerTimeoutError,
    SocketTimeoutError,
)
from aiohttp.client_reqrep import ClientRequest, ClientResponse
from aiohttp.compression_utils import HAS_BROTLI

from ._raw_server import MiniConnection, RawConnection, open_client, raw_server, scripted


@pytest.fixture(autouse=True, params=["python", "httptools"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs on both parser engines (httptools skipped when not installed)."""
    kind: str = request.param
    if kind == "httptools" and not HTTPTOOLS_AVAILABLE:
        pytest.skip("httptools is not installed")
    monkeypatch.setattr(aiohttp._sansio, "ENGINE_KIND", kind)
    return kind


class FakeSession:
    """Stands in for ClientSession: only the charset fallback is read."""

    def __init__(self, charset: str) -> None:
        self.calls = 0
        self.charset = charset

    def _resolve_charset(self, response: ClientResponse, body: bytes) -> str:
        self.calls += 1
        return self.charset


@contextlib.asynccontextmanager
async def response_to(
    reply: bytes,
    *,
    method: str = "GET",
    path: str = "/",
    close: bool = True,
    session: Optional[FakeSession] = None,
    read_until_eof: bool = True,
    auto_decompress: bool = True,
    read_timeout: Optional[float] = None,
) -> AsyncIterator[tuple[ClientResponse, MiniConnection]]:
    """Send one request to a server answering ``reply``; yield the started response."""
    async with raw_server(scripted(reply, close=close)) as server:
        conn = await open_client(
            server.port,
            method=method,
            skip_payload=method == "HEAD",
            read_until_eof=read_until_eof,
            auto_decompress=auto_decompress,
            read_timeout=read_timeout,
        )
        url = URL(f"http://127.0.0.1:{server.port}{path}")
        req = ClientRequest(method, url, session=session)
        resp = await req.send(conn)
        await resp.start(conn)
        try:
            yield resp, conn
        finally:
            resp.close()


async def start_error(handler_or_reply: object, **params: int) -> BaseException:
    """Start a response to ``reply`` (or a handler) and return what start() raised."""
    handler = (
        scripted(handler_or_reply, close=True)
        if isinstance(handler_or_reply, bytes)
        else handler_or_reply
    )
    async with raw_server(handler) as server:  # type: ignore[arg-type]
        conn = await open_client(server.port, **params)  # type: ignore[arg-type]
        resp = await ClientRequest("GET", URL(f"http://127.0.0.1:{server.port}/")).send(conn)
        with pytest.raises(Exception) as info:
            await asyncio.wait_for(resp.start(conn), 5)
        resp.close()
    return info.value


def http(status: str, headers: list[str], body: bytes = b"") -> bytes:
    head = "\r\n".join([f"HTTP/1.1 {status}", *headers]) + "\r\n\r\n"
    return head.encode("latin-1") + body


# --- framing ------------------------------------------------------------------------------


async def test_content_length_body_and_release_reusable() -> None:
    reply = http("200 OK", ["Content-Length: 5", "X-A: 1", "X-A: 2"], b"hello")
    async with response_to(reply, close=False) as (resp, conn):
        assert (resp.status, resp.reason, resp.ok) == (200, "OK", True)
        assert tuple(resp.version or ()) == (1, 1)
        assert resp.headers.getall("X-A") == ["1", "2"]
        assert (b"X-A", b"1") in resp.raw_headers
        assert resp.content_length == 5
        assert await resp.read() == b"hello"
        assert await resp.read() == b"hello"  # kept
        assert resp.closed
        assert conn.released and conn.reusable is True


async def test_keep_alive_connection_reused_for_second_request() -> None:
    async def handler(conn: RawConnection) -> None:
        for body in (b"first", b"second"):
            await conn.read_request()
            conn.write(http("200 OK", [f"Content-Length: {len(body)}"], body))
        await conn.read_until_eof()

    async with raw_server(handler) as server:
        first = await open_client(server.port)
        protocol = first.protocol
        assert protocol is not None
        url = URL(f"http://127.0.0.1:{server.port}/")
        resp = await ClientRequest("GET", url).send(first)
        await resp.start(first)
        assert await resp.read() == b"first"
        assert first.reusable is True and not protocol.should_close
        protocol.set_response_params()
        second = MiniConnection(protocol)
        resp = await ClientRequest("GET", url).send(second)
        await resp.start(second)
        assert await resp.read() == b"second"
        second.close()
    assert len(server.connections) == 1


async def test_connection_close_response_not_reusable() -> None:
    reply = http("200 OK", ["Content-Length: 2", "Connection: close"], b"ok")
    async with response_to(reply) as (resp, conn):
        assert await resp.read() == b"ok"
        assert conn.reusable is False


async def test_chunked_body() -> None:
    body = b"5\r\nhello\r\n1;ext=1\r\n \r\n5\r\nworld\r\n0\r\nTrailer: x\r\n\r\n"
    reply = http("200 OK", ["Transfer-Encoding: chunked"], body)
    async with response_to(reply, close=False) as (resp, conn):
        assert await resp.text() == "hello world"
        assert conn.reusable is True


async def test_body_until_close() -> None:
    reply = http("200 OK", ["Content-Type: text/plain"], b"streamed until close")
    async with response_to(reply, close=True) as (resp, conn):
        assert await resp.read() == b"streamed until close"
        assert conn.reusable is False


async def test_body_until_close_ignored_without_read_until_eof() -> None:
    reply = http("200 OK", [], b"ignored")
    async with response_to(reply, read_until_eof=False) as (resp, _):
        assert await resp.read() == b""


async def test_head_response_has_no_body() -> None:
    reply = http("200 OK", ["Content-Length: 100"])
    async with response_to(reply, method="HEAD", close=False) as (resp, conn):
        assert resp.content_length == 100
        assert await resp.read() == b""
        assert conn.reusable is True


@pytest.mark.parametrize("status", ["204 No Content", "304 Not Modified"])
async def test_no_body_statuses(status: str) -> None:
    async with response_to(http(status, []), close=False) as (resp, conn):
        assert await resp.read() == b""
        assert conn.reusable is True


async def test_interim_responses_skipped() -> None:
    reply = (
        http("100 Continue", [])
        + http("103 Early Hints", ["Link: </style.css>; rel=preload"])
        + http("200 OK", ["Content-Length: 4"], b"done")
    )
    async with response_to(reply) as (resp, _):
        assert resp.status == 200
        assert await resp.read() == b"done"


async def test_status_line_without_reason() -> None:
    async with response_to(b"HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n") as (resp, _):
        assert resp.status == 404 and not resp.ok


# --- text, charset and JSON ---------------------------------------------------------------


async def test_text_charset_from_content_type() -> None:
    reply = http("200 OK", ["Content-Type: text/plain; charset=ISO-8859-1", "Content-Length: 3"])
    async with response_to(reply + "žéé".encode("latin-1", "replace")) as (resp, _):
        assert resp.charset == "ISO-8859-1"
        assert resp.get_encoding() == "iso8859-1"
        assert await resp.text() == "?éé"


async def test_text_without_charset_uses_session_fallback() -> None:
    session = FakeSession("cp1251")
    body = "привет".encode("cp1251")
    reply = http("200 OK", ["Content-Type: text/plain", f"Content-Length: {len(body)}"], body)
    async with response_to(reply, session=session) as (resp, _):
        assert await resp.text() == "привет"
        assert session.calls == 1


async def test_text_without_charset_defaults_to_utf8() -> None:
    body = "ünïcode".encode()
    reply = http("200 OK", [f"Content-Length: {len(body)}"], body)
    async with response_to(reply) as (resp, _):
        assert await resp.text() == "ünïcode"
        assert resp.get_encoding() == "utf-8"


async def test_text_unknown_charset_falls_back() -> None:
    reply = http("200 OK", ["Content-Type: text/plain; charset=no-such", "Content-Length: 2"])
    async with response_to(reply + b"ok") as (resp, _):
        assert await resp.text() == "ok"


async def test_text_explicit_encoding_and_errors() -> None:
    reply = http("200 OK", ["Content-Length: 3"], b"a\xffb")
    async with response_to(reply) as (resp, _):
        with pytest.raises(UnicodeDecodeError):
            await resp.text()
        assert await resp.text(errors="replace") == "a\ufffdb"
        assert await resp.text(encoding="latin-1") == "a\xffb"


async def test_get_encoding_before_read_needs_body() -> None:
    async with response_to(http("200 OK", ["Content-Length: 2"], b"ok")) as (resp, _):
        with pytest.raises(RuntimeError, match="not yet read"):
            resp.get_encoding()


async def test_json() -> None:
    body = json.dumps({"a": [1, "ü"]}).encode()
    reply = http("200 OK", ["Content-Type: application/json", f"Content-Length: {len(body)}"])
    async with response_to(reply + body) as (resp, _):
        assert resp.get_encoding() == "utf-8"
        assert await resp.json() == {"a": [1, "ü"]}


@pytest.mark.parametrize(
    "ctype", ["application/vnd.api+json", "application/problem+json; charset=utf-8"]
)
async def test_json_structured_suffix_accepted(ctype: str) -> None:
    reply = http("200 OK", [f"Content-Type: {ctype}", "Content-Length: 4"], b"true")
    async with response_to(reply) as (resp, _):
        assert await resp.json() is True


async def test_json_wrong_content_type() -> None:
    reply = http("500 Oops", ["Content-Type: text/html", "Content-Length: 2"], b"{}")
    async with response_to(reply) as (resp, _):
        with pytest.raises(ContentTypeError) as info:
            await resp.json()
        assert info.value.status == 500
        assert "text/html" in info.value.message
        assert info.value.request_info is resp.request_info
        assert await resp.json(content_type=None) == {}
        assert await resp.json(content_type="text/html") == {}


async def test_json_empty_body_is_none_and_custom_loads() -> None:
    reply = http("200 OK", ["Content-Type: application/json", "Content-Length: 3"], b"  \n")
    async with response_to(reply) as (resp, _):
        assert await resp.json() is None
    reply = http("200 OK", ["Content-Type: application/json", "Content-Length: 2"], b"42")
    async with response_to(reply) as (resp, _):
        assert await resp.json(loads=lambda s: ("loaded", s)) == ("loaded", "42")


# --- content codings ----------------------------------------------------------------------


def _codec(name: str) -> Callable[[bytes], bytes]:
    if name == "gzip":
        return gzip.compress
    if name == "deflate":
        return zlib.compress
    import brotli

    return brotli.compress


CODINGS = ["gzip", "deflate", *(["br"] if HAS_BROTLI else [])]


@pytest.mark.parametrize("coding", CODINGS)
async def test_encoded_body_decoded(coding: str) -> None:
    data = b"decode me " * 1000
    body = _codec(coding)(data)
    reply = http("200 OK", [f"Content-Encoding: {coding}", f"Content-Length: {len(body)}"], body)
    async with response_to(reply) as (resp, _):
        assert await resp.read() == data
    async with response_to(reply, auto_decompress=False) as (resp, _):
        assert await resp.read() == body


async def body_error(reply: bytes, *, close: bool) -> BaseException:
    """Start a response to ``reply`` and read its body; return what either step raised
    (a body error can surface in start() when it arrives in the head's packet)."""
    async with raw_server(scripted(reply, close=close)) as server:
        conn = await open_client(server.port)
        url = URL(f"http://127.0.0.1:{server.port}/")
        resp = await ClientRequest("GET", url).send(conn)
        with pytest.raises(Exception) as info:

            async def start_and_read() -> None:
                await resp.start(conn)
                await resp.read()

            await asyncio.wait_for(start_and_read(), 2)
        resp.close()
        assert conn.reusable is not True
    return info.value


@pytest.mark.parametrize("coding", CODINGS)
async def test_truncated_encoded_body_is_an_error(coding: str) -> None:
    body = _codec(coding)(bytes(range(256)) * 64)[:-20]
    reply = http("200 OK", [f"Content-Encoding: {coding}", f"Content-Length: {len(body)}"], body)
    assert isinstance(await body_error(reply, close=False), ClientPayloadError)


async def test_corrupt_gzip_body_is_an_error() -> None:
    body = b"\x1f\x8b\x08\x00" + b"\xff" * 40
    reply = http("200 OK", ["Content-Encoding: gzip", f"Content-Length: {len(body)}"], body)
    assert isinstance(await body_error(reply, close=False), ClientPayloadError)


async def test_unknown_content_encoding_passed_through() -> None:
    reply = http("200 OK", ["Content-Encoding: x-custom", "Content-Length: 3"], b"raw")
    async with response_to(reply) as (resp, _):
        assert await resp.read() == b"raw"


# --- bodies cut short -------------------------------------------------------------------------


async def test_content_length_body_cut_short() -> None:
    reply = http("200 OK", ["Content-Length: 100"], b"only this")
    assert isinstance(await body_error(reply, close=True), ClientPayloadError)


async def test_chunked_body_cut_short() -> None:
    reply = http("200 OK", ["Transfer-Encoding: chunked"], b"a\r\n12345")
    assert isinstance(await body_error(reply, close=True), ClientPayloadError)


async def test_body_cut_short_in_a_later_packet() -> None:
    async def handler(conn: RawConnection) -> None:
        await conn.read_request()
        conn.write(http("200 OK", ["Content-Length: 100"], b"first part"))
        await conn.drain()
        await asyncio.sleep(0.05)
        conn.write(b"second part")

    async with raw_server(handler) as server:
        conn = await open_client(server.port)
        url = URL(f"http://127.0.0.1:{server.port}/")
        resp = await ClientRequest("GET", url).send(conn)
        await resp.start(conn)
        with pytest.raises(ClientPayloadError):
            await asyncio.wait_for(resp.read(), 2)


@pytest.mark.parametrize("size_line", [b"zz", b"+5", b"-5", b"5 5", b"0x5"])
async def test_malformed_chunk_size_fails_fast(size_line: bytes) -> None:
    reply = http("200 OK", ["Transfer-Encoding: chunked"], b"5\r\nhello\r\n" + size_line + b"\r\n")
    # The server keeps the connection open: the error must not wait for more data.
    assert isinstance(await body_error(reply, close=False), ClientPayloadError)


async def test_malformed_chunk_size_in_a_later_packet_fails_fast() -> None:
    async def handler(conn: RawConnection) -> None:
        await conn.read_request()
        conn.write(http("200 OK", ["Transfer-Encoding: chunked"], b"5\r\nhello\r\n"))
        await conn.drain()
        await asyncio.sleep(0.05)
        conn.write(b"zz\r\n")
        await conn.read_until_eof()

    async with raw_server(handler) as server:
        conn = await open_client(server.port)
        url = URL(f"http://127.0.0.1:{server.port}/")
        resp = await ClientRequest("GET", url).send(conn)
        await resp.start(conn)
        assert await resp.content.readexactly(5) == b"hello"
        with pytest.raises(ClientPayloadError):
            await asyncio.wait_for(resp.read(), 2)


# --- bad heads ----------------------------------------------------------------------------------


async def test_status_line_too_long() -> None:
    exc = await start_error(
        b"HTTP/1.1 200 " + b"O" * 200 + b"\r\nContent-Length: 0\r\n\r\n", max_line_size=100
    )
    assert isinstance(exc, ClientResponseError) and exc.status == 400


async def test_header_field_too_long() -> None:
    exc = await start_error(
        http("200 OK", ["X-Big: " + "v" * 500, "Content-Length: 0"]), max_field_size=100
    )
    assert isinstance(exc, ClientResponseError) and exc.status == 400


async def test_too_many_headers() -> None:
    headers = [f"X-H{i}: {i}" for i in range(20)]
    exc = await start_error(http("200 OK", [*headers, "Content-Length: 0"]), max_headers=10)
    assert isinstance(exc, ClientResponseError) and exc.status == 400


async def test_default_header_count_bounded() -> None:
    headers = [f"X-H{i}: {i}" for i in range(1000)]
    exc = await start_error(http("200 OK", [*headers, "Content-Length: 0"]))
    assert isinstance(exc, ClientResponseError)


async def test_nul_in_header_value_is_an_error() -> None:
    exc = await start_error(b"HTTP/1.1 200 OK\r\nX-Bad: a\x00b\r\nContent-Length: 0\r\n\r\n")
    assert isinstance(exc, ClientResponseError) and exc.status == 400


async def test_nul_in_header_name_is_an_error() -> None:
    exc = await start_error(b"HTTP/1.1 200 OK\r\nX-B\x00ad: ab\r\nContent-Length: 0\r\n\r\n")
    assert isinstance(exc, ClientResponseError)


async def test_conflicting_lengths_are_an_error() -> None:
    exc = await start_error(http("200 OK", ["Content-Length: 1", "Content-Length: 2"]))
    assert isinstance(exc, ClientResponseError)


async def test_not_http_is_an_error() -> None:
    exc = await start_error(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
    assert isinstance(exc, ClientResponseError)


async def test_disconnect_before_head() -> None:
    async def handler(conn: RawConnection) -> None:
        await conn.read_request()
        conn.close()

    exc = await start_error(handler)
    assert isinstance(exc, ServerDisconnectedError)


async def test_disconnect_mid_head() -> None:
    exc = await start_error(b"HTTP/1.1 200 OK\r\nContent-Le")
    assert isinstance(exc, ServerDisconnectedError)


# --- read timeouts ------------------------------------------------------------------------------


async def _stall(conn: RawConnection) -> None:
    await conn.read_request()
    await conn.read_until_eof()


async def test_read_timeout_waiting_for_head() -> None:
    exc = await start_error(_stall, read_timeout=0.05)  # type: ignore[arg-type]
    assert isinstance(exc, SocketTimeoutError)
    assert issubclass(type(exc), (ServerTimeoutError, asyncio.TimeoutError))


async def test_read_timeout_in_body() -> None:
    async def handler(conn: RawConnection) -> None:
        await conn.read_request()
        conn.write(http("200 OK", ["Content-Length: 10"], b"part"))
        await conn.read_until_eof()

    async with raw_server(handler) as server:
        conn = await open_client(server.port, read_timeout=0.05)
        url = URL(f"http://127.0.0.1:{server.port}/")
        resp = await ClientRequest("GET", url).send(conn)
        await resp.start(conn)
        with pytest.raises(SocketTimeoutError):
            await asyncio.wait_for(resp.read(), 2)
        resp.close()


async def test_read_timeout_not_fired_after_body() -> None:
    reply = http("200 OK", ["Content-Length: 2"], b"ok")
    async with response_to(reply, close=False, read_timeout=0.05) as (resp, _):
        assert await resp.read() == b"ok"
        await asyncio.sleep(0.1)
        assert resp.content.exception() is None or isinstance(
            resp.content.exception(), ClientConnectionError
        )


# --- parsed headers -----------------------------------------------------------------------------


async def test_links() -> None:
    link = (
        'Link: <https://api.example.com/p?page=2>; rel="next", '
        '</p?page=1>; rel=prev; title="a, b; c", <http://other/x>'
    )
    reply = http("200 OK", [link, "Link: <../up>; rel=up", "Content-Length: 0"])
    async with response_to(reply, path="/api/items") as (resp, _):
        links = resp.links
        assert links["next"]["url"] == URL("https://api.example.com/p?page=2")
        assert links["prev"]["title"] == "a, b; c"
        assert str(links["prev"]["url"]).endswith("/p?page=1")
        assert links["http://other/x"]["url"] == URL("http://other/x")
        assert str(links["up"]["url"]).endswith("/up")


async def test_links_absent() -> None:
    async with response_to(http("200 OK", ["Content-Length: 0"])) as (resp, _):
        assert len(resp.links) == 0


async def test_cookies() -> None:
    reply = http(
        "200 OK",
        [
            "Set-Cookie: sid=abc; Path=/; HttpOnly; Secure",
            "Set-Cookie: pref=dark; Max-Age=60; Domain=.example.com",
            "Set-Cookie: noequals",
            "Content-Length: 0",
        ],
    )
    async with response_to(reply) as (resp, _):
        cookies = resp.cookies
        assert set(cookies) == {"sid", "pref"}
        assert cookies["sid"].value == "abc"
        assert cookies["sid"]["httponly"] and cookies["sid"]["secure"]
        assert cookies["pref"]["max-age"] == "60"
        assert cookies["pref"]["domain"] == "example.com"


async def test_content_disposition() -> None:
    reply = http(
        "200 OK",
        ['Content-Disposition: attachment; filename="report.pdf"', "Content-Length: 0"],
    )
    async with response_to(reply) as (resp, _):
        cd = resp.content_disposition
        assert cd is not None
        assert cd.type == "attachment" and cd.filename == "report.pdf"
        assert cd.parameters["filename"] == "report.pdf"
    async with response_to(http("200 OK", ["Content-Length: 0"])) as (resp, _):
        assert resp.content_disposition is None


async def test_content_type_defaults() -> None:
    async with response_to(http("200 OK", ["Content-Length: 0"])) as (resp, _):
        assert resp.content_type == "application/octet-stream"
        assert resp.charset is None


# --- status errors and lifecycle -----------------------------------------------------------------


async def test_raise_for_status() -> None:
    reply = http("404 Not Found", ["Content-Length: 4", "X-Why: gone"], b"nope")
    async with response_to(reply, close=False) as (resp, conn):
        with pytest.raises(ClientResponseError) as info:
            resp.raise_for_status()
        exc = info.value
        assert (exc.status, exc.message) == (404, "Not Found")
        assert exc.headers is not None and exc.headers["X-Why"] == "gone"
        assert exc.request_info.url == resp.url
        assert exc.history == ()
        assert conn.released


async def test_raise_for_status_ok_does_nothing() -> None:
    async with response_to(http("201 Created", ["Content-Length: 0"])) as (resp, _):
        resp.raise_for_status()


async def test_release_then_read_fails() -> None:
    reply = http("200 OK", ["Content-Length: 10"], b"0123456789")
    async with response_to(reply, close=False) as (resp, _):
        await asyncio.sleep(0.01)
        resp.release()
        assert resp.closed
        with pytest.raises(ClientConnectionError):
            await resp.read()


async def test_release_with_unread_body_not_reusable() -> None:
    async def handler(conn: RawConnection) -> None:
        await conn.read_request()
        conn.write(http("200 OK", ["Content-Length: 100000"], b"x" * 10))
        await conn.read_until_eof()

    async with raw_server(handler) as server:
        conn = await open_client(server.port)
        url = URL(f"http://127.0.0.1:{server.port}/")
        resp = await ClientRequest("GET", url).send(conn)
        await resp.start(conn)
        resp.release()
        assert conn.reusable is False


async def test_close_closes_connection() -> None:
    async with response_to(http("200 OK", ["Content-Length: 20"], b"ok"), close=False) as (
        resp,
        conn,
    ):
        protocol = conn.protocol
        resp.close()
        assert conn.closed and protocol is not None and protocol.transport is None
        assert resp.connection is None


async def test_async_with_releases() -> None:
    async with response_to(http("200 OK", ["Content-Length: 2"], b"ok"), close=False) as (
        resp,
        conn,
    ):
        async with resp as same:
            assert same is resp
            assert await resp.read() == b"ok"
        assert resp.closed and conn.released


async def test_wait_for_close() -> None:
    async with response_to(http("200 OK", ["Content-Length: 2"], b"ok")) as (resp, conn):
        await resp.wait_for_close()
        assert resp.closed and conn.released


async def test_urls_host_history_repr() -> None:
    reply = http("200 Ça va", ["Content-Length: 0"])
    async with response_to(reply, path="/p") as (resp, _):
        assert resp.url.path == "/p" and resp.real_url == resp.url
        assert resp.host == "127.0.0.1"
        assert resp.history == ()
        text = repr(resp)
        assert text.startswith(f"<ClientResponse({resp.url}) [200 ")
        assert text.isascii()
        with pytest.warns(DeprecationWarning):
            assert resp.url_obj == resp.url


async def test_unclosed_response_warns_in_debug_mode() -> None:
    loop = asyncio.get_running_loop()
    contexts: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _loop, context: contexts.append(context))
    loop.set_debug(True)
    try:
        reply = http("200 OK", ["Content-Length: 10"], b"ok")  # the body is cut short
        async with raw_server(scripted(reply, close=True)) as server:
            conn = await open_client(server.port)
            url = URL(f"http://127.0.0.1:{server.port}/")
            resp = await ClientRequest("GET", url).send(conn)
            await resp.start(conn)
            with pytest.raises(ClientPayloadError):
                await resp.content.wait_eof()
            assert not resp.closed
            with pytest.warns(ResourceWarning, match="Unclosed response"):
                del resp
                gc.collect()
            assert contexts and contexts[0]["message"] == "Unclosed response"
            assert conn.released and conn.reusable is False
    finally:
        loop.set_debug(False)
        loop.set_exception_handler(None)
