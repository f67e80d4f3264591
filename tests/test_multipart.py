"""Tests for :mod:`aiohttp.multipart`: the readers fed through a real
:class:`~aiohttp.streams.StreamReader`, the writer, and Content-Disposition parsing.

The standard library's :mod:`email` package is the independent peer: bodies it generates are
read by our reader, and bodies our writer produces are parsed by
``email.parser.BytesParser(policy=email.policy.HTTP)``. Every await on a reader is bounded
by :func:`bounded`, so a reader that hangs fails the test instead of stalling the suite.
"""

from __future__ import annotations

import asyncio
import base64
import email.policy
import email.utils
import gzip
import hashlib
import json
import quopri
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from email.charset import QP, Charset
from email.encoders import encode_7or8bit
from email.message import EmailMessage, Message
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.mime.text import MIMEText
from email.parser import BytesParser
from pathlib import Path
from typing import Optional, TypeVar, Union

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from multidict import CIMultiDict, CIMultiDictProxy

from aiohttp import hdrs
from aiohttp.abc import AbstractStreamWriter
from aiohttp.base_protocol import BaseProtocol
from aiohttp.compression_utils import HAS_BROTLI, BrotliCompressor
from aiohttp.http_exceptions import (
    BadHttpMessage,
    ContentEncodingError,
    DecompressSizeError,
    InvalidHeader,
    LineTooLong,
)
from aiohttp.multipart import (
    BadContentDispositionHeader,
    BadContentDispositionParam,
    BodyPartReader,
    MultipartReader,
    MultipartResponseWrapper,
    MultipartWriter,
    content_disposition_filename,
    parse_content_disposition,
)
from aiohttp.payload import AsyncIterablePayload, BytesPayload, Payload
from aiohttp.streams import StreamReader
from aiohttp.typedefs import Byteish

_T = TypeVar("_T")
Part = Union[MultipartReader, BodyPartReader]


async def bounded(awaitable: Awaitable[_T]) -> _T:
    """Await with a 5 s cap: a reader that hangs is a failure, not a stuck suite."""
    return await asyncio.wait_for(awaitable, 5)


class FlowProtocol(BaseProtocol):
    """A protocol without transport that records pause/resume, so a producer can honour
    the stream's flow control."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self.may_feed = asyncio.Event()
        self.may_feed.set()

    def pause_reading(self) -> None:
        self._reading_paused = True
        self.may_feed.clear()

    def resume_reading(self) -> None:
        self._reading_paused = False
        self.may_feed.set()


def stream_of(data: bytes, *, eof: bool = True) -> StreamReader:
    stream = StreamReader(BaseProtocol(asyncio.get_running_loop()), 2**16)
    stream.feed_data(data)
    if eof:
        stream.feed_eof()
    return stream


def reader_for(body: bytes, content_type: str) -> MultipartReader:
    return MultipartReader({"Content-Type": content_type}, stream_of(body))


async def collect(reader: MultipartReader) -> list[tuple[CIMultiDictProxy[str], object]]:
    """Every part as (headers, decoded bytes), nested readers as lists."""
    out: list[tuple[CIMultiDictProxy[str], object]] = []
    async for part in reader:
        if isinstance(part, MultipartReader):
            out.append((CIMultiDictProxy(CIMultiDict(part.headers)), await collect(part)))
        else:
            out.append((part.headers, await bounded(part.read(decode=True))))
    return out


def split_message(raw: bytes) -> tuple[str, bytes]:
    """The Content-Type and the body of an email-generated message (CRLF or LF lines)."""
    sep = b"\r\n\r\n" if b"\r\n\r\n" in raw else b"\n\n"
    head, _, body = raw.partition(sep)
    parsed = BytesParser(policy=email.policy.HTTP).parsebytes(head + sep)
    return str(parsed["Content-Type"]), body


def parse_with_email(writer: MultipartWriter, body: bytes) -> EmailMessage:
    head = f"Content-Type: {writer.content_type}\r\n\r\n".encode()
    message = BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    assert isinstance(message, EmailMessage)
    assert message.is_multipart()
    assert not message.defects
    return message


def email_parts(message: EmailMessage) -> list[EmailMessage]:
    parts = list(message.iter_parts())
    assert all(isinstance(p, EmailMessage) and not p.defects for p in parts)
    return [p for p in parts if isinstance(p, EmailMessage)]


def decoded(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload


class CollectingWriter(AbstractStreamWriter):
    """Records the bytes written; ``keep=False`` only counts them."""

    def __init__(self, keep: bool = True) -> None:
        super().__init__()
        self.keep = keep
        self.chunks: list[bytes] = []
        self.count = 0

    @property
    def data(self) -> bytes:
        return b"".join(self.chunks)

    async def write(self, chunk: Byteish) -> None:
        self.count += len(chunk)
        if self.keep:
            self.chunks.append(bytes(chunk))

    async def write_eof(self, chunk: bytes = b"") -> None:
        raise AssertionError("a multipart writer must not end the message")

    async def drain(self) -> None:
        pass

    def enable_compression(self, encoding: str = "deflate", strategy: Optional[int] = None) -> None:
        raise AssertionError("not used")

    def enable_chunking(self) -> None:
        raise AssertionError("not used")

    async def write_headers(self, status_line: str, headers: CIMultiDict[str]) -> None:
        raise AssertionError("not used")


# --- Reading what the email package writes ---------------------------------------------------


def mime_mixed() -> MIMEMultipart:
    message = MIMEMultipart("mixed")
    message.preamble = "This is a preamble that readers skip."
    message.epilogue = "And an epilogue."
    message.attach(MIMEText("héllo wörld", "plain", "utf-8"))  # base64 body
    qp_charset = Charset("utf-8")
    qp_charset.body_encoding = QP
    qp_part = MIMENonMultipart("text", "plain")
    qp_part.set_payload("line one\nline two é = x\n" + "long " * 40, charset=qp_charset)
    message.attach(qp_part)
    attachment = MIMEApplication(bytes(range(256)) * 4)
    attachment.add_header(
        "Content-Disposition", "attachment", filename=("utf-8", "", "naïve résumé file.bin")
    )
    message.attach(attachment)
    message.attach(
        MIMEApplication(json.dumps({"k": [1, 2]}).encode(), "json", _encoder=encode_7or8bit)
    )
    inner = MIMEMultipart("alternative")
    inner.attach(MIMEText("plain text", "plain", "us-ascii"))
    inner.attach(MIMEText("<p>html</p>", "html", "us-ascii"))
    message.attach(inner)
    return message


@pytest.mark.parametrize("policy", [email.policy.HTTP, email.policy.compat32], ids=["crlf", "lf"])
async def test_reader_email_mime_parts_decoded(policy: email.policy.Policy) -> None:
    content_type, body = split_message(mime_mixed().as_bytes(policy=policy))
    parts = await bounded(collect(reader_for(body, content_type)))
    assert [headers.get("Content-Type", "").split(";")[0] for headers, _ in parts] == [
        "text/plain",
        "text/plain",
        "application/octet-stream",
        "application/json",
        "multipart/alternative",
    ]
    assert parts[0][1] == "héllo wörld".encode()
    qp_text = parts[1][1]
    assert isinstance(qp_text, bytes)  # the generator writes the text's line breaks as linesep
    assert qp_text.replace(b"\r\n", b"\n") == ("line one\nline two é = x\n" + "long " * 40).encode()
    assert parts[2][1] == bytes(range(256)) * 4
    assert json.loads(parts[3][1]) == {"k": [1, 2]}  # type: ignore[arg-type]
    nested = parts[4][1]
    assert isinstance(nested, list)
    assert [data for _, data in nested] == [b"plain text", b"<p>html</p>"]


async def test_reader_email_mime_filename_star_and_text() -> None:
    content_type, body = split_message(mime_mixed().as_bytes(policy=email.policy.HTTP))
    reader = reader_for(body, content_type)
    first = await bounded(reader.next())
    assert isinstance(first, BodyPartReader)
    assert await bounded(first.text()) == "héllo wörld"
    await bounded(reader.next())  # skips the unread QP part
    third = await bounded(reader.next())
    assert isinstance(third, BodyPartReader)
    assert third.filename == "naïve résumé file.bin"
    assert third.name is None
    await bounded(reader.release())
    assert reader.at_eof()
    assert await bounded(reader.next()) is None


async def test_reader_input_split_at_every_offset() -> None:
    writer = MultipartWriter("mixed", boundary="b0undary")
    writer.append("first\r\nline")
    writer.append(b"\r\n--b0undar\r\n-\r")  # near-misses of the delimiter
    inner = MultipartWriter("related", boundary="inner")
    inner.append("nested")
    writer.append(inner)
    body = await writer.as_bytes()
    expected = [b"first\r\nline", b"\r\n--b0undar\r\n-\r", [b"nested"]]
    loop = asyncio.get_running_loop()
    for offset in range(len(body) + 1):
        stream = StreamReader(BaseProtocol(loop), 2**16)
        reader = MultipartReader({"Content-Type": writer.content_type}, stream)

        async def feed(stream: StreamReader = stream, offset: int = offset) -> None:
            stream.feed_data(body[:offset])
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            stream.feed_data(body[offset:])
            stream.feed_eof()

        feeder = asyncio.create_task(feed())
        parts = await bounded(collect(reader))
        await feeder
        got = [data if not isinstance(data, list) else [d for _, d in data] for _, data in parts]
        assert got == expected, offset


async def test_reader_body_tolerates_bare_lf_and_padding() -> None:
    body = b"--xx  \n\nfirst\n--xx\t\nContent-Type: text/plain\n\nsecond\n--xx--\n"
    parts = await bounded(collect(reader_for(body, "multipart/mixed; boundary=xx")))
    assert [data for _, data in parts] == [b"first", b"second"]


async def test_reader_empty_bodies_and_no_headers() -> None:
    body = b"--b\r\n\r\n--b\r\nX-A: 1\r\n\r\n\r\n--b--\r\n"
    parts = await bounded(collect(reader_for(body, "multipart/mixed; boundary=b")))
    assert [(dict(h), data) for h, data in parts] == [({}, b""), ({"X-A": "1"}, b"")]


async def test_reader_quoted_boundary_from_content_type() -> None:
    body = b"--a b:c\r\n\r\nx\r\n--a b:c--"
    parts = await bounded(collect(reader_for(body, 'multipart/mixed; boundary="a b:c"')))
    assert [data for _, data in parts] == [b"x"]


async def test_reader_folded_part_header_is_unfolded() -> None:
    body = b'--b\r\nContent-Disposition: form-data;\r\n name="f"\r\n\r\nv\r\n--b--\r\n'
    reader = reader_for(body, "multipart/form-data; boundary=b")
    part = await bounded(reader.next())
    assert isinstance(part, BodyPartReader)
    assert part.headers["Content-Disposition"] == 'form-data; name="f"'
    assert part.name == "f"


async def test_reader_top_level_epilogue_left_alone() -> None:
    stream = stream_of(b"--b\r\n\r\nx\r\n--b--\r\nepilogue", eof=False)
    reader = MultipartReader({"Content-Type": "multipart/mixed; boundary=b"}, stream)
    parts = [part async for part in reader]  # must not wait for the end of the stream
    assert len(parts) == 1
    assert reader.at_eof()


async def test_reader_part_readline_keeps_breaks_but_the_last() -> None:
    body = b"--b\r\n\r\none\r\ntwo\nthree\r\n--b--\r\n"
    part = await bounded(reader_for(body, "multipart/mixed; boundary=b").next())
    assert isinstance(part, BodyPartReader)
    lines = [await bounded(part.readline()) for _ in range(4)]
    assert lines == [b"one\r\n", b"two\n", b"three", b""]
    assert part.at_eof()


async def test_reader_part_iterates_once() -> None:
    body = b"--b\r\n\r\ncontent\r\n--b--\r\n"
    part = await bounded(reader_for(body, "multipart/mixed; boundary=b").next())
    assert isinstance(part, BodyPartReader)
    assert [chunk async for chunk in part] == [b"content"]
    assert await part.next() is None
    assert await part.read() == b""


async def test_reader_release_skips_unread_nested_parts() -> None:
    outer = MultipartWriter("mixed", boundary="outer")
    inner = MultipartWriter("mixed", boundary="inner")
    inner.append("a" * 100_000)
    inner.append("b")
    outer.append(inner)
    outer.append("after")
    reader = reader_for(await outer.as_bytes(), outer.content_type)
    nested = await bounded(reader.next())
    assert isinstance(nested, MultipartReader)
    first = await bounded(nested.next())
    assert isinstance(first, BodyPartReader)
    assert await bounded(first.read_chunk(10)) == b"a" * 10
    last = await bounded(reader.next())  # finishes the nested reader first
    assert isinstance(last, BodyPartReader)
    assert await bounded(last.text()) == "after"
    assert await bounded(reader.next()) is None


async def test_reader_form_data_charset_field_sets_default() -> None:
    body = (
        b'--b\r\nContent-Disposition: form-data; name="_charset_"\r\n\r\nlatin-1\r\n'
        b'--b\r\nContent-Disposition: form-data; name="f"\r\n\r\ncaf\xe9\r\n--b--\r\n'
    )
    reader = reader_for(body, "multipart/form-data; boundary=b")
    part = await bounded(reader.next())
    assert isinstance(part, BodyPartReader)
    assert part.name == "f"
    assert part.get_charset("utf-8") == "latin-1"
    assert await bounded(part.text()) == "café"


async def test_reader_form_data_bad_charset_field() -> None:
    body = b'--b\r\nContent-Disposition: form-data; name="_charset_"\r\n\r\nno-such\r\n--b--'
    with pytest.raises(RuntimeError, match="Invalid default charset"):
        await bounded(reader_for(body, "multipart/form-data; boundary=b").next())


async def test_part_json_form_and_charset() -> None:
    body = (
        b"--b\r\nContent-Type: application/json\r\n\r\n"
        + json.dumps({"x": "\u00e9"}).encode()
        + b"\r\n--b\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\na=1&b=%C3%A9&c=\r\n"
        b"--b\r\nContent-Type: text/plain; charset=latin-1\r\n\r\n\xe9\r\n"
        b"--b\r\nContent-Type: application/json\r\n\r\n\r\n--b--"
    )
    reader = reader_for(body, "multipart/mixed; boundary=b")
    results: list[object] = []
    async for part in reader:
        assert isinstance(part, BodyPartReader)
        if part.headers["Content-Type"] == "application/json":
            results.append(await bounded(part.json()))
        elif part.headers["Content-Type"].startswith("text/plain"):
            assert part.get_charset("utf-8") == "latin-1"
            results.append(await bounded(part.text()))
        else:
            results.append(await bounded(part.form()))
    assert results == [{"x": "é"}, [("a", "1"), ("b", "é"), ("c", "")], "é", None]


async def test_part_form_undecodable_is_value_error() -> None:
    body = b"--b\r\nContent-Type: text/plain; charset=ascii\r\n\r\n\xff=1\r\n--b--"
    part = await bounded(reader_for(body, "multipart/mixed; boundary=b").next())
    assert isinstance(part, BodyPartReader)
    with pytest.raises(ValueError, match="cannot be decoded"):
        await bounded(part.form())


# --- Part decoding --------------------------------------------------------------------------


def single_part(headers: dict[str, str], data: bytes, subtype: str = "mixed") -> MultipartReader:
    head = b"".join(f"{k}: {v}\r\n".encode() for k, v in headers.items())
    body = b"--b\r\n" + head + b"\r\n" + data + b"\r\n--b--\r\n"
    return reader_for(body, f"multipart/{subtype}; boundary=b")


async def first_part(reader: MultipartReader) -> BodyPartReader:
    part = await bounded(reader.next())
    assert isinstance(part, BodyPartReader)
    return part


PAYLOAD = b"compress me " * 500


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def br_compress(data: bytes) -> bytes:
    compressor = BrotliCompressor()
    return compressor.compress_sync(data) + compressor.flush()


needs_brotli = pytest.mark.skipif(not HAS_BROTLI, reason="the brotli binding is not installed")
BR = pytest.param("br", marks=needs_brotli)


def encoded_case(case_id: str, headers: dict[str, str], make: Callable[[], bytes]) -> object:
    marks = [needs_brotli] if headers.get("Content-Encoding") == "br" else []
    return pytest.param(headers, make, id=case_id, marks=marks)


@pytest.mark.parametrize(
    ("headers", "make"),
    [
        encoded_case(
            "b64", {"Content-Transfer-Encoding": "base64"}, lambda: base64.encodebytes(PAYLOAD)
        ),
        encoded_case(
            "b64-upper", {"Content-Transfer-Encoding": "BASE64"}, lambda: base64.b64encode(PAYLOAD)
        ),
        encoded_case(
            "qp",
            {"Content-Transfer-Encoding": "quoted-printable"},
            lambda: quopri.encodestring(PAYLOAD),
        ),
        encoded_case("binary", {"Content-Transfer-Encoding": "binary"}, lambda: PAYLOAD),
        encoded_case("7bit", {"Content-Transfer-Encoding": "7bit"}, lambda: PAYLOAD),
        encoded_case("8bit", {"Content-Transfer-Encoding": "8bit"}, lambda: PAYLOAD),
        encoded_case("gzip", {"Content-Encoding": "gzip"}, lambda: gzip.compress(PAYLOAD)),
        encoded_case("zlib", {"Content-Encoding": "deflate"}, lambda: zlib.compress(PAYLOAD)),
        encoded_case("raw-deflate", {"Content-Encoding": "deflate"}, lambda: raw_deflate(PAYLOAD)),
        encoded_case("br", {"Content-Encoding": "br"}, lambda: br_compress(PAYLOAD)),
        encoded_case("identity", {"Content-Encoding": "identity"}, lambda: PAYLOAD),
        encoded_case(
            "gzip+b64",
            {"Content-Encoding": "gzip", "Content-Transfer-Encoding": "base64"},
            lambda: base64.encodebytes(gzip.compress(PAYLOAD)),
        ),
    ],
)
async def test_part_decode_encodings(headers: dict[str, str], make: Callable[[], bytes]) -> None:
    part = await first_part(single_part(headers, make()))
    assert await bounded(part.read(decode=True)) == PAYLOAD


async def test_part_read_without_decode_is_raw() -> None:
    data = gzip.compress(PAYLOAD)
    part = await first_part(single_part({"Content-Encoding": "gzip"}, data))
    assert await bounded(part.read()) == data


async def test_part_form_data_ignores_content_encoding() -> None:
    data = gzip.compress(b"x")
    part = await first_part(single_part({"Content-Encoding": "gzip"}, data, "form-data"))
    assert await bounded(part.read(decode=True)) == data


@pytest.mark.parametrize(
    ("headers", "match"),
    [
        ({"Content-Transfer-Encoding": "uuencode"}, "unknown content transfer encoding"),
        ({"Content-Encoding": "compress"}, "unknown content encoding"),
    ],
)
async def test_part_unknown_encoding_is_runtime_error(headers: dict[str, str], match: str) -> None:
    part = await first_part(single_part(headers, b"data"))
    with pytest.raises(RuntimeError, match=match):
        await bounded(part.read(decode=True))


@pytest.mark.parametrize(
    "data", [b"not gzip at all", gzip.compress(PAYLOAD)[:-20]], ids=["corrupt", "truncated"]
)
async def test_part_bad_compressed_data(data: bytes) -> None:
    part = await first_part(single_part({"Content-Encoding": "gzip"}, data))
    with pytest.raises(ContentEncodingError):
        await bounded(part.read(decode=True))


@pytest.mark.parametrize("coding", ["gzip", BR])
async def test_part_decompression_is_bounded(coding: str) -> None:
    bomb = gzip.compress(b"\0" * 2**20) if coding == "gzip" else br_compress(b"\0" * 2**20)
    stream = stream_of(bomb + b"\r\n--b--\r\n")
    headers = CIMultiDictProxy(CIMultiDict({"Content-Encoding": coding}))
    part = BodyPartReader(b"--b", headers, stream, max_decompress_size=2**16)
    with pytest.raises(DecompressSizeError):
        await bounded(part.read(decode=True))


# --- Bad input: clear errors, never a hang ----------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "match"),
    [
        ({}, "Content-Type"),
        ({"Content-Type": "text/plain"}, "multipart/\\* content type expected"),
        ({"Content-Type": "multipart/mixed"}, "boundary missed"),
        ({"Content-Type": "multipart/mixed; boundary=" + "x" * 71}, "too long"),
        ({"Content-Type": 'multipart/mixed; boundary=""'}, "invalid multipart boundary"),
    ],
)
async def test_reader_bad_content_type(headers: dict[str, str], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        MultipartReader(headers, stream_of(b""))


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"", "before the first boundary"),
        (b"no boundary in here at all\r\n", "before the first boundary"),
        (b"--b\r\nContent-Type: text/plain\r\n", "inside the headers"),
        (b"--b\r\n\r\npartial body without end", "before the boundary that ends a part"),
        (b"--b\r\n\r\nbody\r\n", "before the boundary that ends a part"),
        (b"--b\r\n\r\nbody\r\n--b\r\n", "inside the headers"),
    ],
)
async def test_reader_truncated_body_raises(body: bytes, match: str) -> None:
    async def read_all() -> None:
        await collect(reader_for(body, "multipart/mixed; boundary=b"))

    with pytest.raises(ValueError, match=match):
        await bounded(read_all())


async def test_reader_missing_close_boundary_raises() -> None:
    reader = reader_for(b"--b\r\n\r\nbody\r\n--b", "multipart/mixed; boundary=b")
    part = await first_part(reader)
    assert await bounded(part.read()) == b"body"
    with pytest.raises(ValueError, match="inside the headers"):
        await bounded(reader.next())


async def test_reader_truncated_part_read_chunk_raises() -> None:
    part = await first_part(
        reader_for(b"--b\r\n\r\n" + b"x" * 50_000, "multipart/mixed; boundary=b")
    )
    with pytest.raises(ValueError, match="ended before"):
        while True:
            if not await bounded(part.read_chunk(4096)):
                break


async def test_reader_invalid_boundary_line() -> None:
    body = b"--b\r\n\r\nx\r\n--bogus\r\n\r\ny\r\n--b--"
    reader = reader_for(body, "multipart/mixed; boundary=b")
    await first_part(reader)
    with pytest.raises(ValueError, match="Invalid boundary"):
        await bounded(reader.next())


async def test_reader_part_header_line_too_long() -> None:
    body = b"--b\r\nX-Big: " + b"v" * 9000 + b"\r\n\r\nx\r\n--b--\r\n"
    with pytest.raises(LineTooLong):
        await bounded(reader_for(body, "multipart/mixed; boundary=b").next())


async def test_reader_part_header_folding_too_long() -> None:
    body = b"--b\r\nX-Big: a\r\n" + b" " + b"v" * 5000 + b"\r\n " + b"w" * 5000
    body += b"\r\n\r\nx\r\n--b--\r\n"
    with pytest.raises(LineTooLong):
        await bounded(reader_for(body, "multipart/mixed; boundary=b").next())


async def test_reader_too_many_part_headers() -> None:
    head = b"".join(b"X-H%d: v\r\n" % i for i in range(200))
    body = b"--b\r\n" + head + b"\r\nx\r\n--b--\r\n"
    with pytest.raises(BadHttpMessage, match="more than 128 headers"):
        await bounded(reader_for(body, "multipart/mixed; boundary=b").next())


@pytest.mark.parametrize(
    "line",
    [
        b"No colon here",
        b"Bad Name: v",
        b"Name : v",
        b": empty",
        b"X-A: a\rb",
        b"X-A: a\x00b",
        b" leading fold",
    ],
)
async def test_reader_malformed_part_header(line: bytes) -> None:
    body = b"--b\r\n" + line + b"\r\n\r\nx\r\n--b--\r\n"
    with pytest.raises(InvalidHeader):
        await bounded(reader_for(body, "multipart/mixed; boundary=b").next())


async def test_reader_part_line_too_long_for_readline() -> None:
    part = await first_part(
        reader_for(b"--b\r\n\r\n" + b"x" * 70_000 + b"\r\n--b--", "multipart/mixed; boundary=b")
    )
    with pytest.raises(ValueError, match="line longer than"):
        await bounded(part.readline())


async def test_reader_deep_nesting_refused() -> None:
    depth = 40
    body = b"".join(
        b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (i, i + 1)
        for i in range(depth)
    )
    reader = reader_for(body, "multipart/mixed; boundary=b0")

    async def descend() -> None:
        current: Part = reader
        while isinstance(current, MultipartReader):
            nxt = await current.next()
            assert nxt is not None
            current = nxt

    with pytest.raises(ValueError, match="nested more than"):
        await bounded(descend())


async def test_reader_chunk_size_must_be_positive() -> None:
    part = await first_part(reader_for(b"--b\r\n\r\nx\r\n--b--", "multipart/mixed; boundary=b"))
    with pytest.raises(ValueError, match="positive"):
        await part.read_chunk(0)


# --- Streaming a large part ------------------------------------------------------------------


async def test_reader_large_part_streams_in_bounded_memory() -> None:
    block = bytes(range(256)) * 256  # 64 KiB
    blocks = 320  # 20 MiB
    loop = asyncio.get_running_loop()
    protocol = FlowProtocol(loop)
    stream = StreamReader(protocol, 2**16)
    reader = MultipartReader({"Content-Type": "multipart/mixed; boundary=big"}, stream)
    expected = hashlib.sha256()
    for _ in range(blocks):
        expected.update(block)

    async def produce() -> None:
        stream.feed_data(b"--big\r\nContent-Type: application/octet-stream\r\n\r\n")
        for _ in range(blocks):
            await protocol.may_feed.wait()
            stream.feed_data(block)
            await asyncio.sleep(0)
        stream.feed_data(b"\r\n--big--\r\n")
        stream.feed_eof()

    tracemalloc.start()
    try:
        producer = asyncio.create_task(produce())
        part = await first_part(reader)
        digest = hashlib.sha256()
        total = 0
        while chunk := await bounded(part.read_chunk(2**16)):
            digest.update(chunk)
            total += len(chunk)
        await producer
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == len(block) * blocks
    assert digest.digest() == expected.digest()
    assert await bounded(reader.next()) is None
    assert peak < 2 * 2**20, f"peak {peak} bytes"


async def test_reader_read_chunk_returns_what_has_arrived() -> None:
    stream = stream_of(b"--b\r\n\r\n" + b"x" * 1000, eof=False)
    reader = MultipartReader({"Content-Type": "multipart/mixed; boundary=b"}, stream)
    part = await first_part(reader)
    chunk = await bounded(part.read_chunk(8192))  # must not wait for 8192 bytes
    assert 1000 - len(b"\n--b") <= len(chunk) < 1000
    stream.feed_data(b"\r\n--b--\r\n")
    stream.feed_eof()
    assert await bounded(part.read()) == b"x" * (1000 - len(chunk))


# --- from_response -----------------------------------------------------------------------------


class FakeResponse:
    def __init__(self, content_type: str, content: StreamReader) -> None:
        self.headers = CIMultiDictProxy(CIMultiDict({"Content-Type": content_type}))
        self.content = content
        self.released = False

    async def release(self) -> None:
        self.released = True


async def test_reader_from_response_releases_at_end() -> None:
    response = FakeResponse("multipart/mixed; boundary=b", stream_of(b"--b\r\n\r\nx\r\n--b--"))
    wrapper = MultipartReader.from_response(response)
    assert isinstance(wrapper, MultipartResponseWrapper)
    parts = [part async for part in wrapper]
    assert len(parts) == 1
    assert response.released
    assert wrapper.at_eof()


# --- Writing, checked by the email parser ---------------------------------------------------


async def test_writer_email_parser_reads_parts(tmp_path: Path) -> None:
    file_path = tmp_path / "data.bin"
    file_path.write_bytes(bytes(range(256)) * 10)
    writer = MultipartWriter("mixed", boundary="----boundary:1")
    writer.append("text é")
    writer.append(b"\x00\x01raw", {"X-Custom": "yes"})
    writer.append_json({"a": [1, 2]})
    writer.append_form([("k", "v w"), ("k", "é")])
    with file_path.open("rb") as file:
        filepart = writer.append(file)
        nested = MultipartWriter("alternative")
        nested.append("inner one")
        nested.append("<b>inner two</b>", {"Content-Type": "text/html"})
        writer.append(nested)
        writer.append(b"encoded \x00 bytes " * 20, {"Content-Transfer-Encoding": "base64"})
        writer.append("qp é text\n" * 30, {"Content-Transfer-Encoding": "quoted-printable"})
        sink = CollectingWriter()
        await writer.write(sink)
    assert filepart.filename == "data.bin"
    assert 'boundary="----boundary:1"' in writer.content_type
    message = parse_with_email(writer, sink.data)
    parts = email_parts(message)
    assert [p.get_content_type() for p in parts] == [
        "text/plain",
        "application/octet-stream",
        "application/json",
        "application/x-www-form-urlencoded",
        "application/octet-stream",
        "multipart/alternative",
        "application/octet-stream",
        "text/plain",
    ]
    assert decoded(parts[0]).decode(parts[0].get_content_charset() or "") == "text é"
    assert decoded(parts[1]) == b"\x00\x01raw"
    assert parts[1]["X-Custom"] == "yes"
    assert json.loads(decoded(parts[2])) == {"a": [1, 2]}
    assert decoded(parts[3]) == b"k=v+w&k=%C3%A9"
    assert decoded(parts[4]) == bytes(range(256)) * 10
    assert parts[4].get_filename() == "data.bin"
    assert [decoded(p) for p in email_parts(parts[5])] == [b"inner one", b"<b>inner two</b>"]
    assert decoded(parts[6]) == b"encoded \x00 bytes " * 20
    assert decoded(parts[7]) == ("qp é text\n" * 30).encode()


async def test_writer_non_ascii_disposition_param_round_trips() -> None:
    writer = MultipartWriter("form-data")
    writer.append("v").set_content_disposition("form-data", name="champ é")
    body = await writer.as_bytes()
    assert b"name*=utf-8''champ%20%C3%A9" in body
    [part] = email_parts(parse_with_email(writer, body))
    raw = part.get_param("name", header="content-disposition")
    assert email.utils.collapse_rfc2231_value(raw) == "champ é"  # type: ignore[arg-type]
    ours = await first_part(reader_for(body, writer.content_type))
    assert ours.name == "champ é"


async def test_writer_size_matches_bytes_written() -> None:
    writer = MultipartWriter("form-data")
    writer.append("field")
    writer.append(b"\xff" * 100)
    nested = MultipartWriter("mixed")
    nested.append("n")
    writer.append(nested)
    body = await writer.as_bytes()
    assert writer.size == len(body)
    assert len(writer) == 3
    parts = email_parts(parse_with_email(writer, body))
    assert [p.get_param("name", header="content-disposition") for p in parts] == [
        "section-0",
        "section-1",
        "section-2",
    ]


async def test_writer_size_unknown_for_streams_and_encodings() -> None:
    async def gen() -> AsyncIterator[bytes]:
        yield b"x"

    streamed = MultipartWriter()
    streamed.append(AsyncIterablePayload(gen()))
    assert streamed.size is None
    encoded = MultipartWriter()
    encoded.append(b"x", {"Content-Encoding": "gzip"})
    assert encoded.size is None
    assert hdrs.CONTENT_LENGTH not in next(iter(encoded))[0].headers
    empty = MultipartWriter(boundary="e")
    assert empty.size == len(await empty.as_bytes()) == len(b"--e--\r\n")


@pytest.mark.parametrize("coding", ["gzip", "deflate", BR])
@pytest.mark.parametrize("transfer", ["", "base64", "quoted-printable"])
async def test_writer_encodings_roundtrip_through_reader(coding: str, transfer: str) -> None:
    data = bytes(range(256)) * 300
    writer = MultipartWriter()
    headers = {"Content-Encoding": coding}
    if transfer:
        headers["Content-Transfer-Encoding"] = transfer
    writer.append(BytesPayload(data), headers)
    reader = reader_for(await writer.as_bytes(), writer.content_type)
    part = await first_part(reader)
    assert await bounded(part.read(decode=True)) == data


async def test_writer_base64_lines_are_76_chars() -> None:
    writer = MultipartWriter(boundary="b")
    writer.append(b"\x01" * 1000, {"Content-Transfer-Encoding": "base64"})
    body = await writer.as_bytes()
    encoded = body.split(b"\r\n\r\n", 1)[1].split(b"\r\n--b--")[0]
    lines = encoded.split(b"\r\n")
    assert all(len(line) == 76 for line in lines[:-1])
    assert base64.b64decode(b"".join(lines)) == b"\x01" * 1000


async def test_writer_close_boundary_optional_and_decode() -> None:
    writer = MultipartWriter(boundary="b")
    writer.append("x")
    sink = CollectingWriter()
    await writer.write(sink, close_boundary=False)
    assert sink.data.endswith(b"x\r\n")
    assert b"--b--" not in sink.data
    text = writer.decode()
    assert text == (await writer.as_bytes()).decode()


async def test_writer_iteration_context_and_truthiness() -> None:
    with MultipartWriter("related") as writer:
        assert writer  # true even when empty
        payload = writer.append(b"data", {"Content-Transfer-Encoding": "base64"})
    [(part, coding, transfer)] = list(writer)
    assert part is payload
    assert (coding, transfer) == (None, "base64")
    assert writer.boundary.isalnum() and len(writer.boundary) == 32
    assert writer.content_type == f"multipart/related; boundary={writer.boundary}"


async def test_writer_streams_file_without_loading_it(tmp_path: Path) -> None:
    size = 8 * 2**20
    path = tmp_path / "big.bin"
    with path.open("wb") as out:
        out.truncate(size)
    writer = MultipartWriter()
    sink = CollectingWriter(keep=False)
    with path.open("rb") as file:
        writer.append(file)
        tracemalloc.start()
        try:
            await writer.write(sink)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert sink.count == writer.size  # while the file is open: its size is known
    assert peak < 2**20, f"peak {peak} bytes"


# --- Writer refusals ------------------------------------------------------------------------


@pytest.mark.parametrize("boundary", ["", "x" * 71, "has@at", "ends with space ", "é", 'q"uote'])
def test_writer_invalid_boundary(boundary: str) -> None:
    with pytest.raises(ValueError, match="invalid multipart boundary"):
        MultipartWriter(boundary=boundary)


def test_writer_valid_boundaries_quoted_when_needed() -> None:
    assert MultipartWriter(boundary="x" * 70).content_type.endswith("x" * 70)
    assert MultipartWriter(boundary="a b").content_type.endswith('boundary="a b"')
    with pytest.raises(ValueError, match="subtype"):
        MultipartWriter(subtype="mixed\r\nX: y")


@pytest.mark.parametrize(
    "headers",
    [{"X-Evil": "a\r\nInjected: 1"}, {"X-Evil": "a\nb"}, {"X-Evil": "a\x00"}, {"Bad Name": "v"}],
)
def test_writer_append_refuses_header_injection(headers: dict[str, str]) -> None:
    writer = MultipartWriter()
    with pytest.raises(ValueError):
        writer.append(b"x", headers)
    with pytest.raises(ValueError):
        writer.append(BytesPayload(b"x"), headers)
    assert len(writer) == 0


async def test_writer_refuses_mutated_headers_before_writing() -> None:
    writer = MultipartWriter()
    writer.append("first")
    nested = MultipartWriter()
    late = nested.append("second")
    writer.append(nested)
    late.headers["X-Late"] = "a\r\nInjected: yes"
    sink = CollectingWriter()
    with pytest.raises(ValueError):
        await writer.write(sink)
    assert sink.data == b""


def test_writer_refuses_injected_disposition_params() -> None:
    part = MultipartWriter().append("x")
    with pytest.raises(ValueError):
        part.set_content_disposition("form-data", name="a\r\nX: y")
    with pytest.raises(ValueError):
        part.set_content_disposition("form-data", name="f", filename="evil\n.txt")


def test_writer_unknown_encodings() -> None:
    writer = MultipartWriter()
    with pytest.raises(RuntimeError, match="unknown content encoding"):
        writer.append(b"x", {"Content-Encoding": "compress"})
    with pytest.raises(RuntimeError, match="unknown content transfer encoding"):
        writer.append(b"x", {"Content-Transfer-Encoding": "x-uuencode"})


@pytest.mark.parametrize(
    "header", ["Content-Encoding", "Content-Length", "Content-Transfer-Encoding"]
)
def test_writer_form_data_refuses_rfc7578_forbidden_headers(header: str) -> None:
    with pytest.raises(ValueError, match="form-data parts must not"):
        MultipartWriter("form-data").append(b"x", {header: "gzip"})


async def test_writer_form_data_part_needs_a_name() -> None:
    writer = MultipartWriter("form-data")
    part = writer.append("x")
    part.headers["Content-Disposition"] = "form-data"
    with pytest.raises(ValueError, match="needs a Content-Disposition with a name"):
        await writer.as_bytes()


def test_writer_append_unsupported_type() -> None:
    with pytest.raises(TypeError, match="Cannot create payload"):
        MultipartWriter().append(object())


async def test_writer_close_closes_file_parts(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(b"abc")
    writer = MultipartWriter()
    file = path.open("rb")
    part: Payload = writer.append(file)
    writer.append(b"bytes")
    assert not writer.consumed
    first = await writer.as_bytes()
    assert await writer.as_bytes() == first  # the file part rewinds: re-sendable
    await writer.close()
    assert file.closed
    assert part.consumed
    assert writer.consumed


# --- Content-Disposition ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("inline", ("inline", {})),
        ("ATTACHMENT", ("attachment", {})),
        ('attachment; filename="foo.html"', ("attachment", {"filename": "foo.html"})),
        ("attachment; FileName=foo.html", ("attachment", {"filename": "foo.html"})),
        (r'attachment; filename="f\"oo\\.html"', ("attachment", {"filename": 'f"oo\\.html'})),
        ('attachment; filename="foo;bar.html"', ("attachment", {"filename": "foo;bar.html"})),
        (
            'form-data; name="a=b"; filename="/etc/passwd"',
            ("form-data", {"name": "a=b", "filename": "etc/passwd"}),
        ),
        (
            "attachment; filename*=UTF-8''foo-%c3%a4.html",
            ("attachment", {"filename*": "foo-ä.html"}),
        ),
        (
            "attachment; filename*=iso-8859-1'en'foo-%E4.html",
            ("attachment", {"filename*": "foo-ä.html"}),
        ),
        (
            'attachment; filename*0="foo."; filename*1="html"',
            ("attachment", {"filename*0": "foo.", "filename*1": "html"}),
        ),
    ],
)
def test_parse_content_disposition_valid(
    header: str, expected: tuple[Optional[str], dict[str, str]]
) -> None:
    assert parse_content_disposition(header) == expected


@pytest.mark.parametrize("header", [None, ""])
def test_parse_content_disposition_absent(header: Optional[str]) -> None:
    assert parse_content_disposition(header) == (None, {})


@pytest.mark.parametrize(
    "header",
    [
        '"inline"',
        "attachment; filename=foo bar.html",
        "attachment; filename",
        'attachment; filename="a"; filename="b"',
        "inline; filename=a,b",
    ],
)
def test_parse_content_disposition_bad_header_warns(header: str) -> None:
    with pytest.warns(BadContentDispositionHeader):
        assert parse_content_disposition(header) == (None, {})


def test_parse_content_disposition_trailing_semicolon_warns_but_keeps() -> None:
    with pytest.warns(BadContentDispositionHeader):
        assert parse_content_disposition('attachment; name="x";') == ("attachment", {"name": "x"})


@pytest.mark.parametrize(
    "param",
    [
        'file name="x"',
        "filename*=UTF-8''%FF",
        "filename*=no-such-charset''abc",
        "filename*=abc",
        "filename*=\"UTF-8''quoted\"",
        "filename*1=a b",
    ],
)
def test_parse_content_disposition_bad_param_skipped(param: str) -> None:
    with pytest.warns(BadContentDispositionParam):
        result = parse_content_disposition(f'attachment; {param}; name="kept"')
    assert result == ("attachment", {"name": "kept"})


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, None),
        ({"name": "x"}, None),
        ({"filename": "plain.txt"}, "plain.txt"),
        ({"filename": "ascii.txt", "filename*": "ünï.txt"}, "ünï.txt"),
        ({"filename*0": "foo.", "filename*1": "html"}, "foo.html"),
        (
            {"filename*0*": "UTF-8''foo-%c3", "filename*1*": "%a4", "filename*2": ".html"},
            "foo-ä.html",
        ),
        ({"filename*0": "a", "filename*2": "c"}, "a"),
        ({"filename*1": "b"}, None),
        ({"filename*0*": "UTF-8''%FF"}, None),
    ],
)
def test_content_disposition_filename(params: dict[str, str], expected: Optional[str]) -> None:
    assert content_disposition_filename(params) == expected


def test_content_disposition_filename_other_name() -> None:
    assert content_disposition_filename({"name*": "ü", "filename": "f"}, "name") == "ü"


async def test_part_name_and_filename_from_disposition() -> None:
    headers = {
        "Content-Disposition": 'form-data; name="field"; filename="ascii.txt"; '
        "filename*=UTF-8''%E2%82%AC.txt"
    }
    part = await first_part(single_part(headers, b"x", "form-data"))
    assert (part.name, part.filename) == ("field", "€.txt")


async def test_part_bad_disposition_warns_once_accessed() -> None:
    part = await first_part(single_part({"Content-Disposition": '"bad"'}, b"x"))
    with pytest.warns(BadContentDispositionHeader):
        assert part.name is None
    assert part.filename is None  # parsed once: no second warning


# --- Hypothesis: arbitrary bodies survive a write/read round trip ------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    bodies=st.lists(st.binary(max_size=300), min_size=0, max_size=4),
    piece=st.integers(min_value=1, max_value=64),
)
def test_roundtrip_arbitrary_bodies(  # type: ignore[misc]  # given() is Callable[..., None]
    bodies: list[bytes], piece: int
) -> None:
    async def run() -> list[bytes]:
        writer = MultipartWriter("mixed")
        for body in bodies:
            writer.append(BytesPayload(body))
        raw = await writer.as_bytes()
        stream = StreamReader(BaseProtocol(asyncio.get_running_loop()), 2**16)

        async def feed() -> None:
            for start in range(0, len(raw), piece):
                stream.feed_data(raw[start : start + piece])
                await asyncio.sleep(0)
            stream.feed_eof()

        feeder = asyncio.create_task(feed())
        reader = MultipartReader({"Content-Type": writer.content_type}, stream)
        got = [data for _, data in await bounded(collect(reader))]
        await feeder
        return [d for d in got if isinstance(d, bytes)]

    assert asyncio.run(run()) == bodies
