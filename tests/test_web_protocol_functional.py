"""RequestHandler over loopback sockets: pipelining, keep-alive, HTTP/1.0, 100-continue,
disconnects, error pages, lingering, shutdown and access logging."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest

from aiohttp import web_exceptions
from aiohttp.web_protocol import RequestPayloadError
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import Response, StreamResponse

from ._web_fixtures import get, raw_conn, request_factory, serve, serve_with_factory


async def echo_path(request: BaseRequest) -> StreamResponse:
    return Response(text=request.path_qs)


async def test_pipelined_requests_answered_in_order() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        # The first request is the slowest: order must still hold.
        await asyncio.sleep(0.05 if request.path == "/1" else 0)
        return Response(text=request.path)

    async with serve(handler) as srv, raw_conn(srv.port) as conn:
        await conn.send(b"".join(get(f"/{i}") for i in range(1, 6)))
        bodies = [(await conn.read_response()).body for _ in range(5)]
    assert bodies == [b"/1", b"/2", b"/3", b"/4", b"/5"]


async def test_pipelined_posts_with_bodies_each_get_their_body() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        return Response(body=await request.read())

    reqs = b"".join(
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(b), b)
        for b in (b"one", b"two2", b"three")
    )
    async with serve(handler) as srv, raw_conn(srv.port) as conn:
        await conn.send(reqs)
        bodies = [(await conn.read_response()).body for _ in range(3)]
    assert bodies == [b"one", b"two2", b"three"]


async def test_pipelining_queue_is_bounded_and_reading_pauses() -> None:
    release = asyncio.Event()
    seen: list[str] = []

    async def handler(request: BaseRequest) -> StreamResponse:
        seen.append(request.path)
        await release.wait()
        return Response(text="ok")

    async with serve(handler) as srv, raw_conn(srv.port) as conn:
        # Many small requests in separate writes: the server must stop reading at the bound.
        for i in range(60):
            await conn.send(get(f"/{i}"))
        await asyncio.sleep(0.2)
        (proto,) = srv.server.connections
        assert proto._reading_paused
        assert len(proto._messages) <= 64  # what one read can hold, never all of them
        release.set()
        statuses = [(await conn.read_response()).status for _ in range(60)]
    assert statuses == [200] * 60
    assert seen == [f"/{i}" for i in range(60)]


async def test_keep_alive_connection_is_reused_by_httpx() -> None:
    peers: set[object] = set()

    async def handler(request: BaseRequest) -> StreamResponse:
        peers.add(request.transport)
        return Response(text="hi")

    async with serve(handler) as srv, httpx.AsyncClient() as client:
        for _ in range(3):
            resp = await client.get(srv.url + "/")
            assert resp.text == "hi"
    assert len(peers) == 1


async def test_http10_closes_by_default() -> None:
    async with serve(echo_path) as srv, raw_conn(srv.port) as conn:
        await conn.send(b"GET /a HTTP/1.0\r\n\r\n")
        resp = await conn.read_response()
        assert resp.version == "HTTP/1.0"
        assert resp.body == b"/a"
        assert await conn.closed_by_peer()


async def test_http10_keep_alive_when_asked() -> None:
    async with serve(echo_path) as srv, raw_conn(srv.port) as conn:
        await conn.send(b"GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        resp = await conn.read_response()
        assert resp.header("Connection") == "keep-alive"
        await conn.send(b"GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        assert (await conn.read_response()).body == b"/b"


async def test_http10_stream_without_length_ends_with_close() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        resp = StreamResponse()
        await resp.prepare(request)
        await resp.write(b"part1-")
        await resp.write(b"part2")
        return resp

    async with serve(handler) as srv, raw_conn(srv.port) as conn:
        await conn.send(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        resp = await conn.read_response()
        assert resp.header("Transfer-Encoding") is None
        assert resp.body == b"part1-part2"


async def test_http11_connection_close_request_closes() -> None:
    async with serve(echo_path) as srv, raw_conn(srv.port) as conn:
        await conn.send(get("/x", extra="Connection: close\r\n"))
        resp = await conn.read_response()
        assert resp.header("Connection") == "close"
        assert await conn.closed_by_peer()


async def test_expect_100_continue_interim_then_body() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        if request.headers.get("Expect", "").lower() == "100-continue":
            await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        return Response(body=await request.read())

    async with serve(handler) as srv, raw_conn(srv.port) as conn:
        await conn.send(
            b"POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"
        )
        interim = await conn.read_response()
        assert interim.status == 100
        await conn.send(b"hello")
        final = await conn.read_response()
        assert (final.status, final.body) == (200, b"hello")


async def test_expect_100_answered_without_continue_closes_instead_of_waiting() -> None:
    async with serve(echo_path, lingering_time=30) as srv, raw_conn(srv.port) as conn:
        await conn.send(
            b"POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"
        )
        resp = await conn.read_response()
        assert resp.status == 200
        assert await conn.closed_by_peer(timeout=2)


async def test_disconnect_mid_body_fails_the_read_and_handler_runs_on() -> None:
    outcome: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def handler(request: BaseRequest) -> StreamResponse:
        try:
            await request.read()
        except (RequestPayloadError, ConnectionResetError) as exc:
            await asyncio.sleep(0.05)  # not cancelled: still running after the disconnect
            outcome.set_result(type(exc).__name__)
            raise
        outcome.set_result("read")
        return Response()

    async with serve(handler) as srv:
        async with raw_conn(srv.port) as conn:
            await conn.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
            await asyncio.sleep(0.05)
        assert await asyncio.wait_for(outcome, 2) == "RequestPayloadError"


async def test_disconnect_does_not_cancel_handler_by_default() -> None:
    done = asyncio.Event()
    cancelled = asyncio.Event()

    async def handler(request: BaseRequest) -> StreamResponse:
        try:
            await asyncio.sleep(0.2)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        done.set()
        return Response(text="late")

    async with serve(handler) as srv:
        async with raw_conn(srv.port) as conn:
            await conn.send(get())
            await asyncio.sleep(0.05)
        await asyncio.wait_for(done.wait(), 2)
    assert not cancelled.is_set()


async def test_disconnect_cancels_handler_with_handler_cancellation() -> None:
    cancelled = asyncio.Event()

    async def handler(request: BaseRequest) -> StreamResponse:
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return Response()

    async with serve(handler, handler_cancellation=True) as srv:
        async with raw_conn(srv.port) as conn:
            await conn.send(get())
            await asyncio.sleep(0.05)
        await asyncio.wait_for(cancelled.wait(), 2)


async def test_handler_exception_is_500_without_traceback(caplog: pytest.LogCaptureFixture) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        raise KeyError("secret-internal-detail")

    async with serve(handler) as srv, raw_conn(srv.port) as conn:
        with caplog.at_level(logging.ERROR, logger="aiohttp.server"):
            await conn.send(get(extra="Accept: text/html\r\n"))
            resp = await conn.read_response()
    assert resp.status == 500
    assert b"secret-internal-detail" not in resp.body
    assert b"Traceback" not in resp.body
    assert b"<h1>500 Internal Server Error</h1>" in resp.body
    assert resp.header("Connection") == "close"
    assert any(r.exc_info and r.exc_info[0] is KeyError for r in caplog.records)


async def test_handler_exception_in_debug_shows_traceback() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        raise KeyError("<visible>")

    async with serve(handler, debug=True) as srv, raw_conn(srv.port) as conn:
        await conn.send(get(extra="Accept: text/html\r\n"))
        html = await conn.read_response()
    assert b"Traceback" in html.body
    assert b"&lt;visible&gt;" in html.body  # escaped
    assert html.header("Content-Type") == "text/html; charset=utf-8"

    async with serve(handler, debug=True) as srv, raw_conn(srv.port) as conn:
        await conn.send(get())
        text = await conn.read_response()
    assert text.header("Content-Type") == "text/plain; charset=utf-8"
    assert b"KeyError" in text.body


async def test_http_exception_raised_becomes_its_response() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        raise web_exceptions.HTTPForbidden(text="nope")

    async with serve(handler) as srv, httpx.AsyncClient() as client:
        resp = await client.get(srv.url)
    assert (resp.status_code, resp.text) == (403, "nope")


async def test_handler_timeout_error_is_504() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        raise asyncio.TimeoutError

    async with serve(handler) as srv, httpx.AsyncClient() as client:
        resp = await client.get(srv.url)
    assert resp.status_code == 504


async def test_handler_returning_non_response_is_500(caplog: pytest.LogCaptureFixture) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        return "not a response"  # type: ignore[return-value]  # the misuse under test

    async with serve(handler) as srv, httpx.AsyncClient() as client:
        with caplog.at_level(logging.ERROR, logger="aiohttp.server"):
            resp = await client.get(srv.url)
    assert resp.status_code == 500
    assert "Web-handler should return a response instance" in caplog.text


async def test_unread_body_is_drained_and_connection_kept() -> None:
    async with serve(echo_path) as srv, raw_conn(srv.port) as conn:
        await conn.send(b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01234")
        assert (await conn.read_response()).body == b"/a"
        await conn.send(b"56789" + get("/b"))  # rest of the unread body, then a new request
        assert (await conn.read_response()).body == b"/b"


async def test_unread_body_that_never_ends_is_bounded_by_lingering_time() -> None:
    async with serve(echo_path, lingering_time=0.2) as srv, raw_conn(srv.port) as conn:
        await conn.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nab")
        assert (await conn.read_response()).status == 200
        assert await conn.closed_by_peer(timeout=2)


async def test_reading_body_after_response_raises_payload_access_error() -> None:
    stash: list[BaseRequest] = []

    async def handler(request: BaseRequest) -> StreamResponse:
        stash.append(request)
        return Response()

    async with serve(handler) as srv, raw_conn(srv.port) as conn:
        await conn.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
        await conn.read_response()
        await asyncio.sleep(0.05)
    from aiohttp.web_protocol import PayloadAccessError

    with pytest.raises(PayloadAccessError):
        await stash[0].content.read()


async def test_shutdown_waits_for_in_flight_handler() -> None:
    started = asyncio.Event()

    async def handler(request: BaseRequest) -> StreamResponse:
        started.set()
        await asyncio.sleep(0.1)
        return Response(text="finished")

    async with serve(handler) as srv, raw_conn(srv.port) as conn:
        await conn.send(get())
        await started.wait()
        await srv.server.shutdown(2.0)
        resp = await conn.read_response()
        assert resp.body == b"finished"
        assert srv.server.connections == []


async def test_shutdown_cancels_handler_after_timeout() -> None:
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def handler(request: BaseRequest) -> StreamResponse:
        started.set()
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return Response()

    async with serve(handler) as srv, raw_conn(srv.port) as conn:
        await conn.send(get())
        await started.wait()
        await asyncio.wait_for(srv.server.shutdown(0.1), 2)
        assert cancelled.is_set()
        assert await conn.closed_by_peer()


async def test_force_close_from_handler_closes_after_response() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        resp = Response(text="bye")
        resp.force_close()
        return resp

    async with serve(handler) as srv, raw_conn(srv.port) as conn:
        await conn.send(get())
        resp = await conn.read_response()
        assert resp.header("Connection") == "close"
        assert await conn.closed_by_peer()


async def test_access_log_written_when_enabled(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.access.enabled")
    async with serve(echo_path, access_log=logger, access_log_format="%r %s") as srv:
        with caplog.at_level(logging.INFO, logger="test.access.enabled"):
            async with httpx.AsyncClient() as client:
                await client.get(srv.url + "/logged?q=1")
    assert [r.getMessage() for r in caplog.records if r.name == logger.name] == [
        "GET /logged?q=1 HTTP/1.1 200"
    ]


async def test_access_log_disabled_with_none_and_custom_logger_class() -> None:
    from aiohttp.abc import AbstractAccessLogger

    calls: list[tuple[str, int]] = []

    class Recorder(AbstractAccessLogger):
        def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
            calls.append((request.path, response.status))

        @property
        def enabled(self) -> bool:
            return self.log_format == "on"

    async with (
        serve(echo_path, access_log=None, access_log_class=Recorder) as srv,
        httpx.AsyncClient() as client,
    ):
        await client.get(srv.url + "/off")
    off = logging.getLogger("test.access.custom")
    async with (
        serve(echo_path, access_log=off, access_log_class=Recorder) as srv,
        httpx.AsyncClient() as client,
    ):
        await client.get(srv.url + "/disabled")
    async with (
        serve(echo_path, access_log=off, access_log_class=Recorder, access_log_format="on") as srv,
        httpx.AsyncClient() as client,
    ):
        await client.get(srv.url + "/on")
    assert calls == [("/on", 200)]


async def test_request_task_and_protocol_exposed() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        assert request.task is asyncio.current_task()
        assert request.protocol.transport is request.transport
        return Response()

    async with serve(handler) as srv, httpx.AsyncClient() as client:
        assert (await client.get(srv.url)).status_code == 200


async def test_request_entity_too_large_is_413() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        return Response(body=await request.read())

    async with serve_with_factory(handler, request_factory(10)) as srv, httpx.AsyncClient() as c:
        ok = await c.post(srv.url, content=b"0123456789")
        big = await c.post(srv.url, content=b"0123456789A")
    assert (ok.status_code, ok.content) == (200, b"0123456789")
    assert big.status_code == 413
