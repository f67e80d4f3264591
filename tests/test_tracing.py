"""Client tracing: every TraceConfig signal fires, in order, with its documented params, on
real requests to scripted servers; the per-request context; freezing; the params records."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import attrs
import pytest
from yarl import URL

from aiohttp.client import ClientSession, TCPConnector
from aiohttp.tracing import (
    Trace,
    TraceConfig,
    TraceConnectionCreateEndParams,
    TraceConnectionCreateStartParams,
    TraceConnectionQueuedEndParams,
    TraceConnectionQueuedStartParams,
    TraceConnectionReuseconnParams,
    TraceDnsCacheHitParams,
    TraceDnsCacheMissParams,
    TraceDnsResolveHostEndParams,
    TraceDnsResolveHostStartParams,
    TraceRequestChunkSentParams,
    TraceRequestEndParams,
    TraceRequestExceptionParams,
    TraceRequestHeadersSentParams,
    TraceRequestRedirectParams,
    TraceRequestStartParams,
    TraceResponseChunkReceivedParams,
)
from tests._raw_server import Request
from tests._session_helpers import base, reply, serve

SIGNALS = (
    "on_request_start",
    "on_request_chunk_sent",
    "on_response_chunk_received",
    "on_request_end",
    "on_request_exception",
    "on_request_redirect",
    "on_connection_queued_start",
    "on_connection_queued_end",
    "on_connection_create_start",
    "on_connection_create_end",
    "on_connection_reuseconn",
    "on_dns_resolvehost_start",
    "on_dns_resolvehost_end",
    "on_dns_cache_hit",
    "on_dns_cache_miss",
    "on_request_headers_sent",
)


class Recorder:
    """Connects to every signal and records ``(signal, ctx, params)``."""

    def __init__(self, config: TraceConfig) -> None:
        self.events: list[tuple[str, SimpleNamespace, object]] = []
        for name in SIGNALS:
            getattr(config, name).append(self._callback(name))

    def _callback(self, name: str):  # type: ignore[no-untyped-def]  # one shape for all signals
        async def callback(session: ClientSession, ctx: SimpleNamespace, params: object) -> None:
            assert isinstance(session, ClientSession)
            self.events.append((name, ctx, params))

        return callback

    def names(self) -> list[str]:
        return [name.removeprefix("on_") for name, _, _ in self.events]

    def params(self, name: str) -> list[object]:
        return [p for n, _, p in self.events if n == "on_" + name]


def ok(request: Request) -> bytes:
    return reply(200, b"hello")


async def test_request_signals_on_a_post() -> None:
    config = TraceConfig()
    rec = Recorder(config)
    async with serve(ok) as srv, ClientSession(trace_configs=[config]) as session:
        url = f"{base(srv)}/p"
        async with session.post(url, params={"q": "1"}, data=b"body!") as resp:
            assert await resp.read() == b"hello"
    assert rec.names() == [
        "request_start",
        "connection_create_start",
        "connection_create_end",
        "request_headers_sent",
        "request_chunk_sent",
        "request_end",
        "response_chunk_received",
    ]
    full = URL(f"{base(srv)}/p?q=1")
    (start,) = rec.params("request_start")
    assert isinstance(start, TraceRequestStartParams)
    assert start == TraceRequestStartParams("POST", full, start.headers)
    (sent,) = rec.params("request_headers_sent")
    assert isinstance(sent, TraceRequestHeadersSentParams)
    assert (sent.method, sent.url) == ("POST", full)
    assert sent.headers["Host"] == f"127.0.0.1:{srv.port}"
    assert rec.params("request_chunk_sent") == [TraceRequestChunkSentParams("POST", full, b"body!")]
    assert rec.params("response_chunk_received") == [
        TraceResponseChunkReceivedParams("POST", full, b"hello")
    ]
    (end,) = rec.params("request_end")
    assert isinstance(end, TraceRequestEndParams)
    assert (end.method, end.url, end.response.status) == ("POST", full, 200)
    assert isinstance(rec.params("connection_create_start")[0], TraceConnectionCreateStartParams)
    assert isinstance(rec.params("connection_create_end")[0], TraceConnectionCreateEndParams)
    contexts = {id(ctx) for _, ctx, _ in rec.events}
    assert len(contexts) == 1  # one context object per request


async def test_reuse_redirect_and_exception_signals() -> None:
    def respond(request: Request) -> bytes:
        if request.request_line.split()[1] == b"/start":
            return reply(302, b"", [("Location", "/end")])
        return reply(200, b"end")

    config = TraceConfig()
    rec = Recorder(config)
    async with serve(respond) as srv, ClientSession(trace_configs=[config]) as session:
        async with session.get(f"{base(srv)}/start") as resp:
            assert await resp.read() == b"end"
        with pytest.raises(ValueError):
            await session.get(f"{base(srv)}/x", data=b"a", json=1)
        with pytest.raises(asyncio.TimeoutError):
            await session.get("http://127.0.0.1:9/", timeout=0.000001)  # type: ignore[arg-type]
    names = rec.names()
    assert names.count("connection_reuseconn") == 1  # the redirect's hop
    (redirect,) = rec.params("request_redirect")
    assert isinstance(redirect, TraceRequestRedirectParams)
    assert redirect.response.status == 302
    assert redirect.url.path == "/start"
    assert isinstance(rec.params("connection_reuseconn")[0], TraceConnectionReuseconnParams)
    (end,) = rec.params("request_end")
    assert isinstance(end, TraceRequestEndParams) and end.url.path == "/end"
    (failure,) = rec.params("request_exception")
    assert isinstance(failure, TraceRequestExceptionParams)
    assert isinstance(failure.exception, asyncio.TimeoutError)
    assert failure.url == URL("http://127.0.0.1:9/")


async def test_queue_and_dns_signals() -> None:
    config = TraceConfig()
    rec = Recorder(config)
    slow = asyncio.Event()

    async def respond(request: Request) -> bytes:
        await slow.wait()
        return reply(200, b"x")

    async with serve(respond) as srv:
        connector = TCPConnector(limit=1, force_close=True)
        async with ClientSession(connector=connector, trace_configs=[config]) as session:
            url = f"http://localhost:{srv.port}/"

            async def fetch() -> bytes:
                async with session.get(url) as resp:
                    return await resp.read()

            tasks = [asyncio.create_task(fetch()) for _ in range(2)]
            await asyncio.sleep(0.2)
            slow.set()
            assert await asyncio.gather(*tasks) == [b"x", b"x"]
    assert rec.params("connection_queued_start") == [TraceConnectionQueuedStartParams()]
    assert rec.params("connection_queued_end") == [TraceConnectionQueuedEndParams()]
    assert rec.params("dns_cache_miss") == [TraceDnsCacheMissParams("localhost")]
    assert rec.params("dns_resolvehost_start") == [TraceDnsResolveHostStartParams("localhost")]
    assert rec.params("dns_resolvehost_end") == [TraceDnsResolveHostEndParams("localhost")]
    assert rec.params("dns_cache_hit") == [TraceDnsCacheHitParams("localhost")]


async def test_trace_request_ctx_reaches_the_context_factory() -> None:
    made: list[dict[str, object]] = []

    class Ctx(SimpleNamespace):
        def __init__(self, **kwargs: object) -> None:
            made.append(kwargs)
            super().__init__(**kwargs)

    config = TraceConfig(trace_config_ctx_factory=Ctx)
    rec = Recorder(config)
    async with serve(ok) as srv, ClientSession(trace_configs=[config]) as session:
        async with session.get(base(srv), trace_request_ctx={"id": "a"}) as resp:
            await resp.read()
        async with session.get(base(srv)) as resp:
            await resp.read()
    assert made == [{"trace_request_ctx": {"id": "a"}}, {"trace_request_ctx": None}]
    ctxs = [ctx for _, ctx, _ in rec.events]
    assert isinstance(ctxs[0], Ctx)
    assert ctxs[0].trace_request_ctx == {"id": "a"}
    assert len({id(c) for c in ctxs}) == 2


async def test_several_configs_each_get_their_own_context() -> None:
    first, second = TraceConfig(), TraceConfig()
    rec1, rec2 = Recorder(first), Recorder(second)
    async with (
        serve(ok) as srv,
        ClientSession(trace_configs=[first, second]) as session,
        session.get(base(srv)) as resp,
    ):
        await resp.read()
    assert rec1.names() == rec2.names()
    assert rec1.events[0][1] is not rec2.events[0][1]


def test_config_context_and_freeze() -> None:
    config = TraceConfig()
    ctx = config.trace_config_ctx(trace_request_ctx={"k": "v"})
    assert ctx.trace_request_ctx == {"k": "v"}
    assert config.trace_config_ctx().trace_request_ctx is None
    config.freeze()
    for name in SIGNALS:
        assert getattr(config, name).frozen


def test_params_are_frozen_values() -> None:
    params = TraceDnsCacheHitParams("h")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        params.host = "x"  # type: ignore[misc]  # frozen on purpose
    assert params == TraceDnsCacheHitParams("h")
    assert TraceConnectionReuseconnParams() == TraceConnectionReuseconnParams()
    assert TraceRequestChunkSentParams("GET", URL("http://h/"), b"c").chunk == b"c"


async def test_trace_sends_to_its_config() -> None:
    config = TraceConfig()
    rec = Recorder(config)
    config.freeze()
    async with ClientSession() as session:
        ctx = config.trace_config_ctx()
        trace = Trace(session, config, ctx)
        await trace.send_dns_cache_miss("example.com")
        await trace.send_connection_queued_start()
    assert rec.events == [
        ("on_dns_cache_miss", ctx, TraceDnsCacheMissParams("example.com")),
        ("on_connection_queued_start", ctx, TraceConnectionQueuedStartParams()),
    ]
