"""Tests for aiohttp._decoding: bounded streaming decompression into a StreamReader."""

from __future__ import annotations

import asyncio
import struct
import tracemalloc
import zlib

import brotli
import pytest

from aiohttp._decoding import DECOMPRESS_STEP, DecompressingFeeder
from aiohttp.http_exceptions import ContentEncodingError
from tests._stream_support import make_reader

BODY = b"".join(b"line %d of a compressible body\n" % i for i in range(5000))
MiB = 1 << 20


def compress(data: bytes, encoding: str) -> bytes:
    if encoding == "br":
        result: bytes = brotli.compress(data, quality=5)
        return result
    wbits = {"gzip": 31, "deflate": 15, "raw": -15}[encoding]
    c = zlib.compressobj(6, zlib.DEFLATED, wbits)
    return c.compress(data) + c.flush()


def header_encoding(encoding: str) -> str:
    return "deflate" if encoding == "raw" else encoding


def gzip_of_zeros(size_mib: int) -> bytes:
    """A gzip stream of ``size_mib`` MiB of zeros, built from one repeated flush segment
    (compressing a GiB would take seconds)."""
    block = bytes(MiB)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(size_mib):
        crc = zlib.crc32(block, crc)
    trailer = struct.pack("<II", crc, (size_mib * MiB) & 0xFFFFFFFF)
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + segment * size_mib + c.flush() + trailer


def feed_in_pieces(feeder: DecompressingFeeder, data: bytes, size: int) -> None:
    for i in range(0, len(data), size):
        feeder.feed_data(data[i : i + size])


# -- round trips -------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw", "br"])
@pytest.mark.parametrize("piece", [1, 7, 4096, 1 << 20])
async def test_round_trip_decodes_body(encoding: str, piece: int) -> None:
    reader, _ = make_reader()
    feeder = DecompressingFeeder(reader, header_encoding(encoding))
    compressed = compress(BODY, encoding)
    feed_in_pieces(feeder, compressed, piece)
    feeder.feed_eof()
    assert await reader.read() == BODY
    assert reader.at_eof()
    assert reader.total_bytes == len(BODY)
    assert reader.total_compressed_bytes == len(compressed)
    assert reader.total_raw_bytes == len(compressed)


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
async def test_empty_body_with_encoding_is_empty(encoding: str) -> None:
    reader, _ = make_reader()
    feeder = DecompressingFeeder(reader, encoding)
    feeder.feed_eof()
    assert reader.at_eof()
    assert await reader.read() == b""
    assert reader.total_raw_bytes == 0


async def test_bytes_after_end_of_gzip_are_ignored() -> None:
    reader, _ = make_reader()
    feeder = DecompressingFeeder(reader, "gzip")
    feeder.feed_data(compress(b"payload", "gzip") + b"trailing junk")
    feeder.feed_eof()
    assert await reader.read() == b"payload"


async def test_feeder_exposes_its_reader() -> None:
    reader, _ = make_reader()
    assert DecompressingFeeder(reader, "gzip").out is reader


# -- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw", "br"])
async def test_truncated_stream_raises_at_eof(encoding: str) -> None:
    reader, _ = make_reader()
    feeder = DecompressingFeeder(reader, header_encoding(encoding))
    compressed = compress(BODY, encoding)
    feeder.feed_data(compressed[: len(compressed) - 8])
    with pytest.raises(ContentEncodingError, match="truncated"):
        feeder.feed_eof()
    assert not reader.is_eof()


async def test_one_byte_deflate_body_is_truncated() -> None:
    reader, _ = make_reader()
    feeder = DecompressingFeeder(reader, "deflate")
    feeder.feed_data(b"\x78")
    with pytest.raises(ContentEncodingError):
        feeder.feed_eof()


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
async def test_corrupt_data_raises_with_cause(encoding: str) -> None:
    reader, _ = make_reader()
    feeder = DecompressingFeeder(reader, encoding)
    good = compress(BODY, encoding)
    with pytest.raises(ContentEncodingError, match=encoding) as info:
        feeder.feed_data(good[:20] + b"\xff" * 64 + good[84:])
        feeder.feed_eof()
    assert info.value.__cause__ is not None
    feeder.feed_data(b"more")  # ignored once failed
    feeder.feed_eof()


async def test_gzip_with_bad_magic_raises() -> None:
    reader, _ = make_reader()
    feeder = DecompressingFeeder(reader, "gzip")
    with pytest.raises(ContentEncodingError):
        feeder.feed_data(b"this is not gzip at all")


async def test_unknown_encoding_is_rejected() -> None:
    reader, _ = make_reader()
    with pytest.raises(ContentEncodingError, match="zstd"):
        DecompressingFeeder(reader, "zstd")


async def test_corruption_found_while_reading_fails_the_reader() -> None:
    reader, _ = make_reader(limit=1024)
    feeder = DecompressingFeeder(reader, "gzip")
    good = gzip_of_zeros(2)
    # The damage sits far into the stream: the first pump stops at high water before it.
    feeder.feed_data(good[: len(good) // 2] + b"\xff" * 300)
    assert reader._above_high_water()
    with pytest.raises(ContentEncodingError):
        while True:
            await reader.readany()


async def test_truncation_found_after_deferred_eof_goes_to_on_error() -> None:
    reader, _ = make_reader(limit=1024)
    errors: list[BaseException] = []
    feeder = DecompressingFeeder(reader, "gzip", on_error=errors.append)
    bomb = gzip_of_zeros(1)
    feeder.feed_data(bomb[:-8])
    feeder.feed_eof()  # deferred: input is still held back
    assert not reader.is_eof()
    total = 0
    while not errors:
        total += len(await reader.readany())
    assert isinstance(errors[0], ContentEncodingError)
    assert total == MiB


async def test_failed_reader_stops_inflation() -> None:
    reader, _ = make_reader(limit=1024)
    feeder = DecompressingFeeder(reader, "gzip")
    feeder.feed_data(gzip_of_zeros(4))
    size = reader._size
    reader.set_exception(ConnectionResetError())
    feeder.feed_data(b"x")
    feeder.feed_eof()
    assert reader._size == size
    assert not reader.is_eof()


# -- flow control and chunk hooks ------------------------------------------------------------


async def test_inflation_pauses_at_high_water_and_eof_waits_for_drain() -> None:
    reader, proto = make_reader(limit=1024)
    feeder = DecompressingFeeder(reader, "deflate", step=512)
    data = bytes(range(256)) * 64
    feeder.feed_data(compress(data, "deflate"))
    feeder.feed_eof()
    assert proto.pauses == 1
    assert 2048 < reader._size <= 2048 + 512
    assert not reader.is_eof()
    assert await reader.read() == data
    assert reader.at_eof()
    assert proto.resumes >= 1


async def test_chunk_boundaries_forwarded_when_output_complete() -> None:
    reader, _ = make_reader()
    feeder = DecompressingFeeder(reader, "gzip")
    feeder.begin_http_chunk_receiving()
    compressed = compress(b"abc" * 10, "gzip")
    feeder.feed_data(compressed)
    feeder.end_http_chunk_receiving()
    feeder.feed_eof()
    assert await reader.readchunk() == (b"abc" * 10, True)
    assert await reader.readchunk() == (b"", False)


async def test_chunk_boundary_dropped_while_input_held_back() -> None:
    reader, _ = make_reader(limit=1024)
    feeder = DecompressingFeeder(reader, "gzip")
    feeder.begin_http_chunk_receiving()
    feeder.feed_data(gzip_of_zeros(1))
    feeder.end_http_chunk_receiving()
    assert reader._http_chunk_splits is not None
    assert len(reader._http_chunk_splits) == 0


# -- decompression bombs ----------------------------------------------------------------


async def test_gzip_bomb_of_one_gib_keeps_buffer_bounded() -> None:
    limit = 2**16
    bomb = gzip_of_zeros(1024)
    reader, proto = make_reader(limit)
    feeder = DecompressingFeeder(reader, "gzip")
    bound = 2 * limit + DECOMPRESS_STEP
    peak = 0
    total = 0

    async def network() -> None:
        nonlocal peak
        # A peer that keeps sending even while asked to pause (worst case).
        for i in range(0, len(bomb), 2**16):
            feeder.feed_data(bomb[i : i + 2**16])
            peak = max(peak, reader._size)
            await asyncio.sleep(0)
        feeder.feed_eof()

    producer = asyncio.create_task(network())
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        while True:
            await asyncio.sleep(0)  # a slow consumer: the producer runs between reads
            chunk = await reader.readany()
            if not chunk:
                break
            total += len(chunk)
            peak = max(peak, reader._size)
        traced_peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    await producer
    assert total == 1 << 30
    assert reader.at_eof()
    assert peak <= bound
    # Compressed input held back (about 1 MiB here) plus the bounded output buffer.
    assert traced_peak < 4 * MiB
    assert proto.pauses >= 1
    assert proto.resumes >= 1


async def test_gzip_bomb_fed_at_once_drains_in_linear_time() -> None:
    # The whole compressed backlog is held at once: zlib must not be handed all of it on
    # every bounded call (it copies what it leaves unconsumed).
    bomb = gzip_of_zeros(128)
    reader, _ = make_reader()
    feeder = DecompressingFeeder(reader, "gzip")
    feeder.feed_data(bomb)
    feeder.feed_eof()
    loop = asyncio.get_running_loop()
    started = loop.time()
    total = 0
    while chunk := await reader.readany():
        total += len(chunk)
        assert reader._size <= 2 * 2**16 + DECOMPRESS_STEP
    assert total == 128 * MiB
    assert loop.time() - started < 10


async def test_brotli_bomb_keeps_buffer_bounded() -> None:
    limit = 2**14
    c = brotli.Compressor(quality=5)
    block = bytes(MiB)
    bomb = b"".join([c.process(block) for _ in range(64)]) + c.finish()
    reader, _ = make_reader(limit)
    feeder = DecompressingFeeder(reader, "br")
    feeder.feed_data(bomb)
    feeder.feed_eof()
    peak = reader._size
    total = 0
    while chunk := await reader.readany():
        total += len(chunk)
        peak = max(peak, reader._size)
    assert total == 64 * MiB
    assert peak <= 2 * limit + DECOMPRESS_STEP
