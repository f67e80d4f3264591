"""Multipart and forms end to end, over loopback sockets.

Server: ``request.post()`` driven by httpx (an independent client) and by our client; file
parts become ``FileField`` s on anonymous temporary files, a 50 MiB upload is streamed (the
server's tracemalloc peak stays small while the client runs in another process),
``client_max_size`` holds whether the size is declared or the body is chunked, and malformed
forms are ``400``. Client: ``FormData`` and ``MultipartWriter`` bodies stream a 50 MiB file to
a raw-socket server that only counts, what reaches the wire parses with the stdlib ``email``
package, and CR/LF/NUL in names or file names is a ``ValueError`` before anything is sent.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import email.parser
import email.policy
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage, MIMEPart
from pathlib import Path
from typing import IO, Optional, Union

import httpx
import pytest
from multidict import MultiDictProxy

from aiohttp import ClientSession, FormData, MultipartWriter, web
from aiohttp._web_form import _TransferDecoder
from aiohttp.multipart import BodyPartReader, MultipartReader
from aiohttp.payload import Payload
from aiohttp.web_protocol import RequestPayloadError
from tests._web_fixtures import raw_exchange, serve_app, split_response

MIB = 2**20
BIG = 50 * MIB
# Far below the 50 MiB that holding an upload whole would cost.
STREAMING_PEAK = 8 * MIB

Json = Union[str, int, list["Json"], dict[str, "Json"]]


# --- the server under test ---------------------------------------------------------------


def _digest(file: IO[bytes]) -> tuple[int, str]:
    sha = hashlib.sha256()
    size = 0
    while chunk := file.read(MIB):
        sha.update(chunk)
        size += len(chunk)
    return size, sha.hexdigest()


async def describe_form(request: web.Request) -> web.Response:
    """Answer with every field of ``request.post()``, in order, as JSON."""
    form = await request.post()
    assert isinstance(form, MultiDictProxy)
    fields: list[Json] = []
    for name, value in form.items():
        if isinstance(value, web.FileField):
            assert value.name == name
            size, sha = await asyncio.get_running_loop().run_in_executor(None, _digest, value.file)
            headers: dict[str, Json] = {k.lower(): v for k, v in value.headers.items()}
            fields.append([name, "file", value.filename, value.content_type, size, sha, headers])
        elif isinstance(value, str):
            fields.append([name, "str", value])
        else:
            fields.append([name, "bytes", value.hex()])
    return web.json_response(fields)


@contextlib.asynccontextmanager
async def form_server(
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]] = describe_form,
    *,
    client_max_size: int = 4 * MIB,
) -> AsyncIterator[str]:
    """An application answering every method on ``/`` with ``handler``; yields its URL."""
    app = web.Application(client_max_size=client_max_size)
    app.router.add_route("*", "/", handler)
    async with serve_app(app) as port:
        yield f"http://127.0.0.1:{port}/"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def raw_post(url: str, content_type: str, body: bytes, extra: str = "") -> tuple[int, str]:
    """POST ``body`` over a raw socket (``Connection: close``); the status and body text."""
    port = int(url.rsplit(":", 1)[1].rstrip("/"))
    head = (
        f"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n{extra}\r\n"
    )
    status, _, text = split_response(await raw_exchange(port, head.encode() + body))
    return status, text.decode("utf-8", "replace")


def form_body(*parts: bytes, boundary: bytes = b"XyZ") -> bytes:
    """A multipart body of ``parts`` (each its header lines, a blank line, its content)."""
    out = b"".join(b"--" + boundary + b"\r\n" + part + b"\r\n" for part in parts)
    return out + b"--" + boundary + b"--\r\n"


FORM_TYPE = "multipart/form-data; boundary=XyZ"


# --- server: request.post() --------------------------------------------------------------


async def test_post_httpx_files_become_filefields() -> None:
    payload = bytes(range(256)) * 40 + b"\r\n--XyZ\r\n"  # binary, with boundary-like bytes
    async with form_server() as url, httpx.AsyncClient() as client:
        resp = await client.post(
            url,
            data={"title": "héllo wörld", "tag": ["a", "b"]},
            files=[
                ("upload", ("dätä.bin", payload, "application/x-thing")),
                ("upload", ("empty.txt", b"", "text/plain")),
            ],
        )
    assert resp.status_code == 200, resp.text
    fields = resp.json()
    assert fields[:3] == [
        ["title", "str", "héllo wörld"],
        ["tag", "str", "a"],
        ["tag", "str", "b"],
    ]
    (_, kind, filename, ctype, size, digest, headers), second = fields[3], fields[4]
    assert (kind, filename, ctype, size, digest) == (
        "file",
        "dätä.bin",
        "application/x-thing",
        len(payload),
        sha(payload),
    )
    assert headers["content-disposition"].startswith('form-data; name="upload"')
    assert second[:6] == ["upload", "file", "empty.txt", "text/plain", 0, sha(b"")]


async def test_post_our_client_formdata_becomes_filefields() -> None:
    form = FormData()
    form.add_field("name", "ünïcode")
    form.add_field("blob", b"\x00\xff", content_type="application/x-blob", filename="b.bin")
    form.add_field("doc", io.BytesIO(b"file body\r\n"), filename="doc.txt")
    async with (
        form_server() as url,
        ClientSession() as session,
        session.post(url, data=form) as resp,
    ):
        assert resp.status == 200, await resp.text()
        fields = await resp.json()
    assert fields[0] == ["name", "str", "ünïcode"]
    assert fields[1][:4] == ["blob", "file", "b.bin", "application/x-blob"]
    assert fields[1][5] == sha(b"\x00\xff")
    assert fields[2][:6] == [
        "doc",
        "file",
        "doc.txt",
        "application/octet-stream",  # as 3.13: a BytesIO part is not typed by its file name
        len(b"file body\r\n"),
        sha(b"file body\r\n"),
    ]


async def test_post_our_client_multipart_writer_values_and_charsets() -> None:
    with MultipartWriter("form-data") as writer:
        for name, value, ctype in (
            ("latin", "café".encode("latin-1"), "text/plain; charset=latin-1"),
            ("raw", b"\x01\x02", "application/octet-stream"),
            ("plain", "ok", None),
        ):
            part = writer.append(value, {"Content-Type": ctype} if ctype else None)
            part.set_content_disposition("form-data", name=name)
    async with (
        form_server() as url,
        ClientSession() as session,
        session.post(url, data=writer) as resp,
    ):
        assert resp.status == 200, await resp.text()
        fields = await resp.json()
    assert fields == [["latin", "str", "café"], ["raw", "bytes", "0102"], ["plain", "str", "ok"]]


async def test_post_charset_field_sets_default_charset() -> None:
    body = form_body(
        b'Content-Disposition: form-data; name="_charset_"\r\n\r\nlatin-1',
        b'Content-Disposition: form-data; name="t"\r\n\r\n' + "crème".encode("latin-1"),
    )
    async with form_server() as url:
        status, text = await raw_post(url, FORM_TYPE, body)
    assert (status, json.loads(text)) == (200, [["t", "str", "crème"]])


async def test_post_transfer_encoded_parts_are_decoded() -> None:
    data = os.urandom(300_000)
    encoded = base64.b64encode(data)
    b64 = b"\r\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))
    body = form_body(
        b'Content-Disposition: form-data; name="f"; filename="f.bin"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + b64,
        b'Content-Disposition: form-data; name="q"\r\n'
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9 =\r\nau lait",
    )
    async with form_server() as url:
        status, text = await raw_post(url, FORM_TYPE, body)
    assert status == 200, text
    fields = json.loads(text)
    assert fields[0][4:6] == [len(data), sha(data)]
    assert fields[1] == ["q", "str", "café au lait"]


@pytest.mark.parametrize(
    ("encoding", "encoded", "decoded"),
    [
        (
            "quoted-printable",
            b"caf=C3=A9 =\r\nau lait  \r\nx=3D=\r\n",
            "café au lait  \r\nx=".encode(),
        ),
        ("base64", base64.encodebytes(bytes(range(256))), bytes(range(256))),
        ("8bit", b"as\r\nis", b"as\r\nis"),
    ],
)
def test_post_transfer_decoding_survives_any_split(
    encoding: str, encoded: bytes, decoded: bytes
) -> None:
    # A file part is decoded piece by piece as it arrives: any split must give the same.
    for cut in range(len(encoded) + 1):
        decoder = _TransferDecoder(encoding)
        out = decoder.feed(encoded[:cut]) + decoder.feed(encoded[cut:]) + decoder.flush()
        assert out == decoded, cut


async def test_post_urlencoded_from_our_client_and_httpx() -> None:
    async with form_server() as url, ClientSession() as session:
        async with session.post(url, data=FormData({"a": "1", "b": "é &= x"})) as resp:
            assert await resp.json() == [["a", "str", "1"], ["b", "str", "é &= x"]]
        async with session.post(url, data=FormData({"a": "ä"}, charset="latin-1")) as resp:
            assert await resp.json() == [["a", "str", "ä"]]
        async with httpx.AsyncClient() as client:
            resp2 = await client.post(url, data={"k": ["1", "2"], "e": ""})
    assert resp2.json() == [["k", "str", "1"], ["k", "str", "2"], ["e", "str", ""]]


def _upload_script(path: Path, url: str) -> str:
    return (
        "import httpx, sys\n"
        f"with open({str(path)!r}, 'rb') as fh:\n"
        f"    r = httpx.post({url!r}, files={{'file': ('big.bin', fh, 'application/x-big')}},"
        " data={'note': 'big'}, timeout=30)\n"
        "sys.stdout.write(r.text)\n"
    )


@pytest.fixture(scope="module")
def big_file() -> Iterator[tuple[Path, str]]:
    """A 50 MiB file of random-looking bytes, and its SHA-256."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.bin"
        block = os.urandom(MIB)
        digest = hashlib.sha256()
        with path.open("wb") as fh:
            for i in range(BIG // MIB):
                chunk = bytes([i]) + block[1:]
                fh.write(chunk)
                digest.update(chunk)
        yield path, digest.hexdigest()


async def test_post_large_upload_streams_to_temporary_file(big_file: tuple[Path, str]) -> None:
    path, digest = big_file
    seen: dict[str, object] = {}

    async def handler(request: web.Request) -> web.Response:
        form = await request.post()
        upload = form["file"]
        assert isinstance(upload, web.FileField)
        seen["peak"] = tracemalloc.get_traced_memory()[1]
        stat = os.fstat(upload.file.fileno())
        seen["anonymous"] = stat.st_nlink == 0  # TemporaryFile: no name on disk
        seen["position"] = upload.file.tell()
        return await describe_form(request)

    async with form_server(handler, client_max_size=BIG + MIB) as url:
        # The client runs in another process, so the peak below is the server's alone.
        tracemalloc.start()
        try:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                _upload_script(path, url),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            out, err = await asyncio.wait_for(proc.communicate(), 60)
        finally:
            tracemalloc.stop()
    assert proc.returncode == 0, err.decode()
    fields = json.loads(out)
    assert fields[0] == ["note", "str", "big"]
    assert fields[1][:6] == ["file", "file", "big.bin", "application/x-big", BIG, digest]
    assert seen["anonymous"] is True and seen["position"] == 0
    peak = seen["peak"]
    assert isinstance(peak, int)
    assert peak < STREAMING_PEAK, f"server peak {peak / MIB:.1f} MiB"


async def test_post_multipart_reader_streams_parts() -> None:
    data = os.urandom(3 * MIB)

    async def handler(request: web.Request) -> web.Response:
        reader = await request.multipart()
        assert isinstance(reader, MultipartReader)
        out: list[Json] = []
        async for part in reader:
            assert isinstance(part, BodyPartReader)
            sizes = []
            digest = hashlib.sha256()
            while chunk := await part.read_chunk(8192):
                sizes.append(len(chunk))
                digest.update(chunk)
            out.append([part.name or "", part.filename or "", max(sizes), digest.hexdigest()])
        return web.json_response(out)

    form = FormData()
    form.add_field("f", io.BytesIO(data), filename="x.bin")
    form.add_field("g", "text")
    async with (
        form_server(handler, client_max_size=1024) as url,
        ClientSession() as session,
        session.post(url, data=form) as resp,  # not held to client_max_size
    ):
        assert resp.status == 200
        got = await resp.json()
    assert got == [["f", "x.bin", 8192, sha(data)], ["g", "", 4, sha(b"text")]]


# --- server: client_max_size -------------------------------------------------------------


async def test_post_declared_length_over_limit_is_413_before_body() -> None:
    async with form_server(client_max_size=1000) as url:
        port = int(url.rsplit(":", 1)[1].rstrip("/"))
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            # Only the head: the 413 must come without waiting for the 10 MB.
            writer.write(
                f"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: {FORM_TYPE}\r\n"
                f"Content-Length: {10**7}\r\n\r\n".encode()
            )
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        finally:
            writer.close()
    assert head.startswith(b"HTTP/1.1 413 ")


async def test_post_chunked_body_over_limit_is_413() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'--XyZ\r\nContent-Disposition: form-data; name="f"; filename="a"\r\n\r\n'
        for _ in range(64):
            yield b"x" * 1024
        yield b"\r\n--XyZ--\r\n"

    async with form_server(client_max_size=10_000) as url, httpx.AsyncClient() as client:
        resp = await client.post(url, content=chunks(), headers={"Content-Type": FORM_TYPE})
    assert resp.request.headers["transfer-encoding"] == "chunked"
    assert resp.status_code == 413
    assert "Maximum request body size 10000 exceeded" in resp.text


async def test_post_file_over_limit_is_413_from_both_clients() -> None:
    async with form_server(client_max_size=100_000) as url:
        async with httpx.AsyncClient() as client:
            resp = await client.post(url, files={"f": ("a", b"x" * 200_000)})
        assert resp.status_code == 413
        async with ClientSession() as session:
            form = FormData()
            form.add_field("f", io.BytesIO(b"x" * 200_000), filename="a")
            async with session.post(url, data=form) as resp2:
                assert resp2.status == 413
            # Many small fields count too: the whole body is held to the limit.
            many = FormData(default_to_multipart=True)
            for i in range(2000):
                many.add_field(f"f{i}", "v" * 40)
            async with session.post(url, data=many) as resp3:
                assert resp3.status == 413
            async with session.post(url, data={"a": "x" * 100_001}) as resp4:
                assert resp4.status == 413


# --- server: malformed forms -------------------------------------------------------------

_DISPO = b'Content-Disposition: form-data; name="a"\r\n'


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        pytest.param("multipart/form-data", form_body(_DISPO), "boundary", id="no-boundary"),
        pytest.param(
            "multipart/form-data; boundary=",
            form_body(_DISPO),
            "boundary",
            id="empty-boundary",
        ),
        pytest.param(
            FORM_TYPE,
            form_body(_DISPO + b"\r\nvalue")[: -len(b"--XyZ--\r\n") - 2],
            "ended",
            id="no-closing-boundary",
        ),
        pytest.param(FORM_TYPE, b"--XyZ\r\n" + _DISPO + b"\r\nval", "ended", id="cut-in-body"),
        pytest.param(FORM_TYPE, b"--XyZ\r\n" + _DISPO[:20], "ended", id="cut-in-headers"),
        pytest.param(FORM_TYPE, b"no boundary at all", "ended", id="no-delimiter"),
        pytest.param(FORM_TYPE, b"", "ended", id="empty-body"),
        pytest.param(
            FORM_TYPE,
            form_body(_DISPO + b"X-Long: " + b"a" * 9000 + b"\r\n\r\nv"),
            "multipart part header",
            id="oversized-header",
        ),
        pytest.param(
            FORM_TYPE,
            form_body(_DISPO + b"".join(b"X-%d: v\r\n" % i for i in range(200)) + b"\r\nv"),
            "more than 128 headers",
            id="too-many-headers",
        ),
        pytest.param(FORM_TYPE, form_body(_DISPO + b"no colon\r\n\r\nv"), "", id="no-colon"),
        pytest.param(FORM_TYPE, form_body(_DISPO + b"Bad Name: v\r\n\r\nv"), "", id="bad-name"),
        pytest.param(FORM_TYPE, form_body(b" folded: x\r\n\r\nv"), "", id="fold-first"),
        pytest.param(
            FORM_TYPE,
            form_body(b"Content-Type: text/plain\r\n\r\nv"),
            "without a name",
            id="no-name",
        ),
        pytest.param(
            FORM_TYPE,
            form_body(_DISPO + b"Content-Type: text/plain; charset=nope\r\n\r\nv"),
            "unknown charset",
            id="unknown-charset",
        ),
        pytest.param(FORM_TYPE, form_body(_DISPO + b"\r\n\xff\xfe"), "utf-8", id="not-utf8"),
        pytest.param(
            FORM_TYPE,
            form_body(_DISPO + b"Content-Transfer-Encoding: x-rot13\r\n\r\nv"),
            "x-rot13",
            id="unknown-transfer-encoding",
        ),
        pytest.param(
            FORM_TYPE,
            form_body(_DISPO + b"Content-Transfer-Encoding: base64\r\n\r\nQQ=x"),
            "base64",
            id="bad-base64",
        ),
        pytest.param(
            FORM_TYPE,
            form_body(b"Content-Type: multipart/mixed; boundary=in\r\n\r\n--in\r\n\r\nx\r\n--in--"),
            "nested",
            id="nested-multipart",
        ),
        pytest.param(
            FORM_TYPE,
            b"--XyZ\r\n" + _DISPO + b"\r\nv\r\n--XyZjunk\r\n",
            "boundary",
            id="junk-boundary",
        ),
        pytest.param(
            FORM_TYPE,
            form_body(b'Content-Disposition: form-data; name="_charset_"\r\n\r\nno-such'),
            "charset",
            id="bad-charset-field",
        ),
    ],
)
async def test_post_malformed_form_is_400(content_type: str, body: bytes, expected: str) -> None:
    async with form_server() as url:
        status, text = await asyncio.wait_for(raw_post(url, content_type, body), 10)
    assert status == 400, text
    assert expected in text


async def test_post_malformed_form_error_is_a_value_error() -> None:
    caught: list[BaseException] = []

    async def handler(request: web.Request) -> web.Response:
        try:
            await request.post()
        except ValueError as exc:  # what 3.13 code catches around post()
            caught.append(exc)
            assert isinstance(exc, web.HTTPBadRequest)
            return web.Response(text="handled")
        return web.Response(text="parsed")

    async with form_server(handler) as url:
        assert await raw_post(url, FORM_TYPE, b"--XyZ\r\n") == (200, "handled")
    assert "ended" in str(caught[0])


async def test_multipart_reader_without_boundary_is_400() -> None:
    async def handler(request: web.Request) -> web.Response:
        await request.multipart()
        return web.Response(text="read?")

    async with form_server(handler) as url:
        status, text = await raw_post(url, "multipart/form-data", form_body(_DISPO))
    assert status == 400 and "boundary" in text


async def test_post_body_cut_short_by_peer_does_not_hang() -> None:
    async def handler(request: web.Request) -> web.Response:
        try:
            await request.post()
        except Exception as exc:
            errors.append(exc)
            raise
        return web.Response(text="parsed?")

    errors: list[Exception] = []
    async with form_server(handler) as url:
        port = int(url.rsplit(":", 1)[1].rstrip("/"))
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(
                f"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: {FORM_TYPE}\r\n"
                f"Content-Length: 1000\r\n\r\n".encode()
                + b"--XyZ\r\n"
                + _DISPO
                + b"\r\npartial"
            )
            writer.write_eof()  # the peer stops sending: the body is 1000 bytes short
            answer = await asyncio.wait_for(reader.read(), 5)
        finally:
            writer.close()
    assert not answer or answer.startswith(b"HTTP/1.1 400 "), answer
    assert len(errors) == 1 and isinstance(errors[0], RequestPayloadError)
    assert "content length" in str(errors[0])


# --- client: streaming uploads -----------------------------------------------------------


@dataclass
class Received:
    """What the counting server saw."""

    connections: int = 0
    head: bytes = b""
    size: int = 0
    chunked: bool = False


async def _read_body(
    reader: asyncio.StreamReader, head: bytes, sink: Callable[[bytes], None]
) -> bool:
    """Read a Content-Length or chunked body into ``sink``; True when chunked."""
    lowered = head.lower()
    if b"transfer-encoding: chunked" in lowered:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                return True
            sink(await reader.readexactly(size))
            await reader.readexactly(2)
    length = int(lowered.split(b"content-length:")[1].split(b"\r\n")[0])
    while length:
        chunk = await reader.read(min(length, 2**16))
        if not chunk:
            raise ConnectionError("body cut short")
        sink(chunk)
        length -= len(chunk)
    return False


@contextlib.asynccontextmanager
async def counting_server(
    keep: Optional[Callable[[bytes], object]] = None,
) -> AsyncIterator[tuple[str, Received]]:
    """A raw server that reads one request per connection, counts its body bytes (passing
    them to ``keep`` if given) and answers ``200`` with the count."""
    got = Received()

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        got.connections += 1
        try:
            got.head = await reader.readuntil(b"\r\n\r\n")

            def sink(chunk: bytes) -> None:
                got.size += len(chunk)
                if keep is not None:
                    keep(chunk)

            got.chunked = await _read_body(reader, got.head, sink)
            text = str(got.size).encode()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(text), text))
            await writer.drain()
        finally:
            writer.close()

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/", got
    finally:
        server.close()
        await server.wait_closed()


def parse_with_email(head: bytes, body: bytes) -> EmailMessage:
    """The body as the stdlib ``email`` package reads it, with the request's Content-Type."""
    ctype = next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-type:"))
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        ctype + b"\r\n\r\n" + bytes(body)
    )
    assert isinstance(message, EmailMessage)
    assert message.is_multipart() and not message.defects
    return message


def content(part: MIMEPart) -> bytes:
    """A part's body, transfer-decoded."""
    data = part.get_payload(decode=True)
    assert isinstance(data, bytes)
    return data


def _big_formdata(fh: IO[bytes]) -> Payload:
    form = FormData()
    form.add_field("note", "big")
    form.add_field("file", fh, filename="big.bin", content_type="application/x-big")
    return form()


def _big_writer(fh: IO[bytes]) -> Payload:
    writer = MultipartWriter("form-data")
    writer.append("big").set_content_disposition("form-data", name="note")
    part = writer.append(fh, {"Content-Type": "application/x-big"})
    part.set_content_disposition("form-data", name="file", filename="big.bin")
    return writer


@pytest.mark.parametrize("build", [_big_formdata, _big_writer], ids=["FormData", "MultipartWriter"])
async def test_client_streams_file_without_loading_it(
    big_file: tuple[Path, str], build: Callable[[IO[bytes]], Payload], tmp_path: Path
) -> None:
    path, digest = big_file
    with path.open("rb") as fh, (tmp_path / "received").open("w+b") as sink:
        async with counting_server(sink.write) as (url, got), ClientSession() as session:
            data = build(fh)
            tracemalloc.start()  # the client and the counting server both
            try:
                async with session.post(url, data=data) as resp:
                    assert resp.status == 200
                    assert int(await resp.text()) == got.size
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
        assert peak < STREAMING_PEAK, f"client peak {peak / MIB:.1f} MiB"
        assert not got.chunked
        # The body: the note part, the file part's head, the file in full, the end.
        sink.seek(0)
        front = sink.read(4096)
        boundary = got.head.split(b"boundary=")[1].split(b"\r\n")[0].strip(b'"')
        file_head = front.index(b'name="file"; filename="big.bin"')
        start = front.index(b"\r\n\r\n", file_head) + 4
        note, file_part = front[:file_head].rsplit(b"--" + boundary + b"\r\n", 1)
        assert note.endswith(b'name="note"\r\n\r\nbig\r\n')
        assert b"Content-Type: application/x-big\r\n" in file_part + front[file_head:start]
        tail = b"\r\n--" + boundary + b"--\r\n"
        assert got.size == start + BIG + len(tail)
        sink.seek(start)
        assert _digest(io.BufferedReader(io.BytesIO(sink.read(BIG)))) == (BIG, digest)
        assert sink.read() == tail


async def test_client_formdata_wire_parses_with_email() -> None:
    payload = bytes(range(256)) * 8 + b"\r\n--\r\n"
    received = bytearray()
    form = FormData()
    form.add_field("text", "héllo\r\nwörld")
    form.add_field("same", "1")
    form.add_field("same", "2")
    form.add_field("file", io.BytesIO(payload), filename="é x.bin")
    form.add_field("typed", b'{"a": 1}', content_type="application/json", filename="a.json")
    async with (
        counting_server(received.extend) as (url, got),
        ClientSession() as session,
        session.post(url, data=form) as resp,
    ):
        assert resp.status == 200
    message = parse_with_email(got.head, bytes(received))
    parts = list(message.iter_parts())
    names = [p.get_param("name", header="content-disposition") for p in parts]
    assert names == ["text", "same", "same", "file", "typed"]
    assert [p.get_payload(decode=True) for p in parts[:3]] == [
        "héllo\r\nwörld".encode(),
        b"1",
        b"2",
    ]
    assert parts[3].get_filename() == "%C3%A9%20x.bin"  # percent-encoded, as 3.13 sends it
    assert parts[3].get_payload(decode=True) == payload
    assert parts[4].get_content_type() == "application/json"
    assert parts[4].get_payload(decode=True) == b'{"a": 1}'


async def test_client_chunked_multipart_writer_parses_with_email() -> None:
    async def pieces() -> AsyncIterator[bytes]:
        for i in range(5):
            yield bytes([65 + i]) * 1000

    writer = MultipartWriter("form-data")
    writer.append(pieces()).set_content_disposition("form-data", name="gen", filename="g")
    writer.append_json({"k": "v"}).set_content_disposition("form-data", name="j")
    received = bytearray()
    async with (
        counting_server(received.extend) as (url, got),
        ClientSession() as session,
        session.post(url, data=writer) as resp,
    ):
        assert resp.status == 200
    assert got.chunked
    parts = list(parse_with_email(got.head, bytes(received)).iter_parts())
    assert content(parts[0]) == b"".join(bytes([65 + i]) * 1000 for i in range(5))
    assert json.loads(content(parts[1])) == {"k": "v"}


async def test_client_urlencoded_formdata_on_the_wire() -> None:
    received = bytearray()
    form = FormData([("a", "1"), ("b", "é &=")])
    async with (
        counting_server(received.extend) as (url, got),
        ClientSession() as session,
        session.post(url, data=form) as resp,
    ):
        assert resp.status == 200
    assert b"content-type: application/x-www-form-urlencoded\r\n" in got.head.lower()
    assert bytes(received) == b"a=1&b=%C3%A9+%26%3D"


# --- client: refusing CR/LF/NUL ----------------------------------------------------------


def _field_name() -> object:
    return FormData([("a\r\nX-Injected: 1", "v")])


def _field_name_nul() -> object:
    form = FormData()
    form.add_field("a\x00b", io.BytesIO(b"x"), filename="f")
    return form


def _filename() -> object:
    form = FormData()
    form.add_field("f", io.BytesIO(b"x"), filename="a\r\n.txt")
    return form


def _file_object_name() -> object:
    fh = io.BytesIO(b"x")
    fh.name = "evil\n.txt"
    return FormData({"f": fh})


def _content_type() -> object:
    form = FormData()
    form.add_field("f", b"x", filename="f", content_type="text/plain\r\nX: y")
    return form


def _writer_disposition() -> object:
    writer = MultipartWriter("form-data")
    writer.append(b"x").set_content_disposition("form-data", name="a\nb")
    return writer


def _writer_header() -> object:
    writer = MultipartWriter("form-data")
    writer.append(b"x", {"Content-Disposition": 'form-data; name="a\r\nb"'})
    return writer


def _writer_header_changed_later() -> object:
    async def gen() -> AsyncIterator[bytes]:
        yield b"x"

    writer = MultipartWriter("form-data")
    writer.append(gen()).set_content_disposition("form-data", name="g")  # size unknown
    part = writer.append(b"y")
    part.set_content_disposition("form-data", name="ok")
    part.headers["Content-Disposition"] = 'form-data; name="x"; filename="a\r\nb"'
    return writer


@pytest.mark.parametrize(
    "build",
    [
        _field_name,
        _field_name_nul,
        _filename,
        _file_object_name,
        _content_type,
        _writer_disposition,
        _writer_header,
        _writer_header_changed_later,
    ],
)
async def test_client_refuses_line_breaks_before_sending(build: Callable[[], object]) -> None:
    async with counting_server() as (url, got), ClientSession() as session:
        with pytest.raises(ValueError, match="CR, LF or NUL"):
            data = build()
            async with session.post(url, data=data):
                pass
        await asyncio.sleep(0.05)
    assert got.connections == 0
