"""ThreadedResolver, AsyncResolver (aiodns) and DefaultResolver, on loopback names only."""

from __future__ import annotations

import asyncio
import socket
from typing import Union

import pytest

from aiohttp import resolver as resolver_module
from aiohttp.abc import AbstractResolver
from aiohttp.resolver import AsyncResolver, DefaultResolver, ThreadedResolver

_NUMERIC = socket.AI_NUMERICHOST | socket.AI_NUMERICSERV
_AddrInfo = tuple[
    socket.AddressFamily,
    socket.SocketKind,
    int,
    str,
    Union[tuple[str, int], tuple[str, int, int, int]],
]


async def test_threaded_resolver_resolves_localhost() -> None:
    resolver = ThreadedResolver()
    results = await resolver.resolve("localhost", 8080, family=socket.AF_INET)
    assert {"hostname": "localhost", "host": "127.0.0.1", "port": 8080} in [
        {k: r[k] for k in ("hostname", "host", "port")} for r in results
    ]
    assert all(r["family"] == socket.AF_INET and r["flags"] == _NUMERIC for r in results)
    await resolver.close()
    await resolver.close()


async def test_threaded_resolver_numeric_address() -> None:
    resolver = ThreadedResolver(loop=asyncio.get_running_loop())
    [result] = await resolver.resolve("127.0.0.1", 80)
    assert result["host"] == "127.0.0.1" and result["port"] == 80


async def test_threaded_resolver_renders_ipv6_scope_into_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loop = asyncio.get_running_loop()

    async def getaddrinfo(*args: object, **kwargs: object) -> list[_AddrInfo]:
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("fe80::1", 80, 0, 1)),
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::1", 80, 0, 0)),
        ]

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)
    results = await ThreadedResolver().resolve("scoped.test", 80, socket.AF_INET6)
    assert results[0]["host"].startswith("fe80::1%")
    assert results[1]["host"] == "::1"
    assert [r["proto"] for r in results] == [6, 6]


async def test_threaded_resolver_no_usable_address_is_an_oserror(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loop = asyncio.get_running_loop()

    async def getaddrinfo(*args: object, **kwargs: object) -> list[_AddrInfo]:
        return []

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)
    with pytest.raises(OSError, match="DNS lookup failed"):
        await ThreadedResolver().resolve("empty.test")


async def test_async_resolver_resolves_from_the_hosts_file() -> None:
    resolver = AsyncResolver(nameservers=["127.0.0.1"], timeout=0.5, tries=1)
    results = await resolver.resolve("localhost", 443, family=socket.AF_INET)
    assert [(r["hostname"], r["host"], r["port"]) for r in results] == [
        ("localhost", "127.0.0.1", 443)
    ]
    assert results[0]["flags"] == _NUMERIC
    await resolver.close()
    await resolver.close()  # idempotent


async def test_async_resolver_failure_is_an_oserror() -> None:
    # The only nameserver is a closed local port: the query is refused at once.
    resolver = AsyncResolver(None, ["127.0.0.1:1"], timeout=0.5, tries=1)
    with pytest.raises(OSError) as info:
        await resolver.resolve("no-such-host.test", 80)
    assert info.value.errno is None and info.value.strerror
    await resolver.close()


async def test_async_resolver_checks_its_options(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(TypeError, match="nameservers must be a sequence of str"):
        AsyncResolver(nameservers="127.0.0.1")
    with pytest.raises(TypeError, match="at most one positional"):
        AsyncResolver(None, ["127.0.0.1"], ["127.0.0.2"])
    monkeypatch.setattr(resolver_module, "_HAS_AIODNS", False)
    with pytest.raises(RuntimeError, match="requires aiodns"):
        AsyncResolver()


async def test_default_resolver_is_async_when_aiodns_is_installed() -> None:
    assert DefaultResolver is AsyncResolver
    for cls in (ThreadedResolver, AsyncResolver):
        resolver = cls()
        assert isinstance(resolver, AbstractResolver)
        await resolver.close()


def test_resolvers_need_a_running_loop() -> None:
    with pytest.raises(RuntimeError):
        ThreadedResolver()
