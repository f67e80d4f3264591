"""Type checks for ``aiohttp.streams``: what each ``StreamReader`` read method returns.

Checked by the main mypy run only; each misuse line carries the ``type: ignore`` code it
must produce.
"""

from __future__ import annotations

from typing import Optional

from typing_extensions import assert_type

from aiohttp.streams import EMPTY_PAYLOAD, DataQueue, EofStream, StreamReader


async def read_everything(reader: StreamReader) -> None:
    assert_type(await reader.read(), bytes)
    assert_type(await reader.read(10), bytes)
    assert_type(await reader.readany(), bytes)
    assert_type(await reader.readline(), bytes)
    assert_type(await reader.readuntil(b"\r\n"), bytes)
    assert_type(await reader.readexactly(4), bytes)
    assert_type(await reader.readchunk(), tuple[bytes, bool])
    assert_type(reader.read_nowait(), bytes)
    assert_type(reader.at_eof(), bool)
    assert_type(reader.is_eof(), bool)
    assert_type(reader.exception(), Optional[BaseException])
    assert_type(reader.total_bytes, int)
    assert_type(reader.get_read_buffer_limits(), tuple[int, int])
    async for line in reader:
        assert_type(line, bytes)
    async for chunk in reader.iter_chunked(1024):
        assert_type(chunk, bytes)
    async for data in reader.iter_any():
        assert_type(data, bytes)
    async for data, end_of_http_chunk in reader.iter_chunks():
        assert_type(data, bytes)
        assert_type(end_of_http_chunk, bool)

    await reader.read("10")  # type: ignore[arg-type]
    await reader.readuntil("\n")  # type: ignore[arg-type]
    reader.feed_data("text")  # type: ignore[arg-type]
    text: str = await reader.read()  # type: ignore[assignment]


async def read_queue(queue: DataQueue[bytes]) -> None:
    assert_type(await queue.read(), bytes)
    queue.feed_data(b"x")
    queue.feed_data("x")  # type: ignore[arg-type]


empty: StreamReader = EMPTY_PAYLOAD
eof: Exception = EofStream()
