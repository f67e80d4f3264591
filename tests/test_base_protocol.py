"""_BufferedReading, the server's read path: the transport receives into a per-thread buffer
and each ``data_received`` call gets its own ``bytes`` copy, over plain TCP and TLS."""

from __future__ import annotations

import asyncio
import os
import ssl
import threading
from typing import Optional

import pytest

from aiohttp.base_protocol import _READ_BUFFER_SIZE, BaseProtocol, _BufferedReading
from aiohttp.client_proto import ResponseHandler
from aiohttp.web_protocol import RequestHandler

from ._connector_support import CERT, KEY


class Recorder(BaseProtocol, _BufferedReading):
    """Keeps every chunk ``data_received`` got; ``done`` resolves at EOF."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self.chunks: list[bytes] = []
        self.done: asyncio.Future[None] = loop.create_future()

    def data_received(self, data: bytes) -> None:
        self.chunks.append(data)

    def eof_received(self) -> Optional[bool]:
        if not self.done.done():
            self.done.set_result(None)
        return None

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        super().connection_lost(exc)
        if not self.done.done():
            self.done.set_result(None)


def test_the_server_reads_into_a_buffer_the_client_does_not() -> None:
    assert issubclass(RequestHandler, asyncio.BufferedProtocol)
    assert issubclass(RequestHandler, asyncio.Protocol)
    assert not issubclass(ResponseHandler, asyncio.BufferedProtocol)
    assert not issubclass(BaseProtocol, asyncio.BufferedProtocol)
    loop = asyncio.new_event_loop()
    try:
        proto = Recorder(loop)
        assert len(proto.get_buffer(-1)) == _READ_BUFFER_SIZE
        assert len(proto.get_buffer(10)) == _READ_BUFFER_SIZE
    finally:
        loop.close()


def test_each_thread_reads_into_its_own_buffer() -> None:
    loop = asyncio.new_event_loop()
    try:
        here = Recorder(loop).get_buffer(-1)
        seen: list[memoryview] = []
        thread = threading.Thread(target=lambda: seen.append(Recorder(loop).get_buffer(-1)))
        thread.start()
        thread.join()
        assert seen and seen[0].obj is not here.obj
        assert Recorder(loop).get_buffer(-1).obj is here.obj
    finally:
        loop.close()


async def _serve_and_send(
    payloads: list[bytes],
    server_ssl: Optional[ssl.SSLContext] = None,
    client_ssl: Optional[ssl.SSLContext] = None,
) -> list[Recorder]:
    """Send each payload on its own connection, all at once, and close; return what the
    server side's protocols received."""
    loop = asyncio.get_running_loop()
    received: list[Recorder] = []
    all_connected = asyncio.Event()

    def factory() -> Recorder:
        proto = Recorder(loop)
        received.append(proto)
        if len(received) == len(payloads):
            all_connected.set()
        return proto

    server = await loop.create_server(factory, "127.0.0.1", 0, ssl=server_ssl)
    port = server.sockets[0].getsockname()[1]

    async def send(payload: bytes) -> None:
        _, writer = await asyncio.open_connection(
            "127.0.0.1", port, ssl=client_ssl, server_hostname="localhost" if client_ssl else None
        )
        for start in range(0, len(payload), 100_000):
            writer.write(payload[start : start + 100_000])
            await writer.drain()
        writer.close()
        await writer.wait_closed()

    try:
        await asyncio.wait_for(asyncio.gather(*(send(p) for p in payloads)), 20)
        await asyncio.wait_for(all_connected.wait(), 10)
        await asyncio.wait_for(asyncio.gather(*(p.done for p in received)), 10)
    finally:
        server.close()
        await server.wait_closed()
    return received


async def test_chunks_are_independent_copies_over_tcp() -> None:
    # more than one buffer's worth per connection, three connections interleaving their
    # reads in the one shared buffer: every chunk must keep the bytes it was given
    payloads = [os.urandom(_READ_BUFFER_SIZE * 3 + 12345) for _ in range(3)]
    received = await _serve_and_send(payloads)
    assert sorted(b"".join(p.chunks) for p in received) == sorted(payloads)
    for proto in received:
        assert all(type(chunk) is bytes and chunk for chunk in proto.chunks)


async def test_chunks_are_independent_copies_over_tls() -> None:
    server_ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ssl.load_cert_chain(CERT, KEY)
    client_ssl = ssl.create_default_context(cafile=str(CERT))
    payloads = [os.urandom(_READ_BUFFER_SIZE + 777) for _ in range(2)]
    received = await _serve_and_send(payloads, server_ssl, client_ssl)
    assert sorted(b"".join(p.chunks) for p in received) == sorted(payloads)
    for proto in received:
        assert all(type(chunk) is bytes and chunk for chunk in proto.chunks)


@pytest.mark.parametrize("nbytes", [1, 1000, _READ_BUFFER_SIZE])
def test_buffer_updated_passes_exactly_what_arrived(nbytes: int) -> None:
    loop = asyncio.new_event_loop()
    try:
        proto = Recorder(loop)
        buf = proto.get_buffer(-1)
        data = os.urandom(nbytes)
        buf[:nbytes] = data
        proto.buffer_updated(nbytes)
        buf[:nbytes] = bytes(nbytes)  # the next read overwrites the buffer
        assert proto.chunks == [data]
    finally:
        loop.close()
