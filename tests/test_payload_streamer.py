"""The deprecated ``@aiohttp.streamer`` body factory and ``set_zlib_backend``."""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import pytest

import aiohttp
from aiohttp import compression_utils, payload
from aiohttp.abc import AbstractStreamWriter


class _RecordingWriter(AbstractStreamWriter):
    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    async def write(self, chunk: bytes | bytearray | memoryview) -> None:
        self.chunks.append(bytes(chunk))

    async def write_eof(self, chunk: bytes = b"") -> None:
        self.chunks.append(bytes(chunk))

    async def drain(self) -> None:
        return None

    def enable_compression(self, encoding: str = "deflate", strategy: int | None = None) -> None:
        return None

    def enable_chunking(self) -> None:
        return None

    async def write_headers(self, status_line: str, headers: object) -> None:
        return None

    def send_headers(self) -> None:
        return None


def test_streamer_is_deprecated() -> None:
    async def produce(writer: AbstractStreamWriter, count: int) -> None:
        for i in range(count):
            await writer.write(b"%d;" % i)

    with pytest.warns(DeprecationWarning, match="payload_streamer is deprecated"):
        aiohttp.streamer(produce)


async def test_streamer_body_is_written_through_the_payload_registry() -> None:
    async def produce(writer: AbstractStreamWriter, count: int, *, sep: bytes) -> None:
        for i in range(count):
            await writer.write(b"%d" % i + sep)

    with pytest.warns(DeprecationWarning):
        factory = aiohttp.streamer(produce)
    body = payload.get_payload(factory(3, sep=b","))
    writer = _RecordingWriter()
    await body.write(writer)
    assert b"".join(writer.chunks) == b"0,1,2,"
    assert body.size is None
    with pytest.raises(TypeError, match="decode"):
        body.decode()


class _CountingZlib:
    """A zlib-compatible backend that counts the codec objects it makes."""

    def __init__(self) -> None:
        self.made = 0

    def compressobj(
        self,
        level: int = zlib.Z_DEFAULT_COMPRESSION,
        method: int = zlib.DEFLATED,
        wbits: int = zlib.MAX_WBITS,
        memLevel: int = zlib.DEF_MEM_LEVEL,
        strategy: int = zlib.Z_DEFAULT_STRATEGY,
    ) -> zlib._Compress:
        self.made += 1
        return zlib.compressobj(level, method, wbits, memLevel, strategy)

    def decompressobj(self, wbits: int = zlib.MAX_WBITS) -> zlib._Decompress:
        self.made += 1
        return zlib.decompressobj(wbits)


@pytest.fixture
def counting_backend() -> Iterator[_CountingZlib]:
    backend = _CountingZlib()
    aiohttp.set_zlib_backend(backend)
    try:
        yield backend
    finally:
        aiohttp.set_zlib_backend(zlib)


def test_set_zlib_backend_is_used_by_new_codecs(counting_backend: _CountingZlib) -> None:
    compressor = compression_utils.ZLibCompressor(encoding="gzip")
    data = compressor.compress_sync(b"hello " * 100) + compressor.flush()
    decompressor = compression_utils.ZLibDecompressor(encoding="gzip")
    assert decompressor.decompress_sync(data) == b"hello " * 100
    assert counting_backend.made == 2


def test_set_zlib_backend_restored_to_stdlib() -> None:
    assert compression_utils.ZLibBackend.module is zlib
