"""ClientRequest.send against a scripted raw-socket server: the exact bytes a request puts on
the wire (request line, Host, default headers, every body kind and framing, compression,
Expect: 100-continue, proxies) and the refusals that must leave the wire untouched."""

from __future__ import annotations

import asyncio
import gzip
import io
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from multidict import CIMultiDict
from yarl import URL

from aiohttp.client_exceptions import ClientConnectionError, InvalidURL
from aiohttp.client_reqrep import ClientRequest, ClientResponse
from aiohttp.formdata import FormData
from aiohttp.helpers import BasicAuth
from aiohttp.http_writer import HttpVersion10

from ._raw_server import MiniConnection, RawConnection, RawServer, open_client, raw_server, scripted

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


def url(server: RawServer, path: str = "/") -> URL:
    return URL(f"http://127.0.0.1:{server.port}{path}")


async def exchange(req: ClientRequest, conn: MiniConnection) -> ClientResponse:
    resp = await req.send(conn)
    await resp.start(conn)
    assert await resp.read() == b"ok"
    return resp


async def test_request_head_exact() -> None:
    async with raw_server(scripted(OK)) as server:
        conn = await open_client(server.port)
        await exchange(ClientRequest("GET", url(server, "/p?a=1")), conn)
    head = server.connections[0].requests[0].head
    lines = head.split(b"\r\n")
    assert lines[0] == b"GET /p?a=1 HTTP/1.1"
    assert lines[1] == f"Host: 127.0.0.1:{server.port}".encode()
    assert lines[2:5] == [b"Accept: */*", lines[3], lines[4]]
    assert lines[3].startswith(b"Accept-Encoding: gzip, deflate")
    assert lines[4].startswith(b"User-Agent: Python/")
    assert head.endswith(b"\r\n\r\n") and len(lines) == 7


@pytest.mark.parametrize(
    ("target", "host"),
    [
        ("http://[::1]:8080/x", b"[::1]:8080"),
        ("http://[::1]/x", b"[::1]"),
        ("https://example.com:443/x", b"example.com"),
        ("http://пример.рф/x", b"xn--e1afmkfd.xn--p1ai"),
    ],
)
async def test_host_header_on_wire(target: str, host: bytes) -> None:
    # The connection goes to our server whatever the URL names.
    async with raw_server(scripted(OK)) as server:
        conn = await open_client(server.port)
        await exchange(ClientRequest("GET", URL(target)), conn)
    assert server.connections[0].requests[0].header("host") == host


async def test_params_on_wire() -> None:
    async with raw_server(scripted(OK)) as server:
        conn = await open_client(server.port)
        req = ClientRequest("GET", url(server, "/s?q=1"), params={"page": "2", "t": "a b"})
        await exchange(req, conn)
    assert server.connections[0].requests[0].request_line == b"GET /s?q=1&page=2&t=a+b HTTP/1.1"


async def test_http10_asks_keep_alive() -> None:
    async with raw_server(scripted(OK)) as server:
        conn = await open_client(server.port)
        await exchange(ClientRequest("GET", url(server), version=HttpVersion10), conn)
    request = server.connections[0].requests[0]
    assert request.request_line.endswith(b"HTTP/1.0")
    assert request.header("connection") == b"keep-alive"


async def test_force_close_connector_asks_close() -> None:
    class Connector:
        force_close = True

    async with raw_server(scripted(OK)) as server:
        conn = await open_client(server.port)
        conn._connector = Connector()  # type: ignore[attr-defined]  # what Connection has
        await exchange(ClientRequest("GET", url(server)), conn)
    assert server.connections[0].requests[0].header("connection") == b"close"


async def test_post_without_body() -> None:
    async with raw_server(scripted(OK)) as server:
        conn = await open_client(server.port)
        await exchange(ClientRequest("POST", url(server)), conn)
    request = server.connections[0].requests[0]
    assert request.header("content-length") == b"0"
    assert request.header("content-type") == b"application/octet-stream"
    assert request.body == b""


@pytest.mark.parametrize(
    ("data", "body", "ctype"),
    [
        (b"raw bytes", b"raw bytes", b"application/octet-stream"),
        ("text é", "text é".encode(), b"text/plain; charset=utf-8"),
        ({"a": "1", "b": "x y"}, b"a=1&b=x+y", b"application/x-www-form-urlencoded"),
        (io.BytesIO(b"from bytesio"), b"from bytesio", b"application/octet-stream"),
    ],
)
async def test_body_with_length(data: object, body: bytes, ctype: bytes) -> None:
    async with raw_server(scripted(OK)) as server:
        conn = await open_client(server.port)
        await exchange(ClientRequest("POST", url(server), data=data), conn)
    request = server.connections[0].requests[0]
    assert request.body == body
    assert request.header("content-length") == str(len(body)).encode()
    assert request.header("content-type") == ctype
    assert request.header("transfer-encoding") is None


async def test_file_body(tmp_path: Path) -> None:
    path = tmp_path / "upload.txt"
    path.write_bytes(b"line\n" * 1000)
    async with raw_server(scripted(OK)) as server:
        conn = await open_client(server.port)
        with path.open("rb") as f:
            req = ClientRequest("PUT", url(server), data=f)
            await exchange(req, conn)
            await req.close()
            await req.body.close()
    request = server.connections[0].requests[0]
    assert request.body == b"line\n" * 1000
    assert request.header("content-type") == b"text/plain"


async def test_async_iterable_body_chunked() -> None:
    async def gen() -> AsyncIterator[bytes]:
        for part in (b"one ", b"two ", b"three"):
            yield part

    async with raw_server(scripted(OK)) as server:
        conn = await open_client(server.port)
        await exchange(ClientRequest("POST", url(server), data=gen()), conn)
    request = server.connections[0].requests[0]
    assert request.header("transfer-encoding") == b"chunked"
    assert request.body == b"one two three"
    assert b"4\r\none \r\n" in server.received
    assert server.received.endswith(b"0\r\n\r\n")


async def test_explicit_chunked_bytes_body() -> None:
    async with raw_server(scripted(OK)) as server:
        conn = await open_client(server.port)
        await exchange(ClientRequest("POST", url(server), data=b"abcdef", chunked=True), conn)
    assert server.received.endswith(b"\r\n\r\n6\r\nabcdef\r\n0\r\n\r\n")


async def test_multipart_formdata_body() -> None:
    form = FormData()
    form.add_field("name", "value")
    form.add_field("file", io.BytesIO(b"\x00\x01file"), filename="f.bin")
    async with raw_server(scripted(OK)) as server:
        conn = await open_client(server.port)
        await exchange(ClientRequest("POST", url(server), data=form), conn)
    request = server.connections[0].requests[0]
    ctype = request.header("content-type")
    assert ctype is not None and ctype.startswith(b"multipart/form-data; boundary=")
    assert b'name="name"\r\n\r\nvalue\r\n' in request.body
    assert b'filename="f.bin"' in request.body and b"\x00\x01file" in request.body


@pytest.mark.parametrize(
    ("coding", "decode"),
    [
        ("deflate", lambda b: zlib.decompress(b)),
        ("gzip", lambda b: gzip.decompress(b)),
    ],
)
async def test_compressed_body(coding: str, decode: object) -> None:
    data = b"compress me " * 500
    async with raw_server(scripted(OK)) as server:
        conn = await open_client(server.port)
        await exchange(ClientRequest("POST", url(server), data=data, compress=coding), conn)
    request = server.connections[0].requests[0]
    assert request.header("content-encoding") == coding.encode()
    assert request.header("transfer-encoding") == b"chunked"
    assert len(request.body) < len(data)
    assert decode(request.body) == data  # type: ignore[operator]


async def test_content_length_cuts_longer_body() -> None:
    async with raw_server(scripted(OK)) as server:
        conn = await open_client(server.port)
        req = ClientRequest("POST", url(server), data=b"abcdef", headers={"Content-Length": "3"})
        await exchange(req, conn)
    assert server.connections[0].requests[0].body == b"abc"
    assert server.received.endswith(b"\r\n\r\nabc")


async def test_content_length_longer_than_body_fails() -> None:
    async def handler(conn: RawConnection) -> None:
        await conn.read_head()
        await conn.read_until_eof()

    async with raw_server(handler) as server:
        conn = await open_client(server.port)
        req = ClientRequest("POST", url(server), data=b"abc", headers={"Content-Length": "10"})
        resp = await req.send(conn)
        with pytest.raises(ClientConnectionError, match="shorter"):
            await resp.start(conn)
        await server.wait_received(b"\r\n\r\nabc")


async def test_body_error_fails_the_response() -> None:
    async def gen() -> AsyncIterator[bytes]:
        yield b"part"
        raise RuntimeError("producer broke")

    async def handler(conn: RawConnection) -> None:
        await conn.read_head()
        await conn.read_until_eof()

    async with raw_server(handler) as server:
        conn = await open_client(server.port)
        resp = await ClientRequest("POST", url(server), data=gen()).send(conn)
        with pytest.raises(ClientConnectionError, match="producer broke"):
            await resp.start(conn)


async def test_expect_100_continue_waits_for_go_ahead() -> None:
    body_before_continue: list[bytes] = []

    async def handler(conn: RawConnection) -> None:
        request = await conn.read_request()
        assert request.header("expect") == b"100-continue"
        try:
            body_before_continue.append(await asyncio.wait_for(conn.reader.read(1), 0.1))
        except asyncio.TimeoutError:
            pass
        conn.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        request.body = await conn.read_exactly(4)
        conn.write(OK)
        await conn.read_until_eof()

    async with raw_server(handler) as server:
        conn = await open_client(server.port)
        req = ClientRequest("POST", url(server), data=b"data", expect100=True)
        resp = await exchange(req, conn)
        assert resp.status == 200
    assert body_before_continue == []
    assert server.connections[0].requests[0].body == b"data"


async def test_expect_100_final_response_skips_body() -> None:
    async def handler(conn: RawConnection) -> None:
        await conn.read_request()
        conn.write(b"HTTP/1.1 417 Expectation Failed\r\nContent-Length: 2\r\n\r\nok")
        await conn.read_until_eof()

    async with raw_server(handler) as server:
        conn = await open_client(server.port)
        protocol = conn.protocol
        assert protocol is not None
        req = ClientRequest("POST", url(server), data=b"secret body", expect100=True)
        resp = await exchange(req, conn)
        assert resp.status == 417
        await resp.wait_for_close()
        # The announced body was never sent: the connection must not carry another request.
        assert conn.closed or conn.reusable is False
    assert b"secret body" not in server.received


async def test_proxy_plain_http_absolute_form() -> None:
    async with raw_server(scripted(OK)) as server:
        conn = await open_client(server.port)
        req = ClientRequest(
            "GET",
            URL("http://example.com/path?q=1"),
            proxy=url(server),
            proxy_auth=BasicAuth("user", "pw"),
            proxy_headers={"X-Proxy": "yes"},
        )
        await exchange(req, conn)
    request = server.connections[0].requests[0]
    assert request.request_line == b"GET http://example.com/path?q=1 HTTP/1.1"
    assert request.header("host") == b"example.com"
    assert request.header("proxy-authorization") == BasicAuth("user", "pw").encode().encode()
    assert request.header("x-proxy") == b"yes"


async def test_connect_authority_form() -> None:
    async with raw_server(scripted(b"HTTP/1.1 200 Connection established\r\n\r\n")) as server:
        conn = await open_client(server.port, method="CONNECT")
        req = ClientRequest("CONNECT", URL("http://example.com:443"))
        resp = await req.send(conn)
        await resp.start(conn)
        assert resp.status == 200
        assert conn.protocol is not None and conn.protocol.upgraded
        conn.close()
    assert server.connections[0].requests[0].request_line == (b"CONNECT example.com:443 HTTP/1.1")


# --- refusals: nothing reaches the wire --------------------------------------------------------


async def _refused(mutate: object, exc: type[Exception]) -> RawServer:
    async def handler(conn: RawConnection) -> None:
        await conn.read_until_eof()

    async with raw_server(handler) as server:
        conn = await open_client(server.port)
        req = ClientRequest("POST", url(server), data=b"body")
        mutate(req)  # type: ignore[operator]
        with pytest.raises(exc):
            await req.send(conn)
        conn.close()
        for _ in range(100):
            if server.connections:
                break
            await asyncio.sleep(0.01)
    return server


@pytest.mark.parametrize(
    ("name", "value"),
    [("X-Evil", "a\r\nInjected: 1"), ("X-Evil", "a\x00"), ("X Evil", "v"), ("X-Evil\n", "v")],
)
async def test_header_injected_after_construction_sends_nothing(name: str, value: str) -> None:
    def mutate(req: ClientRequest) -> None:
        req.headers[name] = value

    server = await _refused(mutate, ValueError)
    assert server.received == b""


async def test_method_injected_after_construction_sends_nothing() -> None:
    def mutate(req: ClientRequest) -> None:
        req.method = "GET / HTTP/1.1\r\nX:"

    server = await _refused(mutate, ValueError)
    assert server.received == b""


async def test_url_injected_after_construction_sends_nothing() -> None:
    def mutate(req: ClientRequest) -> None:
        req.url = URL("http://h/a b HTTP/1.1\x00", encoded=True)

    server = await _refused(mutate, InvalidURL)
    assert server.received == b""


async def test_conflicting_framing_headers_send_nothing() -> None:
    def mutate(req: ClientRequest) -> None:
        req.headers["Transfer-Encoding"] = "chunked"

    server = await _refused(mutate, ValueError)
    assert server.received == b""


# --- tracing hooks -----------------------------------------------------------------------------


class RecordingTrace:
    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    async def send_request_chunk_sent(self, method: str, url: URL, chunk: bytes) -> None:
        self.events.append(("chunk", chunk))

    async def send_request_headers(self, method: str, url: URL, headers: CIMultiDict[str]) -> None:
        self.events.append(("headers", headers.get("X-T")))

    async def send_response_chunk_received(self, method: str, url: URL, chunk: bytes) -> None:
        self.events.append(("received", chunk))


async def test_traces_see_headers_chunks_and_response() -> None:
    trace = RecordingTrace()
    async with raw_server(scripted(OK)) as server:
        conn = await open_client(server.port)
        req = ClientRequest(
            "POST", url(server), data=b"payload", headers={"X-T": "1"}, traces=[trace]
        )
        await exchange(req, conn)
    assert trace.events == [("headers", "1"), ("chunk", b"payload"), ("received", b"ok")]


@pytest.mark.parametrize(
    ("name", "value"),
    [("Content-Length", "4"), ("Host", "evil.example"), ("Transfer-Encoding", "gzip")],
)
async def test_repeated_framing_header_sends_nothing(name: str, value: str) -> None:
    def mutate(req: ClientRequest) -> None:
        req.headers.add(name, value)

    server = await _refused(mutate, ValueError)
    assert server.received == b""


async def test_chunked_on_http10_sends_nothing() -> None:
    def mutate(req: ClientRequest) -> None:
        req.version = HttpVersion10
        req.headers.popall("Content-Length")
        req.headers["Transfer-Encoding"] = "chunked"

    server = await _refused(mutate, ValueError)
    assert server.received == b""


async def test_transfer_encoding_not_ending_in_chunked_sends_nothing() -> None:
    def mutate(req: ClientRequest) -> None:
        req.headers.popall("Content-Length")
        req.headers["Transfer-Encoding"] = "chunked, gzip"

    server = await _refused(mutate, ValueError)
    assert server.received == b""


async def test_user_transfer_encoding_header_frames_chunked() -> None:
    async with raw_server(scripted(OK)) as server:
        conn = await open_client(server.port)
        req = ClientRequest(
            "POST", url(server), data=b"abc", headers={"Transfer-Encoding": "chunked"}
        )
        await exchange(req, conn)
    assert server.connections[0].requests[0].body == b"abc"
    assert server.received.endswith(b"3\r\nabc\r\n0\r\n\r\n")


# --- the writer task -------------------------------------------------------------------------


async def test_terminate_stops_body_and_closes_connection() -> None:
    gate = asyncio.Event()

    async def slow() -> AsyncIterator[bytes]:
        yield b"first"
        await gate.wait()
        yield b"never"

    async def handler(conn: RawConnection) -> None:
        await conn.read_head()
        await conn.read_until_eof()

    async with raw_server(handler) as server:
        conn = await open_client(server.port)
        req = ClientRequest("POST", url(server), data=slow())
        await req.send(conn)
        await server.wait_received(b"first\r\n")
        req.terminate()
        await asyncio.sleep(0.01)
        assert conn.closed
        await req.close()
    assert b"never" not in server.received


async def test_close_waits_for_body_writer() -> None:
    async def gen() -> AsyncIterator[bytes]:
        for _ in range(3):
            await asyncio.sleep(0.01)
            yield b"x"

    async with raw_server(scripted(OK)) as server:
        conn = await open_client(server.port)
        req = ClientRequest("POST", url(server), data=gen())
        await req.send(conn)
        await req.close()
        await server.wait_received(b"0\r\n\r\n")
        conn.close()
