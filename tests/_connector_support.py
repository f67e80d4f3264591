"""Helpers for the connector tests: timeouts, a recording trace, a scripted resolver, a
connector over socket pairs, scripted servers (TCP, TLS, IPv6, Unix) and an address that
never answers.

Everything runs on loopback: 127.0.0.1, ::1 or a Unix socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Union

from yarl import URL

from aiohttp._connector_hooks import ConnectorTrace, ConnectTimeouts
from aiohttp.abc import ResolveResult
from aiohttp.client_proto import ResponseHandler
from aiohttp.client_reqrep import ClientRequest, ClientResponse
from aiohttp.connector import BaseConnector, Connection

from ._raw_server import Handler, RawConnection, raw_server

CERTS = Path(__file__).parent / "certs"
CERT = CERTS / "localhost.crt"
KEY = CERTS / "localhost.key"


@dataclass(frozen=True)
class Timeouts:
    """A stand-in for ``ClientTimeout`` with the fields a connector reads."""

    total: Optional[float] = None
    connect: Optional[float] = None
    sock_read: Optional[float] = None
    sock_connect: Optional[float] = None
    ceil_threshold: float = 5


NO_TIMEOUT = Timeouts()


@dataclass
class RecordingTrace:
    """Records the connector's trace signals as ``name`` or ``name:host``."""

    events: list[str] = field(default_factory=list)

    async def send_connection_queued_start(self) -> None:
        self.events.append("queued_start")

    async def send_connection_queued_end(self) -> None:
        self.events.append("queued_end")

    async def send_connection_create_start(self) -> None:
        self.events.append("create_start")

    async def send_connection_create_end(self) -> None:
        self.events.append("create_end")

    async def send_connection_reuseconn(self) -> None:
        self.events.append("reuseconn")

    async def send_dns_resolvehost_start(self, host: str) -> None:
        self.events.append(f"resolve_start:{host}")

    async def send_dns_resolvehost_end(self, host: str) -> None:
        self.events.append(f"resolve_end:{host}")

    async def send_dns_cache_hit(self, host: str) -> None:
        self.events.append(f"cache_hit:{host}")

    async def send_dns_cache_miss(self, host: str) -> None:
        self.events.append(f"cache_miss:{host}")


def address(host: str, port: int, hostname: str = "example.test") -> ResolveResult:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return ResolveResult(hostname=hostname, host=host, port=port, family=family, proto=0, flags=0)


@dataclass
class ScriptedResolver:
    """An ``AbstractResolver`` by shape only: answers from ``answers`` (a list of
    addresses, or an ``OSError`` to raise) after ``gate`` is set, counting the calls."""

    answers: dict[str, Union[list[ResolveResult], OSError]] = field(default_factory=dict)
    gate: Optional[asyncio.Event] = None
    calls: list[tuple[str, int, int]] = field(default_factory=list)
    closed: bool = False

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.calls.append((host, port, family))
        if self.gate is not None:
            await self.gate.wait()
        answer = self.answers.get(host)
        if answer is None:
            raise OSError(None, f"no such host {host}")
        if isinstance(answer, OSError):
            raise answer
        return [dict(a) for a in answer]  # type: ignore[misc]  # a copy of each TypedDict

    async def close(self) -> None:
        self.closed = True


def make_request(url: str, **kwargs: object) -> ClientRequest:
    loop = asyncio.get_running_loop()
    return ClientRequest("GET", URL(url), loop=loop, **kwargs)  # type: ignore[arg-type]  # test shorthand


async def fetch(
    connector: BaseConnector,
    req: ClientRequest,
    traces: Sequence[ConnectorTrace] = (),
    timeout: ConnectTimeouts = NO_TIMEOUT,
) -> tuple[Connection, ClientResponse]:
    """Connect, send ``req`` and read the response head."""
    conn = await connector.connect(req, traces, timeout)
    protocol = conn.protocol
    assert protocol is not None
    protocol.set_response_params(method=req.method)
    resp = await req.send(conn)
    await resp.start(conn)
    return conn, resp


async def get_body(connector: BaseConnector, url: str, **kwargs: object) -> bytes:
    """A whole GET request: its body, the connection released."""
    _, resp = await fetch(connector, make_request(url), **kwargs)  # type: ignore[arg-type]  # test shorthand
    body = await resp.read()
    resp.release()
    return body


def keepalive(body: bytes = b"ok") -> Handler:
    """A handler answering every request on the connection with ``body``."""

    async def handler(conn: RawConnection) -> None:
        while True:
            await conn.read_request()
            conn.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            await conn.drain()

    return handler


def server_tls_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(CERT, KEY)
    return context


def client_tls_context() -> ssl.SSLContext:
    """A client context that trusts the test certificate."""
    context = ssl.create_default_context(cafile=str(CERT))
    return context


def cert_sha256() -> bytes:
    import hashlib

    der = ssl.PEM_cert_to_DER_cert(CERT.read_text())
    return hashlib.sha256(der).digest()


# The scripted server the connector tests use (with ``tls``, ``host`` or ``unix_path``).
serve = raw_server


@contextlib.contextmanager
def hanging_port() -> Iterator[int]:
    """A 127.0.0.1 port whose listen queue is full: a connection attempt gets no answer
    (the kernel drops the SYN) until it times out."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port: int = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(2):
            filler = socket.socket()
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
            fillers.append(filler)
        yield port
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


def closed_port() -> int:
    """A 127.0.0.1 port nothing listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def has_ipv6_loopback() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


class PairConnector(BaseConnector):
    """A connector whose connections are socket pairs: no server needed. ``peers`` holds
    the far end of each connection made, in order."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]  # test shorthand
        self.peers: list[socket.socket] = []
        self.fail_with: Optional[BaseException] = None
        self.gate: Optional[asyncio.Event] = None

    async def _create_connection(
        self, req: ClientRequest, traces: Sequence[ConnectorTrace], timeout: ConnectTimeouts
    ) -> ResponseHandler:
        if self.gate is not None:
            await self.gate.wait()
        if self.fail_with is not None:
            raise self.fail_with
        ours, theirs = socket.socketpair()
        self.peers.append(theirs)
        _, proto = await self._loop.create_connection(self._make_protocol, sock=ours)
        return proto

    def close_peers(self) -> None:
        for peer in self.peers:
            peer.close()
