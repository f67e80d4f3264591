"""Host resolution for :class:`aiohttp.TCPConnector`: literal addresses, the DNS cache and
coalesced lookups.

:class:`HostResolver` answers "where is ``host:port``?" for the connector. A literal IP
address is answered without a lookup. Otherwise, with the cache on, an answer younger than
``ttl_dns_cache`` seconds is reused (each reuse rotates the address list, so connections
spread over a host's addresses) and concurrent lookups of one uncached host share a single
call to the resolver: the lookup runs in a task of its own, so a caller that is cancelled
does not cancel it for the others. With the cache off every call asks the resolver.
It also turns resolver answers into the address tuples ``aiohappyeyeballs`` connects to.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Sequence
from typing import Optional

from aiohappyeyeballs import AddrInfoType

from ._connector_hooks import ConnectorTrace
from .abc import AbstractResolver, ResolveResult
from .helpers import is_ip_address

_HostKey = tuple[str, int]


class DNSCache:
    """Resolved addresses per ``(host, port)``, each valid for ``ttl`` seconds (``None``:
    forever)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, ttl: Optional[float]) -> None:
        self._loop = loop
        self._ttl = ttl
        self._entries: dict[_HostKey, tuple[list[ResolveResult], float]] = {}
        self._turn: dict[_HostKey, int] = {}

    def __contains__(self, key: _HostKey) -> bool:
        return key in self._entries

    def add(self, key: _HostKey, addrs: list[ResolveResult]) -> None:
        """Store the answer for ``key`` (an empty answer is not stored)."""
        if not addrs:
            return
        self._entries[key] = (list(addrs), self._loop.time())
        self._turn[key] = 0

    def remove(self, key: _HostKey) -> None:
        """Forget ``key`` (no error if it is unknown)."""
        self._entries.pop(key, None)
        self._turn.pop(key, None)

    def clear(self) -> None:
        """Forget everything."""
        self._entries.clear()
        self._turn.clear()

    def expired(self, key: _HostKey) -> bool:
        """True if the answer for ``key`` is older than the ttl (or missing)."""
        entry = self._entries.get(key)
        if entry is None:
            return True
        return self._ttl is not None and entry[1] + self._ttl <= self._loop.time()

    def next_addrs(self, key: _HostKey) -> Optional[list[ResolveResult]]:
        """The fresh answer for ``key``, rotated one place further on each call; ``None``
        if there is none (expired answers are dropped)."""
        if self.expired(key):
            self.remove(key)
            return None
        addrs = self._entries[key][0]
        turn = self._turn[key]
        self._turn[key] = (turn + 1) % len(addrs)
        return addrs[turn:] + addrs[:turn]


class HostResolver:
    """Resolves a connector's hosts through ``resolver`` (see the module docstring)."""

    def __init__(
        self,
        resolver: AbstractResolver,
        loop: asyncio.AbstractEventLoop,
        *,
        family: socket.AddressFamily,
        use_cache: bool,
        ttl: Optional[float],
    ) -> None:
        self.resolver = resolver
        self._loop = loop
        self._family = family
        self.use_cache = use_cache
        self.cache = DNSCache(loop, ttl)
        self._inflight: dict[_HostKey, asyncio.Task[list[ResolveResult]]] = {}

    async def resolve(
        self, host: str, port: int, traces: Sequence[ConnectorTrace]
    ) -> list[ResolveResult]:
        """The addresses to try for ``host:port``, in order.

        :raises OSError: the name could not be resolved (the resolver's error).
        """
        if is_ip_address(host):
            return [literal_result(host, port)]
        if not self.use_cache:
            return await self._lookup_traced(host, port, traces)
        key = (host, port)
        cached = self.cache.next_addrs(key)
        if cached is not None:
            for trace in traces:
                await trace.send_dns_cache_hit(host)
            return cached
        for trace in traces:
            await trace.send_dns_cache_miss(host)
        task = self._inflight.get(key)
        if task is not None:
            addrs = await asyncio.shield(task)
        else:
            for trace in traces:
                await trace.send_dns_resolvehost_start(host)
            task = self._loop.create_task(self._lookup_and_store(key))
            self._inflight[key] = task
            task.add_done_callback(self._forget_lookup)
            addrs = await asyncio.shield(task)
            for trace in traces:
                await trace.send_dns_resolvehost_end(host)
        return self.cache.next_addrs(key) or addrs

    async def _lookup_traced(
        self, host: str, port: int, traces: Sequence[ConnectorTrace]
    ) -> list[ResolveResult]:
        for trace in traces:
            await trace.send_dns_resolvehost_start(host)
        addrs = await self.resolver.resolve(host, port, family=self._family)
        for trace in traces:
            await trace.send_dns_resolvehost_end(host)
        return addrs

    async def _lookup_and_store(self, key: _HostKey) -> list[ResolveResult]:
        addrs = await self.resolver.resolve(key[0], key[1], family=self._family)
        self.cache.add(key, addrs)
        return addrs

    def _forget_lookup(self, task: asyncio.Task[list[ResolveResult]]) -> None:
        for key, running in list(self._inflight.items()):
            if running is task:
                del self._inflight[key]
        if not task.cancelled():
            task.exception()  # every caller may have gone: don't log "never retrieved"

    def clear(self, host: Optional[str] = None, port: Optional[int] = None) -> None:
        """Forget the cached answer for ``host:port``, or every answer when both are
        ``None``.

        :raises ValueError: only one of ``host`` and ``port`` was given.
        """
        if host is not None and port is not None:
            self.cache.remove((host, port))
        elif host is not None or port is not None:
            raise ValueError("either both host and port or none of them are allowed")
        else:
            self.cache.clear()

    def cancel_lookups(self) -> list[asyncio.Task[list[ResolveResult]]]:
        """Cancel the lookups in flight (the connector is closing); return their tasks."""
        tasks = list(self._inflight.values())
        for task in tasks:
            task.cancel()
        return tasks


def literal_result(host: str, port: int) -> ResolveResult:
    """The answer for a host that is already an IP address."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return ResolveResult(
        hostname=host,
        host=host,
        port=port,
        family=family,
        proto=0,
        flags=socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
    )


def to_addr_infos(addrs: Sequence[ResolveResult]) -> list[AddrInfoType]:
    """Resolver answers as ``(family, type, proto, canonname, sockaddr)`` tuples, in order
    and without duplicates. An IPv6 address with a zone (``fe80::1%eth0``) gets its scope id
    in the socket address, where the kernel needs it."""
    infos: list[AddrInfoType] = []
    for addr in addrs:
        family = addr["family"]
        host, port = addr["host"], addr["port"]
        sockaddr: tuple[object, ...]
        if family == socket.AF_INET6:
            sockaddr = (host, port, 0, 0)
            if "%" in host:
                sockaddr = _scoped_sockaddr(host, port) or sockaddr
        else:
            sockaddr = (host, port)
        info: AddrInfoType = (family, socket.SOCK_STREAM, addr["proto"], "", sockaddr)
        if info not in infos:
            infos.append(info)
    return infos


def _scoped_sockaddr(host: str, port: int) -> Optional[tuple[object, ...]]:
    # A numeric lookup: it parses the address and the zone and never touches the network.
    try:
        found = socket.getaddrinfo(
            host, port, socket.AF_INET6, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST
        )
    except OSError:
        return None
    return tuple(found[0][4]) if found else None
