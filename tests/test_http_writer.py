"""Tests for aiohttp.http_writer.StreamWriter, driven over a real loopback TCP connection:
an asyncio server whose protocol is BaseProtocol, and a raw socket client reading the bytes."""

from __future__ import annotations

import array
import asyncio
import re
import socket
import zlib
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Optional

import brotli
import pytest
from hypothesis import given, settings, strategies as st
from multidict import CIMultiDict

from aiohttp._header_serialize import serialize_head, serialize_trailers
from aiohttp.abc import AbstractStreamWriter
from aiohttp.base_protocol import BaseProtocol
from aiohttp.client_exceptions import ClientConnectionResetError
from aiohttp.http_writer import StreamWriter
from aiohttp.typedefs import Byteish

STATUS = "HTTP/1.1 200 OK"


class _ServerProtocol(BaseProtocol):
    """BaseProtocol that reports the connection to the test."""

    def __init__(self, loop: asyncio.AbstractEventLoop, made: asyncio.Future[_ServerProtocol]):
        super().__init__(loop)
        self.made = made

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        if not self.made.done():
            self.made.set_result(self)


class _SpyTransport(asyncio.Transport):
    """Delegates to the real transport and records each write call (name, bytes)."""

    def __init__(self, inner: asyncio.Transport) -> None:
        super().__init__()
        self.inner = inner
        self.calls: list[tuple[str, int]] = []

    def write(self, data: Byteish) -> None:
        self.calls.append(("write", len(data)))
        self.inner.write(data)

    def writelines(self, list_of_data: Iterable[Byteish]) -> None:
        parts = list(list_of_data)
        self.calls.append(("writelines", sum(len(p) for p in parts)))
        self.inner.writelines(parts)

    def is_closing(self) -> bool:
        return self.inner.is_closing()

    def close(self) -> None:
        self.inner.close()


@dataclass
class Conn:
    loop: asyncio.AbstractEventLoop
    protocol: _ServerProtocol
    client: socket.socket
    writer: StreamWriter
    received: bytearray = field(default_factory=bytearray)

    def spy(self) -> _SpyTransport:
        assert self.protocol.transport is not None
        spy = _SpyTransport(self.protocol.transport)
        self.protocol.transport = spy
        return spy

    async def recv_some(self, timeout: float = 5.0) -> bytes:
        data = await asyncio.wait_for(self.loop.sock_recv(self.client, 1 << 20), timeout)
        self.received += data
        return data

    async def recv_until(self, size: int) -> bytes:
        while len(self.received) < size:
            if not await self.recv_some():
                break
        return bytes(self.received)

    async def close_and_read_all(self) -> bytes:
        """Close the server side, then read what the client got until EOF."""
        transport = self.protocol.transport
        if transport is not None:
            transport.close()
        while await self.recv_some():
            pass
        return bytes(self.received)

    async def nothing_arrived(self) -> bool:
        await asyncio.sleep(0.01)
        try:
            return self.client.recv(1, socket.MSG_DONTWAIT | socket.MSG_PEEK) == b""
        except BlockingIOError:
            return True


@pytest.fixture
async def conn(request: pytest.FixtureRequest) -> AsyncIterator[Conn]:
    """A connected pair; parametrize indirectly with an int to shrink the client's
    receive buffer (set before connecting, so the TCP window stays small)."""
    loop = asyncio.get_running_loop()
    rcvbuf: Optional[int] = getattr(request, "param", None)
    made: asyncio.Future[_ServerProtocol] = loop.create_future()
    server = await loop.create_server(lambda: _ServerProtocol(loop, made), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.setblocking(False)
    if rcvbuf is not None:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    try:
        await loop.sock_connect(client, ("127.0.0.1", port))
        protocol = await asyncio.wait_for(made, 5)
        yield Conn(loop, protocol, client, StreamWriter(protocol, loop))
    finally:
        client.close()
        transport = made.result().transport if made.done() else None
        if transport is not None:
            transport.close()
        server.close()
        await server.wait_closed()
        await asyncio.sleep(0)


def _headers(**extra: str) -> CIMultiDict[str]:
    hdrs: CIMultiDict[str] = CIMultiDict(Server="test")
    for name, value in extra.items():
        hdrs.add(name.replace("_", "-"), value)
    return hdrs


HEAD = b"HTTP/1.1 200 OK\r\nServer: test\r\n\r\n"


def _dechunk(body: bytes) -> tuple[bytes, bytes]:
    """Parse a chunked body; return (data, trailer section without the final CRLF)."""
    out = bytearray()
    pos = 0
    while True:
        end = body.index(b"\r\n", pos)
        size = int(body[pos:end], 16)
        pos = end + 2
        if size == 0:
            tail = body[pos:]
            assert tail.endswith(b"\r\n")
            return bytes(out), tail[:-2]
        out += body[pos : pos + size]
        assert body[pos + size : pos + size + 2] == b"\r\n"
        pos += size + 2


# ----------------------------------------------------------------------------- basics


async def test_writer_properties_defaults(conn: Conn) -> None:
    w = conn.writer
    assert isinstance(w, AbstractStreamWriter)
    assert w.protocol is conn.protocol
    assert w.transport is conn.protocol.transport
    assert w.loop is conn.loop
    assert w.length is None
    assert w.chunked is False
    assert (w.buffer_size, w.output_size) == (0, 0)
    w.enable_chunking()
    assert w.chunked is True


async def test_head_held_until_first_body_write(conn: Conn) -> None:
    spy = conn.spy()
    await conn.writer.write_headers(STATUS, _headers())
    assert spy.calls == []
    assert await conn.nothing_arrived()
    await conn.writer.write(b"hello")
    assert spy.calls == [("write", len(HEAD) + 5)]
    assert await conn.recv_until(len(HEAD) + 5) == HEAD + b"hello"


async def test_small_response_is_one_transport_write(conn: Conn) -> None:
    spy = conn.spy()
    conn.writer.length = 4
    await conn.writer.write_headers(STATUS, _headers(Content_Length="4"))
    await conn.writer.write_eof(b"body")
    head = b"HTTP/1.1 200 OK\r\nServer: test\r\nContent-Length: 4\r\n\r\n"
    assert spy.calls == [("write", len(head) + 4)]
    assert await conn.close_and_read_all() == head + b"body"


async def test_large_body_goes_out_with_head_via_writelines(conn: Conn) -> None:
    spy = conn.spy()
    body = bytes(range(256)) * 400
    await conn.writer.write_headers(STATUS, _headers())
    await conn.writer.write(body)
    await conn.writer.write(b"more")
    assert spy.calls == [("writelines", len(HEAD) + len(body)), ("write", 4)]
    assert await conn.close_and_read_all() == HEAD + body + b"more"


async def test_send_headers_sends_head_now(conn: Conn) -> None:
    await conn.writer.write_headers(STATUS, _headers())
    conn.writer.send_headers()
    assert await conn.recv_until(len(HEAD)) == HEAD
    conn.writer.send_headers()  # nothing held: no-op
    await conn.writer.write_eof()
    assert await conn.close_and_read_all() == HEAD


async def test_set_eof_sends_head_and_is_idempotent(conn: Conn) -> None:
    await conn.writer.write_headers("HTTP/1.1 304 Not Modified", CIMultiDict())
    conn.writer.set_eof()
    conn.writer.set_eof()
    await conn.writer.write_eof(b"ignored")  # already ended: does nothing
    assert await conn.close_and_read_all() == b"HTTP/1.1 304 Not Modified\r\n\r\n"


async def test_write_eof_without_body_sends_head(conn: Conn) -> None:
    await conn.writer.write_headers(STATUS, _headers(Content_Length="0"))
    await conn.writer.write_eof()
    await conn.writer.write_eof()
    assert await conn.close_and_read_all() == (
        b"HTTP/1.1 200 OK\r\nServer: test\r\nContent-Length: 0\r\n\r\n"
    )


async def test_write_after_eof_raises_runtime_error(conn: Conn) -> None:
    await conn.writer.write_eof(b"done")
    with pytest.raises(RuntimeError, match="after write_eof"):
        await conn.writer.write(b"late")
    assert await conn.close_and_read_all() == b"done"


async def test_header_value_utf8_encoded(conn: Conn) -> None:
    await conn.writer.write_headers(STATUS, CIMultiDict({"X-Name": "caf\u00e9"}))
    await conn.writer.write_eof()
    assert await conn.close_and_read_all() == b"HTTP/1.1 200 OK\r\nX-Name: caf\xc3\xa9\r\n\r\n"


async def test_callbacks_receive_chunks_and_headers(conn: Conn) -> None:
    chunks: list[bytes] = []
    seen: list[CIMultiDict[str]] = []

    async def on_chunk(chunk: bytes) -> None:
        chunks.append(chunk)

    async def on_headers(headers: CIMultiDict[str]) -> None:
        seen.append(headers)

    assert conn.protocol.transport is not None
    w = StreamWriter(conn.protocol, conn.loop, on_chunk_sent=on_chunk, on_headers_sent=on_headers)
    hdrs = _headers()
    await w.write_headers(STATUS, hdrs)
    await w.write(bytearray(b"one"))
    await w.write_eof(memoryview(b"two"))
    assert chunks == [b"one", b"two"]
    assert all(type(c) is bytes for c in chunks)
    assert seen == [hdrs]
    with pytest.raises(ValueError):
        await w.write_headers("HTTP/1.1 200 OK\r\n", hdrs)
    assert len(seen) == 1  # refused heads are not reported


async def test_output_and_buffer_size_accounting(conn: Conn) -> None:
    w = conn.writer
    await w.write_headers(STATUS, _headers())
    await w.write(b"x" * 10, drain=False)
    assert w.output_size == w.buffer_size == len(HEAD) + 10
    await w.write(b"y" * 10, LIMIT=5)  # over LIMIT: drains and restarts the count
    assert w.buffer_size == 0
    assert w.output_size == len(HEAD) + 20


# ----------------------------------------------------------------------------- body framing


async def test_content_length_caps_body(conn: Conn) -> None:
    w = conn.writer
    w.length = 5
    await w.write_headers(STATUS, _headers(Content_Length="5"))
    await w.write(b"hello world")
    assert w.length == 0
    await w.write(b"more")
    await w.write_eof(b"tail")
    data = await conn.close_and_read_all()
    assert data.endswith(b"\r\n\r\nhello")


async def test_chunked_framing(conn: Conn) -> None:
    w = conn.writer
    w.enable_chunking()
    await w.write_headers(STATUS, _headers(Transfer_Encoding="chunked"))
    await w.write(b"abc")
    await w.write(b"")  # an empty write must not emit the last-chunk marker
    await w.write(b"z" * 300)
    await w.write_eof()
    data = await conn.close_and_read_all()
    body = data.split(b"\r\n\r\n", 1)[1]
    assert body == b"3\r\nabc\r\n12c\r\n" + b"z" * 300 + b"\r\n0\r\n\r\n"
    assert _dechunk(body) == (b"abc" + b"z" * 300, b"")


async def test_chunked_write_eof_with_data_and_trailers(conn: Conn) -> None:
    spy = conn.spy()
    w = conn.writer
    w.enable_chunking()
    await w.write_headers(STATUS, _headers(Trailer="X-Checksum"))
    await w.write_eof(b"tail", trailers=CIMultiDict({"X-Checksum": "abc", "X-Extra": "1"}))
    assert len(spy.calls) == 1
    data = await conn.close_and_read_all()
    body = data.split(b"\r\n\r\n", 1)[1]
    assert body == b"4\r\ntail\r\n0\r\nX-Checksum: abc\r\nX-Extra: 1\r\n\r\n"


async def test_chunked_memoryview_of_wide_items_counts_bytes(conn: Conn) -> None:
    w = conn.writer
    w.enable_chunking()
    view = memoryview(array.array("i", [1, 2, 3]))
    grid = memoryview(bytes(range(12))).cast("B", (3, 4))
    assert (len(view), len(grid)) == (3, 3)
    await w.write(view)
    await w.write_eof(grid)
    body = await conn.close_and_read_all()
    assert body == (
        b"%x\r\n" % view.nbytes
        + view.tobytes()
        + b"\r\nc\r\n"
        + bytes(range(12))
        + b"\r\n0\r\n\r\n"
    )


async def test_trailers_on_unchunked_message_refused(conn: Conn) -> None:
    await conn.writer.write_headers(STATUS, _headers())
    with pytest.raises(ValueError, match="chunked"):
        await conn.writer.write_eof(b"x", trailers={"X-A": "1"})
    assert await conn.close_and_read_all() == b""


@pytest.mark.parametrize("name", ["Content-Length", "transfer-encoding", "Host", "Trailer"])
async def test_trailers_framing_fields_refused(conn: Conn, name: str) -> None:
    conn.writer.enable_chunking()
    with pytest.raises(ValueError, match="not allowed in a trailer"):
        await conn.writer.write_eof(trailers={name: "1"})
    assert await conn.close_and_read_all() == b""


# ----------------------------------------------------------------------------- compression


def _decode(coding: str, data: bytes) -> bytes:
    if coding == "br":
        return brotli.decompress(data)
    return zlib.decompress(data, 16 + zlib.MAX_WBITS if coding == "gzip" else zlib.MAX_WBITS)


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br"])
async def test_compression_chunked_body_decodes(conn: Conn, coding: str) -> None:
    w = conn.writer
    w.enable_compression(coding)
    w.enable_chunking()
    await w.write_headers(STATUS, _headers(Content_Encoding=coding))
    pieces = [b"line %d of the body\n" % i * 20 for i in range(50)]
    for piece in pieces:
        await w.write(piece)
    await w.write_eof(b"the end")
    data = await conn.close_and_read_all()
    body, trailers = _dechunk(data.split(b"\r\n\r\n", 1)[1])
    assert trailers == b""
    assert _decode(coding, body) == b"".join(pieces) + b"the end"
    assert len(body) < len(b"".join(pieces)) // 4


async def test_compression_unchunked_body_decodes(conn: Conn) -> None:
    w = conn.writer
    w.enable_compression("deflate", strategy=zlib.Z_FILTERED)
    await w.write(b"a" * 1000)
    await w.write_eof(b"b" * 1000)
    assert zlib.decompress(await conn.close_and_read_all()) == b"a" * 1000 + b"b" * 1000


async def test_compression_large_chunk_runs_in_executor(conn: Conn) -> None:
    w = conn.writer
    w.enable_compression("gzip")
    w.enable_chunking()
    big = bytes(range(256)) * 1000  # above MAX_SYNC_CHUNK_SIZE
    await w.write(big)
    await w.write(b"small")
    await w.write_eof()
    body, _ = _dechunk(await conn.close_and_read_all())
    assert zlib.decompress(body, 16 + zlib.MAX_WBITS) == big + b"small"


async def test_compression_unknown_coding_refused(conn: Conn) -> None:
    with pytest.raises(ValueError, match="compress"):
        conn.writer.enable_compression("compress")


# ----------------------------------------------------------------------------- flow control


def _paused(protocol: BaseProtocol) -> bool:
    # A function call, so the type checker does not keep an earlier narrowing of the property.
    return protocol.writing_paused


@pytest.mark.parametrize("conn", [4096], indirect=True)
async def test_drain_waits_while_peer_not_reading(conn: Conn) -> None:
    transport = conn.protocol.transport
    assert transport is not None
    transport.set_write_buffer_limits(high=4096, low=1024)
    sock = transport.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    w = conn.writer
    chunk = bytes(65536)
    sent = 0
    for _ in range(1000):  # the kernel buffers fill up long before this
        if conn.protocol.writing_paused:
            break
        await w.write(chunk, drain=False)
        sent += len(chunk)
    assert conn.protocol.writing_paused
    # Far more than the kernel buffers hold, so the transport stays above its high-water mark.
    for _ in range(16):
        await w.write(chunk, drain=False)
        sent += len(chunk)
    blocked = asyncio.create_task(w.write(b"!", LIMIT=0))
    await asyncio.sleep(0.05)
    assert not blocked.done()  # back-pressure: the write waits for the peer
    await conn.recv_until(sent + 1)
    await asyncio.wait_for(blocked, 5)
    assert not _paused(conn.protocol)
    assert len(conn.received) == sent + 1
    assert conn.received.endswith(b"\0!")


async def test_write_on_closing_transport_raises(conn: Conn) -> None:
    transport = conn.protocol.transport
    assert transport is not None
    transport.close()
    with pytest.raises(ClientConnectionResetError, match="Cannot write to closing transport"):
        await conn.writer.write(b"data")
    with pytest.raises(ConnectionResetError):
        await conn.writer.write_eof(b"data")


async def test_write_after_peer_closed_raises(conn: Conn) -> None:
    conn.client.close()
    for _ in range(100):
        if conn.protocol.transport is None:
            break
        await asyncio.sleep(0.01)
    assert conn.protocol.transport is None
    assert conn.writer.transport is None
    with pytest.raises(ClientConnectionResetError):
        await conn.writer.write(b"data")
    await conn.writer.drain()  # no transport: nothing to wait for


# ----------------------------------------------------------------------------- injection


INJECTED_HEADS: list[tuple[str, dict[str, str]]] = [
    ("HTTP/1.1 200 OK\r\nSet-Cookie: evil=1", {}),
    ("HTTP/1.1 200 OK\nX: y", {}),
    ("HTTP/1.1 200 OK\r", {}),
    ("HTTP/1.1 200\x00OK", {}),
    (STATUS, {"X-Ok": "fine", "X-Evil": "v\r\nSet-Cookie: evil=1"}),
    (STATUS, {"X-Evil": "v\r\n\r\nHTTP/1.1 200 OK"}),
    (STATUS, {"X-Evil": "bare\nlf"}),
    (STATUS, {"X-Evil": "bare\rcr"}),
    (STATUS, {"X-Evil": "nul\x00byte"}),
    (STATUS, {"X-Evil\r\nSet-Cookie": "evil=1"}),
    (STATUS, {"X-Evil\n": "v"}),
    (STATUS, {"X-Evil\x00": "v"}),
]


@pytest.mark.parametrize(("status", "fields"), INJECTED_HEADS)
async def test_injection_in_head_refused_nothing_sent(
    conn: Conn, status: str, fields: dict[str, str]
) -> None:
    spy = conn.spy()
    with pytest.raises(ValueError, match=r"forbidden character|not an RFC 9110 token"):
        await conn.writer.write_headers(status, CIMultiDict(fields))
    await conn.writer.write_eof()  # nothing was held back either
    assert spy.calls == []
    assert await conn.close_and_read_all() == b""


@pytest.mark.parametrize(
    "fields",
    [
        {"X-Sum": "1\r\nContent-Length: 0"},
        {"X-Sum": "1\n"},
        {"X-Sum": "\x00"},
        {"X-Sum\r\nX-Evil": "1"},
        {"X Sum": "1"},
    ],
)
async def test_injection_in_trailers_refused_nothing_sent(
    conn: Conn, fields: dict[str, str]
) -> None:
    w = conn.writer
    w.enable_chunking()
    await w.write_headers(STATUS, _headers())
    with pytest.raises(ValueError, match=r"[Tt]railer"):
        await w.write_eof(b"body", trailers=fields)
    assert await conn.close_and_read_all() == b""


@pytest.mark.parametrize(
    "name", ["X Y", "X:Y", "", "X\tY", "(x)", "caf\u00e9", 'X"', "X/Y", "{x}", "X,Y", "X;Y"]
)
async def test_non_token_header_name_refused(conn: Conn, name: str) -> None:
    with pytest.raises(ValueError, match="not an RFC 9110 token") as info:
        await conn.writer.write_headers(STATUS, CIMultiDict({"X-Fine": "1", name: "v"}))
    assert repr(name) in str(info.value)
    assert await conn.close_and_read_all() == b""


async def test_error_message_names_the_header(conn: Conn) -> None:
    expected = "Header value of 'X-Evil' contains a forbidden character '\\r'"
    with pytest.raises(ValueError, match=re.escape(expected)):
        await conn.writer.write_headers(STATUS, CIMultiDict({"X-Evil": "a\rb"}))


async def test_non_str_header_value_type_error(conn: Conn) -> None:
    hdrs: CIMultiDict[object] = CIMultiDict({"Content-Length": 5})
    with pytest.raises(TypeError, match="'Content-Length' must be str, got int"):
        await conn.writer.write_headers(STATUS, hdrs)  # type: ignore[arg-type]  # misuse on purpose


# ----------------------------------------------------------------------------- serializer


def test_serialize_head_layout_keeps_duplicates_and_order() -> None:
    hdrs: CIMultiDict[str] = CIMultiDict(
        [("Set-Cookie", "a=1"), ("X-A", ""), ("Set-Cookie", "b=2")]
    )
    assert serialize_head("GET / HTTP/1.1", hdrs) == (
        b"GET / HTTP/1.1\r\nSet-Cookie: a=1\r\nX-A: \r\nSet-Cookie: b=2\r\n\r\n"
    )
    assert serialize_head("GET / HTTP/1.1", {}) == b"GET / HTTP/1.1\r\n\r\n"


def test_serialize_trailers_layout() -> None:
    assert serialize_trailers({}) == b"0\r\n\r\n"
    assert serialize_trailers({"X-A": "1"}) == b"0\r\nX-A: 1\r\n\r\n"


_TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.text(_TCHARS, min_size=1, max_size=8), st.text(max_size=12)), max_size=5)
)
def test_serialize_head_refuses_exactly_line_breaks(fields: list[tuple[str, str]]) -> None:  # type: ignore[misc]  # given() is Callable[..., None]
    hdrs: CIMultiDict[str] = CIMultiDict(fields)
    bad = any(c in value for _, value in fields for c in "\r\n\x00")
    if bad:
        with pytest.raises(ValueError):
            serialize_head(STATUS, hdrs)
        return
    lines = serialize_head(STATUS, hdrs).decode("utf-8").split("\r\n")
    assert lines[0] == STATUS
    assert lines[-2:] == ["", ""]
    assert [tuple(line.split(": ", 1)) for line in lines[1:-2]] == fields


def test_serialize_head_known_names_do_not_hide_a_bad_one() -> None:
    good: CIMultiDict[str] = CIMultiDict({"X-Known": "1"})
    assert serialize_head(STATUS, good) == serialize_head(STATUS, good)  # learned now
    with pytest.raises(ValueError, match="not an RFC 9110 token"):
        serialize_head(STATUS, CIMultiDict([("X-Known", "1"), ("Bad Name", "2")]))


def test_serialize_head_injection_named_before_encoding_error() -> None:
    # a lone surrogate cannot be encoded, but the CR LF is the error worth naming
    with pytest.raises(ValueError, match="forbidden character") as info:
        serialize_head(STATUS, {"X-A": "\udc80\r\nX-B: c"})
    assert not isinstance(info.value, UnicodeEncodeError)
    with pytest.raises(UnicodeEncodeError):
        serialize_head(STATUS, {"X-A": "\udc80"})
