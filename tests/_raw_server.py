"""Scripted raw-socket HTTP peers for client tests.

:func:`raw_server` runs an asyncio server (TCP on 127.0.0.1, an ephemeral port, unless told to
use TLS, another host or a Unix socket) whose handler sees each connection as a
:class:`RawConnection`: it reads what the client sent (the request head, a body framed by
Content-Length or chunked, or exact byte counts) and writes exact response bytes. Every byte
received is recorded, so a test can also assert what reached the wire -- or that nothing did.
:func:`scripted` makes the common handler: read one request, write one canned reply.
:func:`open_client` connects a :class:`~aiohttp.client_proto.ResponseHandler` to such a server
and wraps it in :class:`MiniConnection`, the least a :class:`~aiohttp.ClientRequest` needs
from a connection, so requests and responses are tested without the connector.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Optional

from aiohttp.client_proto import ResponseHandler

Handler = Callable[["RawConnection"], Awaitable[None]]


@dataclass
class Request:
    """One request as the server read it."""

    head: bytes
    body: bytes = b""

    @property
    def request_line(self) -> bytes:
        return self.head.split(b"\r\n", 1)[0]

    @property
    def headers(self) -> list[tuple[bytes, bytes]]:
        """The header fields in order, names lower-cased, values stripped."""
        fields = []
        for line in self.head.split(b"\r\n")[1:]:
            if line:
                name, _, value = line.partition(b":")
                fields.append((name.lower(), value.strip()))
        return fields

    def header(self, name: str) -> Optional[bytes]:
        """The value of the first field called ``name``, or ``None``."""
        key = name.lower().encode()
        return next((v for n, v in self.headers if n == key), None)


@dataclass
class RawConnection:
    """The server side of one accepted connection."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    received: bytearray = field(default_factory=bytearray)
    requests: list[Request] = field(default_factory=list)

    async def read_head(self) -> bytes:
        """The next request head, up to and including the blank line."""
        head = await self.reader.readuntil(b"\r\n\r\n")
        self.received += head
        return head

    async def read_exactly(self, n: int) -> bytes:
        data = await self.reader.readexactly(n)
        self.received += data
        return data

    async def read_until_eof(self) -> bytes:
        """Everything until the client closes (recorded as it arrives)."""
        data = bytearray()
        while chunk := await self.reader.read(65536):
            self.received += chunk
            data += chunk
        return bytes(data)

    async def read_chunked(self) -> bytes:
        """A chunked body, decoded (trailers are read and dropped)."""
        body = bytearray()
        while True:
            line = await self.reader.readuntil(b"\r\n")
            self.received += line
            size = int(line.split(b";", 1)[0].strip(), 16)
            if size == 0:
                while True:
                    trailer = await self.reader.readuntil(b"\r\n")
                    self.received += trailer
                    if trailer == b"\r\n":
                        return bytes(body)
            body += await self.read_exactly(size)
            self.received += await self.reader.readexactly(2)

    async def read_request(self) -> Request:
        """The next request: its head and its body (framed by its headers)."""
        request = Request(await self.read_head())
        te = request.header("transfer-encoding")
        length = request.header("content-length")
        expect = request.header("expect")
        if expect is not None and expect.lower() == b"100-continue":
            self.requests.append(request)  # the handler sends "100 Continue" (or not) first
            return request
        if te is not None and b"chunked" in te.lower():
            request.body = await self.read_chunked()
        elif length is not None:
            request.body = await self.read_exactly(int(length))
        self.requests.append(request)
        return request

    def write(self, data: bytes) -> None:
        self.writer.write(data)

    async def drain(self) -> None:
        await self.writer.drain()

    def close(self) -> None:
        self.writer.close()


@dataclass
class RawServer:
    """A running scripted server."""

    port: int
    connections: list[RawConnection] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)

    @property
    def received(self) -> bytes:
        """Everything every connection received, in accept order."""
        return b"".join(bytes(c.received) for c in self.connections)

    async def wait_received(self, data: bytes, timeout: float = 2.0) -> None:
        """Wait until the bytes received end with ``data``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.received.endswith(data):
            if loop.time() > deadline:
                raise AssertionError(f"server received {self.received!r}, not ...{data!r}")
            await asyncio.sleep(0.005)


@contextlib.asynccontextmanager
async def raw_server(
    handler: Handler,
    *,
    tls: Optional[ssl.SSLContext] = None,
    host: str = "127.0.0.1",
    unix_path: Optional[str] = None,
) -> AsyncIterator[RawServer]:
    """Serve ``handler`` on ``host`` (an ephemeral port), or on the Unix socket
    ``unix_path``, until the block ends; ``tls`` serves TLS. Handler errors other than the
    client going away are collected in :attr:`RawServer.errors`."""
    state = RawServer(port=0)
    tasks: set[asyncio.Task[None]] = set()

    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = RawConnection(reader, writer)
        state.connections.append(conn)
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        try:
            await handler(conn)
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError, ssl.SSLError):
            pass
        except Exception as exc:  # reported to the test through state.errors
            state.errors.append(exc)
        finally:
            writer.close()

    server: asyncio.Server
    if unix_path is not None:
        server = await asyncio.start_unix_server(on_client, unix_path, ssl=tls)
    else:
        server = await asyncio.start_server(on_client, host, 0, ssl=tls)
        state.port = server.sockets[0].getsockname()[1]
    try:
        yield state
    finally:
        server.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()


def scripted(reply: bytes, *, close: bool = False, read_body: bool = True) -> Handler:
    """A handler reading one request (with its body unless ``read_body`` is false), then
    writing ``reply``; with ``close`` it then closes the connection, else it waits for the
    client to close."""

    async def handler(conn: RawConnection) -> None:
        if read_body:
            await conn.read_request()
        else:
            conn.requests.append(Request(await conn.read_head()))
        conn.write(reply)
        await conn.drain()
        if not close:
            await conn.read_until_eof()

    return handler


class MiniConnection:
    """The least a request needs from a connection: a protocol, a transport, release and
    close. Released connections are closed when they are not reusable, like the pool does."""

    def __init__(self, protocol: ResponseHandler) -> None:
        self._protocol: Optional[ResponseHandler] = protocol
        self.released = False
        self.closed = False
        self.reusable: Optional[bool] = None

    @property
    def protocol(self) -> Optional[ResponseHandler]:
        return self._protocol

    @property
    def transport(self) -> Optional[asyncio.Transport]:
        return None if self._protocol is None else self._protocol.transport

    def release(self) -> None:
        protocol = self._protocol
        if protocol is None:
            return
        self.released = True
        self.reusable = not protocol.should_close
        if not self.reusable:
            protocol.close()
        self._protocol = None

    def close(self) -> None:
        protocol = self._protocol
        if protocol is None:
            return
        self.closed = True
        protocol.close()
        self._protocol = None


async def open_client(
    port: int,
    *,
    method: Optional[str] = None,
    skip_payload: bool = False,
    read_until_eof: bool = True,
    auto_decompress: bool = True,
    read_timeout: Optional[float] = None,
    max_line_size: int = 8190,
    max_field_size: int = 8190,
    max_headers: int = 128,
) -> MiniConnection:
    """Connect a ResponseHandler to 127.0.0.1:``port`` and prepare it for one response
    (the keywords go to ``set_response_params``)."""
    loop = asyncio.get_running_loop()
    _, protocol = await loop.create_connection(lambda: ResponseHandler(loop), "127.0.0.1", port)
    protocol.set_response_params(
        method=method,
        skip_payload=skip_payload,
        read_until_eof=read_until_eof,
        auto_decompress=auto_decompress,
        read_timeout=read_timeout,
        max_line_size=max_line_size,
        max_field_size=max_field_size,
        max_headers=max_headers,
    )
    return MiniConnection(protocol)
