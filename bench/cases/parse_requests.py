"""Benchmark: parse N pipelined GET requests with ``aiohttp.http_parser.HttpRequestParser``.

The requests look like what a browser sends (request line plus seven headers) and arrive as one
keep-alive stream cut into 64 KiB slices, so message heads straddle slice boundaries the way
they do on a socket. Reports requests parsed per second. Usage: ``parse_requests.py [N]``.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time

import aiohttp
from aiohttp.base_protocol import BaseProtocol
from aiohttp.http_parser import HttpRequestParser

SLICE = 64 * 1024
REPEAT = 3  # timed passes per process; the fastest one is reported, as timeit does


def make_stream(n: int) -> list[bytes]:
    """N distinct GET requests, concatenated and cut into SLICE-sized pieces."""
    parts = []
    for i in range(n):
        parts.append(
            f"GET /api/v1/items/{i}?page={i % 7}&sort=name HTTP/1.1\r\n"
            "Host: bench.example.com:8080\r\n"
            "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
            "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
            "Accept-Language: en-US,en;q=0.5\r\n"
            "Accept-Encoding: gzip, deflate, br\r\n"
            f"Cookie: session=abc{i:08d}; theme=dark\r\n"
            "Connection: keep-alive\r\n"
            "\r\n".encode("ascii")
        )
    data = b"".join(parts)
    return [data[i : i + SLICE] for i in range(0, len(data), SLICE)]


def parse(loop: asyncio.AbstractEventLoop, slices: list[bytes]) -> tuple[int, str]:
    """Feed every slice to a fresh parser; return the message count and the last path."""
    parser = HttpRequestParser(
        BaseProtocol(loop), loop, 2**16, max_line_size=8190, max_field_size=8190
    )
    count = 0
    last_path = ""
    for piece in slices:
        messages, upgraded, tail = parser.feed_data(piece)
        assert not upgraded and not tail
        count += len(messages)
        if messages:
            last_path = messages[-1][0].path
    return count, last_path


def describe(loop: asyncio.AbstractEventLoop) -> str:
    """The parser class, and the engine behind it where the implementation has one."""
    parser = HttpRequestParser(BaseProtocol(loop), loop, 2**16)
    impl = f"{type(parser).__module__}.{type(parser).__qualname__}"
    # this project's parsers drive a wire-core engine picked at import; name it when present
    engine = getattr(parser, "_engine", None)
    if engine is not None:
        impl += f" (engine: {type(engine).__name__})"
    return impl


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    loop = asyncio.new_event_loop()
    count, last_path = 0, ""
    seconds = float("inf")
    try:
        impl = describe(loop)
        warm = make_stream(max(n // 10, 1))
        parse(loop, warm)
        slices = make_stream(n)
        for _ in range(REPEAT):
            gc.collect()
            start = time.perf_counter()
            count, last_path = parse(loop, slices)
            seconds = min(seconds, time.perf_counter() - start)
    finally:
        loop.close()
    assert count == n, (count, n)
    assert last_path == f"/api/v1/items/{n - 1}?page={(n - 1) % 7}&sort=name", last_path
    result = {
        "case": "parse_requests",
        "ops": n,
        "seconds": seconds,
        "ops_per_s": n / seconds,
        "impl": impl,
        "aiohttp_file": aiohttp.__file__,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
