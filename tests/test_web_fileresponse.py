"""``FileResponse`` over real loopback sockets: ranges (single, several, suffix, invalid),
conditional requests, pre-compressed siblings, HEAD, sendfile and its fallback."""

from __future__ import annotations

import asyncio
import email.utils
import gc
import gzip
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO

import httpx
import pytest
from multidict import CIMultiDict

from aiohttp import web, web_fileresponse
from aiohttp._web_ranges import ByteRange, UnsatisfiableRange, parse_byte_ranges

from ._web_fixtures import make_request, raw_exchange, serve_app, split_response

CONTENT = b"hello world 0123456789"  # 22 bytes
BIG = os.urandom(700_000)
BROTLI = b"BROTLI-BYTES" + b"." * 300  # stands in for brotli data: never decoded here


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "a.txt").write_bytes(CONTENT)
    (tmp_path / "big.bin").write_bytes(BIG)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "z.js").write_bytes(b"console.log(1)")
    (tmp_path / "z.js.gz").write_bytes(gzip.compress(b"console.log(1)", mtime=0))
    (tmp_path / "z.js.br").write_bytes(BROTLI)
    (tmp_path / "only.css").write_bytes(b"body{}")
    (tmp_path / "only.css.gz").write_bytes(gzip.compress(b"body{}"))
    (tmp_path / "archive.tar.gz").write_bytes(gzip.compress(b"tar"))
    (tmp_path / "dir").mkdir()
    return tmp_path


@pytest.fixture
async def port(files: Path) -> AsyncIterator[int]:
    async def send(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name == "typed.txt":
            return web.FileResponse(files / "a.txt", headers={"Content-Type": "x/custom"})
        if name == "small-chunks.bin":
            return web.FileResponse(files / "big.bin", chunk_size=1000)
        if name == "compressed.bin":
            response = web.FileResponse(files / "big.bin")
            response.enable_compression(web.ContentCoding.gzip)
            return response
        return web.FileResponse(files / name)

    app = web.Application()
    app.router.add_route("*", "/f/{name}", send)
    async with serve_app(app) as port:
        yield port


async def fetch(
    port: int, name: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, CIMultiDict[str], bytes]:
    lines = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    head = f"{method} /f/{name} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{lines}\r\n"
    return split_response(await raw_exchange(port, head.encode("latin-1")))


def last_modified_of(path: Path) -> str:
    return email.utils.formatdate(int(path.stat().st_mtime), usegmt=True)


def etag_of(path: Path) -> str:
    info = path.stat()
    return f'"{info.st_mtime_ns:x}-{info.st_size:x}"'


# --- whole files ---------------------------------------------------------------------------


async def test_file_is_sent_with_validators(port: int, files: Path) -> None:
    status, headers, body = await fetch(port, "a.txt")
    assert status == 200 and body == CONTENT
    assert headers["Content-Length"] == "22"
    assert headers["Content-Type"] == "text/plain"
    assert headers["ETag"] == etag_of(files / "a.txt")
    assert headers["Last-Modified"] == last_modified_of(files / "a.txt")
    assert headers["Accept-Ranges"] == "bytes"


async def test_head_sends_headers_only(port: int) -> None:
    status, headers, body = await fetch(port, "a.txt", method="HEAD")
    assert status == 200 and headers["Content-Length"] == "22" and body == b""


async def test_empty_file(port: int) -> None:
    status, headers, body = await fetch(port, "empty.txt")
    assert status == 200 and headers["Content-Length"] == "0" and body == b""


async def test_custom_content_type_is_kept(port: int) -> None:
    status, headers, _ = await fetch(port, "typed.txt")
    assert status == 200 and headers["Content-Type"] == "x/custom"


async def test_missing_file_is_404_and_directory_403(port: int) -> None:
    assert (await fetch(port, "nope.txt"))[0] == 404
    assert (await fetch(port, "dir"))[0] == 403


@pytest.mark.parametrize("nosendfile", [False, True])
async def test_large_file_with_and_without_sendfile(
    port: int, nosendfile: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web_fileresponse, "NOSENDFILE", nosendfile)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        response = await client.get("/f/big.bin")
        small = await client.get("/f/small-chunks.bin")
    assert response.status_code == 200 and response.content == BIG
    assert small.status_code == 200 and small.content == BIG


@pytest.mark.parametrize("nosendfile", [False, True])
async def test_sendfile_is_used_unless_disabled(
    port: int, nosendfile: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[int, int | None]] = []
    real = asyncio.BaseEventLoop.sendfile

    async def spy(
        self: asyncio.BaseEventLoop,
        transport: asyncio.WriteTransport,
        file: IO[bytes],
        offset: int = 0,
        count: int | None = None,
        *,
        fallback: bool = True,
    ) -> int:
        calls.append((offset, count))
        return await real(self, transport, file, offset, count, fallback=fallback)

    monkeypatch.setattr(asyncio.BaseEventLoop, "sendfile", spy)
    monkeypatch.setattr(web_fileresponse, "NOSENDFILE", nosendfile)
    status, _, body = await fetch(port, "a.txt", {"Range": "bytes=3-"})
    assert status == 206 and body == CONTENT[3:]
    assert calls == ([] if nosendfile else [(3, 19)])


async def test_compressed_on_the_fly(port: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        response = await client.get("/f/compressed.bin")
    assert response.headers["content-encoding"] == "gzip"
    assert response.content == BIG  # httpx decodes it


def test_chunk_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="chunk_size must be positive"):
        web.FileResponse("x", chunk_size=0)


# --- ranges ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "expected", "content_range"),
    [
        ("bytes=0-4", b"hello", "bytes 0-4/22"),
        ("bytes=5-", CONTENT[5:], "bytes 5-21/22"),
        ("bytes=-5", CONTENT[-5:], "bytes 17-21/22"),
        ("bytes=-100", CONTENT, "bytes 0-21/22"),
        ("bytes=0-100", CONTENT, "bytes 0-21/22"),
        ("BYTES = 21-21", b"9", "bytes 21-21/22"),
        ("bytes=0-1,1-3", b"hell", "bytes 0-3/22"),
        ("bytes=12-13,0-1", CONTENT[:14], "bytes 0-13/22"),
    ],
)
async def test_single_range(port: int, spec: str, expected: bytes, content_range: str) -> None:
    status, headers, body = await fetch(port, "a.txt", {"Range": spec})
    assert status == 206
    assert body == expected
    assert headers["Content-Range"] == content_range
    assert headers["Content-Length"] == str(len(expected))


async def test_range_of_large_file_uses_sendfile_offset(port: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        response = await client.get("/f/big.bin", headers={"Range": "bytes=100000-399999"})
    assert response.status_code == 206 and response.content == BIG[100000:400000]


async def test_multiple_ranges_are_multipart_byteranges(port: int) -> None:
    spec = "bytes=5000-5001,0-1,-2,50-199"  # the last two are merged (a part head costs more)
    status, headers, body = await fetch(port, "big.bin", {"Range": spec})
    assert status == 206
    match = re.fullmatch(r"multipart/byteranges; boundary=(\w+)", headers["Content-Type"])
    assert match is not None
    boundary = match[1].encode()
    assert headers["Content-Length"] == str(len(body))
    parts = body.split(b"--" + boundary)
    assert parts[0] == b"" and parts[-1] == b"--\r\n"
    found = []
    for part in parts[1:-1]:
        head, _, data = part.partition(b"\r\n\r\n")
        assert data.endswith(b"\r\n")
        lines = head.decode().strip().split("\r\n")
        assert lines[0] == "Content-Type: application/octet-stream"
        found.append((lines[1], data[:-2]))
    size = len(BIG)
    assert found == [
        (f"Content-Range: bytes 0-199/{size}", BIG[0:200]),
        (f"Content-Range: bytes 5000-5001/{size}", BIG[5000:5002]),
        (f"Content-Range: bytes {size - 2}-{size - 1}/{size}", BIG[-2:]),
    ]


@pytest.mark.parametrize(
    "spec",
    ["bytes=50-", "bytes=22-30", "bytes=5-2", "bytes=x", "bytes=-0", "bytes=", "bytes=1-2-3"],
)
async def test_unsatisfiable_or_invalid_range_is_416(port: int, spec: str) -> None:
    status, headers, body = await fetch(port, "a.txt", {"Range": spec})
    assert status == 416
    assert headers["Content-Range"] == "bytes */22"
    assert body == b""


async def test_range_in_unknown_unit_is_ignored(port: int) -> None:
    status, _, body = await fetch(port, "a.txt", {"Range": "items=0-1"})
    assert status == 200 and body == CONTENT


async def test_range_on_head_is_ignored(port: int) -> None:
    status, headers, _ = await fetch(port, "a.txt", {"Range": "bytes=0-1"}, method="HEAD")
    assert status == 200 and headers["Content-Length"] == "22"


async def test_if_range(port: int, files: Path) -> None:
    etag = etag_of(files / "a.txt")
    date = last_modified_of(files / "a.txt")
    for value, partial in [
        (etag, True),
        ('"other"', False),
        ("W/" + etag, False),  # If-Range needs a strong match
        (date, True),
        ("Mon, 01 Jan 2001 00:00:00 GMT", False),
        ("garbage", False),
    ]:
        status, _, body = await fetch(port, "a.txt", {"Range": "bytes=0-1", "If-Range": value})
        assert (status, body) == ((206, b"he") if partial else (200, CONTENT)), value


def test_parse_byte_ranges_limits() -> None:
    with pytest.raises(UnsatisfiableRange):
        parse_byte_ranges("bytes=0-", 0)
    with pytest.raises(UnsatisfiableRange):
        parse_byte_ranges("bytes=-5", 0)
    many = "bytes=" + ",".join(f"{i * 200}-{i * 200}" for i in range(65))
    assert parse_byte_ranges(many, 100_000) is None
    assert parse_byte_ranges("bytes=0-99999999999999999999999", 10) == [ByteRange(0, 10)]
    with pytest.raises(UnsatisfiableRange):
        parse_byte_ranges("bytes=99999999999999999999999-", 10)
    assert parse_byte_ranges("bytes=0-0, ,500-500", 1000) == [ByteRange(0, 1), ByteRange(500, 501)]
    assert parse_byte_ranges("bytes=0-0,5-5", 10) == [ByteRange(0, 6)]  # nearly touching
    assert parse_byte_ranges("bytes=0-9,0-9,0-9", 1000) == [ByteRange(0, 10)]
    assert parse_byte_ranges("bytes=0-9,500-509", 1000) == [ByteRange(0, 10), ByteRange(500, 510)]


# --- conditional requests -------------------------------------------------------------------


async def test_conditional_requests(port: int, files: Path) -> None:
    etag = etag_of(files / "a.txt")
    date = last_modified_of(files / "a.txt")
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    cases: list[tuple[dict[str, str], int]] = [
        ({"If-None-Match": etag}, 304),
        ({"If-None-Match": "W/" + etag}, 304),
        ({"If-None-Match": f'"a", {etag}'}, 304),
        ({"If-None-Match": "*"}, 304),
        ({"If-None-Match": '"other"'}, 200),
        ({"If-Modified-Since": date}, 304),
        ({"If-Modified-Since": old}, 200),
        ({"If-None-Match": '"other"', "If-Modified-Since": date}, 200),
        ({"If-Match": etag}, 200),
        ({"If-Match": "*"}, 200),
        ({"If-Match": '"nope"'}, 412),
        ({"If-Match": "W/" + etag}, 412),
        ({"If-Unmodified-Since": old}, 412),
        ({"If-Unmodified-Since": date}, 200),
        ({"If-Match": etag, "If-Unmodified-Since": old}, 200),
        ({"If-Match": etag, "If-None-Match": etag}, 304),
    ]
    for request_headers, expected in cases:
        status, headers, body = await fetch(port, "a.txt", request_headers)
        assert status == expected, request_headers
        if status == 304:
            assert body == b"" and headers["ETag"] == etag
            assert "Content-Length" not in headers
        elif status == 412:
            assert body == b""
        else:
            assert body == CONTENT


async def test_if_none_match_on_post_is_412(port: int, files: Path) -> None:
    status, _, _ = await fetch(port, "a.txt", {"If-None-Match": "*"}, method="POST")
    assert status == 412


# --- pre-compressed siblings ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "encoding", "body"),
    [
        ("gzip, br", "br", BROTLI),
        ("br;q=0.5, gzip", "gzip", gzip.compress(b"console.log(1)", mtime=0)),
        ("gzip", "gzip", gzip.compress(b"console.log(1)", mtime=0)),
        ("*", "br", BROTLI),
        ("*, br;q=0", "gzip", gzip.compress(b"console.log(1)", mtime=0)),
        ("gzip;q=0, br;q=0", None, b"console.log(1)"),
        ("identity", None, b"console.log(1)"),
        ("", None, b"console.log(1)"),
    ],
)
async def test_precompressed_sibling_is_chosen(
    port: int, files: Path, accept: str, encoding: str | None, body: bytes
) -> None:
    headers = {"Accept-Encoding": accept} if accept else {}
    status, response_headers, got = await fetch(port, "z.js", headers)
    assert status == 200
    assert got[:3] == body[:3] and len(got) == len(body)
    assert response_headers.get("Content-Encoding") == encoding
    assert response_headers["Content-Type"] == "application/javascript" or (
        response_headers["Content-Type"] == "text/javascript"
    )
    assert response_headers["Vary"] == "Accept-Encoding"
    suffix = {"br": ".br", "gzip": ".gz", None: ""}[encoding]
    assert response_headers["ETag"] == etag_of(files / f"z.js{suffix}")


async def test_precompressed_with_httpx_decodes(port: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        response = await client.get("/f/only.css", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["content-type"] == "text/css"
    assert response.content == b"body{}"


async def test_compressed_file_asked_by_name_is_not_content_encoded(port: int) -> None:
    status, headers, _ = await fetch(port, "archive.tar.gz", {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Type"] == "application/gzip"
    assert "Content-Encoding" not in headers


async def test_file_without_siblings_has_no_vary(port: int) -> None:
    _, headers, _ = await fetch(port, "a.txt", {"Accept-Encoding": "gzip"})
    assert "Vary" not in headers and "Content-Encoding" not in headers


async def test_range_of_precompressed_sibling(port: int) -> None:
    status, headers, body = await fetch(
        port, "z.js", {"Accept-Encoding": "br", "Range": "bytes=0-5"}
    )
    assert status == 206 and body == b"BROTLI"
    assert headers["Content-Encoding"] == "br"
    assert headers["Content-Range"] == f"bytes 0-5/{len(BROTLI)}"
    status, headers, body = await fetch(
        port, "z.js", {"Accept-Encoding": "br", "Range": "bytes=0-1,200-201"}
    )
    assert status == 200 and body == BROTLI  # several ranges of an encoded body: all of it


async def test_cancelled_prepare_closes_the_file(files: Path) -> None:
    request = make_request("GET", "/f")
    response = web.FileResponse(files / "big.bin")
    task = asyncio.create_task(response.prepare(request))
    await asyncio.sleep(0)  # the file is being opened in a worker thread
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(50):  # let the thread finish and the clean-up callback run
        await asyncio.sleep(0.002)
    gc.collect()  # an unclosed file would raise ResourceWarning (an error here)
    assert not response.prepared
