"""TCPConnector over loopback: DNS cache, coalesced lookups, happy eyeballs, timeouts, error
mapping, TLS and fingerprints, the deprecated ``ssl`` spellings; UnixConnector and
NamedPipeConnector."""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl
import sys
import tempfile
from pathlib import Path

import pytest

from aiohttp._connector_tls import CLEANUP_CLOSED_FIXED
from aiohttp.abc import AbstractResolver
from aiohttp.client_exceptions import (
    ClientConnectorCertificateError,
    ClientConnectorDNSError,
    ClientConnectorError,
    ClientConnectorSSLError,
    ConnectionTimeoutError,
    ServerFingerprintMismatch,
    UnixClientConnectorError,
)
from aiohttp.client_reqrep import Fingerprint
from aiohttp.connector import NamedPipeConnector, TCPConnector, UnixConnector
from aiohttp.resolver import DefaultResolver

from ._connector_support import (
    NO_TIMEOUT,
    RecordingTrace,
    ScriptedResolver,
    Timeouts,
    address,
    cert_sha256,
    client_tls_context,
    closed_port,
    get_body,
    hanging_port,
    has_ipv6_loopback,
    keepalive,
    make_request,
    serve,
    server_tls_context,
)
from ._raw_server import RawConnection, raw_server


def _resolver_for(port: int, host: str = "example.test") -> ScriptedResolver:
    return ScriptedResolver(answers={host: [address("127.0.0.1", port, host)]})


# -- DNS -----------------------------------------------------------------------------------


async def test_tcp_dns_cache_miss_then_hit() -> None:
    trace = RecordingTrace()
    async with raw_server(keepalive()) as server:
        resolver = _resolver_for(server.port)
        async with TCPConnector(resolver=resolver, force_close=True) as connector:
            url = f"http://example.test:{server.port}/"
            assert await get_body(connector, url, traces=[trace]) == b"ok"
            assert await get_body(connector, url, traces=[trace]) == b"ok"
        assert resolver.calls == [("example.test", server.port, socket.AF_UNSPEC)]
        assert not resolver.closed  # not ours to close
    dns = [e for e in trace.events if ":" in e]
    assert dns == [
        "cache_miss:example.test",
        "resolve_start:example.test",
        "resolve_end:example.test",
        "cache_hit:example.test",
    ]


async def test_tcp_dns_cache_entries_expire_after_ttl() -> None:
    async with raw_server(keepalive()) as server:
        resolver = _resolver_for(server.port)
        connector = TCPConnector(resolver=resolver, ttl_dns_cache=0.05, force_close=True)  # type: ignore[arg-type]  # 3.13 annotates int; floats work
        url = f"http://example.test:{server.port}/"
        await get_body(connector, url)
        await get_body(connector, url)
        assert len(resolver.calls) == 1
        await asyncio.sleep(0.1)
        await get_body(connector, url)
        assert len(resolver.calls) == 2
        await connector.close()


async def test_tcp_clear_dns_cache_for_one_host_or_all() -> None:
    async with raw_server(keepalive()) as server:
        resolver = _resolver_for(server.port)
        connector = TCPConnector(resolver=resolver, force_close=True)
        url = f"http://example.test:{server.port}/"
        await get_body(connector, url)
        connector.clear_dns_cache("other.test", 80)  # unknown: fine
        await get_body(connector, url)
        assert len(resolver.calls) == 1
        connector.clear_dns_cache("example.test", server.port)
        await get_body(connector, url)
        assert len(resolver.calls) == 2
        connector.clear_dns_cache()
        await get_body(connector, url)
        assert len(resolver.calls) == 3
        with pytest.raises(ValueError, match="either both host and port"):
            connector.clear_dns_cache("example.test")
        with pytest.raises(ValueError, match="either both host and port"):
            connector.clear_dns_cache(port=80)
        await connector.close()


async def test_tcp_without_dns_cache_resolves_every_time() -> None:
    trace = RecordingTrace()
    async with raw_server(keepalive()) as server:
        resolver = _resolver_for(server.port)
        connector = TCPConnector(resolver=resolver, use_dns_cache=False, force_close=True)
        assert connector.use_dns_cache is False
        url = f"http://example.test:{server.port}/"
        await get_body(connector, url, traces=[trace])
        await get_body(connector, url, traces=[trace])
        assert len(resolver.calls) == 2
        assert "cache_hit:example.test" not in trace.events
        assert trace.events.count("resolve_start:example.test") == 2
        await connector.close()


async def test_tcp_dns_cache_rotates_addresses() -> None:
    async with raw_server(keepalive()) as first, raw_server(keepalive()) as second:
        answers = [address("127.0.0.1", first.port), address("127.0.0.1", second.port)]
        resolver = ScriptedResolver(answers={"example.test": answers})
        connector = TCPConnector(resolver=resolver, force_close=True)
        for _ in range(4):
            await get_body(connector, "http://example.test:80/")
        assert len(first.connections) == 2 and len(second.connections) == 2
        await connector.close()


async def test_tcp_concurrent_lookups_of_one_host_are_coalesced() -> None:
    async with raw_server(keepalive()) as server:
        resolver = _resolver_for(server.port)
        resolver.gate = asyncio.Event()
        connector = TCPConnector(resolver=resolver)
        url = f"http://example.test:{server.port}/"
        tasks = [asyncio.create_task(get_body(connector, url)) for _ in range(3)]
        await asyncio.sleep(0.01)
        tasks[0].cancel()  # the first caller going away does not stop the lookup
        resolver.gate.set()
        bodies = await asyncio.gather(*tasks[1:])
        assert bodies == [b"ok", b"ok"]
        assert len(resolver.calls) == 1
        with pytest.raises(asyncio.CancelledError):
            await tasks[0]
        await connector.close()


async def test_tcp_failed_lookup_is_a_dns_error_and_not_cached() -> None:
    resolver = ScriptedResolver(answers={"bad.test": OSError(None, "Domain name not found")})
    connector = TCPConnector(resolver=resolver)
    for _ in range(2):
        with pytest.raises(ClientConnectorDNSError) as info:
            await connector.connect(make_request("http://bad.test:8080/"), [], NO_TIMEOUT)
        assert info.value.host == "bad.test" and info.value.port == 8080
        assert "Domain name not found" in str(info.value.os_error)
    assert len(resolver.calls) == 2
    assert connector._pool.acquired == 0
    await connector.close()


async def test_tcp_literal_address_needs_no_resolver_and_family_is_passed() -> None:
    resolver = ScriptedResolver()
    async with raw_server(keepalive()) as server:
        connector = TCPConnector(resolver=resolver, family=socket.AF_INET)
        assert connector.family == socket.AF_INET
        assert await get_body(connector, f"http://127.0.0.1:{server.port}/") == b"ok"
        assert resolver.calls == []
        await connector.close()


async def test_tcp_default_resolver_is_made_and_closed_with_the_connector() -> None:
    connector = TCPConnector()
    assert isinstance(connector._resolver, DefaultResolver)
    assert isinstance(connector._resolver, AbstractResolver)
    await connector.close()


@pytest.mark.skipif(not has_ipv6_loopback(), reason="no IPv6 loopback")
async def test_tcp_connects_to_ipv6_loopback() -> None:
    async with serve(keepalive(), host="::1") as server:
        connector = TCPConnector()
        assert await get_body(connector, f"http://[::1]:{server.port}/") == b"ok"
        await connector.close()


# -- connecting ----------------------------------------------------------------------------


async def test_tcp_refused_connection_is_a_connector_error() -> None:
    port = closed_port()
    connector = TCPConnector()
    with pytest.raises(ClientConnectorError) as info:
        await connector.connect(make_request(f"http://127.0.0.1:{port}/"), [], NO_TIMEOUT)
    error = info.value
    assert type(error) is ClientConnectorError
    assert error.errno == errno.ECONNREFUSED
    assert (error.host, error.port, error.ssl) == ("127.0.0.1", port, True)
    assert f"Cannot connect to host 127.0.0.1:{port}" in str(error)
    await connector.close()


async def test_tcp_happy_eyeballs_races_past_a_silent_address() -> None:
    async with raw_server(keepalive()) as server:
        with hanging_port() as silent:
            resolver = ScriptedResolver(
                answers={
                    "example.test": [
                        address("127.0.0.1", silent),
                        address("127.0.0.1", server.port),
                    ]
                }
            )
            connector = TCPConnector(resolver=resolver, happy_eyeballs_delay=0.05)
            loop = asyncio.get_running_loop()
            start = loop.time()
            assert await get_body(connector, "http://example.test/") == b"ok"
            assert loop.time() - start < 1
            await connector.close()


async def test_tcp_refused_address_falls_through_to_the_next() -> None:
    async with raw_server(keepalive()) as server:
        resolver = ScriptedResolver(
            answers={
                "example.test": [
                    address("127.0.0.1", closed_port()),
                    address("127.0.0.1", server.port),
                ]
            }
        )
        connector = TCPConnector(resolver=resolver, happy_eyeballs_delay=None)
        assert await get_body(connector, "http://example.test/") == b"ok"
        await connector.close()


async def test_tcp_sock_connect_timeout() -> None:
    with hanging_port() as silent:
        connector = TCPConnector()
        req = make_request(f"http://127.0.0.1:{silent}/")
        with pytest.raises(ConnectionTimeoutError, match="Connection timeout to host"):
            await connector.connect(req, [], Timeouts(sock_connect=0.1))
        assert connector._pool.acquired == 0
        with pytest.raises(ConnectionTimeoutError):
            await connector.connect(req, [], Timeouts(connect=0.1))
        await connector.close()


async def test_tcp_local_addr_and_socket_factory_are_used() -> None:
    made: list[int] = []

    def factory(info: tuple[object, ...]) -> socket.socket:
        family, kind, proto = int(str(info[0])), int(str(info[1])), int(str(info[2]))
        made.append(family)
        return socket.socket(family, kind, proto)

    async with raw_server(keepalive()) as server:
        connector = TCPConnector(local_addr=("127.0.0.1", 0), socket_factory=factory)
        assert await get_body(connector, f"http://127.0.0.1:{server.port}/") == b"ok"
        assert made == [socket.AF_INET]
        peer = server.connections[0].writer.get_extra_info("peername")
        assert peer[0] == "127.0.0.1"
        await connector.close()


# -- TLS -----------------------------------------------------------------------------------


async def test_tls_with_trusted_context_verifies_the_server() -> None:
    async with serve(keepalive(b"secure"), tls=server_tls_context()) as server:
        url = f"https://localhost:{server.port}/"
        resolver = _resolver_for(server.port, "localhost")
        connector = TCPConnector(ssl=client_tls_context(), resolver=resolver)
        assert await get_body(connector, url) == b"secure"
        assert await get_body(connector, url) == b"secure"
        assert len(server.connections) == 1
        await connector.close()


async def test_tls_request_context_and_server_hostname_override() -> None:
    async with serve(keepalive(), tls=server_tls_context()) as server:
        connector = TCPConnector()
        url = f"https://127.0.0.1:{server.port}/"
        req = make_request(url, ssl=client_tls_context(), server_hostname="localhost")
        conn = await connector.connect(req, [], NO_TIMEOUT)
        assert conn.transport is not None
        assert conn.transport.get_extra_info("ssl_object").server_hostname == "localhost"
        conn.close()
        bad = make_request(url, ssl=client_tls_context(), server_hostname="wrong.test")
        with pytest.raises(ClientConnectorCertificateError) as info:
            await connector.connect(bad, [], NO_TIMEOUT)
        assert info.value.host == "127.0.0.1"
        assert isinstance(info.value.certificate_error, ssl.CertificateError)
        await connector.close()


async def test_tls_default_verification_refuses_self_signed() -> None:
    async with serve(keepalive(), tls=server_tls_context()) as server:
        connector = TCPConnector()
        req = make_request(f"https://127.0.0.1:{server.port}/")
        with pytest.raises(ClientConnectorCertificateError) as info:
            await connector.connect(req, [], NO_TIMEOUT)
        assert info.value.ssl is True and info.value.port == server.port
        assert "certificate verify failed" in str(info.value)
        assert connector._pool.acquired == 0
        await connector.close()


async def test_tls_without_verification() -> None:
    async with serve(keepalive(b"anyway"), tls=server_tls_context()) as server:
        connector = TCPConnector(ssl=False)
        assert await get_body(connector, f"https://127.0.0.1:{server.port}/") == b"anyway"
        await connector.close()


async def test_tls_fingerprint_pins_the_certificate() -> None:
    async with serve(keepalive(b"pinned"), tls=server_tls_context()) as server:
        url = f"https://127.0.0.1:{server.port}/"
        good = TCPConnector(ssl=Fingerprint(cert_sha256()))
        assert await get_body(good, url) == b"pinned"
        await good.close()
        wrong = b"\x01" * 32
        connector = TCPConnector()
        with pytest.raises(ServerFingerprintMismatch) as info:
            await connector.connect(make_request(url, ssl=Fingerprint(wrong)), [], NO_TIMEOUT)
        assert info.value.expected == wrong and info.value.got == cert_sha256()
        assert (info.value.host, info.value.port) == ("127.0.0.1", server.port)
        assert connector._pool.acquired == 0
        await connector.close()


async def test_tls_handshake_failure_is_an_ssl_error() -> None:
    async def plain(conn: RawConnection) -> None:
        conn.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")  # not TLS
        await conn.drain()
        await conn.read_until_eof()

    async with raw_server(plain) as server:
        connector = TCPConnector(ssl=False)
        with pytest.raises(ClientConnectorSSLError) as info:
            await connector.connect(
                make_request(f"https://127.0.0.1:{server.port}/"), [], NO_TIMEOUT
            )
        assert isinstance(info.value, ssl.SSLError)
        await connector.close()


async def test_tls_abort_ssl_on_close() -> None:
    async with serve(keepalive(), tls=server_tls_context()) as server:
        connector = TCPConnector(ssl=False)
        await get_body(connector, f"https://127.0.0.1:{server.port}/")
        idle = connector._pool.idle_protocols()
        assert len(idle) == 1
        await connector.close(abort_ssl=True)
        assert idle[0].transport is None


# -- the ssl= spellings --------------------------------------------------------------------


async def test_tcp_deprecated_ssl_arguments_map_to_ssl() -> None:
    with pytest.warns(DeprecationWarning, match="verify_ssl is deprecated"):
        connector = TCPConnector(verify_ssl=False)
    assert connector._ssl is False
    await connector.close()
    digest = cert_sha256()
    with pytest.warns(DeprecationWarning, match="fingerprint is deprecated"):
        connector = TCPConnector(fingerprint=digest)
    assert connector._ssl == Fingerprint(digest)
    await connector.close()
    context = client_tls_context()
    with pytest.warns(DeprecationWarning, match="ssl_context is deprecated"):
        connector = TCPConnector(ssl_context=context)
    assert connector._ssl is context
    await connector.close()


async def test_tcp_conflicting_or_bad_ssl_arguments_are_refused() -> None:
    with (
        pytest.warns(DeprecationWarning),
        pytest.raises(ValueError, match="mutually exclusive"),
    ):
        TCPConnector(verify_ssl=False, ssl=client_tls_context())
    with pytest.raises(TypeError, match="ssl should be SSLContext, Fingerprint, or bool"):
        TCPConnector(ssl="yes")  # type: ignore[arg-type]  # the misuse under test
    with pytest.raises(ValueError, match="sha256"):
        Fingerprint(b"\x00" * 20)


async def test_tcp_ssl_shutdown_timeout_is_deprecated() -> None:
    with pytest.warns(DeprecationWarning, match="ssl_shutdown_timeout parameter is deprecated"):
        connector = TCPConnector(ssl_shutdown_timeout=0)
    assert connector._abort_ssl_on_close
    await connector.close()
    with pytest.warns(DeprecationWarning):
        connector = TCPConnector(ssl_shutdown_timeout=1.0)
    assert not connector._abort_ssl_on_close
    await connector.close()


@pytest.mark.skipif(CLEANUP_CLOSED_FIXED, reason="ignored where CPython is fixed")
async def test_tcp_enable_cleanup_closed_aborts_closed_tls_transports() -> None:
    async with serve(keepalive(), tls=server_tls_context()) as server:
        connector = TCPConnector(ssl=False, enable_cleanup_closed=True, force_close=True)
        await get_body(connector, f"https://127.0.0.1:{server.port}/")
        reaper = connector._reaper
        assert reaper.enabled and reaper.pending == 1
        reaper.run()
        assert reaper.pending == 0
        await connector.close()


@pytest.mark.skipif(not CLEANUP_CLOSED_FIXED, reason="CPython here still needs it")
async def test_tcp_enable_cleanup_closed_is_ignored_where_fixed() -> None:
    with pytest.warns(DeprecationWarning, match="enable_cleanup_closed is ignored"):
        connector = TCPConnector(enable_cleanup_closed=True)
    assert not connector._reaper.enabled
    await connector.close()


# -- other transports ----------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no Unix sockets")
async def test_unix_connector_talks_over_a_unix_socket() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "s.sock")
        async with serve(keepalive(b"unix"), unix_path=path) as server:
            connector = UnixConnector(path)
            assert connector.path == path
            assert "unix" in connector.allowed_protocol_schema_set
            assert await get_body(connector, "http://localhost/") == b"unix"
            assert await get_body(connector, "http://localhost/") == b"unix"
            assert len(server.connections) == 1
            await connector.close()
        missing = UnixConnector(str(Path(tmp) / "missing.sock"))
        with pytest.raises(UnixClientConnectorError) as info:
            await missing.connect(make_request("http://localhost/"), [], NO_TIMEOUT)
        assert info.value.path.endswith("missing.sock")
        assert "Cannot connect to unix socket" in str(info.value)
        await missing.close()


@pytest.mark.skipif(sys.platform == "win32", reason="the proactor loop exists there")
async def test_named_pipe_connector_needs_a_windows_proactor_loop() -> None:
    with pytest.raises(RuntimeError, match="proactor loop under windows"):
        NamedPipeConnector(r"\\.\pipe\test")
    assert "npipe" in NamedPipeConnector.allowed_protocol_schema_set
