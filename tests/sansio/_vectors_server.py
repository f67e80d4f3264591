"""Scripted request streams (server role) and what every engine must make of them."""

from __future__ import annotations

from typing import Optional, Union

from yarl import URL

from aiohttp._sansio._messages import Event

from ._helpers import BOUNDARY, END, Raises, Vector, body, end, req, up

H = b"GET / HTTP/1.1\r\n"
CHUNKED_POST = b"POST /u HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
TE = [("Transfer-Encoding", "chunked")]


def _v(
    id: str,
    data: bytes,
    expect: Union[list[Event], Raises],
    *,
    eof: bool = False,
    options: Optional[dict[str, Union[int, bool]]] = None,
) -> Vector:
    return Vector(id, "server", data, expect, eof, None, options or {})


SERVER_VALID: list[Vector] = [
    # --- valid requests ------------------------------------------------------------
    _v("get-simple", H + b"Host: a\r\n\r\n", [req("GET", "/", [("Host", "a")]), END]),
    _v("get-no-headers", H + b"\r\n", [req("GET", "/"), END]),
    _v(
        "get-query-fragment",
        b"GET /p/a%20b?x=1&y=%2F#frag HTTP/1.1\r\n\r\n",
        [req("GET", "/p/a%20b?x=1&y=%2F#frag"), END],
    ),
    _v("get-double-slash", b"GET //x/y HTTP/1.1\r\n\r\n", [req("GET", "//x/y"), END]),
    _v(
        "get-six-headers",
        H + b"Host: example.com\r\nUser-Agent: t/1\r\nAccept: */*\r\n"
        b"Accept-Encoding: gzip, br\r\nCookie: a=b; c=d\r\nX-Empty:\r\n\r\n",
        [
            req(
                "GET",
                "/",
                [
                    ("Host", "example.com"),
                    ("User-Agent", "t/1"),
                    ("Accept", "*/*"),
                    ("Accept-Encoding", "gzip, br"),
                    ("Cookie", "a=b; c=d"),
                    ("X-Empty", ""),
                ],
            ),
            END,
        ],
    ),
    _v(
        "header-ows-trimmed",
        H + b"A:\t b  c \t\r\nB:x\r\n\r\n",
        [req("GET", "/", [("A", "b  c"), ("B", "x")]), END],
    ),
    _v(
        "header-obs-text-utf8",
        H + b"A: caf\xc3\xa9\r\nB: \xff\xfe\r\n\r\n",
        [req("GET", "/", [("A", "caf\u00e9"), ("B", "\udcff\udcfe")]), END],
    ),
    _v(
        "header-repeated-kept-in-order",
        H + b"Set: 1\r\nset: 2\r\nSET: 3\r\n\r\n",
        [req("GET", "/", [("Set", "1"), ("set", "2"), ("SET", "3")]), END],
    ),
    _v(
        "post-content-length",
        b"POST /f HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
        [req("POST", "/f", [("Content-Length", "5")]), body(b"hello"), END],
    ),
    _v(
        "content-length-zero",
        b"POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
        [req("POST", "/", [("Content-Length", "0")]), END],
    ),
    _v(
        "content-length-leading-zeros",
        b"POST / HTTP/1.1\r\nContent-Length: 003\r\n\r\nabc",
        [req("POST", "/", [("Content-Length", "003")]), body(b"abc"), END],
    ),
    _v(
        "content-length-duplicate-equal",
        b"POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
        [
            req("POST", "/", [("Content-Length", "3"), ("Content-Length", "3")]),
            body(b"abc"),
            END,
        ],
    ),
    _v(
        "content-length-list-equal",
        b"POST / HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\nabc",
        [req("POST", "/", [("Content-Length", "3, 3")]), body(b"abc"), END],
    ),
    _v(
        "chunked-ext-trailers",
        CHUNKED_POST + b'5;a=b;c="x \\" y"\r\nhello\r\n0;z\r\nT: v\r\nU: w\r\n\r\n',
        [
            req("POST", "/u", TE, chunked=True),
            body(b"hello"),
            BOUNDARY,
            end([("T", "v"), ("U", "w")]),
        ],
    ),
    _v(
        "chunked-many-chunks-hex-case",
        CHUNKED_POST + b"3\r\nabc\r\na\r\n0123456789\r\nB\r\nxxxxxxxxxxx\r\n000\r\n\r\n",
        [
            req("POST", "/u", TE, chunked=True),
            body(b"abc"),
            BOUNDARY,
            body(b"0123456789"),
            BOUNDARY,
            body(b"x" * 11),
            BOUNDARY,
            END,
        ],
    ),
    _v(
        "chunked-empty-body",
        CHUNKED_POST + b"0\r\n\r\n",
        [req("POST", "/u", TE, chunked=True), END],
    ),
    _v(
        "te-gzip-chunked",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, CHUNKED\r\n\r\n1\r\nz\r\n0\r\n\r\n",
        [
            req("POST", "/", [("Transfer-Encoding", "gzip, CHUNKED")], chunked=True),
            body(b"z"),
            BOUNDARY,
            END,
        ],
    ),
    _v(
        "te-split-over-fields",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"0\r\n\r\n",
        [
            req(
                "POST",
                "/",
                [("Transfer-Encoding", "gzip"), ("Transfer-Encoding", "chunked")],
                chunked=True,
            ),
            END,
        ],
    ),
    _v(
        "pipelined-three",
        H
        + b"\r\n"
        + b"POST /a HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi"
        + CHUNKED_POST
        + b"2\r\nyo\r\n0\r\n\r\n"
        + b"GET /last HTTP/1.1\r\n\r\n",
        [
            req("GET", "/"),
            END,
            req("POST", "/a", [("Content-Length", "2")]),
            body(b"hi"),
            END,
            req("POST", "/u", TE, chunked=True),
            body(b"yo"),
            BOUNDARY,
            END,
            req("GET", "/last"),
            END,
        ],
    ),
    _v(
        "pipelined-after-close-and-http10",
        b"GET /1 HTTP/1.0\r\n\r\n"
        b"GET /2 HTTP/1.1\r\nConnection: close\r\n\r\nGET /3 HTTP/1.1\r\n\r\n",
        [
            req("GET", "/1", version=(1, 0), close=True),
            END,
            req("GET", "/2", [("Connection", "close")], close=True),
            END,
            req("GET", "/3"),
            END,
        ],
    ),
    _v(
        "leading-crlf-skipped",
        b"\r\n\r\nGET / HTTP/1.1\r\n\r\n",
        [req("GET", "/"), END],
    ),
    _v(
        "http10-keep-alive",
        b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
        [req("GET", "/", [("Connection", "Keep-Alive")], version=(1, 0)), END],
    ),
    _v(
        "http11-connection-list-close",
        H + b"Connection: keep-alive, Close\r\n\r\n",
        [req("GET", "/", [("Connection", "keep-alive, Close")], close=True), END],
    ),
    _v(
        "http-minor-version-2",
        b"GET / HTTP/1.2\r\n\r\n",
        [req("GET", "/", version=(1, 2)), END],
    ),
    _v(
        "compression-gzip-case",
        H + b"Content-Encoding: GZip\r\n\r\n",
        [req("GET", "/", [("Content-Encoding", "GZip")], compression="gzip"), END],
    ),
    _v(
        "compression-unknown",
        H + b"Content-Encoding: identity\r\n\r\n",
        [req("GET", "/", [("Content-Encoding", "identity")]), END],
    ),
    _v(
        "custom-method-token",
        b"PURGE-X! /c HTTP/1.1\r\n\r\nget /d HTTP/1.1\r\n\r\n",
        [req("PURGE-X!", "/c"), END, req("get", "/d"), END],
    ),
    _v(
        "options-asterisk",
        b"OPTIONS * HTTP/1.1\r\n\r\n",
        [req("OPTIONS", "*", url=URL.build(path="*", encoded=True)), END],
    ),
    _v(
        "absolute-form",
        b"GET http://example.com:8080/a?b=c HTTP/1.1\r\n\r\n",
        [
            req(
                "GET",
                "http://example.com:8080/a?b=c",
                url=URL("http://example.com:8080/a?b=c", encoded=True),
            ),
            END,
        ],
    ),
    _v(
        "connect-tunnel",
        b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\x16\x03\x01",
        [
            req(
                "CONNECT",
                "example.com:443",
                [("Host", "example.com:443")],
                url=URL.build(authority="example.com:443", encoded=True),
            ),
            END,
            up(b"\x16\x03\x01"),
        ],
    ),
    _v(
        "connect-ipv6-no-extra-bytes",
        b"CONNECT [::1]:80 HTTP/1.1\r\n\r\n",
        [req("CONNECT", "[::1]:80", url=URL.build(authority="[::1]:80", encoded=True)), END],
    ),
    _v(
        "connect-with-body-is-not-a-tunnel",
        b"CONNECT a:1 HTTP/1.1\r\nContent-Length: 2\r\n\r\nxyGET / HTTP/1.1\r\n\r\n",
        [
            req(
                "CONNECT",
                "a:1",
                [("Content-Length", "2")],
                url=URL.build(authority="a:1", encoded=True),
            ),
            body(b"xy"),
            END,
            req("GET", "/"),
            END,
        ],
    ),
    _v(
        "websocket-upgrade",
        b"GET /ws HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\nUpgrade: WebSocket\r\n\r\n"
        b"\x81\x05hello",
        [
            req(
                "GET",
                "/ws",
                [("Connection", "keep-alive, Upgrade"), ("Upgrade", "WebSocket")],
                upgrade=True,
            ),
            END,
            up(b"\x81\x05hello"),
        ],
    ),
    _v(
        "h2c-upgrade-is-not-switched",
        b"GET / HTTP/1.1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
        b"HTTP2-Settings: AAA\r\n\r\nGET /n HTTP/1.1\r\n\r\n",
        [
            req(
                "GET",
                "/",
                [
                    ("Connection", "Upgrade, HTTP2-Settings"),
                    ("Upgrade", "h2c"),
                    ("HTTP2-Settings", "AAA"),
                ],
                upgrade=True,
            ),
            END,
            req("GET", "/n"),
            END,
        ],
    ),
    _v(
        "websocket-upgrade-with-body-is-not-switched",
        b"POST / HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: websocket\r\nContent-Length: 1\r\n\r\n"
        b"zGET / HTTP/1.1\r\n\r\n",
        [
            req(
                "POST",
                "/",
                [("Connection", "upgrade"), ("Upgrade", "websocket"), ("Content-Length", "1")],
                upgrade=True,
            ),
            body(b"z"),
            END,
            req("GET", "/"),
            END,
        ],
    ),
    _v(
        "upgrade-header-without-connection",
        H + b"Upgrade: websocket\r\n\r\n",
        [req("GET", "/", [("Upgrade", "websocket")]), END],
    ),
    _v(
        "limits-line-exactly-max",
        b"GET /aaaaa HTTP/1.1\r\n\r\n",
        [req("GET", "/aaaaa"), END],
        options={"max_line_size": 19},
    ),
    _v(
        "limits-field-exactly-max",
        H + b"Host: abcd\r\n\r\n",
        [req("GET", "/", [("Host", "abcd")]), END],
        options={"max_field_size": 10},
    ),
    _v(
        "limits-headers-exactly-max",
        H + b"A: 1\r\nB: 2\r\n\r\n",
        [req("GET", "/", [("A", "1"), ("B", "2")]), END],
        options={"max_headers": 2},
    ),
    _v("eof-between-messages", H + b"\r\n", [req("GET", "/"), END], eof=True),
    _v("eof-on-empty-connection", b"", [], eof=True),
    _v("eof-after-stray-crlf", H + b"\r\n\r\n", [req("GET", "/"), END], eof=True),
]
