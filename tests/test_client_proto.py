"""ResponseHandler, the protocol of one client connection, driven over a real socket pair:
the queue of response heads, reuse decisions (should_close), bytes kept across a protocol
switch, read timeouts, and how the connection ending maps to client errors."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest

from aiohttp.client_exceptions import (
    ClientConnectionError,
    ClientOSError,
    ClientPayloadError,
    ServerDisconnectedError,
    SocketTimeoutError,
)
from aiohttp.client_proto import ResponseHandler
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.streams import EMPTY_PAYLOAD

_CAUSE = ValueError("no cause")


@pytest.fixture
async def pair() -> AsyncIterator[tuple[ResponseHandler, socket.socket]]:
    """A ResponseHandler on one end of a socket pair; the test plays the server on the other."""
    loop = asyncio.get_running_loop()
    client_sock, server_sock = socket.socketpair()
    server_sock.setblocking(False)
    _, protocol = await loop.create_connection(lambda: ResponseHandler(loop), sock=client_sock)
    yield protocol, server_sock
    protocol.close()
    server_sock.close()


async def send(sock: socket.socket, data: bytes) -> None:
    await asyncio.get_running_loop().sock_sendall(sock, data)


async def test_fresh_connection_is_reusable(pair: tuple[ResponseHandler, socket.socket]) -> None:
    protocol, _ = pair
    assert protocol.is_connected()
    assert not protocol.should_close
    assert not protocol.upgraded
    protocol.force_close()
    assert protocol.should_close


async def test_response_head_and_body(pair: tuple[ResponseHandler, socket.socket]) -> None:
    protocol, server = pair
    protocol.set_response_params()
    await send(server, b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbo")
    message, body = await protocol.read()
    assert message.code == 200 and message.headers["Content-Length"] == "4"
    assert protocol.should_close  # the body is not complete yet
    await send(server, b"dy")
    assert await body.read() == b"body"
    assert not protocol.should_close


async def test_bytes_before_params_are_kept(pair: tuple[ResponseHandler, socket.socket]) -> None:
    protocol, server = pair
    await send(server, b"HTTP/1.1 204 No Content\r\n\r\n")
    await asyncio.sleep(0.01)
    assert protocol.should_close  # unexpected bytes are pending
    protocol.set_response_params()
    message, body = await protocol.read()
    assert message.code == 204 and body is EMPTY_PAYLOAD


async def test_unexpected_second_response_closes(
    pair: tuple[ResponseHandler, socket.socket],
) -> None:
    protocol, server = pair
    protocol.set_response_params()
    reply = b"HTTP/1.1 204 No Content\r\n\r\n"
    await send(server, reply + reply)
    message, _ = await protocol.read()
    assert message.code == 204
    with pytest.raises(ServerDisconnectedError, match="Unexpected"):
        await protocol.read()
    assert protocol.should_close and not protocol.is_connected()


async def test_interim_responses_then_final(pair: tuple[ResponseHandler, socket.socket]) -> None:
    protocol, server = pair
    protocol.set_response_params()
    await send(server, b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n")
    first, _ = await protocol.read()
    final, _ = await protocol.read()
    assert (first.code, final.code) == (100, 204)
    assert not protocol.should_close


async def test_head_response_skips_body(pair: tuple[ResponseHandler, socket.socket]) -> None:
    protocol, server = pair
    protocol.set_response_params(skip_payload=True)
    await send(server, b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")
    message, body = await protocol.read()
    assert message.code == 200 and body is EMPTY_PAYLOAD
    assert not protocol.should_close


async def test_malformed_head_fails_read(pair: tuple[ResponseHandler, socket.socket]) -> None:
    protocol, server = pair
    protocol.set_response_params()
    await send(server, b"HTTP/1.1 200 OK\r\nBad Header\r\n\r\n")
    with pytest.raises(HttpProcessingError):
        await protocol.read()
    assert protocol.should_close
    assert isinstance(protocol.exception(), HttpProcessingError)


async def test_upgrade_keeps_tail_for_websocket_parser(
    pair: tuple[ResponseHandler, socket.socket],
) -> None:
    protocol, server = pair
    protocol.set_response_params()
    await send(
        server,
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\n\r\n\x81\x02hi",
    )
    message, body = await protocol.read()
    assert message.code == 101 and body is EMPTY_PAYLOAD
    assert protocol.upgraded and protocol.should_close

    fed: list[bytes] = []

    class Parser:
        def feed_data(self, data: bytes) -> tuple[bool, bytes]:
            fed.append(data)
            return False, b""

        def feed_eof(self) -> None:
            fed.append(b"<eof>")

    class Sink:
        def is_eof(self) -> bool:
            return False

        def set_exception(self, exc: BaseException, exc_cause: BaseException = _CAUSE) -> None:
            pass

    protocol.set_parser(Parser(), Sink())
    assert fed == [b"\x81\x02hi"]
    await send(server, b"\x81\x01!")
    await asyncio.sleep(0.01)
    assert fed == [b"\x81\x02hi", b"\x81\x01!"]
    server.close()
    await asyncio.sleep(0.01)
    assert fed[-1] == b"<eof>"


async def test_connect_response_opens_tunnel(pair: tuple[ResponseHandler, socket.socket]) -> None:
    protocol, server = pair
    protocol.set_response_params(method="CONNECT")
    await send(server, b"HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01")
    message, _ = await protocol.read()
    assert message.code == 200
    assert protocol.upgraded


async def test_clean_close_before_head(pair: tuple[ResponseHandler, socket.socket]) -> None:
    protocol, server = pair
    protocol.set_response_params()
    closed = protocol.closed
    assert closed is not None
    server.close()
    with pytest.raises(ServerDisconnectedError):
        await protocol.read()
    await closed
    assert not protocol.is_connected() and protocol.should_close


async def test_error_close_maps_to_client_os_error() -> None:
    loop = asyncio.get_running_loop()
    protocol = ResponseHandler(loop)
    protocol.set_response_params()
    protocol.connection_lost(ConnectionResetError(104, "reset by peer"))
    with pytest.raises(ClientOSError) as info:
        await protocol.read()
    assert info.value.errno == 104
    closed = protocol.closed
    assert closed is not None and closed.done()
    assert isinstance(closed.exception(), ClientConnectionError)


async def test_body_until_close_reset_is_an_error(
    pair: tuple[ResponseHandler, socket.socket],
) -> None:
    protocol, server = pair
    protocol.set_response_params(read_until_eof=True)
    await send(server, b"HTTP/1.1 200 OK\r\n\r\npartial")
    _, body = await protocol.read()
    await asyncio.sleep(0.01)
    protocol.connection_lost(ConnectionResetError("reset"))
    with pytest.raises(ClientPayloadError, match="not completed"):
        await body.read()


async def test_body_until_close_clean_end(pair: tuple[ResponseHandler, socket.socket]) -> None:
    protocol, server = pair
    protocol.set_response_params(read_until_eof=True)
    await send(server, b"HTTP/1.1 200 OK\r\n\r\nall of it")
    _, body = await protocol.read()
    server.close()
    assert await body.read() == b"all of it"


async def test_read_timeout_fails_head_wait(pair: tuple[ResponseHandler, socket.socket]) -> None:
    protocol, _ = pair
    protocol.set_response_params(read_timeout=0.05)
    assert protocol.read_timeout == 0.05
    protocol.start_timeout()
    with pytest.raises(SocketTimeoutError):
        await asyncio.wait_for(protocol.read(), 2)
    assert protocol.should_close


async def test_read_timeout_rearmed_by_data(pair: tuple[ResponseHandler, socket.socket]) -> None:
    protocol, server = pair
    protocol.set_response_params(read_timeout=0.15)
    protocol.start_timeout()
    await send(server, b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n")
    _, body = await protocol.read()
    for part in (b"a", b"b", b"c"):
        await asyncio.sleep(0.08)
        await send(server, part)
    assert await body.read() == b"abc"


async def test_no_read_timeout_while_paused(pair: tuple[ResponseHandler, socket.socket]) -> None:
    protocol, _ = pair
    protocol.read_timeout = 0.03
    protocol.start_timeout()
    protocol.pause_reading()
    await asyncio.sleep(0.08)
    assert protocol.exception() is None
    protocol.resume_reading()
    await asyncio.sleep(0.08)
    assert isinstance(protocol.exception(), SocketTimeoutError)


async def test_abort(pair: tuple[ResponseHandler, socket.socket]) -> None:
    protocol, _ = pair
    protocol.abort()
    assert protocol.transport is None and not protocol.is_connected()


async def test_clean_parser_serves_the_next_response(
    pair: tuple[ResponseHandler, socket.socket],
) -> None:
    protocol, server = pair
    protocol.set_response_params()
    await send(server, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    _, body = await protocol.read()
    assert await body.read() == b"ok"
    parser = protocol._parser
    protocol.set_response_params(skip_payload=True, method="HEAD")
    assert protocol._parser is parser
    await send(server, b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")
    message, body = await protocol.read()
    assert message.code == 200 and body is EMPTY_PAYLOAD
    protocol.set_response_params(method="GET")
    assert protocol._parser is parser
    await send(server, b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc")
    _, body = await protocol.read()
    assert await body.read() == b"abc"
    assert not protocol.should_close


async def test_parser_replaced_when_not_clean_or_other_limits(
    pair: tuple[ResponseHandler, socket.socket],
) -> None:
    protocol, server = pair
    protocol.set_response_params()
    await send(server, b"HTTP/1.1 204 No Content\r\n\r\n")
    await protocol.read()
    parser = protocol._parser
    protocol.set_response_params(max_line_size=100)
    assert protocol._parser is not parser
    parser = protocol._parser
    await send(server, b"HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 2")  # and a partial head
    await protocol.read()
    await asyncio.sleep(0.01)
    protocol.set_response_params(max_line_size=100)
    assert protocol._parser is not parser
