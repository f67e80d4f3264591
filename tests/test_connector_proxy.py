"""TCPConnector through HTTP proxies: plain requests in absolute form, HTTPS through a
CONNECT tunnel (the proxy is a scripted relay), and the proxy's refusals."""

from __future__ import annotations

import asyncio
import base64
import contextlib

import pytest
from yarl import URL

from aiohttp.client_exceptions import (
    ClientConnectorCertificateError,
    ClientError,
    ClientHttpProxyError,
    ClientProxyConnectionError,
)
from aiohttp.connector import TCPConnector
from aiohttp.helpers import BasicAuth

from ._connector_support import (
    NO_TIMEOUT,
    ScriptedResolver,
    client_tls_context,
    closed_port,
    fetch,
    keepalive,
    make_request,
    serve,
    server_tls_context,
)
from ._raw_server import Handler, RawConnection, Request, raw_server, scripted


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        with contextlib.suppress(Exception):
            writer.close()


def relay(target_port: int) -> Handler:
    """A CONNECT proxy: answers 200, then relays bytes to 127.0.0.1:``target_port``."""

    async def handler(conn: RawConnection) -> None:
        conn.requests.append(Request(await conn.read_head()))
        conn.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await conn.drain()
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", target_port)
        await asyncio.gather(_pipe(conn.reader, up_writer), _pipe(up_reader, conn.writer))

    return handler


async def test_proxy_https_goes_through_a_connect_tunnel() -> None:
    async with (
        serve(keepalive(b"tunneled"), tls=server_tls_context()) as target,
        raw_server(relay(target.port)) as proxy,
    ):
        resolver = ScriptedResolver()  # nothing may be resolved: the proxy is a literal
        connector = TCPConnector(ssl=client_tls_context(), resolver=resolver)
        for _ in range(2):
            req = make_request(
                f"https://localhost:{target.port}/secret",
                proxy=URL(f"http://127.0.0.1:{proxy.port}"),
                proxy_auth=BasicAuth("user", "pass"),
                proxy_headers={"X-Proxy-Token": "t"},
            )
            _, resp = await fetch(connector, req)
            assert await resp.read() == b"tunneled"
            resp.release()
        assert resolver.calls == []
        assert len(proxy.connections) == 1  # the tunnel was reused
        assert len(target.connections) == 1
        connect = proxy.connections[0].requests[0]
        assert connect.request_line == f"CONNECT localhost:{target.port} HTTP/1.1".encode()
        assert connect.header("proxy-authorization") == b"Basic " + base64.b64encode(b"user:pass")
        assert connect.header("x-proxy-token") == b"t"
        assert connect.header("host") == f"localhost:{target.port}".encode()
        get = target.connections[0].requests[0]
        assert get.request_line == b"GET /secret HTTP/1.1"
        assert get.header("proxy-authorization") is None  # never leaked to the server
        await connector.close()


async def test_proxy_refusing_connect_is_a_proxy_error() -> None:
    reply = b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 4\r\n\r\nnope"
    async with raw_server(scripted(reply, read_body=False)) as proxy:
        connector = TCPConnector(limit=1)
        req = make_request("https://localhost:4443/", proxy=URL(f"http://127.0.0.1:{proxy.port}"))
        with pytest.raises(ClientHttpProxyError) as info:
            await connector.connect(req, [], NO_TIMEOUT)
        assert info.value.status == 407
        assert info.value.message == "Proxy Authentication Required"
        assert info.value.headers is not None and info.value.headers["Content-Length"] == "4"
        assert connector._pool.acquired == 0
        await connector.close()


async def test_proxy_hanging_up_during_connect_fails_the_request() -> None:
    async def hang_up(conn: RawConnection) -> None:
        await conn.read_head()
        conn.close()

    async with raw_server(hang_up) as proxy:
        connector = TCPConnector()
        req = make_request("https://localhost:4443/", proxy=URL(f"http://127.0.0.1:{proxy.port}"))
        with pytest.raises(ClientError):
            await connector.connect(req, [], NO_TIMEOUT)
        assert connector._pool.acquired == 0
        await connector.close()


async def test_proxy_tunnel_still_verifies_the_target_certificate() -> None:
    async with (
        serve(keepalive(), tls=server_tls_context()) as target,
        raw_server(relay(target.port)) as proxy,
    ):
        connector = TCPConnector()  # system CAs: the test certificate is not trusted
        req = make_request(
            f"https://localhost:{target.port}/", proxy=URL(f"http://127.0.0.1:{proxy.port}")
        )
        with pytest.raises(ClientConnectorCertificateError) as info:
            await connector.connect(req, [], NO_TIMEOUT)
        assert info.value.host == "localhost"
        assert connector._pool.acquired == 0
        await connector.close()


async def test_proxy_plain_http_request_uses_absolute_form() -> None:
    reply = b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nproxied"
    async with raw_server(scripted(reply)) as proxy:
        resolver = ScriptedResolver()
        connector = TCPConnector(resolver=resolver)
        req = make_request(
            "http://target.test:8080/a?b=1",
            proxy=URL(f"http://127.0.0.1:{proxy.port}"),
            proxy_auth=BasicAuth("user", "pass"),
        )
        _, resp = await fetch(connector, req)
        assert await resp.read() == b"proxied"
        resp.release()
        assert resolver.calls == []  # the proxy resolves the target, not us
        sent = proxy.connections[0].requests[0]
        assert sent.request_line == b"GET http://target.test:8080/a?b=1 HTTP/1.1"
        assert sent.header("proxy-authorization") is not None
        await connector.close()


async def test_proxy_unreachable_is_a_proxy_connection_error() -> None:
    port = closed_port()
    connector = TCPConnector()
    req = make_request("http://target.test/", proxy=URL(f"http://127.0.0.1:{port}"))
    with pytest.raises(ClientProxyConnectionError) as info:
        await connector.connect(req, [], NO_TIMEOUT)
    assert (info.value.host, info.value.port) == ("127.0.0.1", port)
    await connector.close()
