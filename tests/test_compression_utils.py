"""Tests for aiohttp.compression_utils: round trips, bounded decompression of bombs,
truncated and corrupt input, and ordered executor offloading."""

from __future__ import annotations

import asyncio
import gzip
import itertools
import random
import struct
import threading
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar, Union

import brotli
import pytest
from typing_extensions import ParamSpec

from aiohttp.compression_utils import (
    DEFAULT_MAX_DECOMPRESS_SIZE,
    HAS_BROTLI,
    MAX_DECOMPRESS_SIZE,
    MAX_SYNC_CHUNK_SIZE,
    BrotliCompressor,
    BrotliDecompressor,
    ZLibCompressor,
    ZLibDecompressor,
    encoding_to_mode,
)

_P = ParamSpec("_P")
_T = TypeVar("_T")

GIB = 2**30
MIB = 2**20
STEP = 2**16

# Three zlib containers: (encoding, suppress_deflate_header).
ZLIB_KINDS = [("gzip", False), ("deflate", False), ("deflate", True)]
ZLIB_IDS = ["gzip", "deflate", "raw-deflate"]

Compressor = Union[ZLibCompressor, BrotliCompressor]
Decompressor = Union[ZLibDecompressor, BrotliDecompressor]


def _sample(size: int = 200_000, seed: int = 7) -> bytes:
    """Compressible but not trivial data: words drawn from a small vocabulary."""
    rnd = random.Random(seed)
    words = [bytes(rnd.choices(b"abcdefghijklmnop", k=rnd.randint(2, 9))) for _ in range(300)]
    out = bytearray()
    while len(out) < size:
        out += rnd.choice(words) + b" "
    return bytes(out[:size])


def _make(kind: str) -> tuple[Compressor, Decompressor]:
    if kind == "br":
        return BrotliCompressor(), BrotliDecompressor()
    encoding, raw = dict(zip(["gzip", "deflate", "raw-deflate"], ZLIB_KINDS))[kind]
    return (
        ZLibCompressor(encoding=encoding, suppress_deflate_header=raw),
        ZLibDecompressor(encoding=encoding, suppress_deflate_header=raw),
    )


def _pull_all(d: Decompressor, data: bytes, step: int, piece: int = 16384) -> Iterator[bytes]:
    """Feed ``data`` in ``piece``-sized network chunks and pull at most ``step`` per call,
    the way the stream layer drives a decompressor."""
    for start in range(0, len(data), piece):
        chunk = data[start : start + piece]
        if isinstance(d, BrotliDecompressor):
            yield d.decompress_sync(chunk, step)
            while not d.needs_input:
                yield d.decompress_sync(b"", step)
        else:
            while True:
                out = d.decompress_sync(chunk, step)
                yield out
                chunk = d.unconsumed_tail
                if not chunk and len(out) < step:
                    break
        if d.eof:
            return


def _drain(d: BrotliDecompressor, step: int) -> bytes:
    out = b""
    while not d.needs_input:
        out += d.decompress_sync(b"", step)
    return out


# ----------------------------------------------------------------------------- constants


def test_constants_values() -> None:
    assert MAX_SYNC_CHUNK_SIZE == 4096
    assert MAX_DECOMPRESS_SIZE == DEFAULT_MAX_DECOMPRESS_SIZE == 2**25
    assert HAS_BROTLI is True


def test_encoding_to_mode_each_container() -> None:
    assert encoding_to_mode("gzip") == 16 + zlib.MAX_WBITS
    assert encoding_to_mode("gzip", suppress_deflate_header=True) == 16 + zlib.MAX_WBITS
    assert encoding_to_mode("deflate") == zlib.MAX_WBITS
    assert encoding_to_mode(None) == zlib.MAX_WBITS
    assert encoding_to_mode("deflate", suppress_deflate_header=True) == -zlib.MAX_WBITS


# ----------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("kind", [*ZLIB_IDS, "br"])
def test_round_trip_sync_every_encoding(kind: str) -> None:
    data = _sample()
    comp, decomp = _make(kind)
    wire = b"".join(comp.compress_sync(data[i : i + 7000]) for i in range(0, len(data), 7000))
    wire += comp.flush()
    assert len(wire) < len(data) // 2
    assert b"".join(_pull_all(decomp, wire, 1000)) == data
    assert decomp.eof


@pytest.mark.parametrize("kind", [*ZLIB_IDS, "br"])
def test_round_trip_unbounded_single_call(kind: str) -> None:
    data = _sample(50_000)
    comp, decomp = _make(kind)
    wire = comp.compress_sync(memoryview(data)) + comp.flush()
    assert decomp.decompress_sync(bytearray(wire)) == data
    assert decomp.eof


def test_zlib_compressor_containers_match_stdlib() -> None:
    data = _sample(20_000)
    gz = ZLibCompressor(encoding="gzip")
    assert gzip.decompress(gz.compress_sync(data) + gz.flush()) == data
    zl = ZLibCompressor(encoding="deflate")
    assert zlib.decompress(zl.compress_sync(data) + zl.flush()) == data
    raw = ZLibCompressor(encoding="deflate", suppress_deflate_header=True)
    assert zlib.decompress(raw.compress_sync(data) + raw.flush(), -zlib.MAX_WBITS) == data


def test_zlib_compressor_wbits_overrides_encoding() -> None:
    comp = ZLibCompressor(encoding="gzip", wbits=-zlib.MAX_WBITS, level=1)
    wire = comp.compress_sync(b"abc" * 100) + comp.flush()
    assert zlib.decompress(wire, -zlib.MAX_WBITS) == b"abc" * 100


def test_zlib_compressor_level_and_strategy_change_output() -> None:
    data = _sample(50_000)
    fast = ZLibCompressor(level=1)
    best = ZLibCompressor(level=9)
    huff = ZLibCompressor(strategy=zlib.Z_HUFFMAN_ONLY)
    sizes = [len(c.compress_sync(data) + c.flush()) for c in (fast, best, huff)]
    assert sizes[1] < sizes[0] < sizes[2]


@pytest.mark.parametrize("kind", [*ZLIB_IDS, "br"])
def test_compressor_sync_flush_emits_decodable_prefix(kind: str) -> None:
    comp, decomp = _make(kind)
    first = comp.compress_sync(b"hello ") + comp.flush(zlib.Z_SYNC_FLUSH)
    assert decomp.decompress_sync(first) == b"hello "
    assert not decomp.eof
    rest = comp.compress_sync(b"world") + comp.flush()
    assert decomp.decompress_sync(rest) == b"world"
    assert decomp.eof


def test_brotli_decompressor_one_byte_pieces_tiny_steps() -> None:
    data = _sample(30_000)
    wire = brotli.compress(data, quality=5)
    d = BrotliDecompressor()
    out = b"".join(_pull_all(d, wire, step=100, piece=1))
    assert out == data
    assert d.eof and d.needs_input


def test_brotli_decompressor_flush_returns_the_rest() -> None:
    data = _sample(100_000)
    d = BrotliDecompressor()
    first = d.decompress_sync(brotli.compress(data), 1000)
    assert len(first) == 1000
    assert not d.needs_input
    assert not d.eof
    assert first + d.flush() == data
    assert d.eof


def test_brotli_decompressor_new_input_while_output_pending() -> None:
    # A caller may push more input before draining; nothing is lost or reordered.
    data = _sample(100_000)
    wire = brotli.compress(data)
    d = BrotliDecompressor()
    half = len(wire) // 2
    out = d.decompress_sync(wire[:half], 500)
    assert not d.needs_input
    out += d.decompress_sync(wire[half:], 500)
    out += _drain(d, 500)
    assert out == data
    assert d.eof


# ----------------------------------------------------------------------------- bombs


def _zlib_bomb(encoding: str, raw: bool, size: int = GIB) -> bytes:
    """A deflate stream of ``size`` zero bytes, built by repeating one compressed 1 MiB
    block (a full flush resets the compressor, so every later block is identical)."""
    block = bytes(MIB)
    comp = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    again = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    assert again == comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    body = first + again * (size // MIB - 1) + comp.flush()
    if raw:
        return body
    if encoding == "gzip":
        crc = 0
        for _ in range(size // MIB):
            crc = zlib.crc32(block, crc)
        head = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
        return head + body + struct.pack("<II", crc, size & 0xFFFFFFFF)
    adler = 1
    for _ in range(size // MIB):
        adler = zlib.adler32(block, adler)
    return b"\x78\xda" + body + struct.pack(">I", adler)


def _measure(d: Decompressor, wire: bytes, step: int, stop_after: int) -> tuple[int, int, int]:
    """Decompress under tracemalloc; return (total output, largest call, peak bytes)."""
    total = largest = 0
    tracemalloc.start()
    try:
        for out in _pull_all(d, wire, step):
            largest = max(largest, len(out))
            total += len(out)
            if total >= stop_after:
                break
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return total, largest, peak


def test_bomb_gzip_one_gib_bounded_steps_and_memory() -> None:
    wire = _zlib_bomb("gzip", raw=False)
    assert len(wire) < 2 * MIB
    d = ZLibDecompressor(encoding="gzip")
    total, largest, peak = _measure(d, wire, STEP, stop_after=GIB)
    assert total == GIB
    assert d.eof
    assert largest == STEP
    assert peak < 4 * MIB, peak


@pytest.mark.parametrize("raw", [False, True], ids=["deflate", "raw-deflate"])
def test_bomb_deflate_one_gib_bounded_steps_and_memory(raw: bool) -> None:
    # The zlib path is shared with gzip, which is decompressed to the end above; here the
    # first 128 MiB are enough to show the bound (and keep the suite fast).
    wire = _zlib_bomb("deflate", raw=raw)
    d = ZLibDecompressor(encoding="deflate", suppress_deflate_header=raw)
    total, largest, peak = _measure(d, wire, STEP, stop_after=128 * MIB)
    assert 128 * MIB <= total < 128 * MIB + STEP
    assert not d.eof
    assert largest == STEP
    assert peak < 4 * MIB, peak


def test_bomb_zlib_container_checksum_is_right() -> None:
    # The hand-built bombs are real streams: a small one passes the stdlib's checks.
    for encoding, raw in ZLIB_KINDS:
        wbits = encoding_to_mode(encoding, raw)
        assert zlib.decompress(_zlib_bomb(encoding, raw, size=4 * MIB), wbits) == bytes(4 * MIB)


def test_bomb_brotli_one_gib_bounded_steps_and_memory() -> None:
    block = bytes(MIB)
    comp = brotli.Compressor(quality=1)
    wire = b"".join(comp.process(block) for _ in range(GIB // MIB)) + comp.finish()
    assert len(wire) < MIB
    d = BrotliDecompressor()
    total, largest, peak = _measure(d, wire, STEP, stop_after=GIB)
    assert total == GIB
    assert d.eof
    assert largest == STEP
    assert peak < 4 * MIB, peak


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("kind", [*ZLIB_IDS, "br"])
def test_truncated_stream_not_eof(kind: str) -> None:
    data = _sample(20_000)
    comp, decomp = _make(kind)
    wire = comp.compress_sync(data) + comp.flush()
    out = decomp.decompress_sync(wire[: len(wire) - 10])
    out += decomp.flush()
    assert not decomp.eof
    assert data.startswith(out)
    assert len(out) < len(data)


@pytest.mark.parametrize(("encoding", "raw"), ZLIB_KINDS[:2], ids=ZLIB_IDS[:2])
def test_corrupt_zlib_raises_zlib_error(encoding: str, raw: bool) -> None:
    d = ZLibDecompressor(encoding=encoding, suppress_deflate_header=raw)
    with pytest.raises(zlib.error):
        d.decompress_sync(b"this is not compressed at all")


def test_corrupt_raw_deflate_raises_zlib_error() -> None:
    d = ZLibDecompressor(encoding="deflate", suppress_deflate_header=True)
    with pytest.raises(zlib.error, match="invalid block type"):
        d.decompress_sync(b"\xff\xff\xff\xff")


def test_corrupt_gzip_checksum_raises_zlib_error() -> None:
    wire = bytearray(gzip.compress(b"payload" * 100))
    wire[-8] ^= 0xFF  # CRC32 of the trailer
    with pytest.raises(zlib.error, match="incorrect data check"):
        ZLibDecompressor(encoding="gzip").decompress_sync(bytes(wire))


def test_deflate_decompressor_refuses_gzip_container() -> None:
    with pytest.raises(zlib.error):
        ZLibDecompressor(encoding="deflate").decompress_sync(gzip.compress(b"x" * 100))


def test_corrupt_brotli_raises_brotli_error() -> None:
    with pytest.raises(brotli.error):
        BrotliDecompressor().decompress_sync(b"this is not brotli data at all", 100)


def test_brotli_trailing_bytes_raise_brotli_error() -> None:
    d = BrotliDecompressor()
    assert d.decompress_sync(brotli.compress(b"abc")) == b"abc"
    assert d.eof
    with pytest.raises(brotli.error):
        d.decompress_sync(b"junk", 10)


def test_zlib_trailing_bytes_land_in_unused_data() -> None:
    d = ZLibDecompressor(encoding="gzip")
    assert d.decompress_sync(gzip.compress(b"abc") + b"junk") == b"abc"
    assert d.eof
    assert d.unused_data == b"junk"
    assert d.unconsumed_tail == b""


# ----------------------------------------------------------------------------- async / executor


class _CountingExecutor(ThreadPoolExecutor):
    def __init__(self) -> None:
        super().__init__(max_workers=4)
        self.submitted = 0
        self.threads: set[int] = set()

    def submit(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> Future[_T]:
        self.submitted += 1

        def run() -> _T:
            self.threads.add(threading.get_ident())
            return fn(*args, **kwargs)

        return super().submit(run)


async def test_compress_large_chunk_goes_to_executor() -> None:
    with _CountingExecutor() as pool:
        comp = ZLibCompressor(executor=pool, max_sync_chunk_size=100)
        small = await comp.compress(b"a" * 100)
        assert pool.submitted == 0
        big = await comp.compress(b"b" * 101)
        assert pool.submitted == 1
        assert threading.get_ident() not in pool.threads
        wire = small + big + comp.flush()
    assert zlib.decompress(wire) == b"a" * 100 + b"b" * 101


async def test_compress_without_limit_stays_inline() -> None:
    with _CountingExecutor() as pool:
        comp = ZLibCompressor(executor=pool, max_sync_chunk_size=None)
        await comp.compress(bytes(1_000_000))
        assert pool.submitted == 0


@pytest.mark.parametrize("kind", [*ZLIB_IDS, "br"])
async def test_concurrent_compress_keeps_call_order(kind: str) -> None:
    pieces = [_sample(5000 + 3000 * (i % 3), seed=i) if i % 2 else b"s%d;" % i for i in range(30)]
    with _CountingExecutor() as pool:
        if kind == "br":
            comp: Compressor = BrotliCompressor(executor=pool, max_sync_chunk_size=64)
            decomp: Decompressor = BrotliDecompressor()
        else:
            encoding, raw = dict(zip(ZLIB_IDS, ZLIB_KINDS))[kind]
            comp = ZLibCompressor(encoding, raw, executor=pool, max_sync_chunk_size=64)
            decomp = ZLibDecompressor(encoding, raw)
        outs = await asyncio.gather(*(comp.compress(p) for p in pieces))
        assert pool.submitted == 15
    wire = b"".join(outs) + comp.flush()
    assert decomp.decompress_sync(wire) == b"".join(pieces)


@pytest.mark.parametrize("kind", [*ZLIB_IDS, "br"])
async def test_concurrent_decompress_keeps_call_order(kind: str) -> None:
    data = _sample(300_000)
    comp, _ = _make(kind)
    wire = comp.compress_sync(data) + comp.flush()
    with _CountingExecutor() as pool:
        decomp: Decompressor
        if kind == "br":
            decomp = BrotliDecompressor(executor=pool, max_sync_chunk_size=1000)
        else:
            encoding, raw = dict(zip(ZLIB_IDS, ZLIB_KINDS))[kind]
            decomp = ZLibDecompressor(encoding, raw, executor=pool, max_sync_chunk_size=1000)
        sizes = [10, 5000, 20, 3000, 7]
        cuts = [sum(sizes[:i]) for i in range(len(sizes))] + [len(wire)]
        chunks = [wire[a:b] for a, b in itertools.pairwise(cuts)]
        outs = await asyncio.gather(*(decomp.decompress(c) for c in chunks))
        assert pool.submitted >= 2
    assert b"".join(outs) + decomp.flush() == data
    assert decomp.eof


async def test_decompress_async_respects_max_length() -> None:
    wire = zlib.compress(bytes(100_000))
    d = ZLibDecompressor(max_sync_chunk_size=None)
    out = await d.decompress(wire, 1000)
    assert out == bytes(1000)
    assert d.unconsumed_tail
    assert not d.eof


def test_zlib_flush_processes_unconsumed_tail() -> None:
    d = ZLibDecompressor()
    wire = zlib.compress(b"xyz" * 1000)
    out = d.decompress_sync(wire, 10)
    assert d.unconsumed_tail
    assert out + d.flush(16) == b"xyz" * 1000
    assert d.eof
