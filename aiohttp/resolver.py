"""Host name resolvers for :class:`aiohttp.TCPConnector`.

:class:`ThreadedResolver` asks the operating system (``getaddrinfo`` in the event loop's
thread pool). :class:`AsyncResolver` asks DNS servers directly through ``aiodns``
(c-ares), without threads, and takes ``aiodns.DNSResolver``'s options (``nameservers``,
``timeout``, ``tries`` ...). :data:`DefaultResolver` is :class:`AsyncResolver` when an
``aiodns`` able to run ``getaddrinfo`` is installed, :class:`ThreadedResolver` otherwise.

Both return :class:`~aiohttp.abc.ResolveResult` dicts holding numeric addresses (an IPv6
address with a zone keeps it: ``fe80::1%eth0``) and raise :class:`OSError` when the name
does not resolve, which the connector reports as
:class:`~aiohttp.ClientConnectorDNSError`.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Sequence
from typing import Optional, Union

from .abc import AbstractResolver, ResolveResult

try:
    import aiodns
except ImportError:  # the optional speed-up is not installed
    _HAS_AIODNS = False
else:
    _HAS_AIODNS = True

__all__ = ("ThreadedResolver", "AsyncResolver", "DefaultResolver")

#: What a result's addresses are: numeric host and port, no lookup needed to use them.
_NUMERIC_FLAGS = socket.AI_NUMERICHOST | socket.AI_NUMERICSERV
_NAMEINFO_FLAGS = socket.NI_NUMERICHOST | socket.NI_NUMERICSERV
# Only addresses of families the host has configured. Some BSDs refuse flags outside
# AI_MASK in getaddrinfo, so keep to it where the platform defines it.
_ADDRCONFIG = socket.AI_ADDRCONFIG & getattr(socket, "AI_MASK", socket.AI_ADDRCONFIG)

_DNS_FAILED = "DNS lookup failed"


def _result(hostname: str, host: str, port: int, family: int, proto: int = 0) -> ResolveResult:
    return ResolveResult(
        hostname=hostname, host=host, port=port, family=family, proto=proto, flags=_NUMERIC_FLAGS
    )


class ThreadedResolver(AbstractResolver):
    """Resolves with the system resolver, run in the event loop's default executor."""

    def __init__(self, loop: Optional[asyncio.AbstractEventLoop] = None) -> None:
        self._loop = loop if loop is not None else asyncio.get_running_loop()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """The addresses of ``host`` (``family``: ``AF_INET``, ``AF_INET6`` or
        ``AF_UNSPEC``), in the system's order.

        :raises OSError: the name does not resolve (:class:`socket.gaierror`) or has no
            usable address.
        """
        infos = await self._loop.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, family=family, flags=_ADDRCONFIG
        )
        results: list[ResolveResult] = []
        for fam, _, proto, _, address in infos:
            if int(fam) == socket.AF_INET6:
                if len(address) < 3:
                    continue  # this Python was built without IPv6 support
                resolved, rport = str(address[0]), int(address[1])
                if address[3]:
                    # A scope id (link-local address): render it into the host string.
                    resolved, _ = await self._loop.getnameinfo(
                        (resolved, rport, int(address[2]), int(address[3])), _NAMEINFO_FLAGS
                    )
            elif int(fam) == socket.AF_INET:
                resolved, rport = str(address[0]), int(address[1])
            else:
                continue  # not an IP address family
            results.append(_result(host, resolved, rport, fam, proto))
        if not results:
            raise OSError(None, _DNS_FAILED)
        return results

    async def close(self) -> None:
        """Nothing to release (the executor belongs to the loop)."""


class AsyncResolver(AbstractResolver):
    """Resolves through ``aiodns`` (c-ares). The positional and keyword arguments after
    ``loop`` go to ``aiodns.DNSResolver`` (``nameservers``, then c-ares options such as
    ``timeout``, ``tries``, ``rotate``).

    :raises RuntimeError: ``aiodns`` is not installed.
    """

    def __init__(
        self,
        loop: Optional[asyncio.AbstractEventLoop] = None,
        *args: Optional[Sequence[str]],
        **kwargs: object,
    ) -> None:
        if not _HAS_AIODNS:
            raise RuntimeError("Resolver requires aiodns library")
        self._loop = loop if loop is not None else asyncio.get_running_loop()
        if len(args) > 1:
            raise TypeError("AsyncResolver takes at most one positional option (nameservers)")
        nameservers = args[0] if args else _nameservers(kwargs.pop("nameservers", None))
        self._resolver = aiodns.DNSResolver(nameservers, self._loop, **kwargs)
        self._closed = False

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """The addresses of ``host`` from DNS (and the hosts file).

        :raises OSError: the name does not resolve (``errno`` is ``None``, ``strerror``
            c-ares' reason) or has no usable address.
        """
        try:
            answer = await self._resolver.getaddrinfo(
                host, port=port, type=socket.SOCK_STREAM, family=family, flags=_ADDRCONFIG
            )
        except aiodns.error.DNSError as exc:
            reason = exc.args[1] if len(exc.args) > 1 else _DNS_FAILED
            raise OSError(None, str(reason)) from exc
        results: list[ResolveResult] = []
        for node in answer.nodes:
            address: tuple[object, ...] = tuple(node.addr)
            resolved = _text(address[0])
            rport = int(str(address[1]))
            if node.family == socket.AF_INET6:
                if len(address) > 3 and address[3]:
                    scoped = (resolved, rport, int(str(address[2])), int(str(address[3])))
                    info = await self._resolver.getnameinfo(scoped, _NAMEINFO_FLAGS)
                    resolved = info.node
            elif node.family != socket.AF_INET:
                continue
            results.append(_result(host, resolved, rport, node.family, node.protocol))
        if not results:
            raise OSError(None, _DNS_FAILED)
        return results

    async def close(self) -> None:
        """Stop the c-ares channel (pending lookups fail). Idempotent."""
        if self._closed:
            return
        self._closed = True
        await self._resolver.close()


def _nameservers(value: object) -> Optional[Sequence[str]]:
    if value is None:
        return None
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return [str(v) for v in value]
    raise TypeError(f"nameservers must be a sequence of str, got {value!r}")


def _text(value: object) -> str:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("ascii")
    return str(value)


def _aiodns_has_getaddrinfo() -> bool:
    return hasattr(aiodns.DNSResolver, "getaddrinfo")


#: The resolver a :class:`~aiohttp.TCPConnector` makes when given none.
DefaultResolver: type[Union[AsyncResolver, ThreadedResolver]] = (
    AsyncResolver if _HAS_AIODNS and _aiodns_has_getaddrinfo() else ThreadedResolver
)
