"""Benchmark: parse N chunked responses with ``aiohttp.http_parser.HttpResponseParser``.

Each response has five headers and a body of four chunks (64 B to 2 KiB); the responses arrive
back to back on one keep-alive stream cut into 64 KiB slices, and every body is read through its
``StreamReader``, so the figure covers head parsing, chunk framing and payload delivery.
Reports responses per second. Usage: ``parse_chunked_responses.py [N]``.
"""

from __future__ import annotations

import asyncio
import collections
import gc
import json
import sys
import time

import aiohttp
from aiohttp.base_protocol import BaseProtocol
from aiohttp.http_parser import HttpResponseParser
from aiohttp.streams import StreamReader

SLICE = 64 * 1024
REPEAT = 3  # timed passes per process; the fastest one is reported, as timeit does
CHUNK_SIZES = (64, 512, 2048, 300)
BODY_SIZE = sum(CHUNK_SIZES)


def make_stream(n: int) -> list[bytes]:
    """N chunked responses, concatenated and cut into SLICE-sized pieces."""
    chunks = b"".join(
        b"%x\r\n%s\r\n" % (size, bytes([97 + k]) * size) for k, size in enumerate(CHUNK_SIZES)
    )
    head = (
        b"HTTP/1.1 200 OK\r\n"
        b"Server: nginx/1.27.0\r\n"
        b"Date: Mon, 02 Jun 2025 10:00:00 GMT\r\n"
        b"Content-Type: application/json; charset=utf-8\r\n"
        b"Transfer-Encoding: chunked\r\n"
        b"Connection: keep-alive\r\n"
        b"\r\n"
    )
    data = (head + chunks + b"0\r\n\r\n") * n
    return [data[i : i + SLICE] for i in range(0, len(data), SLICE)]


async def parse(loop: asyncio.AbstractEventLoop, slices: list[bytes]) -> tuple[int, int]:
    """Feed every slice to a fresh parser, reading each body; return (responses, body bytes)."""
    parser = HttpResponseParser(
        BaseProtocol(loop), loop, 2**16, max_line_size=8190, max_field_size=8190
    )
    count = 0
    body_bytes = 0
    pending: collections.deque[StreamReader] = collections.deque()
    for piece in slices:
        messages, upgraded, tail = parser.feed_data(piece)
        assert not upgraded and not tail
        for message, payload in messages:
            assert message.code == 200 and message.chunked
            pending.append(payload)
        # read the bodies that are complete; a body cut by the slice waits for the next one
        while pending and pending[0].is_eof():
            body_bytes += len(await pending.popleft().read())
            count += 1
    assert not pending
    return count, body_bytes


def describe(loop: asyncio.AbstractEventLoop) -> str:
    """The parser class, and the engine behind it where the implementation has one."""
    parser = HttpResponseParser(BaseProtocol(loop), loop, 2**16)
    impl = f"{type(parser).__module__}.{type(parser).__qualname__}"
    # this project's parsers drive a wire-core engine picked at import; name it when present
    engine = getattr(parser, "_engine", None)
    if engine is not None:
        impl += f" (engine: {type(engine).__name__})"
    return impl


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    loop = asyncio.new_event_loop()
    count = body_bytes = 0
    seconds = float("inf")
    try:
        impl = describe(loop)
        loop.run_until_complete(parse(loop, make_stream(max(n // 10, 1))))
        slices = make_stream(n)
        for _ in range(REPEAT):
            gc.collect()
            start = time.perf_counter()
            count, body_bytes = loop.run_until_complete(parse(loop, slices))
            seconds = min(seconds, time.perf_counter() - start)
    finally:
        loop.close()
    assert count == n, (count, n)
    assert body_bytes == n * BODY_SIZE, (body_bytes, n * BODY_SIZE)
    result = {
        "case": "parse_chunked_responses",
        "ops": n,
        "seconds": seconds,
        "ops_per_s": n / seconds,
        "impl": impl,
        "aiohttp_file": aiohttp.__file__,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
