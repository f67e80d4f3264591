"""Type checks for ``aiohttp.connector`` and ``aiohttp.resolver``: the connectors satisfy
``AbstractConnector`` and the resolvers ``AbstractResolver``; a structural resolver (one that
does not inherit) is accepted by ``TCPConnector``; misuse is rejected.

Run with mypy only. Correct use is checked with ``assert_type``; each misuse line carries
the ``type: ignore`` code it must produce (``warn_unused_ignores`` turns a misuse that stops
failing into an error).
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Awaitable

from typing_extensions import assert_type

from aiohttp.abc import AbstractConnector, AbstractResolver, ResolveResult
from aiohttp.client import ClientTimeout
from aiohttp.client_proto import ResponseHandler
from aiohttp.client_reqrep import ClientRequest, Fingerprint
from aiohttp.connector import (
    BaseConnector,
    Connection,
    NamedPipeConnector,
    TCPConnector,
    UnixConnector,
)
from aiohttp.resolver import AsyncResolver, DefaultResolver, ThreadedResolver
from aiohttp.tracing import Trace


class ShapedResolver:
    """A resolver by shape only."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(
                hostname=host, host="127.0.0.1", port=port, family=family, proto=0, flags=0
            )
        ]

    async def close(self) -> None:
        return None


class WrongResolver:
    async def resolve(self, host: bytes) -> list[str]:
        return []

    async def close(self) -> None:
        return None


async def connectors() -> None:
    tcp: AbstractConnector = TCPConnector()
    unix: AbstractConnector = UnixConnector("/tmp/s.sock")
    pipe: AbstractConnector = NamedPipeConnector(r"\\.\pipe\p")
    base: AbstractConnector = BaseConnector(limit=10, limit_per_host=2, keepalive_timeout=None)
    assert_type(tcp.closed, bool)
    assert_type(unix.limit, int)
    assert_type(pipe.limit_per_host, int)
    assert_type(base.force_close, bool)
    assert_type(base.allowed_protocol_schema_set, frozenset[str])
    closing: Awaitable[None] = BaseConnector().close()
    await closing
    await TCPConnector().close(abort_ssl=True)

    connector = TCPConnector(
        ssl=Fingerprint(b"\x00" * 32),
        family=socket.AF_INET,
        ttl_dns_cache=None,
        resolver=ShapedResolver(),
        happy_eyeballs_delay=None,
        interleave=2,
        local_addr=("127.0.0.1", 0),
    )
    TCPConnector(ssl=ssl.create_default_context())
    TCPConnector(ssl=False)
    assert_type(connector.family, socket.AddressFamily)
    assert_type(connector.use_dns_cache, bool)
    connector.clear_dns_cache("example.test", 80)
    assert_type(UnixConnector("/tmp/s").path, str)

    TCPConnector(resolver=WrongResolver())  # type: ignore[arg-type]
    TCPConnector(ssl="yes")  # type: ignore[arg-type]
    TCPConnector(limit="10")  # type: ignore[arg-type]
    TCPConnector(keepalive_timeout="15")  # type: ignore[arg-type]
    connector.clear_dns_cache(b"example.test", 80)  # type: ignore[arg-type]


async def session_use(
    connector: TCPConnector, req: ClientRequest, traces: list[Trace], timeout: ClientTimeout
) -> None:
    """How ClientSession calls a connector: with real traces and timeouts."""
    assert_type(await connector.connect(req, traces=traces, timeout=timeout), Connection)
    abstract: AbstractConnector = connector
    assert_type(await abstract.connect(req, traces, timeout), Connection)
    await connector.connect(req, traces, object())  # type: ignore[arg-type]


def connection(conn: Connection) -> None:
    assert_type(conn.protocol, ResponseHandler | None)
    assert_type(conn.closed, bool)
    conn.add_callback(lambda: None)
    conn.add_callback(None)
    conn.release()
    conn.close()
    conn.add_callback(lambda x: None)  # type: ignore[arg-type, misc]


async def resolvers() -> None:
    threaded: AbstractResolver = ThreadedResolver()
    dns: AbstractResolver = AsyncResolver(nameservers=["127.0.0.1"], timeout=1.0)
    default: AbstractResolver = DefaultResolver()
    shaped: AbstractResolver = ShapedResolver()
    for resolver in (threaded, dns, default, shaped):
        assert_type(await resolver.resolve("localhost", 80), list[ResolveResult])
        await resolver.close()
    wrong: AbstractResolver = WrongResolver()  # type: ignore[assignment]
