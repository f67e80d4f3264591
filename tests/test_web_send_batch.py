"""Responses held for the loop iteration's batch (``aiohttp._web_send_batch``).

Requests written on several connections in one go reach the server in one loop iteration,
so their responses are held and written together; a lone client is answered at once.
Whatever happens to a connection while its response is held (pipelining, ``Connection:
close``, a half-close, a forced close, a reset), the bytes reach the peer in order or are
dropped only with the peer.  ``SendBatch._flush`` is wrapped to see what was held.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from aiohttp._web_send_batch import HOLD_LIMIT, SendBatch
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import Response, StreamResponse

from ._web_fixtures import RawConn, get, raw_conn, serve


@pytest.fixture
def flushed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many held responses each batch flush wrote."""
    sizes: list[int] = []
    original = SendBatch._flush

    def spy(self: SendBatch) -> None:
        sizes.append(sum(h._held_out is not None for h in self._held))
        original(self)

    monkeypatch.setattr(SendBatch, "_flush", spy)
    yield sizes


async def _echo_path(request: BaseRequest) -> StreamResponse:
    return Response(text=f"answer to {request.path}")


async def _open(port: int, count: int) -> list[RawConn]:
    return [await RawConn.open(port) for _ in range(count)]


async def _close(conns: list[RawConn]) -> None:
    for conn in conns:
        await conn.close()


def _send_all(conns: list[RawConn], requests: list[bytes]) -> None:
    """Write every request without yielding: the server reads them in one iteration."""
    for conn, request in zip(conns, requests):
        conn.writer.write(request)


async def _wait_idle(batch: SendBatch) -> None:
    for _ in range(100):
        if batch.waiting == 0:
            return
        await asyncio.sleep(0.01)


async def test_concurrent_responses_are_held_and_written_together(flushed: list[int]) -> None:
    async with serve(_echo_path, access_log=None) as srv:
        conns = await _open(srv.port, 8)
        try:
            for round_ in range(5):
                _send_all(conns, [get(f"/{round_}/{i}") for i in range(len(conns))])
                for i, conn in enumerate(conns):
                    resp = await conn.read_response()
                    assert resp.status == 200
                    assert resp.body == f"answer to /{round_}/{i}".encode()
        finally:
            await _close(conns)
        batch = srv.server._send_batch
        await _wait_idle(batch)
        assert batch.waiting == 0
    assert flushed and max(flushed) > 1  # several responses went out in one flush
    assert sum(flushed) <= 5 * 8


async def test_a_lone_client_is_answered_without_holding(flushed: list[int]) -> None:
    async with serve(_echo_path, access_log=None) as srv, raw_conn(srv.port) as conn:
        for i in range(5):
            await conn.send(get(f"/{i}"))
            assert (await conn.read_response()).body == f"answer to /{i}".encode()
        assert srv.server._send_batch.waiting <= 1
    assert flushed == []


async def test_pipelined_responses_keep_their_order_while_others_are_held(
    flushed: list[int],
) -> None:
    async with serve(_echo_path, access_log=None) as srv:
        conns = await _open(srv.port, 3)
        try:
            pipelined = b"".join(get(f"/p{i}") for i in range(4))
            _send_all(conns, [pipelined, get("/b"), get("/c")])
            bodies = [(await conns[0].read_response()).body for _ in range(4)]
            assert bodies == [f"answer to /p{i}".encode() for i in range(4)]
            assert (await conns[1].read_response()).body == b"answer to /b"
            assert (await conns[2].read_response()).body == b"answer to /c"
        finally:
            await _close(conns)
    assert flushed  # the batch was in use while the pipeline was answered


async def test_connection_close_responses_arrive_before_the_close(flushed: list[int]) -> None:
    async with serve(_echo_path, access_log=None) as srv:
        conns = await _open(srv.port, 4)
        try:
            _send_all(conns, [get(f"/{i}", extra="Connection: close\r\n") for i in range(4)])
            for i, conn in enumerate(conns):
                resp = await conn.read_response()
                assert resp.body == f"answer to /{i}".encode()
                assert await conn.closed_by_peer()
        finally:
            await _close(conns)


async def test_half_closing_clients_get_their_held_responses(flushed: list[int]) -> None:
    # A keep-alive request and the EOF arrive together: the EOF is read right after the
    # response was held, and the transport closes; the held bytes must be written first.
    async with serve(_echo_path, access_log=None) as srv:
        conns = await _open(srv.port, 6)
        try:
            for i, conn in enumerate(conns):
                conn.writer.write(get(f"/{i}"))
                conn.writer.write_eof()
            for i, conn in enumerate(conns):
                data = await asyncio.wait_for(conn.reader.read(), 5)
                assert data.startswith(b"HTTP/1.1 200 OK\r\n")
                assert data.endswith(f"\r\n\r\nanswer to /{i}".encode())
        finally:
            await _close(conns)
    assert flushed


@pytest.mark.parametrize("size", [30_000, HOLD_LIMIT + 1])
async def test_large_bodies_arrive_intact(flushed: list[int], size: int) -> None:
    # 30 kB: head and body are held as two pieces (above the writer's join limit);
    # above HOLD_LIMIT the response is written at once instead.
    body = bytes(range(256)) * (size // 256) + b"x" * (size % 256)

    async def big(request: BaseRequest) -> StreamResponse:
        return Response(body=body)

    async with serve(big, access_log=None) as srv:
        conns = await _open(srv.port, 4)
        try:
            for _ in range(3):
                _send_all(conns, [get()] * len(conns))
                for conn in conns:
                    assert (await conn.read_response(timeout=10)).body == body
        finally:
            await _close(conns)
    if size > HOLD_LIMIT:
        assert flushed == []
    else:
        assert flushed and max(flushed) > 1


async def test_force_close_writes_the_held_response_first() -> None:
    async with serve(_echo_path, access_log=None) as srv, raw_conn(srv.port) as conn:
        await conn.send(get("/warm"))
        assert (await conn.read_response()).body == b"answer to /warm"
        [handler] = srv.server.connections
        handler._hold_output([b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n", b"late"])
        handler.force_close()
        resp = await conn.read_response()
        assert resp.body == b"late"
        assert await conn.closed_by_peer()


async def test_a_held_response_of_a_lost_connection_is_dropped() -> None:
    loop = asyncio.get_running_loop()
    reported: list[dict[str, object]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    try:
        async with serve(_echo_path, access_log=None) as srv:
            conns = await _open(srv.port, 2)
            try:
                _send_all(conns, [get("/a"), get("/b")])
                for conn in conns:
                    await conn.read_response()
                [lost] = [
                    h
                    for h in srv.server.connections
                    if h.peername == conns[0].writer.get_extra_info("sockname")
                ]
                lost._hold_output([b"never sent"])
                transport = lost.transport
                assert transport is not None
                transport.abort()  # connection_lost runs before the batch is written
                await asyncio.sleep(0.05)
                assert lost._held_out is None
                assert await conns[0].closed_by_peer()
                await conns[1].send(get("/after"))
                assert (await conns[1].read_response()).body == b"answer to /after"
                await _wait_idle(srv.server._send_batch)
                assert srv.server._send_batch.waiting == 0
            finally:
                await _close(conns)
    finally:
        loop.set_exception_handler(previous)
    assert reported == []


class _Stub:
    def __init__(self, calls: list[int], number: int, fail: bool) -> None:
        self.calls, self.number, self.fail = calls, number, fail
        self._held_out: object = object()

    def _release_output(self) -> None:
        self.calls.append(self.number)
        if self.fail:
            raise RuntimeError(f"boom {self.number}")


async def test_a_failing_release_does_not_strand_the_others() -> None:
    loop = asyncio.get_running_loop()
    reported: list[dict[str, object]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    calls: list[int] = []
    batch = SendBatch(loop)
    try:
        for number in range(3):
            batch.hold(_Stub(calls, number, fail=number != 1))  # type: ignore[arg-type]  # a stand-in handler
        assert len(batch._held) == 3  # one flush scheduled for the three
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(previous)
    assert calls == [0, 1, 2]
    assert [str(c["exception"]) for c in reported] == ["boom 0", "boom 2"]
    assert batch._held == []


async def test_waiting_counts_requests_not_yet_taken_up(flushed: list[int]) -> None:
    release = asyncio.Event()

    async def slow(request: BaseRequest) -> StreamResponse:
        if request.path == "/slow":
            await release.wait()
        return Response(text=f"done {request.path}")

    async with serve(slow, access_log=None) as srv:
        batch = srv.server._send_batch
        conns = await _open(srv.port, 3)
        try:
            # Two handlers wait long (as WebSocket or long-poll handlers do): they are
            # taken up, so nothing counts as waiting, and a lone client is not held.
            _send_all(conns[:2], [get("/slow")] * 2)
            await asyncio.sleep(0.05)
            assert batch.waiting == 0
            for i in range(3):
                await conns[2].send(get(f"/{i}"))
                assert (await conns[2].read_response()).body == f"done /{i}".encode()
            assert flushed == []
            # A request pipelined behind a running handler waits for its turn.
            await conns[0].send(get("/queued"))
            await asyncio.sleep(0.05)
            assert batch.waiting == 1
            release.set()
            assert (await conns[0].read_response()).body == b"done /slow"
            assert (await conns[0].read_response()).body == b"done /queued"
            assert (await conns[1].read_response()).body == b"done /slow"
            assert batch.waiting == 0
        finally:
            await _close(conns)
        await _wait_idle(batch)
        assert batch.waiting == 0
