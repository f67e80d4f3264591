"""Tests for :mod:`aiohttp.payload`: each payload type, the registry, length caps, chunked file
reading, re-sending, single-use streams and refusal of header injection."""

# The tests open small temporary files inside coroutines on purpose; what must not block the
# loop is the payload's reading, which the tests check.
# ruff: noqa: ASYNC230, ASYNC240

from __future__ import annotations

import array
import asyncio
import io
import json
import os
import pathlib
import threading
import tracemalloc
import warnings
from collections.abc import AsyncIterator
from typing import Optional

import pytest
from multidict import CIMultiDict

from aiohttp import payload
from aiohttp.abc import AbstractStreamWriter
from aiohttp.payload import (
    PAYLOAD_REGISTRY,
    READ_SIZE,
    AsyncIterablePayload,
    BufferedReaderPayload,
    BytesIOPayload,
    BytesPayload,
    IOBasePayload,
    JsonPayload,
    Order,
    Payload,
    PayloadRegistry,
    StreamReaderPayload,
    StringIOPayload,
    StringPayload,
    TextIOPayload,
    get_payload,
    payload_type,
)
from aiohttp.typedefs import Byteish


class RecordingWriter(AbstractStreamWriter):
    """Keeps every chunk written, as bytes, so tests can check content and chunking."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.eof = False

    @property
    def data(self) -> bytes:
        return b"".join(self.chunks)

    async def write(self, chunk: Byteish) -> None:
        self.chunks.append(bytes(chunk))

    async def write_eof(self, chunk: bytes = b"") -> None:
        self.chunks.append(chunk)
        self.eof = True

    async def drain(self) -> None:
        pass

    def enable_compression(self, encoding: str = "deflate", strategy: Optional[int] = None) -> None:
        raise AssertionError("not used")

    def enable_chunking(self) -> None:
        raise AssertionError("not used")

    async def write_headers(self, status_line: str, headers: CIMultiDict[str]) -> None:
        raise AssertionError("not used")


class DiscardingWriter(RecordingWriter):
    """Counts bytes and chunks without keeping them (for memory measurements)."""

    def __init__(self) -> None:
        super().__init__()
        self.total = 0
        self.count = 0
        self.largest = 0

    async def write(self, chunk: Byteish) -> None:
        n = memoryview(chunk).nbytes
        self.total += n
        self.count += 1
        self.largest = max(self.largest, n)


async def sent(p: Payload, content_length: Optional[int] = None, *, limited: bool = False) -> bytes:
    writer = RecordingWriter()
    if limited:
        await p.write_with_length(writer, content_length)
    else:
        await p.write(writer)
    return writer.data


@pytest.fixture
def big_file(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "big.bin"
    path.write_bytes(bytes(range(256)) * (5 * READ_SIZE // 256 + 3))  # 5 blocks + 768 bytes
    return path


# --- BytesPayload --------------------------------------------------------------------------


async def test_bytes_payload_defaults() -> None:
    p = BytesPayload(b"data")
    assert p.size == 4
    assert p.content_type == "application/octet-stream"
    assert p.encoding is None
    assert p.filename is None
    assert p.autoclose is True
    assert p.consumed is False
    assert dict(p.headers) == {"Content-Type": "application/octet-stream"}
    assert await sent(p) == b"data"
    assert await sent(p) == b"data"  # reusable


@pytest.mark.parametrize("value", [bytearray(b"abc"), memoryview(b"abc")])
async def test_bytes_payload_accepts_bytes_like(value: Byteish) -> None:
    p = BytesPayload(value)
    assert p.size == 3
    assert await p.as_bytes() == b"abc"
    assert type(await p.as_bytes()) is bytes
    assert p.decode() == "abc"


async def test_bytes_payload_memoryview_size_counts_bytes_not_items() -> None:
    view = memoryview(array.array("i", [1, 2, 3]))
    p = BytesPayload(view)
    assert p.size == 3 * view.itemsize
    assert await sent(p, 5, limited=True) == view.tobytes()[:5]


async def test_bytes_payload_non_contiguous_memoryview_is_copied() -> None:
    view = memoryview(b"abcdef")[::2]
    p = BytesPayload(view)
    assert p.size == 3
    assert await sent(p) == b"ace"


def test_bytes_payload_rejects_str() -> None:
    with pytest.raises(TypeError, match="byte-ish"):
        BytesPayload("text")  # type: ignore[arg-type]  # the misuse under test


@pytest.mark.parametrize(
    ("length", "expected"),
    [(None, b"abcdef"), (0, b""), (3, b"abc"), (6, b"abcdef"), (99, b"abcdef")],
)
async def test_bytes_payload_write_with_length_caps(length: Optional[int], expected: bytes) -> None:
    assert await sent(BytesPayload(b"abcdef"), length, limited=True) == expected


def test_bytes_payload_large_body_warns() -> None:
    with pytest.warns(ResourceWarning, match="large body"):
        BytesPayload(bytes(payload.TOO_LARGE_BYTES_BODY + 1))


def test_bytes_payload_at_limit_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        BytesPayload(bytes(payload.TOO_LARGE_BYTES_BODY))


def test_bytes_payload_content_type_and_headers_are_applied() -> None:
    p = BytesPayload(b"x", content_type="image/png", headers={"X-Extra": "1"})
    assert p.content_type == "image/png"
    assert p.headers["X-Extra"] == "1"


def test_payload_headers_override_content_type() -> None:
    p = BytesPayload(b"x", headers={"Content-Type": "text/csv"})
    assert p.content_type == "text/csv"


def test_payload_content_type_is_guessed_from_filename() -> None:
    assert BytesPayload(b"x", content_type=None, filename="a.json").content_type == (
        "application/json"
    )


def test_payload_unknown_keyword_arguments_are_ignored() -> None:
    assert BytesPayload(b"x", whatever=1).size == 1


# --- StringPayload, StringIOPayload, JsonPayload -------------------------------------------


async def test_string_payload_defaults_to_utf8() -> None:
    p = StringPayload("héllo")
    assert p.encoding == "utf-8"
    assert p.content_type == "text/plain; charset=utf-8"
    assert p.size == len("héllo".encode())
    assert await sent(p) == "héllo".encode()
    assert p.decode() == "héllo"


def test_string_payload_encoding_sets_charset() -> None:
    p = StringPayload("héllo", encoding="latin-1")
    assert p.content_type == "text/plain; charset=latin-1"
    assert p.size == 5


async def test_string_payload_charset_from_content_type() -> None:
    p = StringPayload("é", content_type="text/html; charset=latin-1")
    assert p.encoding == "latin-1"
    assert p.content_type == "text/html; charset=latin-1"
    assert await p.as_bytes() == b"\xe9"


def test_string_payload_content_type_without_charset_uses_utf8() -> None:
    p = StringPayload("é", content_type="text/html")
    assert p.encoding == "utf-8"
    assert p.size == 2


def test_string_payload_unencodable_text_raises() -> None:
    with pytest.raises(UnicodeEncodeError):
        StringPayload("ж", encoding="latin-1")


async def test_string_io_payload_reads_from_current_position() -> None:
    buf = io.StringIO("skip:keep")
    buf.seek(5)
    p = StringIOPayload(buf)
    assert p.size == 4
    assert await sent(p) == b"keep"


async def test_json_payload_serializes_and_encodes() -> None:
    p = JsonPayload({"a": [1, "é"]})
    assert p.content_type == "application/json"
    assert p.encoding == "utf-8"
    assert json.loads(await p.as_bytes()) == {"a": [1, "é"]}


async def test_json_payload_custom_dumps_and_content_type() -> None:
    p = JsonPayload([1], content_type="application/vnd.api+json", dumps=lambda v: "custom")
    assert p.content_type == "application/vnd.api+json"
    assert await sent(p) == b"custom"


# --- BytesIOPayload ------------------------------------------------------------------------


async def test_bytes_io_payload_size_from_position_and_resend() -> None:
    buf = io.BytesIO(b"0123456789")
    buf.seek(2)
    p = BytesIOPayload(buf)
    assert p.size == 8
    assert p.autoclose is True
    assert await sent(p) == b"23456789"
    assert await sent(p) == b"23456789"  # rewinds to where it started
    assert await p.as_bytes() == b"23456789"
    assert p.decode() == "23456789"
    assert p.consumed is False


async def test_bytes_io_payload_large_buffer_is_written_in_blocks() -> None:
    data = os.urandom(3 * READ_SIZE + 10)
    writer = RecordingWriter()
    await BytesIOPayload(io.BytesIO(data)).write(writer)
    assert writer.data == data
    assert [len(c) for c in writer.chunks] == [READ_SIZE] * 3 + [10]


async def test_bytes_io_payload_write_with_length_caps() -> None:
    p = BytesIOPayload(io.BytesIO(b"abcdef"))
    assert await sent(p, 4, limited=True) == b"abcd"
    assert await sent(p, 0, limited=True) == b""
    assert await sent(p, None, limited=True) == b"abcdef"


async def test_bytes_io_payload_close_keeps_it_usable() -> None:
    p = BytesIOPayload(io.BytesIO(b"abc"))
    await p.close()
    assert await sent(p) == b"abc"


# --- file payloads -------------------------------------------------------------------------


async def test_buffered_reader_payload_headers_from_file(big_file: pathlib.Path) -> None:
    with open(big_file, "rb") as f:
        p = get_payload(f)
        assert type(p) is BufferedReaderPayload
        assert p.size == big_file.stat().st_size
        assert p.filename == "big.bin"
        assert p.content_type == "application/octet-stream"
        assert p.headers["Content-Disposition"] == 'attachment; filename="big.bin"'
        assert p.autoclose is False


async def test_file_payload_reads_in_blocks_off_the_loop(big_file: pathlib.Path) -> None:
    reads: list[tuple[int, int]] = []  # (size asked, thread id)

    class Tracking(io.BufferedReader):
        def read(self, size: Optional[int] = -1) -> bytes:
            reads.append((-1 if size is None else size, threading.get_ident()))
            return super().read(size)

    loop_thread = threading.get_ident()
    with Tracking(io.FileIO(big_file)) as f:
        p = get_payload(f)
        writer = RecordingWriter()
        await p.write(writer)
    assert writer.data == big_file.read_bytes()
    assert all(0 < size <= READ_SIZE for size, _ in reads)
    assert all(thread != loop_thread for _, thread in reads)
    assert len(writer.chunks) == 6
    assert max(len(c) for c in writer.chunks) == READ_SIZE


async def test_file_payload_peak_memory_stays_near_one_block(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "large.bin"
    with open(path, "wb") as f:
        f.truncate(8 * 2**20)  # sparse: fast to create
    writer = DiscardingWriter()
    with open(path, "rb") as f:
        p = get_payload(f)
        tracemalloc.start()
        try:
            await p.write(writer)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert writer.total == 8 * 2**20
    assert writer.count == 8 * 2**20 // READ_SIZE
    assert peak < 1 * 2**20, peak


async def test_file_payload_can_be_sent_again(big_file: pathlib.Path) -> None:
    expected = big_file.read_bytes()
    with open(big_file, "rb") as f:
        p = get_payload(f)
        size = p.size
        assert await sent(p) == expected
        assert p.size == size  # still measured from the start, not from EOF
        assert await sent(p) == expected
        assert p.consumed is False


async def test_file_payload_starts_at_the_position_of_first_use(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(b"header|body")
    with open(path, "rb") as f:
        f.seek(7)
        p = get_payload(f)
        assert p.size == 4
        assert await sent(p) == b"body"
        f.seek(0)  # someone moved it: the next send still starts at the body
        assert await sent(p) == b"body"
        assert await p.as_bytes() == b"body"
        assert p.decode() == "body"


async def test_file_payload_write_with_length_caps(big_file: pathlib.Path) -> None:
    expected = big_file.read_bytes()
    with open(big_file, "rb") as f:
        p = get_payload(f)
        assert await sent(p, READ_SIZE + 5, limited=True) == expected[: READ_SIZE + 5]
        assert await sent(p, 0, limited=True) == b""
        assert await sent(p, 10**9, limited=True) == expected


async def test_file_payload_stops_at_initial_size_if_file_grows(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "grow.bin"
    path.write_bytes(b"abc")
    with open(path, "rb") as f:
        p = get_payload(f)
        assert p.size == 3
        with open(path, "ab") as appender:
            appender.write(b"def")
        writer = RecordingWriter()
        await p.write_with_length(writer, 3)
        assert writer.data == b"abc"


async def test_file_payload_close_closes_file_and_marks_consumed(big_file: pathlib.Path) -> None:
    f = open(big_file, "rb")  # noqa: SIM115  (closed by the payload under test)
    p = get_payload(f)
    await p.close()
    assert f.closed
    assert p.consumed is True
    await p.close()  # idempotent


async def test_pipe_payload_is_single_use() -> None:
    read_fd, write_fd = os.pipe()
    os.write(write_fd, b"streamed")
    os.close(write_fd)
    with open(read_fd, "rb") as f:
        p = get_payload(f)
        assert p.size is None
        assert await sent(p) == b"streamed"
        assert p.consumed is True
        assert await sent(p) == b""


async def test_generic_iobase_without_fileno() -> None:
    raw = io.BufferedReader(io.BytesIO(b"wrapped"))
    p = get_payload(raw)
    assert isinstance(p, IOBasePayload)
    assert p.size is None
    assert await sent(p) == b"wrapped"
    assert await sent(p) == b"wrapped"


async def test_disposition_none_sets_no_content_disposition(big_file: pathlib.Path) -> None:
    with open(big_file, "rb") as f:
        p = BufferedReaderPayload(f, disposition=None)
        assert "Content-Disposition" not in p.headers
        assert p.filename == "big.bin"


async def test_explicit_filename_guesses_content_type(big_file: pathlib.Path) -> None:
    with open(big_file, "rb") as f:
        p = get_payload(f, filename="photo.png")
        assert p.content_type == "image/png"
        assert p.headers["Content-Disposition"] == 'attachment; filename="photo.png"'


# --- TextIOPayload -------------------------------------------------------------------------


async def test_text_file_payload_streams_encoded_text(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "t.txt"
    text = "línea\r\n" * (READ_SIZE // 3)
    path.write_bytes(text.encode("utf-8"))
    with open(path, encoding="utf-8") as f:
        p = get_payload(f)
        assert type(p) is TextIOPayload
        assert p.size is None  # newline translation makes the byte count unknowable
        assert p.content_type == "text/plain; charset=utf-8"
        translated = text.replace("\r\n", "\n").encode("utf-8")
        assert await sent(p) == translated
        assert await sent(p) == translated
        assert await p.as_bytes() == translated


async def test_text_file_payload_encoding_from_content_type(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("é", encoding="utf-8")
    with open(path, encoding="utf-8") as f:
        p = TextIOPayload(f, content_type="text/csv; charset=latin-1")
        assert p.encoding == "latin-1"
        assert await sent(p) == b"\xe9"
        assert p.decode() == "é"


async def test_text_file_payload_write_with_length_counts_bytes(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("ééé", encoding="utf-8")
    with open(path, encoding="utf-8") as f:
        p = get_payload(f)
        assert await sent(p, 3, limited=True) == "ééé".encode()[:3]


# --- AsyncIterablePayload ------------------------------------------------------------------


async def agen(*chunks: Byteish) -> AsyncIterator[Byteish]:
    for chunk in chunks:
        yield chunk


async def test_async_iterable_payload_streams_once() -> None:
    p = get_payload(agen(b"a", b"bc", b"def"))
    assert type(p) is AsyncIterablePayload
    assert p.size is None
    assert p.autoclose is True
    assert await sent(p) == b"abcdef"
    assert p.consumed is True
    assert await sent(p) == b""  # single use
    assert await p.as_bytes() == b""


async def test_async_iterable_payload_write_with_length_stops_and_closes_generator() -> None:
    closed = False

    async def gen() -> AsyncIterator[bytes]:
        nonlocal closed
        try:
            for _ in range(100):
                yield b"xyz"
        finally:
            closed = True

    p = AsyncIterablePayload(gen())
    assert await sent(p, 7, limited=True) == b"xyzxyzx"
    assert closed


async def test_async_iterable_payload_as_bytes_caches_for_reuse() -> None:
    p = AsyncIterablePayload(agen(b"ab", bytearray(b"cd"), memoryview(b"ef")))
    with pytest.raises(TypeError, match="as_bytes"):
        p.decode()
    assert await p.as_bytes() == b"abcdef"
    assert await p.as_bytes() == b"abcdef"
    assert p.decode() == "abcdef"
    assert await sent(p) == b"abcdef"
    assert await sent(p, 3, limited=True) == b"abc"
    assert p.consumed is False


async def test_async_iterable_payload_rejects_non_bytes_chunks() -> None:
    async def texts() -> AsyncIterator[str]:
        yield "text"

    p = AsyncIterablePayload(texts())  # type: ignore[arg-type]  # the misuse under test
    with pytest.raises(TypeError, match="bytes-like"):
        await sent(p)


def test_async_iterable_payload_rejects_sync_iterable() -> None:
    with pytest.raises(TypeError, match="AsyncIterable"):
        AsyncIterablePayload([b"a"])  # type: ignore[arg-type]  # the misuse under test


async def test_stream_reader_payload_forwards_reader_content() -> None:
    from aiohttp.base_protocol import BaseProtocol
    from aiohttp.streams import StreamReader

    loop = asyncio.get_running_loop()
    reader = StreamReader(BaseProtocol(loop), 2**16, loop=loop)
    reader.feed_data(b"hello ")
    reader.feed_data(b"world")
    reader.feed_eof()
    p = get_payload(reader)
    assert type(p) is StreamReaderPayload
    assert await sent(p) == b"hello world"


# --- custom payloads and the default write_with_length -------------------------------------


class _Shouting(Payload):
    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        return str(self._value).upper()

    async def write(self, writer: AbstractStreamWriter) -> None:
        for part in ("AB", "CD", "EF"):
            await writer.write(part.encode())


async def test_custom_payload_default_write_with_length_caps() -> None:
    p = _Shouting("abcdef")
    assert await sent(p, None, limited=True) == b"ABCDEF"
    assert await sent(p, 3, limited=True) == b"ABC"
    assert await sent(p, 0, limited=True) == b""
    assert await p.as_bytes() == b"ABCDEF"
    assert p.size is None


def test_payload_is_abstract() -> None:
    with pytest.raises(TypeError):
        Payload(b"x")  # type: ignore[abstract]  # the misuse under test


# --- registry ------------------------------------------------------------------------------


class _Thing:
    pass


class _SubThing(_Thing):
    pass


def _tagged(tag: str) -> type[Payload]:
    class Tagged(_Shouting):
        pass

    Tagged.__name__ = tag
    return Tagged


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (b"x", BytesPayload),
        (bytearray(b"x"), BytesPayload),
        (memoryview(b"x"), BytesPayload),
        ("x", StringPayload),
        (io.StringIO("x"), StringIOPayload),
        (io.BytesIO(b"x"), BytesIOPayload),
    ],
)
def test_registry_picks_builtin_payloads(value: object, expected: type[Payload]) -> None:
    assert type(get_payload(value)) is expected


def test_registry_returns_payload_as_is() -> None:
    p = BytesPayload(b"x")
    assert get_payload(p) is p


def test_registry_unknown_type_raises_lookup_error() -> None:
    with pytest.raises(payload.LookupError, match="_Thing"):
        get_payload(_Thing())
    assert issubclass(payload.LookupError, LookupError)


def test_registry_order_first_normal_last() -> None:
    registry = PayloadRegistry()
    first, normal, last = _tagged("first"), _tagged("normal"), _tagged("last")
    registry.register(last, _Thing, order=Order.try_last)
    registry.register(normal, _SubThing)
    assert type(registry.get(_SubThing())) is normal
    assert type(registry.get(_Thing())) is last
    registry.register(first, _Thing, order=Order.try_first)
    assert type(registry.get(_SubThing())) is first


def test_registry_latest_exact_normal_registration_wins() -> None:
    registry = PayloadRegistry()
    old, new = _tagged("old"), _tagged("new")
    registry.register(old, (_Thing, _SubThing))
    registry.register(new, _SubThing)
    assert type(registry.get(_SubThing())) is new
    assert type(registry.get(_Thing())) is old


def test_registry_subclass_falls_back_to_isinstance_in_order() -> None:
    registry = PayloadRegistry()
    base = _tagged("base")
    registry.register(base, _Thing)
    assert type(registry.get(_SubThing())) is base


def test_registry_passes_arguments_to_factory() -> None:
    registry = PayloadRegistry()
    registry.register(BytesPayload, bytes)
    p = registry.get(b"x", content_type="text/x-test", filename="f.bin")
    assert p.content_type == "text/x-test"
    assert p.filename == "f.bin"


def test_registry_rejects_unknown_order() -> None:
    with pytest.raises(ValueError, match="Unsupported order"):
        PayloadRegistry().register(BytesPayload, bytes, order="sideways")  # type: ignore[arg-type]  # misuse


def test_payload_type_decorator_registers_globally() -> None:
    class Marker:
        pass

    @payload_type(Marker)
    class MarkerPayload(_Shouting):
        pass

    assert type(get_payload(Marker())) is MarkerPayload
    assert PAYLOAD_REGISTRY is payload.PAYLOAD_REGISTRY


def test_register_payload_try_first_overrides_builtin_for_subclass() -> None:
    class MyBytes(bytes):
        pass

    class MyBytesPayload(BytesPayload):
        pass

    payload.register_payload(MyBytesPayload, MyBytes, order=Order.try_first)
    assert type(get_payload(MyBytes(b"x"))) is MyBytesPayload
    assert type(get_payload(b"x")) is BytesPayload


# --- content disposition and injection refusal ---------------------------------------------


def test_set_content_disposition() -> None:
    p = BytesPayload(b"x")
    p.set_content_disposition("form-data", name="field", filename="a b.txt")
    assert p.headers["Content-Disposition"] == 'form-data; name="field"; filename="a%20b.txt"'


def test_binary_headers_block() -> None:
    p = BytesPayload(b"x", headers={"X-A": "1"})
    assert p._binary_headers == b"Content-Type: application/octet-stream\r\nX-A: 1\r\n\r\n"


@pytest.mark.parametrize("bad", ["a\rb", "a\nb", "a\x00b", "text/plain\r\nX-Injected: 1"])
def test_payload_refuses_line_breaks_in_content_type(bad: str) -> None:
    with pytest.raises(ValueError, match="content_type"):
        BytesPayload(b"x", content_type=bad)


@pytest.mark.parametrize("bad", ["a\rb", "a\nb", "a\x00b"])
def test_payload_refuses_line_breaks_in_filename(bad: str) -> None:
    with pytest.raises(ValueError, match="filename"):
        BytesPayload(b"x", filename=bad)


def test_payload_refuses_line_breaks_in_encoding() -> None:
    with pytest.raises(ValueError, match="encoding"):
        BytesPayload(b"x", encoding="utf-8\r\nX: y")


@pytest.mark.parametrize(
    "headers",
    [{"X-A": "1\r\nX-B: 2"}, {"X-A": "\n"}, {"X-A": "a\x00"}, {"X-A\r\nX-B": "1"}, {"": "1"}],
)
def test_payload_refuses_bad_header_fields(headers: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="header"):
        BytesPayload(b"x", headers=headers)


def test_payload_mutated_headers_are_checked_before_serializing() -> None:
    p = BytesPayload(b"x")
    p.headers["X-Late"] = "a\r\nb"
    with pytest.raises(ValueError, match="X-Late"):
        _ = p._binary_headers


def test_set_content_disposition_refuses_injection() -> None:
    p = BytesPayload(b"x")
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        p.set_content_disposition("form-data", name="a\r\nX-Injected: 1")
    with pytest.raises(ValueError, match="bad content disposition type"):
        p.set_content_disposition("form-data\r\n")


async def test_file_with_line_break_in_its_name_is_refused(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "evil\nname.txt"
    path.write_bytes(b"x")
    with open(path, "rb") as f, pytest.raises(ValueError, match="filename"):
        get_payload(f)
