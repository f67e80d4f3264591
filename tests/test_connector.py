"""BaseConnector: the pool (limits, fair queueing, reuse, keep-alive expiry, closing) and
Connection. Connections are socket pairs (PairConnector) or go to a scripted server."""

from __future__ import annotations

import asyncio
import gc
import socket

import pytest

from aiohttp.client_exceptions import ClientConnectionError, ConnectionTimeoutError
from aiohttp.connector import BaseConnector, Connection, TCPConnector

from ._connector_support import (
    NO_TIMEOUT,
    PairConnector,
    RecordingTrace,
    Timeouts,
    fetch,
    get_body,
    keepalive,
    make_request,
)
from ._raw_server import raw_server, scripted


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


# -- construction --------------------------------------------------------------------------


async def test_connector_defaults_are_3_13_ones() -> None:
    connector = BaseConnector()
    assert connector.limit == 100
    assert connector.limit_per_host == 0
    assert connector.force_close is False
    assert connector.closed is False
    assert connector._keepalive_timeout == 15.0
    assert connector.allowed_protocol_schema_set == {"http", "https", "ws", "wss"}
    assert "tcp" in TCPConnector.allowed_protocol_schema_set
    await connector.close()
    assert connector.closed is True


async def test_connector_force_close_with_keepalive_timeout_is_refused() -> None:
    with pytest.raises(ValueError, match="keepalive_timeout cannot be set"):
        BaseConnector(force_close=True, keepalive_timeout=10)
    connector = BaseConnector(force_close=True, keepalive_timeout=None)
    assert connector.force_close is True
    await connector.close()


def test_connector_without_running_loop_is_refused() -> None:
    with pytest.raises(RuntimeError):
        BaseConnector()


async def test_base_connector_cannot_open_connections() -> None:
    connector = BaseConnector()
    with pytest.raises(NotImplementedError):
        await connector.connect(make_request("http://127.0.0.1:1/"), [], NO_TIMEOUT)
    await connector.close()


# -- reuse ---------------------------------------------------------------------------------


async def test_connector_reuses_keepalive_connection_counted_by_server() -> None:
    trace = RecordingTrace()
    async with raw_server(keepalive(b"hello")) as server, TCPConnector() as connector:
        url = f"http://127.0.0.1:{server.port}/"
        for _ in range(3):
            assert await get_body(connector, url, traces=[trace]) == b"hello"
        assert len(server.connections) == 1
    assert trace.events == ["create_start", "create_end", "reuseconn", "reuseconn"]


async def test_connector_unread_body_is_not_reused() -> None:
    reply = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345"  # the rest never comes
    async with raw_server(scripted(reply)) as server, TCPConnector() as connector:
        url = f"http://127.0.0.1:{server.port}/"
        for _ in range(2):
            conn, resp = await fetch(connector, make_request(url))
            protocol = conn.protocol
            assert protocol is not None and protocol.should_close
            resp.release()  # body not read to its end
            assert protocol.transport is None
            assert connector._pool.idle_count() == 0
        assert len(server.connections) == 2


async def test_connector_response_asking_close_is_not_reused() -> None:
    reply = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"
    async with raw_server(scripted(reply)) as server, TCPConnector() as connector:
        url = f"http://127.0.0.1:{server.port}/"
        assert await get_body(connector, url) == b"ok"
        assert connector._pool.idle_count() == 0
        assert await get_body(connector, url) == b"ok"
        assert len(server.connections) == 2


async def test_connector_force_close_never_reuses() -> None:
    async with raw_server(keepalive()) as server, TCPConnector(force_close=True) as connector:
        url = f"http://127.0.0.1:{server.port}/"
        for _ in range(3):
            assert await get_body(connector, url) == b"ok"
        assert len(server.connections) == 3
        assert connector._pool.idle_count() == 0


async def test_connector_idle_connection_closed_by_peer_is_skipped() -> None:
    connector = PairConnector()
    req = make_request("http://a.test/")
    conn = await connector.connect(req, [], NO_TIMEOUT)
    conn.release()
    assert connector._pool.idle_count() == 1
    connector.peers[0].close()
    await _settle()
    conn2 = await connector.connect(req, [], NO_TIMEOUT)
    assert len(connector.peers) == 2
    assert not conn2.closed
    conn2.close()
    await connector.close()
    connector.close_peers()


async def test_connector_release_explicit_should_close_closes() -> None:
    connector = PairConnector()
    req = make_request("http://a.test/")
    conn = await connector.connect(req, [], NO_TIMEOUT)
    protocol = conn.protocol
    assert protocol is not None
    connector._release(req.connection_key, protocol, should_close=True)
    assert connector._pool.idle_count() == 0
    assert protocol.transport is None
    conn._protocol = None
    await connector.close()
    connector.close_peers()


# -- keep-alive expiry ---------------------------------------------------------------------


async def test_connector_idle_connections_expire_after_keepalive_timeout() -> None:
    connector = PairConnector(keepalive_timeout=0.05)
    req_a, req_b = make_request("http://a.test/"), make_request("http://b.test/")
    conns = [await connector.connect(r, [], NO_TIMEOUT) for r in (req_a, req_b)]
    for conn in conns:
        conn.release()
    assert connector._pool.idle_count() == 2
    handle = connector._pool._sweep_handle
    assert handle is not None  # one timer for the whole pool
    await asyncio.sleep(0.15)
    assert connector._pool.idle_count() == 0
    assert connector._pool._sweep_handle is None
    for peer in connector.peers:
        peer.setblocking(False)
        assert peer.recv(10) == b""  # closed by us
    await connector.close()
    connector.close_peers()


async def test_connector_keepalive_timeout_none_keeps_idle() -> None:
    connector = PairConnector(keepalive_timeout=None)
    conn = await connector.connect(make_request("http://a.test/"), [], NO_TIMEOUT)
    conn.release()
    assert connector._pool._sweep_handle is None
    assert connector._pool.idle_count() == 1
    await connector.close()
    connector.close_peers()


async def test_connector_keepalive_timeout_zero_closes_on_release() -> None:
    connector = PairConnector(keepalive_timeout=0)
    conn = await connector.connect(make_request("http://a.test/"), [], NO_TIMEOUT)
    conn.release()
    assert connector._pool.idle_count() == 0
    await connector.close()
    connector.close_peers()


# -- limits and fairness -------------------------------------------------------------------


async def test_connector_limit_serves_waiters_first_in_first_out() -> None:
    connector = PairConnector(limit=1)
    req = make_request("http://a.test/")
    first = await connector.connect(req, [], NO_TIMEOUT)
    order: list[int] = []
    traces = [RecordingTrace() for _ in range(5)]

    async def waiter(i: int) -> Connection:
        conn = await connector.connect(make_request(f"http://h{i}.test/"), [traces[i]], NO_TIMEOUT)
        order.append(i)
        return conn

    tasks = []
    for i in range(5):
        tasks.append(asyncio.create_task(waiter(i)))
        await _settle()
    assert connector._pool.waiting == 5
    current = first
    for i in range(5):
        current.release()
        current = await tasks[i]
    current.release()
    assert order == [0, 1, 2, 3, 4]
    assert traces[0].events[:2] == ["queued_start", "queued_end"]
    await connector.close()
    connector.close_peers()


async def test_connector_newcomer_cannot_overtake_woken_waiter() -> None:
    connector = PairConnector(limit=1)
    req = make_request("http://a.test/")
    held = await connector.connect(req, [], NO_TIMEOUT)
    queued = asyncio.create_task(connector.connect(req, [], NO_TIMEOUT))
    await _settle()
    held.release()  # the slot is handed to the queued request before it runs
    newcomer = asyncio.create_task(connector.connect(req, [], NO_TIMEOUT))
    await _settle()
    assert queued.done() and not newcomer.done()
    (await queued).release()
    (await newcomer).release()
    assert len(connector.peers) == 1  # both reused the first connection
    await connector.close()
    connector.close_peers()


async def test_connector_limit_per_host_queues_only_that_host() -> None:
    connector = PairConnector(limit=0, limit_per_host=1)
    req_a, req_b = make_request("http://a.test/"), make_request("http://b.test/")
    held = await connector.connect(req_a, [], NO_TIMEOUT)
    second_a = asyncio.create_task(connector.connect(req_a, [], NO_TIMEOUT))
    await _settle()
    assert not second_a.done()
    conn_b = await asyncio.wait_for(connector.connect(req_b, [], NO_TIMEOUT), 1)
    assert connector._pool.acquired_for(req_b.connection_key) == 1
    held.release()
    (await second_a).release()
    conn_b.release()
    await connector.close()
    connector.close_peers()


async def test_connector_global_limit_waiter_blocked_by_host_does_not_block_others() -> None:
    connector = PairConnector(limit=2, limit_per_host=1)
    req_a, req_b = make_request("http://a.test/"), make_request("http://b.test/")
    held_a = await connector.connect(req_a, [], NO_TIMEOUT)
    waiting_a = asyncio.create_task(connector.connect(req_a, [], NO_TIMEOUT))
    await _settle()
    conn_b = await asyncio.wait_for(connector.connect(req_b, [], NO_TIMEOUT), 1)
    assert connector._pool.acquired == 2
    conn_b.release()
    assert not waiting_a.done()
    held_a.release()
    (await waiting_a).release()
    await connector.close()
    connector.close_peers()


async def test_connector_cancelled_waiter_leaks_no_slot() -> None:
    connector = PairConnector(limit=1)
    req = make_request("http://a.test/")
    held = await connector.connect(req, [], NO_TIMEOUT)
    waiter = asyncio.create_task(connector.connect(req, [], NO_TIMEOUT))
    await _settle()
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert connector._pool.waiting == 0
    held.release()
    assert connector._pool.acquired == 0
    (await asyncio.wait_for(connector.connect(req, [], NO_TIMEOUT), 1)).release()
    await connector.close()
    connector.close_peers()


async def test_connector_waiter_cancelled_after_being_handed_a_slot_passes_it_on() -> None:
    connector = PairConnector(limit=1)
    req = make_request("http://a.test/")
    held = await connector.connect(req, [], NO_TIMEOUT)
    first = asyncio.create_task(connector.connect(req, [], NO_TIMEOUT))
    second = asyncio.create_task(connector.connect(req, [], NO_TIMEOUT))
    await _settle()
    held.release()  # hands the slot to `first` ...
    first.cancel()  # ... which is cancelled before it runs
    with pytest.raises(asyncio.CancelledError):
        await first
    conn = await asyncio.wait_for(second, 1)
    assert connector._pool.acquired == 1
    conn.release()
    assert connector._pool.acquired == 0
    await connector.close()
    connector.close_peers()


async def test_connector_connect_timeout_while_queued() -> None:
    connector = PairConnector(limit=1)
    req = make_request("http://a.test/")
    held = await connector.connect(req, [], NO_TIMEOUT)
    with pytest.raises(ConnectionTimeoutError, match="Connection timeout to host"):
        await connector.connect(req, [], Timeouts(connect=0.05))
    assert connector._pool.waiting == 0
    held.release()
    assert connector._pool.acquired == 0
    await connector.close()
    connector.close_peers()


async def test_connector_connect_timeout_while_opening_frees_the_slot() -> None:
    connector = PairConnector(limit=1)
    connector.gate = asyncio.Event()  # opening never finishes
    with pytest.raises(ConnectionTimeoutError):
        await connector.connect(make_request("http://a.test/"), [], Timeouts(connect=0.05))
    assert connector._pool.acquired == 0
    await connector.close()


async def test_connector_failed_open_frees_the_slot() -> None:
    connector = PairConnector(limit=1)
    connector.fail_with = OSError(1, "boom")
    with pytest.raises(OSError, match="boom"):
        await connector.connect(make_request("http://a.test/"), [], NO_TIMEOUT)
    assert connector._pool.acquired == 0
    connector.fail_with = None
    (await connector.connect(make_request("http://a.test/"), [], NO_TIMEOUT)).release()
    await connector.close()
    connector.close_peers()


async def test_connector_trace_error_frees_the_slot() -> None:
    class Failing(RecordingTrace):
        async def send_connection_create_start(self) -> None:
            raise RuntimeError("trace failed")

    connector = PairConnector(limit=1)
    with pytest.raises(RuntimeError, match="trace failed"):
        await connector.connect(make_request("http://a.test/"), [Failing()], NO_TIMEOUT)
    assert connector._pool.acquired == 0
    await connector.close()


# -- closing -------------------------------------------------------------------------------


async def test_connector_close_closes_idle_and_fails_waiters() -> None:
    connector = PairConnector(limit=1)
    req = make_request("http://a.test/")
    held = await connector.connect(req, [], NO_TIMEOUT)
    waiter = asyncio.create_task(connector.connect(req, [], NO_TIMEOUT))
    await _settle()
    await connector.close()
    with pytest.raises(ClientConnectionError, match="Connector is closed"):
        await waiter
    assert held.protocol is not None and held.protocol.transport is None  # lent: closed too
    connector.peers[0].setblocking(False)
    assert connector.peers[0].recv(10) == b""
    held.release()  # after close: harmless
    with pytest.raises(ClientConnectionError, match="Connector is closed"):
        await connector.connect(req, [], NO_TIMEOUT)
    await connector.close()  # idempotent
    connector.close_peers()


async def test_connector_closed_while_opening_closes_the_new_connection() -> None:
    connector = PairConnector()
    connector.gate = asyncio.Event()
    task = asyncio.create_task(connector.connect(make_request("http://a.test/"), [], NO_TIMEOUT))
    await _settle()
    await connector.close()
    connector.gate.set()
    with pytest.raises(ClientConnectionError, match="Connector is closed"):
        await task
    connector.peers[0].setblocking(False)
    assert connector.peers[0].recv(10) == b""
    connector.close_peers()


async def test_connector_close_returns_awaitable_that_warns_if_dropped() -> None:
    connector = PairConnector()
    with pytest.warns(DeprecationWarning, match="please use await connector.close"):
        connector.close()  # type: ignore[unused-awaitable]  # dropping it is the point
        gc.collect()
    assert connector.closed


async def test_connector_async_with_closes() -> None:
    async with PairConnector() as connector:
        conn = await connector.connect(make_request("http://a.test/"), [], NO_TIMEOUT)
        conn.release()
    assert connector.closed
    assert connector._pool.idle_count() == 0
    connector.close_peers()


async def test_connector_dropped_unclosed_warns_and_reports() -> None:
    loop = asyncio.get_running_loop()
    reports: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _loop, context: reports.append(context))
    connector = PairConnector()
    conn = await connector.connect(make_request("http://a.test/"), [], NO_TIMEOUT)
    conn.release()
    peers = connector.peers
    with pytest.warns(ResourceWarning, match="Unclosed connector"):
        del connector, conn
        gc.collect()
    loop.set_exception_handler(None)
    assert [r["message"] for r in reports] == ["Unclosed connector"]
    for peer in peers:
        peer.close()


# -- Connection ----------------------------------------------------------------------------


async def test_connection_release_and_close_are_idempotent_and_run_callbacks_once() -> None:
    connector = PairConnector()
    conn = await connector.connect(make_request("http://a.test/"), [], NO_TIMEOUT)
    calls: list[str] = []

    def failing() -> None:
        calls.append("failing")
        raise RuntimeError("ignored")

    conn.add_callback(failing)
    conn.add_callback(lambda: calls.append("second"))
    conn.add_callback(None)
    assert (conn.closed, conn.transport is None) == (False, False)
    conn.release()
    conn.release()
    conn.close()
    assert calls == ["failing", "second"]
    assert (conn.closed, conn.protocol, conn.transport) == (True, None, None)
    assert bool(conn)  # never falsy
    assert repr(conn).startswith("Connection<ConnectionKey(host='a.test'")
    await connector.close()
    connector.close_peers()


async def test_connection_close_does_not_pool() -> None:
    connector = PairConnector()
    conn = await connector.connect(make_request("http://a.test/"), [], NO_TIMEOUT)
    conn.close()
    assert connector._pool.idle_count() == 0
    assert connector._pool.acquired == 0
    await connector.close()
    connector.close_peers()


async def test_connection_loop_property_is_deprecated() -> None:
    connector = PairConnector()
    conn = await connector.connect(make_request("http://a.test/"), [], NO_TIMEOUT)
    with pytest.warns(DeprecationWarning, match="loop property is deprecated"):
        assert conn.loop is asyncio.get_running_loop()  # type: ignore[deprecated]  # testing it
    conn.close()
    await connector.close()
    connector.close_peers()


async def test_connection_dropped_unreleased_warns_and_closes() -> None:
    loop = asyncio.get_running_loop()
    reports: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _loop, context: reports.append(context))
    connector = PairConnector()
    conn = await connector.connect(make_request("http://a.test/"), [], NO_TIMEOUT)
    with pytest.warns(ResourceWarning, match="Unclosed connection"):
        del conn
        gc.collect()
    loop.set_exception_handler(None)
    assert [r["message"] for r in reports] == ["Unclosed connection"]
    assert connector._pool.acquired == 0
    await connector.close()
    connector.close_peers()


async def test_connection_closed_reflects_peer_going_away() -> None:
    connector = PairConnector()
    conn = await connector.connect(make_request("http://a.test/"), [], NO_TIMEOUT)
    connector.peers[0].shutdown(socket.SHUT_RDWR)
    connector.peers[0].close()
    await _settle()
    assert conn.closed
    conn.release()
    assert connector._pool.idle_count() == 0
    await connector.close()
