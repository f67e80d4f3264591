"""Client request tracing: :class:`TraceConfig`, the ``Trace*Params`` records and :class:`Trace`.

A :class:`TraceConfig` holds one :class:`aiosignal.Signal` per point of a request's life
(request start/end/exception/redirect, chunks and headers sent, chunks received, waiting for
and opening a connection, DNS). Callbacks are ``async def cb(session, trace_config_ctx,
params)``; each signal is typed with its own params record, so connecting a callback that
expects another signal's record is a type error. A session given ``trace_configs=`` makes, per
request, one :class:`Trace` per config with a fresh context object
(:meth:`TraceConfig.trace_config_ctx`); the session, the request and the connector call the
trace's ``send_*`` coroutines, which fire the signals.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace
from typing import TYPE_CHECKING, Optional, Protocol

import attrs
from aiosignal import Signal
from multidict import CIMultiDict
from yarl import URL

if TYPE_CHECKING:
    from .client import ClientSession
    from .client_reqrep import ClientResponse

__all__ = (
    "TraceConfig",
    "TraceRequestStartParams",
    "TraceRequestEndParams",
    "TraceRequestExceptionParams",
    "TraceConnectionQueuedStartParams",
    "TraceConnectionQueuedEndParams",
    "TraceConnectionCreateStartParams",
    "TraceConnectionCreateEndParams",
    "TraceConnectionReuseconnParams",
    "TraceDnsResolveHostStartParams",
    "TraceDnsResolveHostEndParams",
    "TraceDnsCacheHitParams",
    "TraceDnsCacheMissParams",
    "TraceRequestRedirectParams",
    "TraceRequestChunkSentParams",
    "TraceResponseChunkReceivedParams",
    "TraceRequestHeadersSentParams",
)


class _TraceConfigCtxFactory(Protocol):
    """Makes the per-request context object handed to every callback of one config."""

    def __call__(self, *, trace_request_ctx: Optional[Mapping[str, object]]) -> SimpleNamespace: ...


# -- the params records ---------------------------------------------------------------------


@attrs.frozen
class TraceRequestStartParams:
    """``on_request_start``: the request is about to be sent (before connecting)."""

    method: str
    url: URL
    headers: CIMultiDict[str]


@attrs.frozen
class TraceRequestChunkSentParams:
    """``on_request_chunk_sent``: one chunk of the request body was written."""

    method: str
    url: URL
    chunk: bytes


@attrs.frozen
class TraceResponseChunkReceivedParams:
    """``on_response_chunk_received``: response body data was read."""

    method: str
    url: URL
    chunk: bytes


@attrs.frozen
class TraceRequestEndParams:
    """``on_request_end``: the response head was received (redirects followed)."""

    method: str
    url: URL
    headers: CIMultiDict[str]
    response: ClientResponse


@attrs.frozen
class TraceRequestExceptionParams:
    """``on_request_exception``: the request failed with ``exception``."""

    method: str
    url: URL
    headers: CIMultiDict[str]
    exception: BaseException


@attrs.frozen
class TraceRequestRedirectParams:
    """``on_request_redirect``: ``response`` is a redirect that will be followed."""

    method: str
    url: URL
    headers: CIMultiDict[str]
    response: ClientResponse


@attrs.frozen
class TraceConnectionQueuedStartParams:
    """``on_connection_queued_start``: the request waits for a free connection slot."""


@attrs.frozen
class TraceConnectionQueuedEndParams:
    """``on_connection_queued_end``: the wait for a slot is over."""


@attrs.frozen
class TraceConnectionCreateStartParams:
    """``on_connection_create_start``: a new connection is being opened."""


@attrs.frozen
class TraceConnectionCreateEndParams:
    """``on_connection_create_end``: the new connection is open."""


@attrs.frozen
class TraceConnectionReuseconnParams:
    """``on_connection_reuseconn``: an idle pooled connection is reused."""


@attrs.frozen
class TraceDnsResolveHostStartParams:
    """``on_dns_resolvehost_start``: ``host`` is being resolved."""

    host: str


@attrs.frozen
class TraceDnsResolveHostEndParams:
    """``on_dns_resolvehost_end``: ``host`` was resolved."""

    host: str


@attrs.frozen
class TraceDnsCacheHitParams:
    """``on_dns_cache_hit``: the addresses of ``host`` came from the DNS cache."""

    host: str


@attrs.frozen
class TraceDnsCacheMissParams:
    """``on_dns_cache_miss``: ``host`` was not in the DNS cache."""

    host: str


@attrs.frozen
class TraceRequestHeadersSentParams:
    """``on_request_headers_sent``: the request line and headers were written."""

    method: str
    url: URL
    headers: CIMultiDict[str]


# -- the config ------------------------------------------------------------------------------


class TraceConfig:
    """The signals of one tracer; pass it to ``ClientSession(trace_configs=[...])``.

    Connect callbacks with any list method (``config.on_request_start.append(cb)``). The
    session freezes the config when it is created; a frozen signal refuses new callbacks.
    ``trace_config_ctx_factory`` makes the context object each callback receives (one per
    request, built with the request's ``trace_request_ctx``).
    """

    def __init__(self, trace_config_ctx_factory: _TraceConfigCtxFactory = SimpleNamespace) -> None:
        self._trace_config_ctx_factory = trace_config_ctx_factory
        self._on_request_start: Signal[ClientSession, SimpleNamespace, TraceRequestStartParams]
        self._on_request_start = Signal(self)
        self._on_request_chunk_sent: Signal[
            ClientSession, SimpleNamespace, TraceRequestChunkSentParams
        ] = Signal(self)
        self._on_response_chunk_received: Signal[
            ClientSession, SimpleNamespace, TraceResponseChunkReceivedParams
        ] = Signal(self)
        self._on_request_end: Signal[ClientSession, SimpleNamespace, TraceRequestEndParams]
        self._on_request_end = Signal(self)
        self._on_request_exception: Signal[
            ClientSession, SimpleNamespace, TraceRequestExceptionParams
        ] = Signal(self)
        self._on_request_redirect: Signal[
            ClientSession, SimpleNamespace, TraceRequestRedirectParams
        ] = Signal(self)
        self._on_connection_queued_start: Signal[
            ClientSession, SimpleNamespace, TraceConnectionQueuedStartParams
        ] = Signal(self)
        self._on_connection_queued_end: Signal[
            ClientSession, SimpleNamespace, TraceConnectionQueuedEndParams
        ] = Signal(self)
        self._on_connection_create_start: Signal[
            ClientSession, SimpleNamespace, TraceConnectionCreateStartParams
        ] = Signal(self)
        self._on_connection_create_end: Signal[
            ClientSession, SimpleNamespace, TraceConnectionCreateEndParams
        ] = Signal(self)
        self._on_connection_reuseconn: Signal[
            ClientSession, SimpleNamespace, TraceConnectionReuseconnParams
        ] = Signal(self)
        self._on_dns_resolvehost_start: Signal[
            ClientSession, SimpleNamespace, TraceDnsResolveHostStartParams
        ] = Signal(self)
        self._on_dns_resolvehost_end: Signal[
            ClientSession, SimpleNamespace, TraceDnsResolveHostEndParams
        ] = Signal(self)
        self._on_dns_cache_hit: Signal[ClientSession, SimpleNamespace, TraceDnsCacheHitParams]
        self._on_dns_cache_hit = Signal(self)
        self._on_dns_cache_miss: Signal[ClientSession, SimpleNamespace, TraceDnsCacheMissParams]
        self._on_dns_cache_miss = Signal(self)
        self._on_request_headers_sent: Signal[
            ClientSession, SimpleNamespace, TraceRequestHeadersSentParams
        ] = Signal(self)

    def trace_config_ctx(
        self, trace_request_ctx: Optional[Mapping[str, object]] = None
    ) -> SimpleNamespace:
        """A new context object for one request (the factory called with
        ``trace_request_ctx=``)."""
        return self._trace_config_ctx_factory(trace_request_ctx=trace_request_ctx)

    def freeze(self) -> None:
        """Freeze every signal: no callback can be added or removed afterwards."""
        for signal in (
            self._on_request_start,
            self._on_request_chunk_sent,
            self._on_response_chunk_received,
            self._on_request_end,
            self._on_request_exception,
            self._on_request_redirect,
            self._on_connection_queued_start,
            self._on_connection_queued_end,
            self._on_connection_create_start,
            self._on_connection_create_end,
            self._on_connection_reuseconn,
            self._on_dns_resolvehost_start,
            self._on_dns_resolvehost_end,
            self._on_dns_cache_hit,
            self._on_dns_cache_miss,
            self._on_request_headers_sent,
        ):
            signal.freeze()

    @property
    def on_request_start(
        self,
    ) -> Signal[ClientSession, SimpleNamespace, TraceRequestStartParams]:
        """Fired before the request is sent (before a connection is sought)."""
        return self._on_request_start

    @property
    def on_request_chunk_sent(
        self,
    ) -> Signal[ClientSession, SimpleNamespace, TraceRequestChunkSentParams]:
        """Fired after each chunk of the request body is written."""
        return self._on_request_chunk_sent

    @property
    def on_response_chunk_received(
        self,
    ) -> Signal[ClientSession, SimpleNamespace, TraceResponseChunkReceivedParams]:
        """Fired when response body data is read."""
        return self._on_response_chunk_received

    @property
    def on_request_end(
        self,
    ) -> Signal[ClientSession, SimpleNamespace, TraceRequestEndParams]:
        """Fired when the final response head was received."""
        return self._on_request_end

    @property
    def on_request_exception(
        self,
    ) -> Signal[ClientSession, SimpleNamespace, TraceRequestExceptionParams]:
        """Fired when the request fails."""
        return self._on_request_exception

    @property
    def on_request_redirect(
        self,
    ) -> Signal[ClientSession, SimpleNamespace, TraceRequestRedirectParams]:
        """Fired for each redirect response that is followed."""
        return self._on_request_redirect

    @property
    def on_connection_queued_start(
        self,
    ) -> Signal[ClientSession, SimpleNamespace, TraceConnectionQueuedStartParams]:
        """Fired when the request starts waiting for a connection slot."""
        return self._on_connection_queued_start

    @property
    def on_connection_queued_end(
        self,
    ) -> Signal[ClientSession, SimpleNamespace, TraceConnectionQueuedEndParams]:
        """Fired when the wait for a connection slot ends."""
        return self._on_connection_queued_end

    @property
    def on_connection_create_start(
        self,
    ) -> Signal[ClientSession, SimpleNamespace, TraceConnectionCreateStartParams]:
        """Fired when a new connection starts being opened."""
        return self._on_connection_create_start

    @property
    def on_connection_create_end(
        self,
    ) -> Signal[ClientSession, SimpleNamespace, TraceConnectionCreateEndParams]:
        """Fired when a new connection is open."""
        return self._on_connection_create_end

    @property
    def on_connection_reuseconn(
        self,
    ) -> Signal[ClientSession, SimpleNamespace, TraceConnectionReuseconnParams]:
        """Fired when a pooled connection is reused."""
        return self._on_connection_reuseconn

    @property
    def on_dns_resolvehost_start(
        self,
    ) -> Signal[ClientSession, SimpleNamespace, TraceDnsResolveHostStartParams]:
        """Fired when a host name starts being resolved."""
        return self._on_dns_resolvehost_start

    @property
    def on_dns_resolvehost_end(
        self,
    ) -> Signal[ClientSession, SimpleNamespace, TraceDnsResolveHostEndParams]:
        """Fired when a host name was resolved."""
        return self._on_dns_resolvehost_end

    @property
    def on_dns_cache_hit(
        self,
    ) -> Signal[ClientSession, SimpleNamespace, TraceDnsCacheHitParams]:
        """Fired when a host's addresses come from the DNS cache."""
        return self._on_dns_cache_hit

    @property
    def on_dns_cache_miss(
        self,
    ) -> Signal[ClientSession, SimpleNamespace, TraceDnsCacheMissParams]:
        """Fired when a host is not in the DNS cache."""
        return self._on_dns_cache_miss

    @property
    def on_request_headers_sent(
        self,
    ) -> Signal[ClientSession, SimpleNamespace, TraceRequestHeadersSentParams]:
        """Fired after the request line and headers are written."""
        return self._on_request_headers_sent


# -- one request's tracer --------------------------------------------------------------------


class Trace:
    """One :class:`TraceConfig` applied to one request: ``send_*`` fire its signals with
    the session, the request's context object and the params record."""

    __slots__ = ("_session", "_trace_config", "_trace_config_ctx")

    def __init__(
        self,
        session: ClientSession,
        trace_config: TraceConfig,
        trace_config_ctx: SimpleNamespace,
    ) -> None:
        self._session = session
        self._trace_config = trace_config
        self._trace_config_ctx = trace_config_ctx

    async def send_request_start(self, method: str, url: URL, headers: CIMultiDict[str]) -> None:
        await self._trace_config.on_request_start.send(
            self._session, self._trace_config_ctx, TraceRequestStartParams(method, url, headers)
        )

    async def send_request_chunk_sent(self, method: str, url: URL, chunk: bytes) -> None:
        await self._trace_config.on_request_chunk_sent.send(
            self._session, self._trace_config_ctx, TraceRequestChunkSentParams(method, url, chunk)
        )

    async def send_response_chunk_received(self, method: str, url: URL, chunk: bytes) -> None:
        await self._trace_config.on_response_chunk_received.send(
            self._session,
            self._trace_config_ctx,
            TraceResponseChunkReceivedParams(method, url, chunk),
        )

    async def send_request_end(
        self, method: str, url: URL, headers: CIMultiDict[str], response: ClientResponse
    ) -> None:
        await self._trace_config.on_request_end.send(
            self._session,
            self._trace_config_ctx,
            TraceRequestEndParams(method, url, headers, response),
        )

    async def send_request_exception(
        self, method: str, url: URL, headers: CIMultiDict[str], exception: BaseException
    ) -> None:
        await self._trace_config.on_request_exception.send(
            self._session,
            self._trace_config_ctx,
            TraceRequestExceptionParams(method, url, headers, exception),
        )

    async def send_request_redirect(
        self, method: str, url: URL, headers: CIMultiDict[str], response: ClientResponse
    ) -> None:
        await self._trace_config.on_request_redirect.send(
            self._session,
            self._trace_config_ctx,
            TraceRequestRedirectParams(method, url, headers, response),
        )

    async def send_connection_queued_start(self) -> None:
        await self._trace_config.on_connection_queued_start.send(
            self._session, self._trace_config_ctx, TraceConnectionQueuedStartParams()
        )

    async def send_connection_queued_end(self) -> None:
        await self._trace_config.on_connection_queued_end.send(
            self._session, self._trace_config_ctx, TraceConnectionQueuedEndParams()
        )

    async def send_connection_create_start(self) -> None:
        await self._trace_config.on_connection_create_start.send(
            self._session, self._trace_config_ctx, TraceConnectionCreateStartParams()
        )

    async def send_connection_create_end(self) -> None:
        await self._trace_config.on_connection_create_end.send(
            self._session, self._trace_config_ctx, TraceConnectionCreateEndParams()
        )

    async def send_connection_reuseconn(self) -> None:
        await self._trace_config.on_connection_reuseconn.send(
            self._session, self._trace_config_ctx, TraceConnectionReuseconnParams()
        )

    async def send_dns_resolvehost_start(self, host: str) -> None:
        await self._trace_config.on_dns_resolvehost_start.send(
            self._session, self._trace_config_ctx, TraceDnsResolveHostStartParams(host)
        )

    async def send_dns_resolvehost_end(self, host: str) -> None:
        await self._trace_config.on_dns_resolvehost_end.send(
            self._session, self._trace_config_ctx, TraceDnsResolveHostEndParams(host)
        )

    async def send_dns_cache_hit(self, host: str) -> None:
        await self._trace_config.on_dns_cache_hit.send(
            self._session, self._trace_config_ctx, TraceDnsCacheHitParams(host)
        )

    async def send_dns_cache_miss(self, host: str) -> None:
        await self._trace_config.on_dns_cache_miss.send(
            self._session, self._trace_config_ctx, TraceDnsCacheMissParams(host)
        )

    async def send_request_headers(self, method: str, url: URL, headers: CIMultiDict[str]) -> None:
        await self._trace_config.on_request_headers_sent.send(
            self._session,
            self._trace_config_ctx,
            TraceRequestHeadersSentParams(method, url, headers),
        )
