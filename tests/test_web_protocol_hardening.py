"""Raw-socket tests of the server's defences: Host rules, HTTP/1.0 framing, slow or silent
clients, line limits however a line is split, and control characters in what we send."""

from __future__ import annotations

import asyncio
import logging

import pytest

from aiohttp.web_request import BaseRequest
from aiohttp.web_response import Response, StreamResponse

from ._web_fixtures import RawConn, get, raw_conn, serve


async def ok(request: BaseRequest) -> StreamResponse:
    return Response(text=f"host={request.host}")


async def expect_400_and_close(conn: RawConn) -> bytes:
    resp = await conn.read_response()
    assert resp.status == 400
    assert resp.header("Connection") == "close"
    assert await conn.closed_by_peer()
    # No internals: no traceback, no exception class names.
    for leak in (b"Traceback", b"BadHttpMessage", b"LineTooLong", b"aiohttp", b"File "):
        assert leak not in resp.body
    return resp.body


@pytest.mark.parametrize(
    "head",
    [
        b"GET / HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: user@evil\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a/b\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: [zz::1]\r\n\r\n",
        b"GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n",
    ],
    ids=["missing", "twice", "space", "userinfo", "slash", "bad-ipv6", "http10-twice"],
)
async def test_host_header_invalid_is_400(head: bytes) -> None:
    async with serve(ok) as srv, raw_conn(srv.port) as conn:
        await conn.send(head)
        body = await expect_400_and_close(conn)
    assert b"Host" in body


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"GET / HTTP/1.1\r\nHost: example.com:8080\r\n\r\n", b"host=example.com:8080"),
        (b"GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", b"host=[::1]:80"),
        (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", b"host=127.0.0.1"),
        (b"GET / HTTP/1.1\r\nHost: \r\n\r\n", b"host="),
    ],
)
async def test_host_header_valid_forms_accepted(head: bytes, expected: bytes) -> None:
    async with serve(ok) as srv, raw_conn(srv.port) as conn:
        await conn.send(head)
        assert (await conn.read_response()).body == expected


async def test_http10_without_host_accepted() -> None:
    async with serve(ok) as srv, raw_conn(srv.port) as conn:
        await conn.send(b"GET / HTTP/1.0\r\n\r\n")
        assert (await conn.read_response()).status == 200


async def test_http10_with_transfer_encoding_is_400_and_close() -> None:
    async with serve(ok) as srv, raw_conn(srv.port) as conn:
        await conn.send(
            b"POST / HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        )
        await expect_400_and_close(conn)


async def test_content_length_with_transfer_encoding_is_400() -> None:
    async with serve(ok) as srv, raw_conn(srv.port) as conn:
        await conn.send(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        )
        await expect_400_and_close(conn)


async def test_bad_request_after_good_pipelined_one_answers_both() -> None:
    async with serve(ok) as srv, raw_conn(srv.port) as conn:
        await conn.send(get("/a"))
        assert (await conn.read_response()).status == 200
        await conn.send(b"NOT-HTTP\r\n\r\n")
        await expect_400_and_close(conn)


async def test_slow_head_gets_408_after_read_head_timeout() -> None:
    async with serve(ok, read_head_timeout=0.3) as srv, raw_conn(srv.port) as conn:
        loop = asyncio.get_running_loop()
        start = loop.time()
        answer = asyncio.ensure_future(conn.read_all())
        head = get("/slow", extra="X-Pad: " + "a" * 100 + "\r\n")
        try:
            for i in range(len(head) - 1):  # a byte every 20 ms, never the final one
                if answer.done():
                    break
                await conn.send(head[i : i + 1])
                await asyncio.sleep(0.02)
        except ConnectionError:
            pass
        data = await answer
        elapsed = loop.time() - start
    assert data.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert 0.25 < elapsed < 2.0


async def test_silent_connection_is_closed_after_read_head_timeout() -> None:
    async with serve(ok, read_head_timeout=0.2) as srv, raw_conn(srv.port) as conn:
        loop = asyncio.get_running_loop()
        start = loop.time()
        data = await conn.read_all(timeout=3)
        assert data == b""  # closed without an answer: nothing was asked
        assert loop.time() - start < 2


async def test_idle_keep_alive_connection_closed_after_keepalive_timeout() -> None:
    async with serve(ok, keepalive_timeout=0.2) as srv, raw_conn(srv.port) as conn:
        await conn.send(get())
        assert (await conn.read_response()).status == 200
        loop = asyncio.get_running_loop()
        start = loop.time()
        assert await conn.closed_by_peer(timeout=3)
        assert loop.time() - start < 2


async def test_deadlines_rounded_to_whole_seconds_close_idle_and_silent_connections() -> None:
    # timeout_ceil_threshold below the timeouts: deadlines fall on whole seconds, where
    # the connections share one timer per second
    async with (
        serve(ok, keepalive_timeout=0.2, read_head_timeout=0.3, timeout_ceil_threshold=0.1) as srv,
        raw_conn(srv.port) as idle,
        raw_conn(srv.port) as silent,
        raw_conn(srv.port) as busy,
    ):
        await idle.send(get())
        assert (await idle.read_response()).status == 200
        loop = asyncio.get_running_loop()
        start = loop.time()
        closed = asyncio.gather(idle.closed_by_peer(timeout=4), silent.closed_by_peer(timeout=4))
        for _ in range(3):  # keeps answering while the other two wait for their second
            await busy.send(get())
            assert (await busy.read_response()).status == 200
            await asyncio.sleep(0.05)
        assert list(await closed) == [True, True]
        assert 0.15 < loop.time() - start < 3  # not before the deadline, nor much after


async def test_busy_keep_alive_connection_is_not_closed_by_idle_timer() -> None:
    async with serve(ok, keepalive_timeout=0.3) as srv, raw_conn(srv.port) as conn:
        for _ in range(6):  # 0.6 s of activity, requests 0.1 s apart
            await conn.send(get())
            assert (await conn.read_response()).status == 200
            await asyncio.sleep(0.1)


async def test_request_line_limit_holds_when_split_byte_by_byte() -> None:
    async with serve(ok, max_line_size=100) as srv, raw_conn(srv.port) as conn:
        head = b"GET /" + b"a" * 200 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
        try:
            for i in range(len(head)):
                await conn.send(head[i : i + 1])
        except ConnectionError:
            pass
        body = await expect_400_and_close(conn)
    assert b"100" in body  # the limit is named, nothing more


async def test_header_line_limit_holds_when_split_across_reads() -> None:
    async with serve(ok, max_field_size=64) as srv, raw_conn(srv.port) as conn:
        head = b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + b"v" * 100 + b"\r\n\r\n"
        try:
            for i in range(0, len(head), 7):
                await conn.send(head[i : i + 7])
                await asyncio.sleep(0)
        except ConnectionError:
            pass
        await expect_400_and_close(conn)


async def test_lines_at_the_limit_split_across_reads_are_accepted() -> None:
    async with serve(ok, max_line_size=100, max_field_size=64) as srv, raw_conn(srv.port) as conn:
        target = b"/" + b"a" * (100 - len(b"GET  HTTP/1.1") - 1)
        field = b"X-F: " + b"v" * (64 - 5)
        head = b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n" + field + b"\r\n\r\n"
        for i in range(0, len(head), 3):
            await conn.send(head[i : i + 3])
        assert (await conn.read_response()).status == 200


@pytest.mark.parametrize(
    "reason", ["OK\r\nX-Injected: 1", "OK\nX: y", "OK\x00", "OK\x01", "OK\x7f"]
)
def test_reason_with_control_chars_refused_at_construction(reason: str) -> None:
    with pytest.raises(ValueError, match="control"):
        Response(reason=reason)


@pytest.mark.parametrize(
    "value", ["a\r\nX-Injected: 1", "a\nb", "a\rb", "a\x00b", "a\x01b", "a\x1fb", "a\x7fb"]
)
async def test_header_value_with_control_chars_is_500_and_logged(
    value: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        return Response(text="body", headers={"X-Bad": value})

    async with serve(handler) as srv, raw_conn(srv.port) as conn:
        with caplog.at_level(logging.ERROR, logger="aiohttp.server"):
            await conn.send(get())
            resp = await conn.read_response()
            raw = resp.raw_head
    assert resp.status == 500
    assert b"X-Injected" not in raw and b"X-Bad" not in raw
    assert resp.body.startswith(b"500 Internal Server Error")
    assert any(isinstance(r.exc_info and r.exc_info[1], ValueError) for r in caplog.records)


async def test_reason_set_after_construction_with_crlf_is_refused() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        resp = Response(text="x")
        try:
            resp.set_status(200, "OK\r\nX-Injected: yes")
        except ValueError:
            return Response(text="refused")
        return resp

    async with serve(handler) as srv, raw_conn(srv.port) as conn:
        await conn.send(get())
        resp = await conn.read_response()
    assert resp.body == b"refused"


async def test_garbage_bytes_get_400_not_a_crash() -> None:
    async with serve(ok) as srv, raw_conn(srv.port) as conn:
        await conn.send(
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 40 + b"\r\n\r\n"
        )
        resp = await conn.read_response()
        assert resp.status == 400
