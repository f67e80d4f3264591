"""Connectors: where a :class:`~aiohttp.ClientSession` gets its connections.

:class:`BaseConnector` is the pool every connector shares: it limits how many connections
are open at once (``limit``, ``limit_per_host``), queues requests fairly while none is free,
keeps released keep-alive connections for reuse and closes them ``keepalive_timeout``
seconds later (the machinery is in :mod:`aiohttp._connector_pool`). Subclasses say how a new
connection is opened: :class:`TCPConnector` over TCP (DNS cache, happy eyeballs, TLS,
proxies), :class:`UnixConnector` over a Unix socket, :class:`NamedPipeConnector` over a
Windows named pipe. Each request gets a :class:`Connection` that it releases or closes.

A connector the session uses need not inherit from these classes: it only has to satisfy
:class:`aiohttp.abc.AbstractConnector`.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import traceback
from collections.abc import Awaitable, Callable, Sequence
from ssl import SSLContext
from types import TracebackType
from typing import ClassVar, Final, Optional, Union, cast

from aiohappyeyeballs import AddrInfoType as AddrInfoType, SocketFactoryType as SocketFactoryType
from typing_extensions import Self, deprecated

from ._client_values import ConnectionKey, SSLParam
from ._connector_hooks import (
    CloseWaiter,
    ConnectionOwner,
    ConnectorTrace,
    ConnectTimeouts,
    Deadline,
    PipeLoop,
    report_unclosed,
)
from ._connector_pool import CONNECTOR_CLOSED, ConnectionPool, close_protocols
from ._connector_proxy import open_tunnel
from ._connector_tcp import Target, TCPOpener
from ._connector_tls import TransportReaper, merge_ssl_params, shutdown_timeout_param
from ._dns_cache import HostResolver
from .abc import AbstractResolver
from .client_exceptions import (
    ClientConnectionError,
    ClientConnectorError,
    ClientProxyConnectionError,
    ConnectionTimeoutError,
    UnixClientConnectorError,
)
from .client_proto import ResponseHandler
from .client_reqrep import ClientRequest
from .helpers import _SENTINEL, sentinel
from .resolver import DefaultResolver

__all__ = (
    "BaseConnector",
    "TCPConnector",
    "UnixConnector",
    "NamedPipeConnector",
    "AddrInfoType",
    "SocketFactoryType",
)

HIGH_LEVEL_SCHEMA_SET: Final = frozenset({"http", "https", "ws", "wss"})


class Connection:
    """One connection lent to one request: :meth:`release` gives it back for reuse (it is
    closed unless its response was read to the end), :meth:`close` closes it. Both are
    idempotent and first run the callbacks registered with :meth:`add_callback`."""

    _source_traceback: Optional[traceback.StackSummary] = None

    def __init__(
        self,
        connector: ConnectionOwner,
        key: ConnectionKey,
        protocol: ResponseHandler,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self._key = key
        self._connector = connector
        self._loop = loop
        self._protocol: Optional[ResponseHandler] = protocol
        self._callbacks: list[Callable[[], None]] = []
        if loop.get_debug():
            self._source_traceback = traceback.extract_stack(sys._getframe(1))

    def __repr__(self) -> str:
        return f"Connection<{self._key}>"

    def __del__(self) -> None:
        protocol = getattr(self, "_protocol", None)
        if protocol is None:
            return
        if not self._loop.is_closed():
            self._connector._release(self._key, protocol, should_close=True)
        report_unclosed(
            "connection", self, self._loop, self._source_traceback, client_connection=self
        )

    def __bool__(self) -> bool:
        return True  # a connection is never "empty", even without a protocol

    @property
    @deprecated("connector.loop property is deprecated")
    def loop(self) -> asyncio.AbstractEventLoop:
        """The event loop (deprecated)."""
        return self._loop

    @property
    def transport(self) -> Optional[asyncio.Transport]:
        """The transport; ``None`` once released or closed."""
        return None if self._protocol is None else self._protocol.transport

    @property
    def protocol(self) -> Optional[ResponseHandler]:
        """The protocol reading responses; ``None`` once released or closed."""
        return self._protocol

    @property
    def closed(self) -> bool:
        """True once released or closed, or when the peer has gone."""
        return self._protocol is None or not self._protocol.is_connected()

    def add_callback(self, callback: Optional[Callable[[], None]]) -> None:
        """Call ``callback()`` when the connection is released or closed (its errors are
        ignored). ``None`` is ignored."""
        if callback is not None:
            self._callbacks.append(callback)

    def _notify_release(self) -> None:
        callbacks = self._callbacks
        if not callbacks:
            return
        self._callbacks = []
        for callback in callbacks:
            try:
                callback()
            except Exception:  # a callback must not stop the release
                pass

    def close(self) -> None:
        """Close the connection."""
        self._notify_release()
        protocol, self._protocol = self._protocol, None
        if protocol is not None:
            self._connector._release(self._key, protocol, should_close=True)

    def release(self) -> None:
        """Give the connection back for reuse (closed if it is not reusable)."""
        self._notify_release()
        protocol, self._protocol = self._protocol, None
        if protocol is not None:
            self._connector._release(self._key, protocol)


class BaseConnector:
    """The connection pool (see the module docstring).

    :param keepalive_timeout: seconds a released connection is kept for reuse (default 15;
        ``None``: no limit). Not allowed with ``force_close``.
    :param force_close: close every connection after its request instead of reusing it.
    :param limit: most connections lent at once (``0``: no limit).
    :param limit_per_host: most connections lent at once per host, port and TLS/proxy
        setting (``0``: no limit).
    :param enable_cleanup_closed: abort TLS transports a while after closing them (a
        workaround for a CPython leak; ignored, with a warning, where CPython is fixed).
    :param timeout_ceil_threshold: timeouts of at least this many seconds are rounded up.
    """

    allowed_protocol_schema_set: ClassVar[frozenset[str]] = HIGH_LEVEL_SCHEMA_SET

    _source_traceback: Optional[traceback.StackSummary] = None
    _closed = True  # until __init__ has run to the end

    def __init__(
        self,
        *,
        keepalive_timeout: Union[float, _SENTINEL, None] = sentinel,
        force_close: bool = False,
        limit: int = 100,
        limit_per_host: int = 0,
        enable_cleanup_closed: bool = False,
        loop: Optional[asyncio.AbstractEventLoop] = None,
        timeout_ceil_threshold: float = 5,
    ) -> None:
        keepalive: Optional[float]
        if force_close:
            if keepalive_timeout is not None and keepalive_timeout is not sentinel:
                raise ValueError("keepalive_timeout cannot be set if force_close is True")
            keepalive = None
        else:
            keepalive = 15.0 if isinstance(keepalive_timeout, _SENTINEL) else keepalive_timeout
        self._loop = loop if loop is not None else asyncio.get_running_loop()
        if self._loop.get_debug():
            self._source_traceback = traceback.extract_stack(sys._getframe(1))
        self._limit = limit
        self._limit_per_host = limit_per_host
        self._force_close = force_close
        self._keepalive_timeout = keepalive
        self._timeout_ceil_threshold = timeout_ceil_threshold
        self._abort_ssl_on_close = False
        self._pool = ConnectionPool(
            self._loop,
            limit=limit,
            limit_per_host=limit_per_host,
            keepalive_timeout=None if force_close else keepalive,
            timeout_ceil_threshold=timeout_ceil_threshold,
            closer=self._close_protocol,
        )
        self._reaper = TransportReaper(self._loop, enabled=enable_cleanup_closed)
        self._closed = False

    def __del__(self) -> None:
        if self._closed:
            return
        pool = self._pool
        lent = pool.acquired
        if not lent and not pool.idle_count():
            return
        connections = [repr(proto) for proto in pool.idle_protocols()]
        self._close_now(abort_ssl=False)
        report_unclosed(
            "connector",
            self,
            self._loop,
            self._source_traceback,
            connector=self,
            connections=connections,
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]] = None,
        exc_value: Optional[BaseException] = None,
        exc_traceback: Optional[TracebackType] = None,
    ) -> None:
        await self.close()

    # -- settings ----------------------------------------------------------------------------

    @property
    def force_close(self) -> bool:
        """True if connections are closed after each request instead of reused."""
        return self._force_close

    @property
    def limit(self) -> int:
        """The most connections lent at once (``0``: no limit)."""
        return self._limit

    @property
    def limit_per_host(self) -> int:
        """The most connections lent at once to one host (``0``: no limit)."""
        return self._limit_per_host

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    # -- lending -----------------------------------------------------------------------------

    async def connect(
        self, req: ClientRequest, traces: Sequence[ConnectorTrace], timeout: ConnectTimeouts
    ) -> Connection:
        """A connection for ``req``: an idle keep-alive one for its
        :attr:`~aiohttp.ClientRequest.connection_key`, else a new one; waits (first come,
        first served) while the limits are reached.

        :raises ConnectionTimeoutError: ``timeout.connect`` (waiting plus opening) or
            ``timeout.sock_connect`` (one attempt) ran out.
        :raises ClientConnectorError: opening the connection failed (a subclass says how).
        :raises ClientConnectionError: the connector is closed, or was closed meanwhile.

        Cancelling leaves nothing behind: a queue place or a half-open connection is
        given up.
        """
        try:
            connect_timeout = timeout.connect
            if connect_timeout is None or connect_timeout <= 0:
                # Deadline would arm nothing: skip its context manager.
                return await self._connect(req, traces, timeout)
            async with Deadline(self._loop, connect_timeout, timeout.ceil_threshold):
                return await self._connect(req, traces, timeout)
        except asyncio.TimeoutError as exc:
            if isinstance(exc, ConnectionTimeoutError):
                raise
            raise ConnectionTimeoutError(f"Connection timeout to host {req.url}") from exc

    async def _connect(
        self, req: ClientRequest, traces: Sequence[ConnectorTrace], timeout: ConnectTimeouts
    ) -> Connection:
        key = req.connection_key
        pool = self._pool
        if self._closed:
            raise ClientConnectionError(CONNECTOR_CLOSED)
        if not traces:
            # Reusing an idle connection with nobody to tell: no reservation needed.
            idle = pool.take_idle_now(key)
            if idle is not None:
                return Connection(self, key, idle, self._loop)
        reservation = pool.try_reserve(key)
        if reservation is None:
            waiter = pool.enqueue(key)
            try:
                for trace in traces:
                    await trace.send_connection_queued_start()
            except BaseException:
                pool.abandon(waiter)
                raise
            reservation = await pool.wait(waiter)
            queued = True
        else:
            queued = False
        proto: Optional[ResponseHandler] = None
        try:
            if queued:
                for trace in traces:
                    await trace.send_connection_queued_end()
            proto = pool.take_idle(key)
            if proto is not None:
                for trace in traces:
                    await trace.send_connection_reuseconn()
            else:
                for trace in traces:
                    await trace.send_connection_create_start()
                proto = await self._create_connection(req, traces, timeout)
                if self._closed:
                    raise ClientConnectionError(CONNECTOR_CLOSED)
                for trace in traces:
                    await trace.send_connection_create_end()
        except BaseException:
            if proto is not None:
                self._close_protocol(proto)
            pool.cancel_reservation(reservation)
            raise
        pool.bind(reservation, proto)
        return Connection(self, key, proto, self._loop)

    async def _create_connection(
        self, req: ClientRequest, traces: Sequence[ConnectorTrace], timeout: ConnectTimeouts
    ) -> ResponseHandler:
        """Open a new connection for ``req`` (what each subclass implements)."""
        raise NotImplementedError

    def _make_protocol(self) -> ResponseHandler:
        return ResponseHandler(self._loop)

    def _release(
        self, key: ConnectionKey, protocol: ResponseHandler, *, should_close: bool = False
    ) -> None:
        """Take back a lent connection: keep it for reuse only if the protocol says it is
        reusable (its response was read to the end, no error), ``should_close`` is false
        and connections are not force-closed; otherwise close it."""
        if self._closed:
            self._close_protocol(protocol)
            return
        reuse = not (self._force_close or should_close or protocol.should_close)
        self._pool.release(key, protocol, reuse=reuse)

    # -- closing -----------------------------------------------------------------------------

    def close(self, *, abort_ssl: bool = False) -> Awaitable[None]:
        """Close every connection (idle and lent) and fail the queued requests with
        :class:`~aiohttp.ClientConnectionError`; refuse new requests. Idempotent.

        The closing happens at once; await the result to wait until the connections are
        gone. ``abort_ssl`` drops TLS connections without the TLS shutdown exchange.
        """
        return CloseWaiter(self._close_now(abort_ssl=abort_ssl))

    def _close_now(self, *, abort_ssl: bool) -> list[asyncio.Future[None]]:
        if self._closed:
            return []
        self._closed = True
        protocols = self._pool.close()
        if self._loop.is_closed():
            return []
        waiters = close_protocols(protocols, abort_tls=abort_ssl or self._abort_ssl_on_close)
        self._reaper.close()
        return waiters

    def _close_protocol(self, proto: ResponseHandler) -> None:
        """Close one connection (remembering TLS transports for ``enable_cleanup_closed``)."""
        transport = proto.transport
        proto.close()
        if transport is not None:
            self._reaper.add(transport)


class TCPConnector(BaseConnector):
    """Opens TCP connections, with TLS for ``https``/``wss`` and through HTTP proxies.

    ``ssl``: the TLS setting of requests that have none (``True``: verify, ``False``: don't,
    an :class:`ssl.SSLContext` or a :class:`~aiohttp.Fingerprint`; ``verify_ssl``,
    ``ssl_context`` and ``fingerprint`` are deprecated spellings). ``use_dns_cache``: keep
    answers ``ttl_dns_cache`` seconds (``None``: forever), share concurrent lookups.
    ``family``: ``0`` resolves to IPv4 and IPv6. ``resolver``: default a
    :data:`~aiohttp.resolver.DefaultResolver`, closed with the connector.
    ``happy_eyeballs_delay``: seconds before racing the next address (``None``: one after
    the other); ``interleave``: addresses of the first family tried before the other one.
    ``ssl_shutdown_timeout`` is deprecated (``0`` aborts TLS connections on close).
    """

    allowed_protocol_schema_set: ClassVar[frozenset[str]] = HIGH_LEVEL_SCHEMA_SET | {"tcp"}

    def __init__(
        self,
        *,
        verify_ssl: bool = True,
        fingerprint: Optional[bytes] = None,
        use_dns_cache: bool = True,
        ttl_dns_cache: Optional[int] = 10,
        family: socket.AddressFamily = socket.AF_UNSPEC,
        ssl_context: Optional[SSLContext] = None,
        ssl: SSLParam = True,
        local_addr: Optional[tuple[str, int]] = None,
        resolver: Optional[AbstractResolver] = None,
        keepalive_timeout: Union[float, _SENTINEL, None] = sentinel,
        force_close: bool = False,
        limit: int = 100,
        limit_per_host: int = 0,
        enable_cleanup_closed: bool = False,
        loop: Optional[asyncio.AbstractEventLoop] = None,
        timeout_ceil_threshold: float = 5,
        happy_eyeballs_delay: Optional[float] = 0.25,
        interleave: Optional[int] = None,
        socket_factory: Optional[SocketFactoryType] = None,
        ssl_shutdown_timeout: Union[_SENTINEL, float, None] = sentinel,
    ) -> None:
        ssl_param = merge_ssl_params(ssl, verify_ssl, ssl_context, fingerprint)
        shutdown_timeout = shutdown_timeout_param(ssl_shutdown_timeout)
        super().__init__(
            keepalive_timeout=keepalive_timeout,
            force_close=force_close,
            limit=limit,
            limit_per_host=limit_per_host,
            enable_cleanup_closed=enable_cleanup_closed,
            loop=loop,
            timeout_ceil_threshold=timeout_ceil_threshold,
        )
        self._abort_ssl_on_close = shutdown_timeout == 0
        self._ssl = ssl_param
        self._resolver_owner = resolver is None
        self._resolver: AbstractResolver = (
            DefaultResolver(loop=self._loop) if resolver is None else resolver
        )
        self._family = family
        self._hosts = HostResolver(
            self._resolver,
            self._loop,
            family=family,
            use_cache=use_dns_cache,
            ttl=ttl_dns_cache,
        )
        self._opener = TCPOpener(
            self._loop,
            self._make_protocol,
            self._hosts,
            ssl_param=ssl_param,
            local_addr=local_addr,
            happy_eyeballs_delay=happy_eyeballs_delay,
            interleave=interleave,
            socket_factory=socket_factory,
            ssl_shutdown_timeout=shutdown_timeout or None,
            discard=self._reaper.add,
        )

    @property
    def family(self) -> socket.AddressFamily:
        """The address family hosts are resolved to (``0``: any)."""
        return self._family

    @property
    def use_dns_cache(self) -> bool:
        """True if resolved addresses are cached."""
        return self._hosts.use_cache

    def clear_dns_cache(self, host: Optional[str] = None, port: Optional[int] = None) -> None:
        """Forget the cached addresses of ``host:port``, or all of them when neither is
        given.

        :raises ValueError: only one of ``host`` and ``port`` was given.
        """
        self._hosts.clear(host, port)

    async def close(self, *, abort_ssl: bool = False) -> None:
        """Close every connection, stop DNS lookups in flight and close the resolver the
        connector made; wait until done. ``abort_ssl`` as for :meth:`BaseConnector.close`."""
        lookups = self._hosts.cancel_lookups()
        waiter = super().close(abort_ssl=abort_ssl)
        if lookups:
            await asyncio.gather(*lookups, return_exceptions=True)
        await waiter
        if self._resolver_owner:
            await self._resolver.close()

    async def _create_connection(
        self, req: ClientRequest, traces: Sequence[ConnectorTrace], timeout: ConnectTimeouts
    ) -> ResponseHandler:
        if req.proxy is None:
            _, proto = await self._opener.open(Target.of_request(req), traces, timeout)
            return proto
        transport, proto = await self._opener.open(
            Target.of_proxy(req), (), timeout, ClientProxyConnectionError
        )
        if not req.is_ssl():
            return proto  # the request goes to the proxy in absolute form
        await open_tunnel(
            req, proto, self._loop, timeout_ceil_threshold=self._timeout_ceil_threshold
        )
        return await self._opener.start_tls(transport, Target.of_request(req), timeout)


class UnixConnector(BaseConnector):
    """Opens connections to a Unix domain socket at ``path`` (URLs still name a host,
    which goes into the ``Host`` header)."""

    allowed_protocol_schema_set: ClassVar[frozenset[str]] = HIGH_LEVEL_SCHEMA_SET | {"unix"}

    def __init__(
        self,
        path: str,
        force_close: bool = False,
        keepalive_timeout: Union[float, _SENTINEL, None] = sentinel,
        limit: int = 100,
        limit_per_host: int = 0,
        loop: Optional[asyncio.AbstractEventLoop] = None,
    ) -> None:
        super().__init__(
            force_close=force_close,
            keepalive_timeout=keepalive_timeout,
            limit=limit,
            limit_per_host=limit_per_host,
            loop=loop,
        )
        self._path = path

    @property
    def path(self) -> str:
        """The socket's path."""
        return self._path

    async def _create_connection(
        self, req: ClientRequest, traces: Sequence[ConnectorTrace], timeout: ConnectTimeouts
    ) -> ResponseHandler:
        try:
            async with Deadline(self._loop, timeout.sock_connect, timeout.ceil_threshold):
                _, proto = await self._loop.create_unix_connection(self._make_protocol, self._path)
        except OSError as exc:
            if exc.errno is None and isinstance(exc, asyncio.TimeoutError):
                raise
            raise UnixClientConnectorError(self._path, req.connection_key, exc) from exc
        return proto


class NamedPipeConnector(BaseConnector):
    """Opens connections to a Windows named pipe at ``path``.

    :raises RuntimeError: the event loop is not a Windows proactor loop (on other systems
        the class can be imported but not used).
    """

    allowed_protocol_schema_set: ClassVar[frozenset[str]] = HIGH_LEVEL_SCHEMA_SET | {"npipe"}

    def __init__(
        self,
        path: str,
        force_close: bool = False,
        keepalive_timeout: Union[float, _SENTINEL, None] = sentinel,
        limit: int = 100,
        limit_per_host: int = 0,
        loop: Optional[asyncio.AbstractEventLoop] = None,
    ) -> None:
        super().__init__(
            force_close=force_close,
            keepalive_timeout=keepalive_timeout,
            limit=limit,
            limit_per_host=limit_per_host,
            loop=loop,
        )
        proactor: Optional[type] = getattr(asyncio, "ProactorEventLoop", None)
        if proactor is None or not isinstance(self._loop, proactor):
            raise RuntimeError("Named Pipes only available in proactor loop under windows")
        self._path = path

    @property
    def path(self) -> str:
        """The pipe's path."""
        return self._path

    async def _create_connection(
        self, req: ClientRequest, traces: Sequence[ConnectorTrace], timeout: ConnectTimeouts
    ) -> ResponseHandler:
        loop = cast(PipeLoop, self._loop)
        try:
            async with Deadline(self._loop, timeout.sock_connect, timeout.ceil_threshold):
                _, proto = await loop.create_pipe_connection(self._make_protocol, self._path)
        except OSError as exc:
            if exc.errno is None and isinstance(exc, asyncio.TimeoutError):
                raise
            raise ClientConnectorError(req.connection_key, exc) from exc
        return proto
