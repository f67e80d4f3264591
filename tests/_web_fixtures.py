"""Helpers for server tests over real loopback sockets.

:func:`serve` runs a low-level :class:`aiohttp.web.Server` on ``127.0.0.1`` and yields a
:class:`Served` (its port, the ``Server``); :class:`RawConn` speaks raw bytes to it and reads
responses back with an independent little HTTP/1.1 response reader (never our own client).
Other server test modules may add their fixtures at the end of this file.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional, cast
from unittest import mock

from multidict import CIMultiDict, CIMultiDictProxy
from typing_extensions import Unpack
from yarl import URL

from aiohttp import web
from aiohttp.abc import AbstractStreamWriter
from aiohttp.http_parser import HttpVersion, HttpVersion11, RawRequestMessage
from aiohttp.streams import EMPTY_PAYLOAD, StreamReader
from aiohttp.web_request import BaseRequest, Request
from aiohttp.web_response import StreamResponse
from aiohttp.web_server import Server, _ServerOptions

if TYPE_CHECKING:
    from aiohttp.web_protocol import RequestHandler

Handler = Callable[[BaseRequest], Awaitable[StreamResponse]]


@dataclass
class Served:
    """A running test server."""

    port: int
    server: Server
    url: str = ""

    def __post_init__(self) -> None:
        self.url = f"http://127.0.0.1:{self.port}"


@contextlib.asynccontextmanager
async def serve(
    handler: Handler, *, handler_cancellation: bool = False, **kwargs: Unpack[_ServerOptions]
) -> AsyncIterator[Served]:
    """Serve ``handler`` on an ephemeral loopback port for the duration of the block."""
    loop = asyncio.get_running_loop()
    server = Server(handler, handler_cancellation=handler_cancellation, **kwargs)
    listener = await loop.create_server(server, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        yield Served(port, server)
    finally:
        listener.close()
        await server.shutdown(1.0)
        await listener.wait_closed()


@dataclass
class RawResponse:
    """One response as read off the wire."""

    version: str
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    raw_head: bytes = b""
    trailers: list[tuple[str, str]] = field(default_factory=list)

    def header(self, name: str) -> Optional[str]:
        """The first value of header ``name`` (case-insensitive), or None."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def header_all(self, name: str) -> list[str]:
        """Every value of header ``name``."""
        return [v for k, v in self.headers if k.lower() == name.lower()]


class RawConn:
    """A raw TCP connection to the test server."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int) -> RawConn:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def read_response(self, *, head_only: bool = False, timeout: float = 5.0) -> RawResponse:
        """Read one response; ``head_only`` for answers to HEAD (no body follows)."""
        return await asyncio.wait_for(self._read_response(head_only), timeout)

    async def _read_response(self, head_only: bool) -> RawResponse:
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head[:-4].decode("latin-1").split("\r\n")
        version, status, *rest = lines[0].split(" ", 2)
        headers = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.append((name, value.strip(" \t")))
        resp = RawResponse(version, int(status), rest[0] if rest else "", headers, b"", head)
        code = resp.status
        if head_only or code in (204, 304) or 100 <= code < 200:
            return resp
        te = resp.header("Transfer-Encoding")
        length = resp.header("Content-Length")
        if te is not None and "chunked" in te.lower():
            resp.body = await self._read_chunked(resp)
        elif length is not None:
            resp.body = await self.reader.readexactly(int(length))
        else:
            resp.body = await self.reader.read()
        return resp

    async def _read_chunked(self, resp: RawResponse) -> bytes:
        parts = []
        while True:
            size_line = await self.reader.readuntil(b"\r\n")
            size = int(size_line.split(b";")[0].strip(), 16)
            if size == 0:
                break
            parts.append(await self.reader.readexactly(size))
            assert await self.reader.readexactly(2) == b"\r\n"
        while True:
            line = await self.reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.decode("latin-1").partition(":")
            resp.trailers.append((name, value.strip()))
        return b"".join(parts)

    async def read_all(self, timeout: float = 5.0) -> bytes:
        """Everything until the server closes the connection."""
        return await asyncio.wait_for(self.reader.read(), timeout)

    async def closed_by_peer(self, timeout: float = 5.0) -> bool:
        """True when the server closes the connection (EOF or reset) within ``timeout``."""
        try:
            data = await asyncio.wait_for(self.reader.read(65536), timeout)
        except ConnectionResetError:
            return True
        except asyncio.TimeoutError:
            return False
        while data:
            try:
                data = await asyncio.wait_for(self.reader.read(65536), timeout)
            except ConnectionResetError:
                return True
            except asyncio.TimeoutError:
                return False
        return True

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(OSError):
            await self.writer.wait_closed()


@contextlib.asynccontextmanager
async def raw_conn(port: int) -> AsyncIterator[RawConn]:
    """A :class:`RawConn` closed at the end of the block."""
    conn = await RawConn.open(port)
    try:
        yield conn
    finally:
        await conn.close()


def get(path: str = "/", *, host: str = "x", extra: str = "", version: str = "1.1") -> bytes:
    """A GET request head."""
    return f"GET {path} HTTP/{version}\r\nHost: {host}\r\n{extra}\r\n".encode()


# --- routing tests (server-routing helper) ----------------------------------------------------


def make_request(
    method: str,
    target: str,
    headers: Optional[dict[str, str]] = None,
    *,
    version: Optional[HttpVersion] = None,
) -> Request:
    """A ``web.Request`` as the server builds it for ``method target``, without a server.

    Routing reads only the head, so the protocol, task and writer are inert stand-ins.
    """
    path, _, query = target.partition("?")
    url = URL.build(path=path, query_string=query, encoded=True)
    fields = CIMultiDictProxy(CIMultiDict(headers or {}))
    raw = tuple((k.encode(), v.encode()) for k, v in fields.items())
    message = RawRequestMessage(
        method, target, version or HttpVersion11, fields, raw, False, None, False, False, url
    )
    return Request(
        message,
        EMPTY_PAYLOAD,
        cast("RequestHandler", mock.Mock(name="protocol")),
        cast("AbstractStreamWriter", mock.Mock(name="writer")),
        cast("asyncio.Task[None]", mock.Mock(name="task")),
        asyncio.get_running_loop(),
    )


@contextlib.asynccontextmanager
async def serve_app(app: web.Application) -> AsyncIterator[int]:
    """Run ``app`` on a loopback port with ``AppRunner`` + ``TCPSite``; yield the port."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port: int = runner.addresses[0][1]
        yield port
    finally:
        await runner.cleanup()


async def raw_exchange(port: int, request: bytes, *, timeout: float = 5.0) -> bytes:
    """Send one whole ``Connection: close`` request; read until the server closes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        return await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()


def split_response(data: bytes) -> tuple[int, CIMultiDict[str], bytes]:
    """Status, headers and body of one raw ``Connection: close`` response."""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers: CIMultiDict[str] = CIMultiDict()
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.add(name.strip(), value.strip())
    return int(lines[0].split(" ")[1]), headers, body


# --- WebSocket tests (server-websocket helper) ------------------------------------------------

WS_TEST_KEY = "dGhlIHNhbXBsZSBub25jZQ=="  # RFC 6455's sample key
WS_TEST_ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="  # ... and its accept value


def ws_upgrade(path: str = "/ws", *, extra: str = "", key: str = WS_TEST_KEY) -> bytes:
    """A valid WebSocket upgrade request head (``extra``: more header lines)."""
    return (
        f"GET {path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n"
    ).encode()


def ws_frame(
    opcode: int,
    payload: bytes = b"",
    *,
    fin: bool = True,
    rsv: int = 0,
    mask: Optional[bytes] = b"\x11\x22\x33\x44",
    length: Optional[int] = None,
) -> bytes:
    """One hand-built frame, written independently of our codec.

    ``rsv`` is the RSV1-3 bits (``0x40``, ``0x20``, ``0x10``); ``mask=None`` sends it
    unmasked; ``length`` announces a length other than the payload's.
    """
    first = (0x80 if fin else 0) | rsv | opcode
    n = len(payload) if length is None else length
    mask_bit = 0x80 if mask is not None else 0
    if n < 126:
        head = bytes((first, mask_bit | n))
    elif n < 1 << 16:
        head = bytes((first, mask_bit | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((first, mask_bit | 127)) + n.to_bytes(8, "big")
    if mask is None:
        return head + payload
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + mask + masked


class RawWS:
    """A hand-rolled WebSocket client over a raw socket, for protocol-error tests."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.head = b""

    @classmethod
    async def connect(cls, port: int, path: str = "/ws", *, extra: str = "") -> RawWS:
        """Open a connection and complete the handshake (asserts ``101``)."""
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        ws = cls(reader, writer)
        writer.write(ws_upgrade(path, extra=extra))
        ws.head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert ws.head.startswith(b"HTTP/1.1 101 "), ws.head
        return ws

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def read_frame(self, timeout: float = 5.0) -> tuple[int, int, bytes]:
        """The next frame from the server: ``(first byte, opcode, payload)``; server frames
        must not be masked."""

        async def read() -> tuple[int, int, bytes]:
            first, second = await self.reader.readexactly(2)
            assert not second & 0x80, "the server masked a frame"
            n = second & 0x7F
            if n == 126:
                n = int.from_bytes(await self.reader.readexactly(2), "big")
            elif n == 127:
                n = int.from_bytes(await self.reader.readexactly(8), "big")
            return first, first & 0x0F, await self.reader.readexactly(n)

        return await asyncio.wait_for(read(), timeout)

    async def read_close(self, timeout: float = 5.0) -> int:
        """Read frames until the server's close frame; return its code (``0``: none)."""
        while True:
            _, opcode, payload = await self.read_frame(timeout)
            if opcode == 0x8:
                return int.from_bytes(payload[:2], "big") if payload else 0

    async def at_eof(self, timeout: float = 5.0) -> bool:
        """True when the server closes the TCP connection within ``timeout``."""
        try:
            rest = await asyncio.wait_for(self.reader.read(), timeout)
        except ConnectionResetError:
            return True
        except asyncio.TimeoutError:
            return False
        return rest == b"" or self.reader.at_eof()

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(OSError):
            await self.writer.wait_closed()


def request_factory(
    client_max_size: int = 1024**2, cls: type[BaseRequest] = BaseRequest
) -> Callable[
    [RawRequestMessage, StreamReader, RequestHandler, AbstractStreamWriter, asyncio.Task[None]],
    BaseRequest,
]:
    """A ``Server(request_factory=...)`` building ``cls`` requests with ``client_max_size``."""

    def factory(
        message: RawRequestMessage,
        payload: StreamReader,
        protocol: RequestHandler,
        writer: AbstractStreamWriter,
        task: asyncio.Task[None],
    ) -> BaseRequest:
        loop = asyncio.get_running_loop()
        return cls(message, payload, protocol, writer, task, loop, client_max_size=client_max_size)

    return factory


@contextlib.asynccontextmanager
async def serve_with_factory(
    handler: Handler,
    factory: Callable[
        [RawRequestMessage, StreamReader, RequestHandler, AbstractStreamWriter, asyncio.Task[None]],
        BaseRequest,
    ],
) -> AsyncIterator[Served]:
    """Like :func:`serve`, with a custom request factory."""
    loop = asyncio.get_running_loop()
    server = Server(handler, request_factory=factory)
    listener = await loop.create_server(server, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        yield Served(port, server)
    finally:
        listener.close()
        await server.shutdown(1.0)
        await listener.wait_closed()
