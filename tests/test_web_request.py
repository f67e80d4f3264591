"""BaseRequest / Request over a real loopback server: the head, the connection, the body,
forms, clone, state; and the header parsers behind the properties."""

from __future__ import annotations

import asyncio
import datetime
import io
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Optional

import httpx
import pytest
from multidict import MultiDictProxy
from yarl import URL

from aiohttp import web_exceptions
from aiohttp._web_cookies import parse_cookie_header
from aiohttp._web_forwarded import parse_forwarded
from aiohttp._web_precond import parse_etag_list, parse_range
from aiohttp.helpers import ETag
from aiohttp.streams import EmptyStreamReader
from aiohttp.web_request import BaseRequest, FileField
from aiohttp.web_response import Response, StreamResponse, json_response

from ._web_fixtures import get, raw_conn, request_factory, serve, serve_with_factory

Probe = Callable[[BaseRequest], Awaitable[object]]


async def probe(
    fn: Probe, *, method: str = "GET", path: str = "/", raw: Optional[bytes] = None, **kw: object
) -> object:
    """Run ``fn`` on the request the server receives and return what it returned."""
    result: list[object] = []

    async def handler(request: BaseRequest) -> StreamResponse:
        result.append(await fn(request))
        return Response(text="ok")

    async with serve(handler) as srv:
        if raw is not None:
            async with raw_conn(srv.port) as conn:
                await conn.send(raw)
                await conn.read_response()
        else:
            async with httpx.AsyncClient() as client:
                resp = await client.request(method, srv.url + path, **kw)  # type: ignore[arg-type]  # test pass-through
                assert resp.status_code == 200, resp.text
    return result[0]


async def test_request_head_properties() -> None:
    async def fn(r: BaseRequest) -> object:
        return {
            "method": r.method,
            "version": tuple(r.version),
            "path": r.path,
            "raw_path": r.raw_path,
            "path_qs": r.path_qs,
            "query": dict(r.query),
            "query_string": r.query_string,
            "rel_url": str(r.rel_url),
            "url": str(r.url),
            "host": r.host,
            "scheme": r.scheme,
            "secure": r.secure,
            "keep_alive": r.keep_alive,
            "raw_headers": r.raw_headers[0],
            "header": r.headers["X-Test"],
            "repr": repr(r),
        }

    got = await probe(
        fn,
        raw=b"GET /p%20a/th?a=1&b=%C3%A9 HTTP/1.1\r\nHost: example.com:81\r\nX-Test: v\r\n\r\n",
    )
    assert got == {
        "method": "GET",
        "version": (1, 1),
        "path": "/p a/th",
        "raw_path": "/p%20a/th?a=1&b=%C3%A9",
        "path_qs": "/p%20a/th?a=1&b=%C3%A9",
        "query": {"a": "1", "b": "é"},
        "query_string": "a=1&b=é",
        "rel_url": "/p%20a/th?a=1&b=%C3%A9",
        "url": "http://example.com:81/p%20a/th?a=1&b=%C3%A9",
        "host": "example.com:81",
        "scheme": "http",
        "secure": False,
        "keep_alive": True,
        "raw_headers": (b"Host", b"example.com:81"),
        "header": "v",
        "repr": "<BaseRequest GET /p a/th >",
    }


async def test_request_absolute_form_target_sets_url_host_scheme() -> None:
    async def fn(r: BaseRequest) -> object:
        return (str(r.url), r.host, r.scheme, str(r.rel_url))

    got = await probe(fn, raw=b"GET http://h.test:8/x?q HTTP/1.1\r\nHost: other\r\n\r\n")
    assert got == ("http://h.test:8/x?q", "h.test", "http", "/x?q")


async def test_request_remote_transport_and_extra_info() -> None:
    async def fn(r: BaseRequest) -> object:
        peer = r.get_extra_info("peername")
        assert isinstance(peer, tuple)
        return (r.remote, peer[0], r.transport is not None, r.get_extra_info("nope", 5))

    assert await probe(fn) == ("127.0.0.1", "127.0.0.1", True, 5)


async def test_request_forwarded_is_parsed_not_trusted() -> None:
    async def fn(r: BaseRequest) -> object:
        return ([dict(e) for e in r.forwarded], r.remote, r.host, r.scheme)

    got = await probe(
        fn,
        raw=b"GET / HTTP/1.1\r\nHost: real\r\n"
        b'Forwarded: for=192.0.2.60;proto=https;by="[2001:db8::1]", for=unknown\r\n'
        b"Forwarded: host=evil.example\r\n\r\n",
    )
    assert got == (
        [
            {"for": "192.0.2.60", "proto": "https", "by": "[2001:db8::1]"},
            {"for": "unknown"},
            {"host": "evil.example"},
        ],
        "127.0.0.1",
        "real",
        "http",
    )


def test_forwarded_parser_edge_cases() -> None:
    assert parse_forwarded([]) == ()
    assert [dict(e) for e in parse_forwarded(['For="a\\"b";PROTO=http'])] == [
        {"for": 'a"b', "proto": "http"}
    ]
    # A syntax error ends its element but keeps later ones.
    assert [dict(e) for e in parse_forwarded(["for=a;bad token;x=1, for=b"])] == [
        {"for": "a"},
        {"for": "b"},
    ]
    assert [dict(e) for e in parse_forwarded(["for=a, , for=b,"])] == [{"for": "a"}, {"for": "b"}]
    assert [dict(e) for e in parse_forwarded(['for="unterminated'])] == []
    mapping = parse_forwarded(["for=a"])[0]
    with pytest.raises(TypeError):
        mapping["for"] = "b"  # type: ignore[index]  # read-only by design


async def test_request_cookies_and_content_headers() -> None:
    async def fn(r: BaseRequest) -> object:
        return (dict(r.cookies), r.content_type, r.charset, r.content_length)

    got = await probe(
        fn,
        raw=b'POST / HTTP/1.1\r\nHost: x\r\nCookie: a=1; b="q\\073"; a=2\r\nCookie: c=3\r\n'
        b"Content-Type: Text/Plain; Charset=latin-1\r\nContent-Length: 2\r\n\r\nhi",
    )
    assert got == ({"a": "1", "b": "q;", "c": "3"}, "text/plain", "latin-1", 2)


def test_cookie_header_parser_tolerates_garbage() -> None:
    assert parse_cookie_header(["a=1;;b;=x; c = 2 ;d="]) == {"a": "1", "c": "2", "d": ""}


async def test_request_default_content_type_and_no_body() -> None:
    async def fn(r: BaseRequest) -> object:
        return (
            r.content_type,
            r.charset,
            r.content_length,
            r.body_exists,
            r.can_read_body,
            type(r.content) is EmptyStreamReader,
            await r.read(),
        )

    assert await probe(fn) == ("application/octet-stream", None, None, False, False, True, b"")


async def test_request_conditional_headers_and_range() -> None:
    async def fn(r: BaseRequest) -> object:
        return (
            r.if_modified_since,
            r.if_unmodified_since,
            r.if_range,
            r.if_match,
            r.if_none_match,
            r.http_range,
        )

    got = await probe(
        fn,
        raw=b"GET / HTTP/1.1\r\nHost: x\r\n"
        b"If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
        b"If-Unmodified-Since: garbage\r\n"
        b'If-Match: "a", W/"b"\r\nIf-None-Match: *\r\nRange: bytes=10-19\r\n\r\n',
    )
    when = datetime.datetime(1994, 11, 6, 8, 49, 37, tzinfo=datetime.timezone.utc)
    assert got == (
        when,
        None,
        None,
        (ETag("a"), ETag("b", is_weak=True)),
        (ETag("*"),),
        slice(10, 20, 1),
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, slice(None, None, 1)),
        ("bytes=0-0", slice(0, 1, 1)),
        ("bytes=5-", slice(5, None, 1)),
        ("bytes=-5", slice(-5, None, 1)),
    ],
)
def test_range_parser_valid(
    header: Optional[str], expected: slice[Optional[int], Optional[int], int]
) -> None:
    assert parse_range(header) == expected


@pytest.mark.parametrize(
    "header",
    ["bytes=", "bytes=-", "bytes=5-2", "bytes=0-1,3-4", "items=0-1", "bytes=-0", "bytes=x-"],
)
def test_range_parser_invalid(header: str) -> None:
    with pytest.raises(ValueError):
        parse_range(header)


def test_etag_list_parser_stops_at_garbage() -> None:
    assert parse_etag_list(None) is None
    assert parse_etag_list('"a" , W/"b", junk, "c"') == (ETag("a"), ETag("b", is_weak=True))
    assert parse_etag_list("") == ()


async def test_request_http_range_invalid_raises_in_handler() -> None:
    async def fn(r: BaseRequest) -> object:
        with pytest.raises(ValueError):
            _ = r.http_range
        return True

    assert await probe(fn, raw=b"GET / HTTP/1.1\r\nHost: x\r\nRange: bytes=9-1\r\n\r\n") is True


async def test_request_read_text_json_cached() -> None:
    async def fn(r: BaseRequest) -> object:
        data = await r.read()
        assert await r.read() is data  # cached
        return (data, await r.text(), await r.json())

    body = '{"k": [1, "é"]}'.encode()
    got = await probe(fn, method="POST", content=body)
    assert got == (body, '{"k": [1, "é"]}', {"k": [1, "é"]})


async def test_request_text_unknown_charset_is_415() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        return Response(text=await request.text())

    async with serve(handler) as srv, httpx.AsyncClient() as client:
        resp = await client.post(
            srv.url, content=b"x", headers={"Content-Type": "text/plain; charset=nope"}
        )
    assert resp.status_code == 415


async def test_request_chunked_body_read() -> None:
    async def fn(r: BaseRequest) -> object:
        return await r.read()

    async def gen() -> AsyncIterator[bytes]:
        yield b"ab"
        yield b"cd"

    assert await probe(fn, method="POST", content=gen()) == b"abcd"


async def test_request_release_then_can_read_body_false() -> None:
    async def fn(r: BaseRequest) -> object:
        before = r.can_read_body
        await r.release()
        return (before, r.can_read_body, r.body_exists)

    assert await probe(fn, method="POST", content=b"x" * 100000) == (True, False, True)


async def test_request_post_urlencoded() -> None:
    async def fn(r: BaseRequest) -> object:
        form = await r.post()
        assert await r.post() is form
        return list(form.items())

    got = await probe(fn, method="POST", data={"a": "1", "b": "é x"})
    assert got == [("a", "1"), ("b", "é x")]


async def test_request_post_multipart_fields_and_files() -> None:
    async def fn(r: BaseRequest) -> object:
        form = await r.post()
        upload = form["file"]
        assert isinstance(upload, FileField)
        content = upload.file.read()
        return (form["name"], upload.filename, upload.content_type, content, upload.name)

    got = await probe(
        fn,
        method="POST",
        data={"name": "ü"},
        files={"file": ("a.bin", io.BytesIO(b"\x00\x01data"), "application/x-thing")},
    )
    assert got == ("ü", "a.bin", "application/x-thing", b"\x00\x01data", "file")


async def test_request_post_other_methods_and_types_are_empty() -> None:
    async def fn(r: BaseRequest) -> object:
        form = await r.post()
        return (isinstance(form, MultiDictProxy), len(form))

    assert await probe(fn) == (True, 0)
    assert await probe(fn, method="POST", json={"a": 1}) == (True, 0)


async def test_request_multipart_reader() -> None:
    async def fn(r: BaseRequest) -> object:
        reader = await r.multipart()
        names = []
        async for part in reader:
            names.append(getattr(part, "name", None))
            await part.release()
        return names

    assert await probe(fn, method="POST", data={"x": "1"}, files={"f": b"zz"}) == ["x", "f"]


async def _post_limited(limit: int, **kw: object) -> httpx.Response:
    async def handler(request: BaseRequest) -> StreamResponse:
        if request.content_type == "multipart/form-data":
            await request.post()
        else:
            await request.read()
        return Response(text="ok")

    async with serve_with_factory(handler, request_factory(limit)) as srv, httpx.AsyncClient() as c:
        return await c.post(srv.url, **kw)  # type: ignore[arg-type]  # pass-through


async def test_client_max_size_by_content_length_and_by_chunks() -> None:
    assert (await _post_limited(5, content=b"12345")).status_code == 200
    assert (await _post_limited(5, content=b"123456")).status_code == 413

    async def gen() -> AsyncIterator[bytes]:  # a chunked body: no length up front
        for _ in range(10):
            yield b"12"

    resp = await _post_limited(5, content=gen())
    assert resp.status_code == 413
    assert "Maximum request body size 5 exceeded" in resp.text


async def test_client_max_size_applies_to_whole_multipart_form() -> None:
    resp = await _post_limited(200, data={"a": "x" * 150, "b": "y" * 150})
    assert resp.status_code == 413


async def test_request_clone_replaces_parts_and_copies_state() -> None:
    async def fn(r: BaseRequest) -> object:
        r["k"] = 1
        c = r.clone(
            method="POST",
            rel_url="/new?z=9",
            headers={"X": "y"},
            scheme="https",
            host="h.example",
            remote="10.0.0.1",
            client_max_size=7,
        )
        c["k"] = 2
        return (
            c.method,
            str(c.url),
            dict(c.headers),
            c.raw_headers,
            c.secure,
            c.remote,
            c.client_max_size,
            r["k"],
            type(c) is type(r),
            r.method,
        )

    got = await probe(fn)
    assert got == (
        "POST",
        "https://h.example/new?z=9",
        {"X": "y"},
        ((b"X", b"y"),),
        True,
        "10.0.0.1",
        7,
        1,
        True,
        "GET",
    )


async def test_request_clone_after_read_is_refused() -> None:
    async def fn(r: BaseRequest) -> object:
        await r.read()
        with pytest.raises(RuntimeError, match="after reading"):
            r.clone()
        return True

    assert await probe(fn, method="POST", content=b"data") is True


async def test_request_state_mapping_and_identity() -> None:
    async def fn(r: BaseRequest) -> object:
        assert bool(r) and len(r) == 0
        r["a"] = 1
        del r["a"]
        r["b"] = 2
        assert r == r and r != r.clone()
        assert hash(r) == hash(r)
        return (dict(r), list(r))

    assert await probe(fn) == ({"b": 2}, ["b"])


async def test_request_read_only_attributes() -> None:
    async def fn(r: BaseRequest) -> object:
        errors = 0
        for name in ("method", "path", "headers", "url", "host", "remote", "cookies", "query"):
            try:
                setattr(r, name, "x")
            except AttributeError:
                errors += 1
        return errors

    assert await probe(fn) == 8


async def test_request_deprecated_aliases_warn() -> None:
    async def fn(r: BaseRequest) -> object:
        with pytest.warns(DeprecationWarning):
            assert r.has_body is False
        with pytest.warns(DeprecationWarning):
            assert r.loop is asyncio.get_running_loop()
        with pytest.warns(DeprecationWarning):
            assert r.message.method == "GET"
        return True

    assert await probe(fn) is True


async def test_request_match_info_before_routing_raises() -> None:
    from aiohttp.web_request import Request

    seen: list[str] = []

    async def handler(request: BaseRequest) -> StreamResponse:
        assert isinstance(request, Request)
        with pytest.raises(RuntimeError, match="not been routed"):
            _ = request.match_info
        seen.append(type(request.clone()).__name__)
        return json_response({"ok": True})

    factory = request_factory(cls=Request)
    async with serve_with_factory(handler, factory) as srv, raw_conn(srv.port) as conn:
        await conn.send(get())
        resp = await conn.read_response()
    assert resp.body == b'{"ok": true}'
    assert seen == ["Request"]


def test_url_join_keeps_encoded_path() -> None:
    # The property builds the absolute URL from scheme, host and the relative URL.
    assert str(URL.build(scheme="http", authority="h:1").join(URL("/a%2Fb?x=1"))) == (
        "http://h:1/a%2Fb?x=1"
    )


async def test_request_entity_too_large_exception_type() -> None:
    async def fn(r: BaseRequest) -> object:
        try:
            await r.read()
        except web_exceptions.HTTPRequestEntityTooLarge as exc:
            return exc.status
        return None

    raw = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n"
    assert await probe(fn, raw=raw + b"x" * 10) == 413
