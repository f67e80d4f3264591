"""The server's fast paths and the general paths beside them: both must behave the same.

The request loop sends a plain :class:`~aiohttp.web.Response` without coroutines
(``Response._send_nowait``), matches plain resources without one per resource
(``UrlDispatcher._resolve_nowait``), and calls ``serve_connection``/``finish_response``
directly; subclasses that override the methods involved take the general path.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from typing import ClassVar, Optional

from multidict import CIMultiDict

from aiohttp import web
from aiohttp._web_deadlines import ConnectionDeadlines, Expired, SecondTimers
from aiohttp.abc import AbstractStreamWriter
from aiohttp.base_protocol import BaseProtocol
from aiohttp.http_writer import StreamWriter
from aiohttp.test_utils import make_mocked_request
from aiohttp.typedefs import Byteish
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest, Request
from aiohttp.web_response import Response, StreamResponse
from aiohttp.web_server import Server

from ._web_fixtures import get, raw_conn, request_factory, serve, serve_app, serve_with_factory

# --- the request loop ------------------------------------------------------------------------


class _CountingHandler(RequestHandler):
    """Overrides start() and finish_response(): the loop must go through them."""

    calls: ClassVar[list[str]] = []

    async def start(self) -> None:
        self.calls.append("start")
        await super().start()

    async def finish_response(
        self, request: BaseRequest, resp: StreamResponse, start_time: Optional[float]
    ) -> tuple[StreamResponse, bool]:
        self.calls.append("finish_response")
        return await super().finish_response(request, resp, start_time)


class _CountingServer(Server):
    def __call__(self) -> RequestHandler:
        return _CountingHandler(self, loop=self._loop, **self._kwargs)


async def _hello(request: BaseRequest) -> StreamResponse:
    return Response(text="hello")


async def test_request_handler_subclass_methods_are_used() -> None:
    _CountingHandler.calls = []
    loop = asyncio.get_running_loop()
    server = _CountingServer(_hello, access_log=None)
    listener = await loop.create_server(server, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        async with raw_conn(port) as conn:
            await conn.send(get() + get())
            first = await conn.read_response()
            second = await conn.read_response()
        assert first.body == second.body == b"hello"
        assert _CountingHandler.calls == ["start", "finish_response", "finish_response"]
    finally:
        listener.close()
        await server.shutdown(1.0)
        await listener.wait_closed()


async def test_plain_request_handler_takes_the_direct_path() -> None:
    server = Server(_hello)
    assert server()._plain
    assert not _CountingServer(_hello)()._plain


async def test_large_plain_response_waits_for_the_transport() -> None:
    # Far above any loopback buffer: the transport pauses and the loop awaits drain().
    body = bytes(range(256)) * (128 * 1024)

    async def big(request: BaseRequest) -> StreamResponse:
        return Response(body=body)

    async with serve(big) as srv, raw_conn(srv.port) as conn:
        await conn.send(get())
        resp = await conn.read_response(timeout=30)
    assert resp.header("Content-Length") == str(len(body))
    assert resp.body == body


async def test_closed_connection_drops_its_deadline_callback() -> None:
    # The deadline timer's callback pointed back at the handler: a closed connection
    # would otherwise wait for the cycle collector to be freed.
    async with serve(_hello) as srv, raw_conn(srv.port) as conn:
        await conn.send(get(extra="Connection: close\r\n"))
        handler = next(iter(srv.server.connections))
        assert (await conn.read_response()).body == b"hello"
        assert await conn.closed_by_peer()
        for _ in range(100):
            if handler.transport is None:
                break
            await asyncio.sleep(0.01)
        assert handler.transport is None
        assert not [r for r in gc.get_referrers(handler) if getattr(r, "__self__", None) is handler]


async def test_deadlines_close_silences_the_timer() -> None:
    fired: list[Expired] = []
    loop = asyncio.get_running_loop()
    deadlines = ConnectionDeadlines(loop, fired.append, 60)
    deadlines.start_head(0.01)
    deadlines.close()
    deadlines.start_idle(0.01)  # armed again after close: fires into nothing
    await asyncio.sleep(0.05)
    assert fired == []


async def test_rounded_deadlines_share_one_timer_per_second() -> None:
    loop = asyncio.get_running_loop()
    shared = SecondTimers()
    fired: dict[str, list[Expired]] = {"a": [], "b": [], "c": []}
    a, b, c = (ConnectionDeadlines(loop, fired[k].append, 0.0, shared) for k in "abc")
    scheduled_before = len(loop._scheduled)  # type: ignore[attr-defined]  # the loop's timer heap
    a.start_idle(0.05)
    b.start_idle(0.05)
    c.start_head(0.05)
    seconds = list(shared._due)
    assert len(seconds) in (1, 2)  # whole seconds (two only if one just ticked over)
    assert all(second.is_integer() and second >= loop.time() for second in seconds)
    assert len(loop._scheduled) - scheduled_before == len(seconds)  # type: ignore[attr-defined]
    c.cancel()  # leaves its second's set; never fires
    assert all(c not in due for due in shared._due.values())
    await asyncio.sleep(max(seconds) - loop.time() + 0.1)
    assert fired == {"a": ["idle"], "b": ["idle"], "c": []}
    assert shared._due == {}


async def test_a_failing_deadline_callback_does_not_strand_the_others() -> None:
    loop = asyncio.get_running_loop()
    shared = SecondTimers()
    reported: list[dict[str, object]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    fired: list[int] = []

    def failing(number: int) -> Callable[[Expired], None]:
        def on_expired(which: Expired) -> None:
            fired.append(number)
            raise RuntimeError(f"boom {number}")

        return on_expired

    try:
        for number in range(3):  # every callback fails: each must still be called
            ConnectionDeadlines(loop, failing(number), 0.0, shared).start_idle(0.01)
        await asyncio.sleep(max(shared._due) - loop.time() + 0.1)
    finally:
        loop.set_exception_handler(previous)
    assert sorted(fired) == [0, 1, 2]
    assert [type(c["exception"]) for c in reported] == [RuntimeError] * 3


async def test_earlier_deadline_moves_a_connection_off_its_shared_second() -> None:
    loop = asyncio.get_running_loop()
    shared = SecondTimers()
    fired: list[Expired] = []
    deadlines = ConnectionDeadlines(loop, fired.append, 1.0, shared)
    deadlines.start_idle(30)  # rounded: joins a shared second
    assert [len(due) for due in shared._due.values()] == [1]
    deadlines.head = None
    deadlines.start_head(0.05)  # below the threshold: a timer of its own, earlier
    assert [len(due) for due in shared._due.values()] == [0]
    await asyncio.sleep(0.15)
    assert fired == ["head"]
    deadlines.close()


# --- responses -------------------------------------------------------------------------------


class _PrepareOverride(Response):
    async def prepare(self, request: BaseRequest) -> Optional[AbstractStreamWriter]:
        self.headers["X-Prepared-By"] = "subclass"
        return await super().prepare(request)


class _WriteEofOverride(Response):
    async def write_eof(self, data: bytes = b"") -> None:
        self.headers["X-Ignored"] = "too late"  # the head is out already
        await super().write_eof(data)


class _ShortLength(Response):
    @property
    def content_length(self) -> Optional[int]:
        length = super().content_length
        return None if length is None else length - 1

    @content_length.setter
    def content_length(self, value: Optional[int]) -> None:
        raise RuntimeError("Content length is set automatically")


async def test_response_subclasses_take_the_general_path() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        kind = request.path
        if kind == "/prepare":
            return _PrepareOverride(text="p")
        if kind == "/eof":
            return _WriteEofOverride(text="e")
        return Response(text="plain")

    async with serve(handler) as srv, raw_conn(srv.port) as conn:
        await conn.send(get("/prepare") + get("/eof") + get("/plain"))
        prepared = await conn.read_response()
        eof = await conn.read_response()
        plain = await conn.read_response()
    assert prepared.body == b"p" and prepared.header("X-Prepared-By") == "subclass"
    assert eof.body == b"e" and eof.header("X-Ignored") is None
    assert plain.body == b"plain" and plain.header("Content-Length") == "5"


async def test_preset_length_hint_respects_a_content_length_override() -> None:
    request = make_mocked_request("GET", "/")
    assert Response(body=b"abcd")._preset_length(request) == 4
    short = _ShortLength(body=b"abcd")
    assert short._preset_length(request) == -1  # ask the (overridden) property
    assert short.headers["Content-Length"] == "4"
    assert short.content_length == 3
    chunked = Response(body=b"abcd")
    chunked.enable_chunked_encoding()
    assert chunked._preset_length(request) == -1
    declared = Response(body=b"abcd", headers={"Content-Length": "4"}, status=204)
    assert declared._preset_length(request) == -1
    assert "Content-Length" not in declared.headers


async def test_send_nowait_declines_what_it_cannot_do() -> None:
    request = make_mocked_request("GET", "/")
    assert StreamResponse()._send_nowait(request) is None
    compressed = Response(body=b"x")
    compressed.enable_compression()
    assert compressed._send_nowait(request) is None
    head = make_mocked_request("HEAD", "/")
    assert Response(body=b"x")._send_nowait(head) is None  # mocked writer: not a StreamWriter


class _HookedBaseRequest(BaseRequest):
    async def _prepare_hook(self, response: StreamResponse) -> None:
        response.headers["X-Hook"] = "base"


class _HookedRequest(Request):
    async def _prepare_hook(self, response: StreamResponse) -> None:
        response.headers["X-Hook"] = "request"


async def test_overridden_prepare_hooks_run() -> None:
    for cls, value in ((_HookedBaseRequest, "base"), (_HookedRequest, "request")):
        factory = request_factory(cls=cls)
        async with serve_with_factory(_hello, factory) as srv, raw_conn(srv.port) as conn:
            await conn.send(get())
            resp = await conn.read_response()
        assert resp.body == b"hello" and resp.header("X-Hook") == value


async def test_on_response_prepare_signal_runs_on_a_plain_response() -> None:
    async def on_prepare(request: web.Request, response: StreamResponse) -> None:
        response.headers["X-Signal"] = "yes"

    app = web.Application()
    app.router.add_get("/", _hello)
    app.on_response_prepare.append(on_prepare)
    async with serve_app(app) as port, raw_conn(port) as conn:
        await conn.send(get())
        resp = await conn.read_response()
    assert resp.body == b"hello" and resp.header("X-Signal") == "yes"


# --- routing ---------------------------------------------------------------------------------


async def test_router_mixes_plain_resources_and_sub_applications() -> None:
    sub = web.Application()
    sub.router.add_get("/x", _hello)
    app = web.Application()
    app.router.add_get("/a", _hello)
    app.router.add_post("/b", _hello)
    app.add_subapp("/sub", sub)
    async with serve_app(app) as port, raw_conn(port) as conn:
        await conn.send(get("/a") + get("/sub/x") + get("/b") + get("/nope"))
        statuses = [(await conn.read_response()).status for _ in range(4)]
        assert statuses == [200, 200, 405, 404]


# --- the writer ------------------------------------------------------------------------------


class _Transport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []

    def write(self, data: Byteish) -> None:
        self.writes.append(bytes(data))

    def writelines(self, list_of_data: object) -> None:
        assert isinstance(list_of_data, list)
        self.writes.append(b"".join(list_of_data))

    def is_closing(self) -> bool:
        return False


def _writer() -> tuple[StreamWriter, _Transport, BaseProtocol]:
    protocol = BaseProtocol(asyncio.get_running_loop())
    transport = _Transport()
    protocol.connection_made(transport)
    return StreamWriter(protocol, asyncio.get_running_loop()), transport, protocol


async def test_write_eof_nowait_cases() -> None:
    headers = CIMultiDict({"X": "1"})
    writer, transport, _ = _writer()
    assert writer._write_headers_nowait("HTTP/1.1 200 OK", headers)
    writer.length = 0  # everything capped away: the head alone goes out
    assert writer._write_eof_nowait(b"abc")
    assert transport.writes == [b"HTTP/1.1 200 OK\r\nX: 1\r\n\r\n"]
    assert writer._write_eof_nowait(b"more")  # ended already: nothing more
    assert len(transport.writes) == 1

    writer, transport, _ = _writer()
    big = b"z" * 20000
    await writer.write_headers("HTTP/1.1 200 OK", headers)
    assert writer._write_eof_nowait(big)
    assert transport.writes == [b"HTTP/1.1 200 OK\r\nX: 1\r\n\r\n" + big]
    assert writer.output_size == len(transport.writes[0])

    writer, transport, _ = _writer()
    writer.enable_chunking()
    assert not writer._write_eof_nowait(b"abc")
    assert transport.writes == []

    async def on_headers(headers: CIMultiDict[str]) -> None:
        return None

    writer = StreamWriter(writer.protocol, asyncio.get_running_loop(), on_headers_sent=on_headers)
    assert not writer._write_headers_nowait("HTTP/1.1 200 OK", headers)


async def test_write_eof_fast_path_waits_while_paused() -> None:
    writer, transport, protocol = _writer()
    protocol.pause_writing()
    assert writer._must_drain()
    done = asyncio.ensure_future(writer.write_eof(b"body"))
    await asyncio.sleep(0)
    assert transport.writes == [b"body"] and not done.done()
    protocol.resume_writing()
    await done
    assert not writer._must_drain()
