"""Malformed request streams (server role) and the error each must raise."""

from __future__ import annotations

from aiohttp.http_exceptions import (
    BadHttpMessage,
    BadHttpMethod,
    BadStatusLine,
    ContentLengthError,
    InvalidHeader,
    InvalidURLError,
    LineTooLong,
    TransferEncodingError,
)

from ._helpers import Raises, Vector
from ._vectors_server import CHUNKED_POST, SERVER_VALID, H, _v

SERVER_ERRORS: list[Vector] = [
    # --- request line errors -----------------------------------------------------------
    _v("method-bad-char", b"G(ET / HTTP/1.1\r\n\r\n", Raises(BadHttpMethod, "G(")),
    _v("method-empty", b" / HTTP/1.1\r\n\r\n", Raises(BadHttpMethod)),
    _v("method-tab-separator", b"GET\t/ HTTP/1.1\r\n\r\n", Raises(BadHttpMethod)),
    _v("method-nul", b"GE\x00T / HTTP/1.1\r\n\r\n", Raises(BadHttpMethod)),
    _v("leading-bare-lf", b"\nGET / HTTP/1.1\r\n\r\n", Raises(BadHttpMethod)),
    _v("leading-lone-cr", b"\rGET / HTTP/1.1\r\n\r\n", Raises(BadHttpMethod)),
    _v("request-line-double-sp", b"GET  / HTTP/1.1\r\n\r\n", Raises(BadStatusLine)),
    _v("request-line-trailing-sp", b"GET / HTTP/1.1 \r\n\r\n", Raises(BadStatusLine)),
    _v("request-line-no-version", b"GET /\r\n\r\n", Raises(BadStatusLine)),
    _v("request-line-only-method", b"GET\r\n\r\n", Raises(BadStatusLine)),
    _v("version-lowercase", b"GET / http/1.1\r\n\r\n", Raises(BadStatusLine)),
    _v("version-http2", b"GET / HTTP/2.0\r\n\r\n", Raises(BadStatusLine)),
    _v("version-http09", b"GET / HTTP/0.9\r\n\r\n", Raises(BadStatusLine)),
    _v("version-two-digits", b"GET / HTTP/1.10\r\n\r\n", Raises(BadStatusLine)),
    _v("pri-preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", Raises(BadStatusLine)),
    _v("target-ctl", b"GET /a\x01b HTTP/1.1\r\n\r\n", Raises(BadStatusLine)),
    _v("target-non-ascii", b"GET /caf\xc3\xa9 HTTP/1.1\r\n\r\n", Raises(BadStatusLine)),
    _v("target-relative", b"GET foo HTTP/1.1\r\n\r\n", Raises(InvalidURLError, "foo")),
    _v("target-asterisk-not-options", b"GET * HTTP/1.1\r\n\r\n", Raises(InvalidURLError)),
    _v("connect-origin-form", b"CONNECT /a HTTP/1.1\r\n\r\n", Raises(InvalidURLError)),
    _v("connect-no-port", b"CONNECT example.com HTTP/1.1\r\n\r\n", Raises(InvalidURLError)),
    _v("request-line-bare-lf", b"GET / HTTP/1.1\nHost: a\n\n", Raises(BadStatusLine)),
    # --- field errors ----------------------------------------------------------------
    _v("field-space-before-colon", H + b"Host : a\r\n\r\n", Raises(InvalidHeader, "Host ")),
    _v("field-te-space-before-colon", CHUNKED_POST.replace(b"g:", b"g :"), Raises(InvalidHeader)),
    _v("field-no-colon", H + b"Host\r\n\r\n", Raises(InvalidHeader)),
    _v("field-empty-name", H + b": a\r\n\r\n", Raises(InvalidHeader)),
    _v("field-bad-name-char", H + b'A"b: c\r\n\r\n', Raises(InvalidHeader)),
    _v("field-non-ascii-name", H + b"Caf\xc3\xa9: c\r\n\r\n", Raises(InvalidHeader)),
    _v("field-obs-fold", H + b"A: b\r\n  c\r\n\r\n", Raises(InvalidHeader)),
    _v("field-first-line-folded", H + b"\tA: b\r\n\r\n", Raises(InvalidHeader)),
    _v("field-nul", H + b"A: b\x00c\r\n\r\n", Raises(InvalidHeader)),
    _v("field-lone-cr", H + b"A: b\rC: d\r\n\r\n", Raises(InvalidHeader)),
    _v("field-bare-lf", H + b"A: b\nC: d\r\n\r\n", Raises(InvalidHeader)),
    _v("field-del", H + b"A: b\x7f\r\n\r\n", Raises(InvalidHeader)),
    _v("field-ctl", H + b"A: \x01\r\n\r\n", Raises(InvalidHeader)),
    _v("head-bare-lf-end", H + b"A: b\r\n\n", Raises(InvalidHeader)),
    # --- framing errors (request smuggling shapes) --------------------------------------
    _v(
        "cl-plus-sign",
        b"POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\nhello",
        Raises(BadHttpMessage, "Content-Length"),
    ),
    _v(
        "cl-minus",
        b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        Raises(BadHttpMessage, "Content-Length"),
    ),
    _v(
        "cl-hex",
        b"POST / HTTP/1.1\r\nContent-Length: 0x5\r\n\r\nhello",
        Raises(BadHttpMessage, "Content-Length"),
    ),
    _v(
        "cl-inner-space",
        b"POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n",
        Raises(BadHttpMessage, "Content-Length"),
    ),
    _v(
        "cl-empty",
        b"POST / HTTP/1.1\r\nContent-Length:\r\n\r\n",
        Raises(BadHttpMessage, "Content-Length"),
    ),
    _v(
        "cl-too-many-digits",
        b"POST / HTTP/1.1\r\nContent-Length: 1234567890123456789\r\n\r\n",
        Raises(BadHttpMessage, "Content-Length"),
    ),
    _v(
        "cl-unicode-digit",
        "POST / HTTP/1.1\r\nContent-Length: \u0665\r\n\r\n".encode(),
        Raises(BadHttpMessage, "Content-Length"),
    ),
    _v(
        "cl-duplicate-different",
        b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        Raises(BadHttpMessage, "Content-Length"),
    ),
    _v(
        "cl-list-different",
        b"POST / HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\nab",
        Raises(BadHttpMessage, "Content-Length"),
    ),
    _v(
        "te-and-cl",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
        Raises(BadHttpMessage, "Content-Length and Transfer-Encoding"),
    ),
    _v(
        "cl-and-te",
        b"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        Raises(BadHttpMessage, "Content-Length and Transfer-Encoding"),
    ),
    _v(
        "te-chunked-identity",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
        Raises(BadHttpMessage, "Transfer-Encoding"),
    ),
    _v(
        "te-identity-only",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n",
        Raises(BadHttpMessage, "Transfer-Encoding"),
    ),
    _v(
        "te-chunked-twice",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
        Raises(BadHttpMessage, "Transfer-Encoding"),
    ),
    _v(
        "te-trailing-comma",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked,\r\n\r\n0\r\n\r\n",
        Raises(BadHttpMessage, "Transfer-Encoding"),
    ),
    _v(
        "te-leading-comma",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: ,chunked\r\n\r\n0\r\n\r\n",
        Raises(BadHttpMessage, "Transfer-Encoding"),
    ),
    _v(
        "te-with-params",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked;q=1\r\n\r\n0\r\n\r\n",
        Raises(BadHttpMessage, "Transfer-Encoding"),
    ),
    _v(
        "te-in-http10",
        b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        Raises(BadHttpMessage, "HTTP/1.0"),
    ),
    # --- chunked body errors ---------------------------------------------------------------
    _v(
        "chunk-size-trailing-space",
        CHUNKED_POST + b"5 \r\nhello\r\n0\r\n\r\n",
        Raises(TransferEncodingError, "chunk size"),
    ),
    _v(
        "chunk-size-space-before-ext",
        CHUNKED_POST + b"5 ;a\r\nhello\r\n0\r\n\r\n",
        Raises(TransferEncodingError, "chunk size"),
    ),
    _v(
        "chunk-size-negative",
        CHUNKED_POST + b"-5\r\nhello\r\n0\r\n\r\n",
        Raises(TransferEncodingError, "chunk size"),
    ),
    _v(
        "chunk-size-empty",
        CHUNKED_POST + b"\r\nhello\r\n0\r\n\r\n",
        Raises(TransferEncodingError, "chunk size"),
    ),
    _v(
        "chunk-size-17-hex-digits",
        CHUNKED_POST + b"10000000000000000\r\nhello\r\n",
        Raises(TransferEncodingError, "chunk size"),
    ),
    _v(
        "chunk-size-bare-lf", CHUNKED_POST + b"5\nhello\r\n0\r\n\r\n", Raises(TransferEncodingError)
    ),
    _v(
        "chunk-data-no-crlf",
        CHUNKED_POST + b"5\r\nhelloXX0\r\n\r\n",
        Raises(TransferEncodingError, "CRLF"),
    ),
    _v(
        "chunk-data-bare-lf",
        CHUNKED_POST + b"5\r\nhello\n0\r\n\r\n",
        Raises(TransferEncodingError, "CRLF"),
    ),
    _v(
        "chunk-ext-space-in-name",
        CHUNKED_POST + b"5;a b\r\nhello\r\n0\r\n\r\n",
        Raises(TransferEncodingError, "chunk size"),
    ),
    _v(
        "chunk-ext-empty",
        CHUNKED_POST + b"5;\r\nhello\r\n0\r\n\r\n",
        Raises(TransferEncodingError, "chunk size"),
    ),
    _v(
        "chunk-ext-ctl-in-quoted",
        CHUNKED_POST + b'5;a="b\x01"\r\nhello\r\n0\r\n\r\n',
        Raises(TransferEncodingError, "chunk size"),
    ),
    _v("trailer-obs-fold", CHUNKED_POST + b"0\r\nA: b\r\n c\r\n\r\n", Raises(InvalidHeader)),
    _v("trailer-space-before-colon", CHUNKED_POST + b"0\r\nA : b\r\n\r\n", Raises(InvalidHeader)),
    _v("trailer-bare-lf-end", CHUNKED_POST + b"0\r\n\n", Raises(InvalidHeader)),
    # --- limits ---------------------------------------------------------------------------
    _v(
        "limit-request-line",
        b"GET /aaaaa HTTP/1.1\r\n\r\n",
        Raises(LineTooLong, "request line"),
        options={"max_line_size": 18},
    ),
    _v(
        "limit-request-line-unterminated",
        b"GET /" + b"a" * 80,
        Raises(LineTooLong, "request line"),
        options={"max_line_size": 40},
    ),
    _v(
        "limit-method-unterminated",
        b"G" * 60,
        Raises(LineTooLong, "request line"),
        options={"max_line_size": 40},
    ),
    _v(
        "limit-field",
        H + b"Host: abcde\r\n\r\n",
        Raises(LineTooLong, "header line"),
        options={"max_field_size": 10},
    ),
    _v(
        "limit-field-unterminated",
        H + b"Host: " + b"a" * 80,
        Raises(LineTooLong, "header line"),
        options={"max_field_size": 40},
    ),
    _v(
        "limit-headers-count",
        H + b"A: 1\r\nB: 2\r\nC: 3\r\n\r\n",
        Raises(BadHttpMessage, "Too many headers"),
        options={"max_headers": 2},
    ),
    _v(
        "limit-trailers-count",
        CHUNKED_POST + b"0\r\nA: 1\r\nB: 2\r\n\r\n",
        Raises(BadHttpMessage, "Too many trailers"),
        options={"max_headers": 1},
    ),
    _v(
        "limit-trailer-line",
        CHUNKED_POST + b"0\r\nA: " + b"1" * 40 + b"\r\n\r\n",
        Raises(LineTooLong, "trailer line"),
        options={"max_field_size": 30},
    ),
    # --- EOF in the middle ----------------------------------------------------------------
    _v("eof-mid-head", b"GET / HTTP/1.1\r\nHost: a\r\n", Raises(BadHttpMessage, "head"), eof=True),
    _v("eof-mid-request-line", b"GET /ab", Raises(BadHttpMessage, "head"), eof=True),
    _v(
        "eof-mid-length-body",
        b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhel",
        Raises(ContentLengthError, "content length"),
        eof=True,
    ),
    _v(
        "eof-mid-chunked-body",
        CHUNKED_POST + b"5\r\nhel",
        Raises(TransferEncodingError, "transfer length"),
        eof=True,
    ),
    _v(
        "eof-before-last-chunk",
        CHUNKED_POST + b"5\r\nhello\r\n",
        Raises(TransferEncodingError, "transfer length"),
        eof=True,
    ),
    _v(
        "eof-in-trailers",
        CHUNKED_POST + b"0\r\nA: b\r\n",
        Raises(TransferEncodingError, "transfer length"),
        eof=True,
    ),
    _v("eof-mid-head-bad-version", b"GET / HTTP/2.0\r\n\r", Raises(BadStatusLine), eof=True),
    _v("cr-cr-lf-before-request", b"\r\r\nGET / HTTP/1.1\r\n\r\n", Raises(BadHttpMethod)),
    _v("lf-after-chunked", CHUNKED_POST + b"0\r\n\r\n\n", Raises(BadHttpMethod), eof=True),
    _v(
        "eof-after-body-bytes-of-next-head",
        H + b"\r\nxyz",
        Raises(BadHttpMessage, "head"),
        eof=True,
    ),
]

SERVER_VECTORS: list[Vector] = SERVER_VALID + SERVER_ERRORS
