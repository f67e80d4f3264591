"""Scripted response streams (client role) and what every engine must make of them."""

from __future__ import annotations

from typing import Optional, Union

from aiohttp._sansio._messages import Event
from aiohttp.http_exceptions import (
    BadHttpMessage,
    BadStatusLine,
    ContentLengthError,
    InvalidHeader,
    LineTooLong,
    TransferEncodingError,
)

from ._helpers import BOUNDARY, END, Raises, Vector, body, end, resp, up

OK = b"HTTP/1.1 200 OK\r\n"
TE = [("Transfer-Encoding", "chunked")]


def _v(
    id: str,
    data: bytes,
    expect: Union[list[Event], Raises],
    *,
    eof: bool = False,
    method: Optional[str] = None,
    options: Optional[dict[str, Union[int, bool]]] = None,
) -> Vector:
    return Vector(id, "client", data, expect, eof, method, options or {})


CLIENT_VECTORS: list[Vector] = [
    # --- valid responses -------------------------------------------------------------
    _v(
        "content-length",
        OK + b"Content-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
        [
            resp(200, "OK", [("Content-Length", "5"), ("Content-Type", "text/plain")]),
            body(b"hello"),
            END,
        ],
    ),
    _v(
        "chunked-with-trailers",
        OK + b"Transfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n5;ext=1\r\npedia\r\n0\r\n"
        b"Expires: never\r\nX-Sum: abc\r\n\r\n",
        [
            resp(200, "OK", TE, chunked=True),
            body(b"wiki"),
            BOUNDARY,
            body(b"pedia"),
            BOUNDARY,
            end([("Expires", "never"), ("X-Sum", "abc")]),
        ],
    ),
    _v(
        "read-until-eof",
        OK + b"Content-Type: text/plain\r\n\r\nsome body",
        [resp(200, "OK", [("Content-Type", "text/plain")], close=True), body(b"some body"), END],
        eof=True,
    ),
    _v(
        "read-until-eof-empty",
        b"HTTP/1.0 200 OK\r\n\r\n",
        [resp(200, "OK", version=(1, 0), close=True), END],
        eof=True,
    ),
    _v(
        "http10-keep-alive-length",
        b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx"
        b"HTTP/1.0 204 No Content\r\n\r\n",
        [
            resp(
                200, "OK", [("Connection", "keep-alive"), ("Content-Length", "1")], version=(1, 0)
            ),
            body(b"x"),
            END,
            resp(204, "No Content", version=(1, 0), close=True),
            END,
        ],
    ),
    _v(
        "connection-close-then-more",
        OK + b"Connection: close\r\nContent-Length: 1\r\n\r\nx" + OK + b"Content-Length: 0\r\n\r\n",
        [
            resp(200, "OK", [("Connection", "close"), ("Content-Length", "1")], close=True),
            body(b"x"),
            END,
            resp(200, "OK", [("Content-Length", "0")]),
            END,
        ],
    ),
    _v(
        "no-body-204-304-then-next",
        b"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n"
        b"HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n"
        + OK
        + b"Content-Length: 2\r\n\r\nok",
        [
            resp(204, "No Content", [("Content-Length", "5")]),
            END,
            resp(304, "Not Modified", TE, chunked=True),
            END,
            resp(200, "OK", [("Content-Length", "2")]),
            body(b"ok"),
            END,
        ],
    ),
    _v(
        "informational-100-103",
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
        + OK
        + b"Content-Length: 1\r\n\r\nz",
        [
            resp(100, "Continue"),
            END,
            resp(103, "Early Hints", [("Link", "</s.css>")]),
            END,
            resp(200, "OK", [("Content-Length", "1")]),
            body(b"z"),
            END,
        ],
    ),
    _v(
        "head-response-has-no-body",
        OK + b"Content-Length: 10\r\n\r\n" + OK + b"Content-Length: 2\r\n\r\nhi",
        [
            resp(200, "OK", [("Content-Length", "10")]),
            END,
            resp(200, "OK", [("Content-Length", "2")]),
            body(b"hi"),
            END,
        ],
        method="HEAD",
    ),
    _v(
        "head-expectation-survives-100",
        b"HTTP/1.1 100 Continue\r\n\r\n" + OK + b"Transfer-Encoding: chunked\r\n\r\n",
        [resp(100, "Continue"), END, resp(200, "OK", TE, chunked=True), END],
        method="head",
    ),
    _v(
        "connect-2xx-tunnel",
        b"HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x03",
        [resp(200, "Connection established"), END, up(b"\x16\x03\x03")],
        method="CONNECT",
    ),
    _v(
        "connect-refused-has-body",
        b"HTTP/1.1 407 Proxy Auth\r\nContent-Length: 3\r\n\r\nnopHTTP/1.1 200 OK\r\n\r\n",
        [
            resp(407, "Proxy Auth", [("Content-Length", "3")]),
            body(b"nop"),
            END,
            resp(200, "OK", close=True),
        ],
        method="CONNECT",
    ),
    _v(
        "switching-protocols-websocket",
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
        b"\x81\x02hi",
        [
            resp(
                101,
                "Switching Protocols",
                [("Upgrade", "websocket"), ("Connection", "Upgrade")],
                upgrade=True,
            ),
            END,
            up(b"\x81\x02hi"),
        ],
    ),
    _v(
        "switching-protocols-bare",
        b"HTTP/1.1 101 Switching Protocols\r\n\r\nraw",
        [resp(101, "Switching Protocols"), END, up(b"raw")],
    ),
    _v(
        "empty-reason-with-sp",
        b"HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n",
        [resp(200, "", [("Content-Length", "0")]), END],
    ),
    _v(
        "reason-spaces-tabs-obs-text",
        b"HTTP/1.1 200  O\tK caf\xc3\xa9\r\nContent-Length: 0\r\n\r\n",
        [resp(200, " O\tK caf\u00e9", [("Content-Length", "0")]), END],
    ),
    _v(
        "te-wins-over-cl",
        OK + b"Transfer-Encoding: chunked\r\nContent-Length: 100\r\n\r\n1\r\na\r\n0\r\n\r\n",
        [
            resp(200, "OK", [*TE, ("Content-Length", "100")], chunked=True),
            body(b"a"),
            BOUNDARY,
            END,
        ],
    ),
    _v(
        "te-not-chunked-reads-until-eof",
        OK + b"Transfer-Encoding: gzip\r\n\r\n\x1f\x8b",
        [resp(200, "OK", [("Transfer-Encoding", "gzip")], close=True), body(b"\x1f\x8b"), END],
        eof=True,
    ),
    _v(
        "compression-deflate",
        OK + b"Content-Encoding: Deflate\r\nContent-Length: 0\r\n\r\n",
        [
            resp(
                200,
                "OK",
                [("Content-Encoding", "Deflate"), ("Content-Length", "0")],
                compression="deflate",
            ),
            END,
        ],
    ),
    _v(
        "lax-obs-fold-and-bare-lf",
        b"HTTP/1.1 200\nA: b\r\n  c\nContent-Length: 2\n\nhi",
        [resp(200, "", [("A", "b c"), ("Content-Length", "2")]), body(b"hi"), END],
        options={"lax": True},
    ),
    _v(
        "lax-strict-body-framing-kept",
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx",
        [resp(200, "OK", [("Content-Length", "1")]), body(b"x"), END],
        options={"lax": True},
    ),
    _v(
        "eof-between-responses",
        OK + b"Content-Length: 0\r\n\r\n",
        [resp(200, "OK", [("Content-Length", "0")]), END],
        eof=True,
    ),
    # --- errors ----------------------------------------------------------------------
    _v("status-missing-sp-strict", b"HTTP/1.1 200\r\n\r\n", Raises(BadStatusLine)),
    _v("status-code-099", b"HTTP/1.1 099 X\r\n\r\n", Raises(BadStatusLine)),
    _v("status-code-four-digits", b"HTTP/1.1 1000 X\r\n\r\n", Raises(BadStatusLine)),
    _v("status-code-two-digits", b"HTTP/1.1 20 X\r\n\r\n", Raises(BadStatusLine)),
    _v("status-code-letter", b"HTTP/1.1 2x0 X\r\n\r\n", Raises(BadStatusLine)),
    _v("status-double-sp", b"HTTP/1.1  200 OK\r\n\r\n", Raises(BadStatusLine)),
    _v("status-version-2", b"HTTP/2.0 200 OK\r\n\r\n", Raises(BadStatusLine)),
    _v("status-lowercase", b"http/1.1 200 OK\r\n\r\n", Raises(BadStatusLine)),
    _v("status-reason-ctl", b"HTTP/1.1 200 O\x01K\r\n\r\n", Raises(BadStatusLine)),
    _v("status-reason-nul", b"HTTP/1.1 200 O\x00K\r\n\r\n", Raises(BadStatusLine)),
    _v("status-reason-del", b"HTTP/1.1 200 O\x7fK\r\n\r\n", Raises(BadStatusLine)),
    _v("status-lone-cr", b"HTTP/1.1 200 OK\rX\r\n\r\n", Raises(BadStatusLine)),
    _v("status-bare-lf-strict", b"HTTP/1.1 200 OK\nA: b\r\n\r\n", Raises(BadStatusLine)),
    _v("field-obs-fold-strict", OK + b"A: b\r\n c\r\n\r\n", Raises(InvalidHeader)),
    _v("field-bare-lf-strict", OK + b"A: b\n\r\n", Raises(InvalidHeader)),
    _v("field-space-before-colon", OK + b"Content-Length : 1\r\n\r\nx", Raises(InvalidHeader)),
    _v(
        "lax-lone-cr-still-rejected",
        b"HTTP/1.1 200 OK\nA: b\rc\n\n",
        Raises(InvalidHeader),
        options={"lax": True},
    ),
    _v(
        "lax-nul-still-rejected",
        b"HTTP/1.1 200 OK\nA: b\x00\n\n",
        Raises(InvalidHeader),
        options={"lax": True},
    ),
    _v(
        "cl-conflict",
        OK + b"Content-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        Raises(BadHttpMessage, "Content-Length"),
    ),
    _v("cl-plus", OK + b"Content-Length: +1\r\n\r\na", Raises(BadHttpMessage, "Content-Length")),
    _v(
        "te-chunked-not-last",
        OK + b"Transfer-Encoding: chunked, gzip\r\n\r\n",
        Raises(BadHttpMessage, "Transfer-Encoding"),
    ),
    _v(
        "chunk-size-garbage",
        OK + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n",
        Raises(TransferEncodingError, "chunk size"),
    ),
    _v(
        "limit-status-line",
        b"HTTP/1.1 200 " + b"R" * 40 + b"\r\n\r\n",
        Raises(LineTooLong, "status line"),
        options={"max_line_size": 30},
    ),
    _v(
        "limit-status-line-unterminated",
        b"HTTP/1.1 200 " + b"R" * 40,
        Raises(LineTooLong, "status line"),
        options={"max_line_size": 30},
    ),
    _v(
        "eof-mid-length-body",
        OK + b"Content-Length: 5\r\n\r\nab",
        Raises(ContentLengthError),
        eof=True,
    ),
    _v(
        "eof-mid-chunk",
        OK + b"Transfer-Encoding: chunked\r\n\r\n5\r\nab",
        Raises(TransferEncodingError),
        eof=True,
    ),
    _v("eof-mid-status-line", b"HTTP/1.1 20", Raises(BadHttpMessage, "head"), eof=True),
]
