"""StreamResponse / Response / json_response: the object API without a network, then what
prepare puts on the wire (framing, compression, cookies, empty bodies) over loopback."""

from __future__ import annotations

import datetime
import gzip
import json
import zlib
from collections.abc import Awaitable, Callable
from http.cookies import CookieError

import brotli
import httpx
import pytest

from aiohttp import payload
from aiohttp.helpers import ETag
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import ContentCoding, Response, StreamResponse, json_response

from ._web_fixtures import RawResponse, get, raw_conn, serve

# --- the object API ----------------------------------------------------------------------


def test_stream_response_defaults() -> None:
    resp = StreamResponse()
    assert (resp.status, resp.reason) == (200, "OK")
    assert not resp.prepared and resp.task is None and resp.keep_alive is None
    assert resp.content_type == "application/octet-stream" and resp.charset is None
    assert resp.content_length is None and resp.body_length == 0
    assert not resp.chunked and not resp.compression
    assert repr(resp) == "<StreamResponse OK not prepared>"


def test_set_status_and_reason_validation() -> None:
    resp = StreamResponse(status=404)
    assert resp.reason == "Not Found"
    resp.set_status(599)
    assert resp.reason == ""
    resp.set_status(201, "Made")
    assert (resp.status, resp.reason) == (201, "Made")
    for bad in (99, 1000, -1):
        with pytest.raises(ValueError):
            resp.set_status(bad)
    with pytest.raises(ValueError):
        StreamResponse(reason="a\tb\x0b")


def test_headers_content_type_and_charset_setters() -> None:
    resp = StreamResponse(headers={"X-A": "1"})
    resp.content_type = "text/html"
    resp.charset = "UTF-8"
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    resp.content_type = "text/plain"  # keeps the charset parameter
    assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
    resp.charset = None
    assert resp.headers["Content-Type"] == "text/plain"
    assert resp.headers["X-A"] == "1"
    with pytest.raises(ValueError):
        resp.content_type = "text/plain\r\nX: y"
    with pytest.raises(RuntimeError, match="octet-stream"):
        StreamResponse().charset = "utf-8"


def test_content_length_setter_and_chunked_conflict() -> None:
    resp = StreamResponse()
    resp.content_length = 10
    assert resp.headers["Content-Length"] == "10" and resp.content_length == 10
    with pytest.raises(RuntimeError):
        resp.enable_chunked_encoding()
    resp.content_length = None
    assert "Content-Length" not in resp.headers
    resp2 = StreamResponse()
    resp2.enable_chunked_encoding()
    with pytest.raises(RuntimeError):
        resp2.content_length = 5
    with pytest.raises(ValueError):
        StreamResponse().content_length = -1
    with pytest.warns(DeprecationWarning):
        StreamResponse().enable_chunked_encoding(chunk_size=10)


def test_last_modified_setter_forms() -> None:
    resp = StreamResponse()
    resp.last_modified = 784111777
    assert resp.headers["Last-Modified"] == "Sun, 06 Nov 1994 08:49:37 GMT"
    when = datetime.datetime(1994, 11, 6, 8, 49, 37, tzinfo=datetime.timezone.utc)
    assert resp.last_modified == when
    resp.last_modified = when
    assert resp.headers["Last-Modified"] == "Sun, 06 Nov 1994 08:49:37 GMT"
    resp.last_modified = "Mon, 07 Nov 1994 08:49:37 GMT"
    assert resp.last_modified == when + datetime.timedelta(days=1)
    resp.last_modified = None
    assert resp.last_modified is None
    with pytest.raises(TypeError):
        resp.last_modified = [1]  # type: ignore[assignment]  # the misuse under test


def test_etag_setter_forms() -> None:
    resp = StreamResponse()
    resp.etag = "abc"
    assert resp.headers["ETag"] == '"abc"' and resp.etag == ETag("abc")
    resp.etag = ETag("w", is_weak=True)
    assert resp.headers["ETag"] == 'W/"w"' and resp.etag == ETag("w", is_weak=True)
    resp.etag = "*"
    assert resp.headers["ETag"] == "*"
    resp.etag = None
    assert resp.etag is None
    with pytest.raises(ValueError):
        resp.etag = 'a"b'
    with pytest.raises(ValueError):
        resp.etag = 5  # type: ignore[assignment]  # the misuse under test


def test_cookies_set_and_delete() -> None:
    resp = StreamResponse()
    resp.set_cookie(
        "sid",
        "a b",
        max_age=10,
        domain="ex.com",
        path="/p",
        secure=True,
        httponly=True,
        samesite="Lax",
        partitioned=True,
    )
    out = resp.cookies["sid"].OutputString()
    assert out.startswith('sid="a b"; Domain=ex.com; HttpOnly; Max-Age=10; Partitioned; Path=/p')
    assert "SameSite=Lax" in out and "Secure" in out
    resp.del_cookie("sid", path="/p")
    out = resp.cookies["sid"].OutputString()
    assert 'sid=""' in out and "Max-Age=0" in out and "expires=Thu, 01 Jan 1970" in out
    with pytest.raises(CookieError):
        resp.set_cookie("bad name", "v")
    with pytest.raises(ValueError):
        resp.set_cookie("a", "v", path="/\r\nX-Injected: 1")
    with pytest.raises(ValueError):
        resp.set_cookie("a", "v", domain="x; Secure")


def test_enable_compression_arguments() -> None:
    resp = StreamResponse()
    resp.enable_compression(ContentCoding.gzip)
    assert resp.compression
    with pytest.warns(DeprecationWarning):
        resp.enable_compression(True)
    with pytest.raises(TypeError):
        resp.enable_compression("gzip")  # type: ignore[arg-type]  # the misuse under test


def test_state_mapping() -> None:
    resp = StreamResponse()
    resp["k"] = 1
    assert dict(resp) == {"k": 1} and len(resp) == 1 and bool(StreamResponse())
    del resp["k"]
    assert StreamResponse() != StreamResponse()


def test_response_text_and_body() -> None:
    resp = Response(text="héllo")
    assert resp.body == "héllo".encode() and resp.text == "héllo"
    assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert resp.content_length == len("héllo".encode())
    resp = Response(text="x", content_type="text/html", charset="latin-1")
    assert resp.headers["Content-Type"] == "text/html; charset=latin-1"
    assert resp.body == b"x"
    resp = Response(body=b"\x00\x01")
    assert resp.content_type == "application/octet-stream" and resp.text is not None
    resp.text = "t"
    assert resp.content_type == "text/plain" and resp.charset == "utf-8"
    resp = Response(body=bytearray(b"ab"), content_type="application/x-a")
    assert resp.content_length == 2 and resp.headers["Content-Type"] == "application/x-a"
    assert Response().body is None and Response().text is None


def test_response_argument_errors() -> None:
    with pytest.raises(ValueError, match="together"):
        Response(body=b"a", text="b")
    with pytest.raises(ValueError, match="charset must not be in"):
        Response(text="a", content_type="text/plain; charset=utf-8")
    with pytest.raises(ValueError, match="forbidden"):
        Response(text="a", headers={"Content-Type": "x/y"}, content_type="text/plain")
    with pytest.raises(ValueError, match="forbidden"):
        Response(body=b"a", headers={"Content-Type": "x/y"}, charset="utf-8")
    with pytest.raises(TypeError):
        Response(text=b"bytes")  # type: ignore[arg-type]  # the misuse under test
    with pytest.raises(ValueError, match="Unsupported body type"):
        Response(body=object())  # type: ignore[arg-type]  # the misuse under test
    with pytest.raises(RuntimeError, match="automatically"):
        Response().content_length = 4


def test_response_headers_are_copied() -> None:
    from multidict import CIMultiDict

    given: CIMultiDict[str] = CIMultiDict({"X": "1"})
    resp = Response(headers=given)
    resp.headers["Y"] = "2"
    assert "Y" not in given


def test_response_payload_body_headers_merged() -> None:
    body = payload.StringPayload("hi", content_type="text/x-custom", headers={"X-P": "1"})
    resp = Response(body=body)
    assert resp.body is body
    assert resp.headers["Content-Type"] == "text/x-custom" and resp.headers["X-P"] == "1"
    assert resp.content_length is None  # known once prepared (from the payload's size)
    resp = Response(body=memoryview(b"abc"))
    assert isinstance(resp.body, payload.Payload)


def test_json_response() -> None:
    resp = json_response({"a": [1, 2]})
    assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(resp.text or "") == {"a": [1, 2]}
    resp = json_response(text='{"x":1}', status=201, content_type="application/vnd+json")
    assert resp.status == 201 and resp.text == '{"x":1}'
    resp = json_response(body=b"{}")
    assert resp.body == b"{}"
    resp = json_response([1], dumps=lambda o: "custom")
    assert resp.text == "custom"
    with pytest.raises(ValueError):
        json_response({"a": 1}, text="x")


# --- on the wire -------------------------------------------------------------------------

Handler = Callable[[BaseRequest], Awaitable[StreamResponse]]


async def fetch(handler: Handler, head: bytes, *, head_only: bool = False) -> RawResponse:
    async with serve(handler) as srv, raw_conn(srv.port) as conn:
        await conn.send(head)
        return await conn.read_response(head_only=head_only)


async def test_response_head_fields_and_prepared_state() -> None:
    seen: list[object] = []

    async def handler(request: BaseRequest) -> StreamResponse:
        resp = Response(text="hi")
        writer = await resp.prepare(request)
        assert await resp.prepare(request) is writer  # idempotent
        seen.extend([resp.prepared, resp.task is request.task, resp.keep_alive])
        with pytest.raises(RuntimeError):
            resp.set_status(500)
        await resp.write_eof()
        assert await resp.prepare(request) is None
        seen.append(resp.body_length)
        return resp

    resp = await fetch(handler, get())
    assert resp.status == 200 and resp.body == b"hi"
    assert resp.header("Date") is not None and resp.header(
        "Server",
    ).startswith("Python/")  # type: ignore[union-attr]  # present
    assert seen[:3] == [True, True, True]
    assert seen[3] == len(resp.raw_head) + 2


async def test_stream_response_chunked_http11() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        resp = StreamResponse()
        resp.content_type = "text/plain"
        await resp.prepare(request)
        await resp.write(b"abc")
        await resp.write(bytearray(b"def"))
        await resp.write_eof(b"!")
        with pytest.raises(RuntimeError):
            await resp.write(b"late")
        return resp

    resp = await fetch(handler, get())
    assert resp.header("Transfer-Encoding") == "chunked" and resp.body == b"abcdef!"


async def test_stream_response_errors_before_prepare() -> None:
    resp = StreamResponse()
    with pytest.raises(RuntimeError, match="before prepare"):
        await resp.write(b"x")
    with pytest.raises(RuntimeError, match="not been started"):
        await resp.write_eof()
    with pytest.raises(TypeError):
        await resp.write("text")  # type: ignore[arg-type]  # the misuse under test


async def test_chunked_on_http10_is_refused_with_500() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        resp = StreamResponse()
        resp.enable_chunked_encoding()
        return resp

    resp = await fetch(handler, b"GET / HTTP/1.0\r\n\r\n")
    assert resp.status == 500


@pytest.mark.parametrize(
    ("accept", "coding"),
    [
        ("gzip", "gzip"),
        ("deflate", "deflate"),
        ("br", "br"),
        ("gzip, deflate, br", "br"),
        ("gzip;q=1, br;q=0.5", "gzip"),
        ("br;q=0, gzip;q=0", None),
        ("*", "br"),
        ("*;q=0, deflate", "deflate"),
        ("identity", None),
    ],
)
async def test_compression_negotiation(accept: str, coding: str | None) -> None:
    text = "compress me " * 50

    async def handler(request: BaseRequest) -> StreamResponse:
        resp = Response(text=text)
        resp.enable_compression()
        return resp

    resp = await fetch(handler, get(extra=f"Accept-Encoding: {accept}\r\n"))
    assert resp.header("Content-Encoding") == coding
    assert resp.header("Vary") == "Accept-Encoding"
    assert resp.header("Content-Length") == str(len(resp.body))
    decoders: dict[str | None, Callable[[bytes], bytes]] = {
        "gzip": gzip.decompress,
        "deflate": zlib.decompress,
        "br": brotli.decompress,
        None: lambda b: b,
    }
    assert decoders[coding](resp.body) == text.encode()


async def test_forced_compression_on_stream_response_is_chunked() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        resp = StreamResponse()
        resp.enable_compression(ContentCoding.gzip)
        await resp.prepare(request)
        await resp.write(b"x" * 1000)
        return resp

    resp = await fetch(handler, get())
    assert resp.header("Content-Encoding") == "gzip"
    assert resp.header("Transfer-Encoding") == "chunked"
    assert resp.header("Vary") is None
    assert gzip.decompress(resp.body) == b"x" * 1000


async def test_forced_identity_means_no_compression() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        resp = Response(text="x")
        resp.enable_compression(ContentCoding.identity)
        return resp

    resp = await fetch(handler, get(extra="Accept-Encoding: gzip\r\n"))
    assert resp.header("Content-Encoding") is None and resp.body == b"x"


async def test_compression_with_httpx_decodes() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        resp = Response(text="hello " * 100)
        resp.enable_compression()
        return resp

    async with serve(handler) as srv, httpx.AsyncClient() as client:
        resp = await client.get(srv.url, headers={"Accept-Encoding": "gzip"})
    assert resp.headers["content-encoding"] == "gzip" and resp.text == "hello " * 100


async def test_head_request_keeps_length_drops_body() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        return Response(text="twelve bytes")

    async with serve(handler) as srv, raw_conn(srv.port) as conn:
        await conn.send(b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
        resp = await conn.read_response(head_only=True)
        assert resp.header("Content-Length") == "12"
        await conn.send(get())  # the next answer starts right after the head
        assert (await conn.read_response()).body == b"twelve bytes"


async def test_head_stream_response_writes_dropped() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        resp = StreamResponse()
        await resp.prepare(request)
        await resp.write(b"dropped")
        return resp

    async with serve(handler) as srv, raw_conn(srv.port) as conn:
        await conn.send(b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
        resp = await conn.read_response(head_only=True)
        assert resp.header("Transfer-Encoding") is None
        await conn.send(get())
        assert (await conn.read_response()).status == 200


@pytest.mark.parametrize("status", [204, 304])
async def test_empty_body_statuses(status: int) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        return Response(status=status, text="ignored")

    async with serve(handler) as srv, raw_conn(srv.port) as conn:
        await conn.send(get())
        resp = await conn.read_response()
        assert resp.status == status
        assert resp.header("Transfer-Encoding") is None
        assert resp.header("Content-Length") is None
        await conn.send(get())
        assert (await conn.read_response()).status == status


async def test_cookies_sent_as_set_cookie_headers() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        resp = Response()
        resp.set_cookie("a", "1", httponly=True)
        resp.set_cookie("b", "2", samesite="Strict")
        return resp

    resp = await fetch(handler, get())
    assert resp.header_all("Set-Cookie") == [
        "a=1; HttpOnly; Path=/",
        "b=2; Path=/; SameSite=Strict",
    ]


async def test_empty_response_has_length_zero_and_no_type() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        return Response()

    resp = await fetch(handler, get())
    assert resp.header("Content-Length") == "0" and resp.header("Content-Type") is None


async def test_payload_body_sent_with_length() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        return Response(body=payload.BytesPayload(b"payload!"))

    resp = await fetch(handler, get())
    assert resp.header("Content-Length") == "8" and resp.body == b"payload!"


async def test_on_prepare_hook_of_base_request_is_noop_and_user_headers_win() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        return Response(text="x", headers={"Server": "mine", "Date": "then", "Connection": "close"})

    async with serve(handler) as srv, raw_conn(srv.port) as conn:
        await conn.send(get())
        resp = await conn.read_response()
        assert (resp.header("Server"), resp.header("Date")) == ("mine", "then")
        assert await conn.closed_by_peer()  # the handler's Connection: close is honoured
