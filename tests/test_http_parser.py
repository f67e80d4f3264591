"""Tests for aiohttp.http_parser through the 3.13 API, on both parser engines."""

from __future__ import annotations

import asyncio
import gzip
import subprocess
import sys
import zlib
from typing import Optional

import brotli
import pytest

import aiohttp._decoding
import aiohttp._sansio
from aiohttp._sansio._httptools import HTTPTOOLS_AVAILABLE
from aiohttp.base_protocol import BaseProtocol
from aiohttp.helpers import TimerContext
from aiohttp.http_exceptions import (
    BadHttpMessage,
    BadStatusLine,
    ContentEncodingError,
    ContentLengthError,
    InvalidHeader,
    LineTooLong,
    TransferEncodingError,
)
from aiohttp.http_parser import (
    HeadersParser,
    HttpParser,
    HttpRequestParser,
    HttpResponseParser,
    HttpVersion,
    HttpVersion10,
    HttpVersion11,
    RawRequestMessage,
    RawResponseMessage,
)
from aiohttp.streams import EMPTY_PAYLOAD, StreamReader
from tests._stream_support import CountingProtocol


class PayloadError(Exception):
    """Stands in for ClientPayloadError."""


@pytest.fixture(autouse=True, params=["python", "httptools"])
def engine_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    kind: str = request.param
    if kind == "httptools" and not HTTPTOOLS_AVAILABLE:
        pytest.skip("httptools is not installed")
    monkeypatch.setattr(aiohttp._sansio, "ENGINE_KIND", kind)
    return kind


def request_parser(
    *,
    limit: int = 2**16,
    max_line_size: int = 8190,
    auto_decompress: bool = True,
    payload_exception: Optional[type[BaseException]] = None,
) -> tuple[HttpRequestParser, CountingProtocol]:
    loop = asyncio.get_running_loop()
    proto = CountingProtocol(loop)
    parser = HttpRequestParser(
        proto,
        loop,
        limit,
        max_line_size=max_line_size,
        auto_decompress=auto_decompress,
        payload_exception=payload_exception,
    )
    return parser, proto


def response_parser(
    *,
    limit: int = 2**16,
    method: Optional[str] = None,
    response_with_body: bool = True,
    read_until_eof: bool = False,
    auto_decompress: bool = True,
    payload_exception: Optional[type[BaseException]] = None,
) -> tuple[HttpResponseParser, CountingProtocol]:
    loop = asyncio.get_running_loop()
    proto = CountingProtocol(loop)
    parser = HttpResponseParser(
        proto,
        loop,
        limit,
        method=method,
        response_with_body=response_with_body,
        read_until_eof=read_until_eof,
        auto_decompress=auto_decompress,
        payload_exception=payload_exception,
    )
    return parser, proto


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data)


# -- re-exports and helpers ------------------------------------------------------------------


def test_reexports_live_in_http_parser() -> None:
    assert HttpVersion11 == HttpVersion(1, 1)
    assert HttpVersion10 == (1, 0)
    assert RawRequestMessage.__module__ == "aiohttp.http_parser"
    assert RawResponseMessage.__module__ == "aiohttp.http_parser"
    assert issubclass(HttpRequestParser, HttpParser)


def test_response_parser_is_lax_outside_dev_mode() -> None:
    assert HttpResponseParser.lax is not sys.flags.dev_mode
    assert HttpRequestParser.lax is False


def test_response_parser_is_strict_in_dev_mode(engine_kind: str) -> None:
    if engine_kind != "python":
        pytest.skip("one subprocess run is enough")
    code = "from aiohttp.http_parser import HttpResponseParser as P; print(P.lax)"
    out = subprocess.run(
        [sys.executable, "-X", "dev", "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


# -- requests ------------------------------------------------------------------------------


async def test_request_without_body_gets_empty_payload() -> None:
    parser, _ = request_parser()
    messages, upgraded, tail = parser.feed_data(b"GET /p?q=1 HTTP/1.1\r\nHost: h\r\n\r\n")
    assert (upgraded, tail) == (False, b"")
    [(msg, payload)] = messages
    assert msg.method == "GET"
    assert msg.path == "/p?q=1"
    assert msg.url.query["q"] == "1"
    assert msg.version == HttpVersion11
    assert msg.headers["Host"] == "h"
    assert msg.raw_headers == ((b"Host", b"h"),)
    assert payload is EMPTY_PAYLOAD


async def test_request_content_length_body_in_one_feed() -> None:
    parser, _ = request_parser()
    messages, _, _ = parser.feed_data(b"POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody")
    [(_, payload)] = messages
    assert type(payload) is StreamReader
    assert await payload.read() == b"body"
    assert payload.at_eof()


async def test_request_body_split_over_feeds() -> None:
    parser, _ = request_parser()
    messages, _, _ = parser.feed_data(b"PUT / HTTP/1.1\r\nContent-Length: 6\r\n\r\nab")
    [(_, payload)] = messages
    assert await payload.read(10) == b"ab"
    assert parser.feed_data(b"cd") == ([], False, b"")
    assert not payload.is_eof()
    parser.feed_data(b"ef")
    assert await payload.read() == b"cdef"
    assert payload.at_eof()


async def test_request_chunked_body_reports_chunk_ends() -> None:
    parser, _ = request_parser()
    data = (
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"3\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: x\r\n\r\n"
    )
    messages, _, _ = parser.feed_data(data)
    [(msg, payload)] = messages
    assert msg.chunked
    assert await payload.readchunk() == (b"abc", True)
    assert await payload.readchunk() == (b"de", True)
    assert await payload.readchunk() == (b"", False)


async def test_request_pipelined_messages_each_get_a_reader() -> None:
    parser, _ = request_parser()
    data = (
        b"POST /a HTTP/1.1\r\nContent-Length: 1\r\n\r\nA"
        b"GET /b HTTP/1.1\r\n\r\n"
        b"POST /c HTTP/1.1\r\nContent-Length: 2\r\n\r\nC"
    )
    messages, _, _ = parser.feed_data(data)
    assert [m.path for m, _ in messages] == ["/a", "/b", "/c"]
    assert await messages[0][1].read() == b"A"
    assert messages[1][1] is EMPTY_PAYLOAD
    third = messages[2][1]
    assert not third.is_eof()
    parser.feed_data(b"C")
    assert await third.read() == b"CC"


async def test_request_gzip_body_is_decoded() -> None:
    parser, _ = request_parser()
    body = gzipped(b"x" * 10000)
    head = b"POST / HTTP/1.1\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(body)
    messages, _, _ = parser.feed_data(head + body)
    [(msg, payload)] = messages
    assert msg.compression == "gzip"
    assert await payload.read() == b"x" * 10000
    assert payload.total_raw_bytes == len(body)


async def test_request_auto_decompress_off_keeps_raw_body() -> None:
    parser, _ = request_parser(auto_decompress=False)
    body = gzipped(b"hello")
    head = b"POST / HTTP/1.1\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(body)
    messages, _, _ = parser.feed_data(head + body)
    assert await messages[0][1].read() == body


async def test_request_websocket_upgrade_returns_tail() -> None:
    parser, _ = request_parser()
    data = (
        b"GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        b"Sec-WebSocket-Key: x\r\n\r\n\x81\x00"
    )
    messages, upgraded, tail = parser.feed_data(data)
    [(msg, payload)] = messages
    assert msg.upgrade
    assert payload is EMPTY_PAYLOAD
    assert upgraded
    assert tail == b"\x81\x00"
    assert parser.feed_data(b"more") == ([], True, b"more")


async def test_set_upgraded_true_passes_bytes_through() -> None:
    parser, _ = request_parser()
    parser.set_upgraded(True)
    assert parser.feed_data(b"GET / HTTP/1.1\r\n\r\n") == ([], True, b"GET / HTTP/1.1\r\n\r\n")
    assert parser.feed_eof() is None
    parser.set_upgraded(False)
    messages, upgraded, _ = parser.feed_data(b"GET / HTTP/1.1\r\n\r\n")
    assert len(messages) == 1 and not upgraded


async def test_set_upgraded_false_after_switch_parses_http_again() -> None:
    parser, _ = request_parser()
    parser.feed_data(b"GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
    parser.set_upgraded(False)
    messages, upgraded, _ = parser.feed_data(b"GET /next HTTP/1.1\r\n\r\n")
    assert [m.path for m, _ in messages] == ["/next"]
    assert not upgraded


async def test_request_body_flow_control_pauses_protocol() -> None:
    parser, proto = request_parser(limit=16)
    messages, _, _ = parser.feed_data(b"POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n" + b"z" * 40)
    payload = messages[0][1]
    assert proto.pauses == 1
    assert payload.get_read_buffer_limits() == (16, 32)
    await payload.read(40)
    assert proto.resumes == 1


async def test_request_payload_uses_timer() -> None:
    loop = asyncio.get_running_loop()
    timer = TimerContext(loop)
    parser = HttpRequestParser(CountingProtocol(loop), loop, timer=timer)
    messages, _, _ = parser.feed_data(b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n")
    loop.call_later(0.01, timer.timeout)
    with pytest.raises(asyncio.TimeoutError):
        await messages[0][1].read()


async def test_parser_without_protocol_makes_its_own() -> None:
    parser = HttpRequestParser()
    messages, _, _ = parser.feed_data(b"POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nok")
    assert await messages[0][1].read() == b"ok"
    assert isinstance(parser.protocol, BaseProtocol)


# -- request errors ----------------------------------------------------------------------


async def test_bad_request_line_raises_and_stays_failed() -> None:
    parser, _ = request_parser()
    with pytest.raises(BadStatusLine):
        parser.feed_data(b"GET/ HTTP/1.1\r\n\r\n")
    with pytest.raises(BadStatusLine):
        parser.feed_data(b"GET / HTTP/1.1\r\n\r\n")


async def test_invalid_header_raises() -> None:
    parser, _ = request_parser()
    with pytest.raises(InvalidHeader):
        parser.feed_data(b"GET / HTTP/1.1\r\nBad Name: v\r\n\r\n")


async def test_request_line_too_long_raises() -> None:
    parser, _ = request_parser(max_line_size=20)
    with pytest.raises(LineTooLong):
        parser.feed_data(b"GET /" + b"a" * 40 + b" HTTP/1.1\r\n\r\n")


async def test_bad_chunk_sets_error_on_payload_and_raises() -> None:
    parser, _ = request_parser()
    messages, _, _ = parser.feed_data(
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n"
    )
    payload = messages[0][1]
    with pytest.raises(TransferEncodingError):
        parser.feed_data(b"zz\r\n")
    # The error is raised before the data still buffered (StreamReader semantics).
    with pytest.raises(TransferEncodingError):
        await payload.read()


async def test_payload_exception_wraps_with_cause() -> None:
    parser, _ = request_parser(payload_exception=PayloadError)
    messages, _, _ = parser.feed_data(
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n"
    )
    payload = messages[0][1]
    with pytest.raises(TransferEncodingError) as info:
        parser.feed_data(b"xyz\r\n")
    err = payload.exception()
    assert isinstance(err, PayloadError)
    assert err.__cause__ is info.value
    with pytest.raises(PayloadError):
        await payload.read()


async def test_corrupt_compressed_body_fails_payload_and_raises() -> None:
    parser, _ = request_parser(payload_exception=PayloadError)
    body = b"\x1f\x8b\x08\x00" + b"\xff" * 40
    head = b"POST / HTTP/1.1\r\nContent-Encoding: gzip\r\nContent-Length: 44\r\n\r\n"
    with pytest.raises(ContentEncodingError):
        parser.feed_data(head)
        parser.feed_data(body)
    with pytest.raises(ContentEncodingError):
        parser.feed_data(b"GET / HTTP/1.1\r\n\r\n")


async def test_corrupt_body_in_same_feed_as_head_raises() -> None:
    parser, _ = request_parser()
    head = b"POST / HTTP/1.1\r\nContent-Encoding: deflate\r\nContent-Length: 4\r\n\r\n"
    with pytest.raises(ContentEncodingError):
        parser.feed_data(head + b"\x78\x9c\xff\xff")


async def test_eof_inside_body_fails_payload_and_raises() -> None:
    parser, _ = request_parser()
    messages, _, _ = parser.feed_data(b"POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\nabc")
    payload = messages[0][1]
    with pytest.raises(ContentLengthError):
        parser.feed_eof()
    assert isinstance(payload.exception(), ContentLengthError)


async def test_eof_inside_head_returns_none() -> None:
    parser, _ = request_parser()
    assert parser.feed_data(b"GET / HTTP/1.1\r\nHost:") == ([], False, b"")
    assert parser.feed_eof() is None


async def test_eof_between_messages_returns_none() -> None:
    parser, _ = request_parser()
    parser.feed_data(b"GET / HTTP/1.1\r\n\r\n")
    assert parser.feed_eof() is None


# -- responses -----------------------------------------------------------------------------


async def test_response_content_length_body() -> None:
    parser, _ = response_parser()
    messages, upgraded, _ = parser.feed_data(
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX: y\r\n\r\nhello"
    )
    [(msg, payload)] = messages
    assert (msg.code, msg.reason, msg.version) == (200, "OK", HttpVersion11)
    assert msg.headers["X"] == "y"
    assert not upgraded
    assert await payload.read() == b"hello"


async def test_response_body_until_eof() -> None:
    parser, _ = response_parser(read_until_eof=True)
    messages, _, _ = parser.feed_data(b"HTTP/1.1 200 OK\r\n\r\npart1 ")
    [(msg, payload)] = messages
    assert msg.should_close
    parser.feed_data(b"part2")
    assert parser.feed_eof() is None
    assert await payload.read() == b"part1 part2"


async def test_response_without_length_not_read_until_eof_is_empty() -> None:
    parser, _ = response_parser(read_until_eof=False)
    messages, _, _ = parser.feed_data(b"HTTP/1.1 200 OK\r\n\r\nignored")
    assert messages[0][1] is EMPTY_PAYLOAD


async def test_response_to_head_has_no_body() -> None:
    parser, _ = response_parser(method="HEAD")
    messages, _, _ = parser.feed_data(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
    assert messages[0][1] is EMPTY_PAYLOAD


async def test_response_with_body_false_has_no_body() -> None:
    parser, _ = response_parser(response_with_body=False)
    messages, _, _ = parser.feed_data(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
    assert messages[0][1] is EMPTY_PAYLOAD


async def test_response_204_and_interim_responses() -> None:
    parser, _ = response_parser()
    messages, _, _ = parser.feed_data(
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
    )
    assert [m.code for m, _ in messages] == [100, 204]
    assert all(p is EMPTY_PAYLOAD for _, p in messages)


async def test_response_switching_protocols_returns_tail() -> None:
    parser, _ = response_parser()
    messages, upgraded, tail = parser.feed_data(
        b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
        b"\x81\x05hello"
    )
    assert messages[0][0].code == 101
    assert upgraded
    assert tail == b"\x81\x05hello"


async def test_response_connect_success_switches() -> None:
    parser, _ = response_parser(method="CONNECT")
    messages, upgraded, tail = parser.feed_data(b"HTTP/1.1 200 Connection established\r\n\r\nTLS")
    assert messages[0][1] is EMPTY_PAYLOAD
    assert upgraded and tail == b"TLS"


@pytest.mark.skipif(sys.flags.dev_mode, reason="strict under python -X dev")
async def test_response_lax_accepts_bare_lf() -> None:
    parser, _ = response_parser()
    messages, _, _ = parser.feed_data(b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok")
    assert await messages[0][1].read() == b"ok"


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate", "br"])
async def test_response_compressed_chunked_body_is_decoded(encoding: str) -> None:
    plain = b"compressible text " * 500
    if encoding == "gzip":
        body = gzipped(plain)
    elif encoding == "br":
        body = brotli.compress(plain, quality=5)
    else:
        c = zlib.compressobj(wbits=-15 if encoding == "raw-deflate" else 15)
        body = c.compress(plain) + c.flush()
    header = "deflate" if encoding == "raw-deflate" else encoding
    chunks = b"".join(
        b"%x\r\n%s\r\n" % (len(body[i : i + 100]), body[i : i + 100])
        for i in range(0, len(body), 100)
    )
    parser, _ = response_parser()
    messages, _, _ = parser.feed_data(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: "
        + header.encode()
        + b"\r\n\r\n"
        + chunks
        + b"0\r\n\r\n"
    )
    [(msg, payload)] = messages
    assert msg.compression == header
    assert await payload.read() == plain
    assert payload.total_compressed_bytes == len(body)


async def test_response_auto_decompress_off() -> None:
    parser, _ = response_parser(auto_decompress=False)
    body = gzipped(b"raw")
    messages, _, _ = parser.feed_data(
        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(body)
        + body
    )
    assert await messages[0][1].read() == body


async def test_response_truncated_gzip_until_eof_fails_payload() -> None:
    parser, _ = response_parser(read_until_eof=True, payload_exception=PayloadError)
    body = gzipped(b"data" * 100)
    messages, _, _ = parser.feed_data(
        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n" + body[:-10]
    )
    payload = messages[0][1]
    with pytest.raises(ContentEncodingError, match="truncated"):
        parser.feed_eof()
    with pytest.raises(PayloadError) as info:
        await payload.read()
    assert isinstance(info.value.__cause__, ContentEncodingError)


async def test_response_decoding_error_found_while_reading_is_wrapped() -> None:
    parser, _ = response_parser(limit=1024, payload_exception=PayloadError)
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    body = c.compress(bytes(1 << 20)) + c.flush()
    body = body[: len(body) // 2] + b"\xff" * 200
    messages, _, _ = parser.feed_data(
        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(body)
        + body
    )
    payload = messages[0][1]
    with pytest.raises(PayloadError) as info:
        while await payload.readany():
            pass
    assert isinstance(info.value.__cause__, ContentEncodingError)


async def test_response_bad_status_line_raises() -> None:
    parser, _ = response_parser()
    with pytest.raises(BadStatusLine):
        parser.feed_data(b"HTTP/1.1 2000 OK\r\n\r\n")


async def test_response_keeps_next_message_after_body() -> None:
    parser, _ = response_parser()
    messages, _, _ = parser.feed_data(
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb"
    )
    assert [await p.read() for _, p in messages] == [b"a", b"b"]


# -- 3.13 compatibility helpers ----------------------------------------------------------


async def test_parse_message_builds_head() -> None:
    parser, _ = request_parser()
    msg = parser.parse_message([b"GET /x HTTP/1.0", b"Host: h", b""])
    assert (msg.method, msg.path, msg.version) == ("GET", "/x", HttpVersion10)
    response, _ = response_parser()
    resp = response.parse_message([b"HTTP/1.1 404 Not Found", b"A: b"])
    assert (resp.code, resp.headers["A"]) == (404, "b")


async def test_parse_message_incomplete_raises() -> None:
    parser, _ = request_parser()
    with pytest.raises(BadHttpMessage):
        parser.parse_message([b"GET / HTTP/1.1", b"Bad Header"])


async def test_parse_headers_reports_connection_flags() -> None:
    parser, _ = request_parser()
    headers, raw, close, encoding, upgrade, chunked = parser.parse_headers(
        [
            b"POST / HTTP/1.1",
            b"Connection: Upgrade, close",
            b"Upgrade: websocket",
            b"Content-Encoding: GZIP",
            b"Transfer-Encoding: chunked",
            b"",
        ]
    )
    assert headers["Upgrade"] == "websocket"
    assert len(raw) == 4
    assert (close, encoding, upgrade, chunked) == (True, "gzip", True, True)
    _, _, close, encoding, upgrade, chunked = parser.parse_headers([b"GET / HTTP/1.1"])
    assert (close, encoding, upgrade, chunked) == (None, None, False, False)


async def test_parse_headers_chunked_with_length_raises() -> None:
    parser, _ = request_parser()
    with pytest.raises(BadHttpMessage):
        parser.parse_headers([b"", b"Transfer-Encoding: chunked", b"Content-Length: 1"])


def test_headers_parser_strict() -> None:
    headers, raw = HeadersParser().parse_headers(
        [b"", b'Content-Disposition: form-data; name="a"', b"X:  v ", b"", b"ignored: x"]
    )
    assert headers["content-disposition"] == 'form-data; name="a"'
    assert headers["X"] == "v"
    assert raw == ((b"Content-Disposition", b'form-data; name="a"'), (b"X", b"v"))


def test_headers_parser_strict_rejects_obs_fold() -> None:
    with pytest.raises(BadHttpMessage):
        HeadersParser().parse_headers([b"", b"A: b", b" folded"])


def test_headers_parser_lax_unfolds() -> None:
    headers, _ = HeadersParser(lax=True).parse_headers([b"", b"A: b\r", b" folded"])
    assert headers["A"] == "b folded"


def test_headers_parser_rejects_bad_name_and_long_line() -> None:
    with pytest.raises(InvalidHeader):
        HeadersParser().parse_headers([b"", b"Bad Name: v"])
    with pytest.raises(LineTooLong):
        HeadersParser(max_field_size=10).parse_headers([b"", b"A: " + b"v" * 20])


def test_headers_parser_empty_block() -> None:
    headers, raw = HeadersParser().parse_headers([b"start line"])
    assert len(headers) == 0 and raw == ()


async def test_br_body_without_brotli_fails_payload(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aiohttp._decoding, "HAS_BROTLI", False)
    parser, _ = request_parser(payload_exception=PayloadError)
    head = b"POST / HTTP/1.1\r\nContent-Encoding: br\r\nContent-Length: 3\r\n\r\n"
    with pytest.raises(ContentEncodingError, match="Brotli"):
        parser.feed_data(head)


async def test_any_split_of_compressed_chunked_pipeline_gives_same_bodies() -> None:
    body = gzipped(b"split me " * 40)
    chunked = b"".join(
        b"%x\r\n%s\r\n" % (len(body[i : i + 50]), body[i : i + 50]) for i in range(0, len(body), 50)
    )
    wire = (
        b"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n"
        + chunked
        + b"0\r\n\r\n"
        + b"POST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyz"
    )
    for cut in range(1, len(wire)):
        parser, _ = request_parser()
        first, _, _ = parser.feed_data(wire[:cut])
        second, _, _ = parser.feed_data(wire[cut:])
        messages = first + second
        assert [m.path for m, _ in messages] == ["/a", "/b"]
        assert await messages[0][1].read() == b"split me " * 40
        assert await messages[1][1].read() == b"xyz"
