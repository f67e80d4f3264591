"""ClientSession itself: construction and its checks, properties, closing, the unclosed-session
warning, timeouts (total, sock_read, connect), the ``aiohttp.request`` helper and a user
connector that only has the shape of :class:`~aiohttp.abc.AbstractConnector`."""

from __future__ import annotations

import asyncio
import gc
import pickle
import socket
from collections.abc import AsyncIterator, Awaitable, Coroutine
from typing import Optional

import attrs
import pytest

import aiohttp.client as client_module
from aiohttp.client import (
    ClientRequest,
    ClientResponse,
    ClientResponseError,
    ClientSession,
    ClientTimeout,
    ClientWSTimeout,
    ConnectionTimeoutError,
    InvalidUrlClientError,
    ServerTimeoutError,
    SocketTimeoutError,
    TCPConnector,
    request,
)
from aiohttp.client_proto import ResponseHandler
from aiohttp.client_reqrep import RequestInfo
from aiohttp.connector import Connection
from aiohttp.cookiejar import DummyCookieJar
from aiohttp.helpers import BaseTimerContext, BasicAuth
from aiohttp.http_writer import HttpVersion10
from aiohttp.tracing import Trace, TraceConfig
from tests._raw_server import RawConnection, RawServer, Request, raw_server
from tests._session_helpers import base, reply, requests_of, serve


def ok(request: Request) -> bytes:
    return reply(200, b"hello")


# -- construction -------------------------------------------------------------------------


async def test_defaults() -> None:
    async with ClientSession() as session:
        assert session.timeout == ClientTimeout(total=300, sock_connect=30)
        assert isinstance(session.connector, TCPConnector)
        assert session.connector_owner is True
        assert session.headers == {}
        assert session.skip_auto_headers == frozenset()
        assert session.auth is None
        assert session.raise_for_status is False
        assert session.auto_decompress is True
        assert session.trust_env is False
        assert session.requote_redirect_url is True
        assert session.trace_configs == []
        assert session.version == (1, 1)
        assert not session.closed


async def test_options_are_kept() -> None:
    jar = DummyCookieJar()
    timeout = ClientTimeout(total=1, sock_read=2)
    async with ClientSession(
        headers={"X": "1"},
        skip_auto_headers=["user-agent"],
        auth=BasicAuth("a", "b"),
        cookie_jar=jar,
        timeout=timeout,
        version=HttpVersion10,
        raise_for_status=True,
        auto_decompress=False,
        trust_env=True,
        requote_redirect_url=False,
    ) as session:
        assert session.headers["x"] == "1"
        assert session.skip_auto_headers == {"user-agent"}
        assert session.auth == BasicAuth("a", "b")
        assert session.cookie_jar is jar
        assert session.timeout is timeout
        assert session.version == HttpVersion10
        assert session.raise_for_status is True
        assert session.auto_decompress is False
        assert session.trust_env is True
        assert session.requote_redirect_url is False


async def test_timeout_must_be_a_client_timeout() -> None:
    with pytest.raises(ValueError, match="ClientTimeout"):
        ClientSession(timeout=5)  # type: ignore[arg-type]  # 3.13 refuses it at run time too


async def test_deprecated_read_and_conn_timeout() -> None:
    with pytest.warns(DeprecationWarning, match="read_timeout"):
        session = ClientSession(read_timeout=7)
    assert session.timeout.total == 7
    await session.close()
    with pytest.warns(DeprecationWarning, match="conn_timeout"):
        session = ClientSession(conn_timeout=3)
    assert session.timeout.connect == 3
    await session.close()
    with pytest.raises(ValueError, match="conflict"):
        ClientSession(timeout=ClientTimeout(), read_timeout=1)
    with pytest.raises(ValueError, match="conflict"):
        ClientSession(timeout=ClientTimeout(), conn_timeout=1)


@pytest.mark.parametrize("bad", ["http://h/api", "/relative/", "api/"])
async def test_base_url_must_be_absolute_with_trailing_slash(bad: str) -> None:
    with pytest.raises(ValueError):
        ClientSession(bad)


async def test_ssl_shutdown_timeout_is_deprecated() -> None:
    with pytest.warns(DeprecationWarning, match="ssl_shutdown_timeout"):
        session = ClientSession(ssl_shutdown_timeout=0)
    await session.close()


async def test_subclassing_is_discouraged() -> None:
    with pytest.warns(DeprecationWarning, match="discouraged"):

        class Mine(ClientSession):
            pass


async def test_trace_configs_are_frozen() -> None:
    config = TraceConfig()
    async with ClientSession(trace_configs=[config]):
        with pytest.raises(RuntimeError):
            config.on_request_start.append(_noop_trace)


async def _noop_trace(session: ClientSession, ctx: object, params: object) -> None:
    return None


async def test_deprecated_setters_and_loop() -> None:
    async with ClientSession() as session:
        with pytest.warns(DeprecationWarning):
            session.requote_redirect_url = False  # type: ignore[deprecated]  # on purpose
        assert session.requote_redirect_url is False
        with pytest.warns(DeprecationWarning):
            assert session.loop is asyncio.get_running_loop()  # type: ignore[deprecated]  # on purpose


def test_session_needs_a_running_loop() -> None:
    with pytest.raises(RuntimeError):
        ClientSession()


async def test_request_returns_a_coroutine_like_context_manager() -> None:
    async with ClientSession() as session:
        cm = session.get("http://127.0.0.1:9/")
        assert isinstance(cm, Coroutine)
        assert isinstance(cm, Awaitable)
        cm.close()  # never sent


async def test_unknown_option_rejected_at_run_time() -> None:
    async with ClientSession() as session:
        with pytest.raises(TypeError, match="alow_redirects"):
            await session.get("http://127.0.0.1:9/", alow_redirects=False)  # type: ignore[call-arg]  # misspelt


async def test_client_timeout_is_a_frozen_value() -> None:
    timeout = ClientTimeout(1, 2, 3, 4, 6)
    assert (timeout.total, timeout.connect, timeout.sock_read, timeout.sock_connect) == (1, 2, 3, 4)
    assert timeout.ceil_threshold == 6
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        timeout.total = 5  # type: ignore[misc]  # frozen on purpose
    assert attrs.evolve(timeout, total=9).total == 9
    assert ClientTimeout() == ClientTimeout()
    assert hash(ClientTimeout(1)) == hash(ClientTimeout(1))
    ws = ClientWSTimeout(ws_receive=1.5)
    assert (ws.ws_receive, ws.ws_close) == (1.5, None)
    assert ClientTimeout.__module__ == "aiohttp.client"
    assert pickle.loads(pickle.dumps(timeout)) == timeout


# -- closing ------------------------------------------------------------------------------


async def test_close_is_idempotent_and_closes_an_owned_connector() -> None:
    session = ClientSession()
    connector = session.connector
    assert connector is not None
    await session.close()
    await session.close()
    assert session.closed
    assert connector.closed
    assert session.connector is None
    with pytest.raises(RuntimeError, match="Session is closed"):
        await session.get("http://127.0.0.1:9/")


async def test_connector_not_owned_stays_open() -> None:
    connector = TCPConnector()
    session = ClientSession(connector=connector, connector_owner=False)
    await session.close()
    assert not connector.closed
    await connector.close()


async def test_detach_leaves_the_connector_open() -> None:
    session = ClientSession()
    connector = session.connector
    assert connector is not None
    session.detach()
    assert session.closed
    assert not connector.closed
    await connector.close()


async def test_unclosed_session_warns_and_reports() -> None:
    loop = asyncio.get_running_loop()
    reports: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _loop, context: reports.append(context))
    try:
        connector = TCPConnector()
        session = ClientSession(connector=connector, connector_owner=False)
        with pytest.warns(ResourceWarning, match="Unclosed client session"):
            del session
            gc.collect()
        assert reports and reports[0]["message"] == "Unclosed client session"
    finally:
        loop.set_exception_handler(None)
    await connector.close()


# -- timeouts -----------------------------------------------------------------------------


async def _silent(conn: RawConnection) -> None:
    await conn.read_request()
    await asyncio.sleep(10)


async def test_total_timeout_while_waiting_for_the_head() -> None:
    async with raw_server(_silent) as srv, ClientSession() as session:
        loop = asyncio.get_running_loop()
        start = loop.time()
        with pytest.raises(asyncio.TimeoutError) as info:
            await session.get(base(srv), timeout=ClientTimeout(total=0.2))
        assert not isinstance(info.value, ServerTimeoutError)
        assert 0.15 < loop.time() - start < 2


async def test_total_timeout_covers_reading_the_body() -> None:
    async def handler(conn: RawConnection) -> None:
        await conn.read_request()
        conn.write(reply(200, b"part", [("Content-Length", "100")], length=False))
        await conn.drain()
        await asyncio.sleep(10)

    async with (
        raw_server(handler) as srv,
        ClientSession(timeout=ClientTimeout(total=0.3)) as session,
        session.get(base(srv)) as resp,
    ):
        assert resp.status == 200
        with pytest.raises(asyncio.TimeoutError):
            await resp.read()


async def test_sock_read_timeout() -> None:
    async with raw_server(_silent) as srv, ClientSession() as session:
        with pytest.raises(SocketTimeoutError):
            await session.post(base(srv), timeout=ClientTimeout(sock_read=0.1))


async def test_timeout_per_request_overrides_the_session() -> None:
    async with (
        raw_server(_silent) as srv,
        ClientSession(timeout=ClientTimeout(total=30)) as session,
    ):
        with pytest.raises(asyncio.TimeoutError):
            await session.post(base(srv), timeout=ClientTimeout(total=0.1))


async def test_numeric_timeout_still_works_at_run_time() -> None:
    async with raw_server(_silent) as srv, ClientSession() as session:
        with pytest.raises(asyncio.TimeoutError):
            await session.post(base(srv), timeout=0.1)  # type: ignore[arg-type]  # 3.13 compat


@pytest.fixture
async def black_hole() -> AsyncIterator[int]:
    """A port whose listen backlog is full: connecting to it hangs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    await asyncio.sleep(0.05)
    yield port
    for sock in [*fillers, listener]:
        sock.close()


@pytest.mark.parametrize("timeout", [ClientTimeout(sock_connect=0.2), ClientTimeout(connect=0.2)])
async def test_connect_timeout_to_a_black_hole(black_hole: int, timeout: ClientTimeout) -> None:
    async with ClientSession(timeout=timeout) as session:
        with pytest.raises(ConnectionTimeoutError):
            await session.get(f"http://127.0.0.1:{black_hole}/")


# -- the module-level helper ----------------------------------------------------------------


async def test_request_helper_sends_and_closes() -> None:
    async with serve(ok) as srv:
        async with request("GET", base(srv), params={"a": "1"}, cookies={"c": "v"}) as resp:
            assert resp.status == 200
            assert await resp.read() == b"hello"
        req = requests_of(srv)[0]
        assert req.request_line == b"GET /?a=1 HTTP/1.1"
        assert req.header("cookie") == b"c=v"
        assert req.header("connection") == b"close"  # its connector does not keep alive


async def test_request_helper_closes_the_session_on_failure() -> None:
    with pytest.raises(ValueError):
        async with request("POST", "http://127.0.0.1:9/", data=b"x", json=1):
            pass


async def test_request_helper_with_a_given_connector() -> None:
    async with serve(ok) as srv, TCPConnector() as connector:
        async with request("GET", base(srv), connector=connector) as resp:
            await resp.read()
        assert not connector.closed


# -- a connector with the right shape only --------------------------------------------------


class CountingConnector:
    """Satisfies AbstractConnector structurally by delegating to a TCPConnector."""

    def __init__(self) -> None:
        self.inner = TCPConnector()
        self.connects = 0

    async def connect(
        self, req: ClientRequest, traces: list[Trace], timeout: ClientTimeout
    ) -> Connection:
        self.connects += 1
        return await self.inner.connect(req, traces, timeout)

    async def close(self) -> None:
        await self.inner.close()

    @property
    def closed(self) -> bool:
        return self.inner.closed

    @property
    def limit(self) -> int:
        return self.inner.limit

    @property
    def limit_per_host(self) -> int:
        return self.inner.limit_per_host

    @property
    def force_close(self) -> bool:
        return self.inner.force_close

    @property
    def allowed_protocol_schema_set(self) -> frozenset[str]:
        return frozenset({"http"})


async def test_structural_connector_is_used() -> None:
    connector = CountingConnector()
    async with serve(ok) as srv:
        async with ClientSession(connector=connector) as session:
            for _ in range(2):
                async with session.get(base(srv)) as resp:
                    assert await resp.read() == b"hello"
            with pytest.raises(client_module.NonHttpUrlClientError):
                await session.get("https://127.0.0.1/")  # not in its scheme set
        assert connector.closed
    assert connector.connects == 2
    assert len(srv.connections) == 1


# -- subclassed request, response and protocol classes --------------------------------------
# The session builds plain ClientRequest / ClientResponse objects and prepares plain
# ResponseHandler protocols through cheaper private entry points; subclasses go through the
# public constructors and set_response_params(). Both must put the same bytes on the wire.


class _Request(ClientRequest):
    pass


class _Response(ClientResponse):
    pass


class _Protocol(ResponseHandler):
    prepared = 0

    def set_response_params(
        self,
        *,
        timer: Optional[BaseTimerContext] = None,
        skip_payload: bool = False,
        read_until_eof: bool = False,
        auto_decompress: bool = True,
        read_timeout: Optional[float] = None,
        read_bufsize: int = 2**16,
        timeout_ceil_threshold: float = 5,
        max_line_size: int = 8190,
        max_field_size: int = 8190,
        max_headers: int = 128,
        method: Optional[str] = None,
    ) -> None:
        type(self).prepared += 1
        super().set_response_params(
            timer=timer,
            skip_payload=skip_payload,
            read_until_eof=read_until_eof,
            auto_decompress=auto_decompress,
            read_timeout=read_timeout,
            read_bufsize=read_bufsize,
            timeout_ceil_threshold=timeout_ceil_threshold,
            max_line_size=max_line_size,
            max_field_size=max_field_size,
            max_headers=max_headers,
            method=method,
        )


class _Connector(TCPConnector):
    def _make_protocol(self) -> ResponseHandler:
        return _Protocol(self._loop)


async def _get_twice(session: ClientSession, srv: RawServer) -> None:
    async with session.get(base(srv), params={"q": "1"}) as resp:
        assert await resp.read() == b"hello"
    resp2 = await session.get(base(srv))
    assert await resp2.text() == "hello"
    resp2.release()


async def test_subclasses_take_the_general_path_and_send_the_same() -> None:
    _Protocol.prepared = 0
    async with serve(ok) as srv:
        async with ClientSession() as session:
            await _get_twice(session, srv)
        async with ClientSession(
            request_class=_Request, response_class=_Response, connector=_Connector()
        ) as session:
            async with session.get(base(srv)) as resp:
                assert type(resp) is _Response
                assert resp._in_context
                await resp.read()
            assert type(resp.request_info) is RequestInfo
            await _get_twice(session, srv)
    heads = [r.head for r in requests_of(srv)]
    assert len(heads) == 5
    assert heads[3:] == heads[:2]
    assert heads[2] == heads[1]
    assert _Protocol.prepared == 3


async def test_method_casing_and_checks_on_both_paths() -> None:
    async with serve(ok) as srv, ClientSession() as session:
        for method in ("GET", "get", "Get"):
            async with session.request(method, base(srv)) as resp:
                assert resp.method == "GET"
                assert await resp.read() == b"hello"
        with pytest.raises(ValueError, match="HTTP token"):
            await session.request("GE T", base(srv))
    assert [r.request_line.split(b" ")[0] for r in requests_of(srv)] == [b"GET"] * 3


async def test_rarely_given_options_are_still_read() -> None:
    """The SSL, chunked and read options are looked up only when one is given: each one
    given alone still takes effect."""
    async with serve(ok) as srv, ClientSession() as session:
        async with session.get(base(srv), ssl=False) as resp:
            assert await resp.read() == b"hello"
            assert resp.connection is None
        with pytest.warns(DeprecationWarning, match="verify_ssl"):
            async with session.get(base(srv), verify_ssl=False) as resp:  # type: ignore[call-arg]  # removed from the typed signature, still taken at run time
                assert await resp.read() == b"hello"
        with pytest.warns(DeprecationWarning), pytest.raises(ValueError):
            await session.get(base(srv), ssl=False, verify_ssl=False)  # type: ignore[call-arg]  # as above
        async with session.get(base(srv), auto_decompress=False, read_bufsize=16) as resp:
            assert await resp.read() == b"hello"
        with pytest.raises(ClientResponseError, match="status line"):
            await session.get(base(srv), max_line_size=4)
    assert len(requests_of(srv)) == 4


async def test_unparsable_url_is_an_invalid_url_error() -> None:
    async with ClientSession() as session:
        with pytest.raises(InvalidUrlClientError):
            await session.get("http://[::1/")
