"""Opening one TCP (and TLS) connection for :class:`aiohttp.TCPConnector`.

:class:`TCPOpener` holds the connector's connection settings and opens a connection to a
:class:`Target`: it resolves the host (through :class:`~aiohttp._dns_cache.HostResolver`),
connects with ``aiohappyeyeballs`` (several addresses raced, ``happy_eyeballs_delay`` apart,
address families interleaved), wraps the socket in TLS when the target is ``https``/``wss``
and checks a pinned certificate fingerprint. :meth:`TCPOpener.start_tls` upgrades an open
connection instead (the far end of a proxy tunnel).

Errors: a name that does not resolve is :class:`~aiohttp.ClientConnectorDNSError`; when no
address accepts the TCP connection the attempt fails with ``client_error`` (a
:class:`~aiohttp.ClientConnectorError`, or :class:`~aiohttp.ClientProxyConnectionError` for
a proxy); a failed handshake or certificate is a
:class:`~aiohttp.ClientConnectorSSLError` /
:class:`~aiohttp.ClientConnectorCertificateError`, and a wrong fingerprint
:class:`~aiohttp.ServerFingerprintMismatch` -- after those the next address is tried, and
the last error is raised once none is left. ``sock_connect`` bounds each attempt and raises
:class:`asyncio.TimeoutError`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Optional

import aiohappyeyeballs
from aiohappyeyeballs import AddrInfoType, SocketFactoryType
from yarl import URL

from ._client_values import ConnectionKey, SSLParam
from ._connector_hooks import ConnectorTrace, ConnectTimeouts, Deadline
from ._connector_tls import choose_context, choose_fingerprint, connect_error
from ._dns_cache import HostResolver, to_addr_infos
from .client_exceptions import (
    ClientConnectionError,
    ClientConnectorDNSError,
    ClientConnectorError,
    InvalidUrlClientError,
    ServerFingerprintMismatch,
)
from .client_proto import ResponseHandler
from .client_reqrep import ClientRequest


@dataclass(frozen=True)
class Target:
    """Where to connect: the request's server, or its proxy."""

    host: str
    port: int
    is_ssl: bool
    ssl: SSLParam
    server_hostname: Optional[str]
    key: ConnectionKey
    url: URL

    @classmethod
    def of_request(cls, req: ClientRequest) -> Target:
        """The server ``req`` is sent to."""
        return cls(
            _host(req.url),
            _port(req.url),
            req.is_ssl(),
            req.ssl,
            req.server_hostname,
            req.connection_key,
            req.url,
        )

    @classmethod
    def of_proxy(cls, req: ClientRequest) -> Target:
        """The proxy ``req`` goes through (``req.proxy`` must be set)."""
        proxy = req.proxy
        assert proxy is not None
        is_ssl = proxy.scheme in ("https", "wss")
        key = ConnectionKey(_host(proxy), proxy.port, is_ssl, req.ssl, None, None, None)
        return cls(_host(proxy), _port(proxy), is_ssl, req.ssl, None, key, proxy)


def _host(url: URL) -> str:
    host = url.raw_host
    if not host:
        raise InvalidUrlClientError(url, "the URL has no host")
    return host


def _port(url: URL) -> int:
    port = url.port
    if port is None:
        raise InvalidUrlClientError(url, "the URL has no port and its scheme has no default")
    return port


class TCPOpener:
    """Opens connections with a TCP connector's settings (see the module docstring).

    ``discard`` is handed every TLS transport closed because its certificate was refused
    (the connector may abort it later, see ``enable_cleanup_closed``).
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        factory: Callable[[], ResponseHandler],
        hosts: HostResolver,
        *,
        ssl_param: SSLParam,
        local_addr: Optional[tuple[str, int]],
        happy_eyeballs_delay: Optional[float],
        interleave: Optional[int],
        socket_factory: Optional[SocketFactoryType],
        ssl_shutdown_timeout: Optional[float],
        discard: Callable[[asyncio.Transport], None],
    ) -> None:
        self._loop = loop
        self._factory = factory
        self.hosts = hosts
        self.ssl = ssl_param
        self._local_addr_infos = aiohappyeyeballs.addr_to_addr_infos(local_addr)
        self._delay = happy_eyeballs_delay
        self._interleave = interleave
        self._socket_factory = socket_factory
        self._shutdown_timeout = ssl_shutdown_timeout
        self._discard = discard

    async def open(
        self,
        target: Target,
        traces: Sequence[ConnectorTrace],
        timeout: ConnectTimeouts,
        client_error: type[ClientConnectorError] = ClientConnectorError,
    ) -> tuple[asyncio.Transport, ResponseHandler]:
        """Connect to ``target`` (TLS included when it is ``https``)."""
        try:
            addrs = await self.hosts.resolve(target.host, target.port, traces)
        except OSError as exc:
            if exc.errno is None and isinstance(exc, asyncio.TimeoutError):
                raise
            raise ClientConnectorDNSError(target.key, exc) from exc
        addr_infos = to_addr_infos(addrs)
        if not addr_infos:
            raise ClientConnectorDNSError(target.key, OSError(None, "DNS lookup failed"))
        context = choose_context(target.ssl, self.ssl) if target.is_ssl else None
        fingerprint = choose_fingerprint(target.ssl, self.ssl) if target.is_ssl else None
        server_hostname = (target.server_hostname or target.host).rstrip(".")
        last_error: Optional[Exception] = None
        while addr_infos:
            async with Deadline(self._loop, timeout.sock_connect, timeout.ceil_threshold):
                sock = await self._connect_socket(addr_infos, target, client_error)
                peer = _peer(sock)
                try:
                    transport, proto = await self._wrap(sock, context, server_hostname)
                except OSError as exc:
                    error = connect_error(exc, target.key, client_error)
                    if error is None:
                        raise
                    error.__cause__ = exc
                    last_error = error
                    _drop_peer(addr_infos, peer)
                    continue
            if fingerprint is not None:
                try:
                    fingerprint.check(transport)
                except ServerFingerprintMismatch as exc:
                    transport.close()
                    self._discard(transport)
                    last_error = exc
                    _drop_peer(addr_infos, peer)
                    continue
            return transport, proto
        assert last_error is not None
        raise last_error

    async def _connect_socket(
        self,
        addr_infos: list[AddrInfoType],
        target: Target,
        client_error: type[ClientConnectorError],
    ) -> socket.socket:
        try:
            return await aiohappyeyeballs.start_connection(
                addr_infos,
                local_addr_infos=self._local_addr_infos,
                happy_eyeballs_delay=self._delay,
                interleave=self._interleave,
                loop=self._loop,
                socket_factory=self._socket_factory,
            )
        except OSError as exc:
            error = connect_error(exc, target.key, client_error)
            if error is None:
                raise
            raise error from exc

    async def _wrap(
        self, sock: socket.socket, context: Optional[ssl.SSLContext], server_hostname: str
    ) -> tuple[asyncio.Transport, ResponseHandler]:
        """Make the transport for a connected socket (the TLS handshake included)."""
        try:
            if context is None:
                return await self._loop.create_connection(self._factory, sock=sock)
            if sys.version_info >= (3, 11) and self._shutdown_timeout:
                return await self._loop.create_connection(
                    self._factory,
                    sock=sock,
                    ssl=context,
                    server_hostname=server_hostname,
                    ssl_shutdown_timeout=self._shutdown_timeout,
                )
            return await self._loop.create_connection(
                self._factory, sock=sock, ssl=context, server_hostname=server_hostname
            )
        except BaseException:
            sock.close()
            raise

    async def start_tls(
        self, transport: asyncio.Transport, target: Target, timeout: ConnectTimeouts
    ) -> ResponseHandler:
        """Run the TLS handshake with ``target`` over the open ``transport`` (a proxy
        tunnel); return the protocol of the secured connection. ``transport`` is closed if
        this fails."""
        context = choose_context(target.ssl, self.ssl)
        fingerprint = choose_fingerprint(target.ssl, self.ssl)
        server_hostname = (target.server_hostname or target.host).rstrip(".")
        protocol = self._factory()
        try:
            async with Deadline(self._loop, timeout.sock_connect, timeout.ceil_threshold):
                try:
                    tls_transport = await self._start_tls(
                        transport, protocol, context, server_hostname
                    )
                except OSError as exc:
                    error = connect_error(exc, target.key)
                    if error is None:
                        raise
                    raise error from exc
            if tls_transport is None:
                raise ClientConnectionError("TLS could not be started over the proxy tunnel")
            if fingerprint is not None:
                try:
                    fingerprint.check(tls_transport)  # type: ignore[arg-type]  # start_tls gives a Transport; typeshed says BaseTransport
                except ServerFingerprintMismatch:
                    tls_transport.close()
                    raise
        except BaseException:
            transport.close()
            raise
        protocol.connection_made(tls_transport)
        return protocol

    async def _start_tls(
        self,
        transport: asyncio.Transport,
        protocol: ResponseHandler,
        context: ssl.SSLContext,
        server_hostname: str,
    ) -> Optional[asyncio.BaseTransport]:
        if sys.version_info >= (3, 11) and self._shutdown_timeout:
            return await self._loop.start_tls(
                transport,
                protocol,
                context,
                server_hostname=server_hostname,
                ssl_shutdown_timeout=self._shutdown_timeout,
            )
        return await self._loop.start_tls(
            transport, protocol, context, server_hostname=server_hostname
        )


def _drop_peer(addr_infos: list[AddrInfoType], peer: tuple[object, ...]) -> None:
    """Remove the addresses of ``peer`` (all of them if it is unknown, so the caller's
    retry loop always ends)."""
    kept = [info for info in addr_infos if not _same_address(info[4], peer)]
    addr_infos[:] = kept if len(kept) < len(addr_infos) else []


def _same_address(a: tuple[object, ...], b: tuple[object, ...]) -> bool:
    if len(a) < 2 or len(b) < 2 or a[1] != b[1]:
        return False
    try:
        return ipaddress.ip_address(str(a[0])) == ipaddress.ip_address(str(b[0]))
    except ValueError:
        return a[0] == b[0]


def _peer(sock: socket.socket) -> tuple[object, ...]:
    try:
        peer: tuple[object, ...] = sock.getpeername()
    except OSError:
        return ()
    return peer
