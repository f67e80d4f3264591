"""Benchmark: serialize N small responses with ``aiohttp.http_writer.StreamWriter``.

Each response is what a JSON endpoint sends: a status line, six headers and a 200-byte body,
written as ``write_headers`` + ``write`` + ``write_eof`` on a fresh writer, as a server does per
request. The transport only counts the bytes it is given, so the figure is the writer's own
cost. Reports responses per second. Usage: ``serialize_responses.py [N]``.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time
from collections.abc import Iterable
from typing import Any

from multidict import CIMultiDict

import aiohttp
import aiohttp.http_writer
from aiohttp.base_protocol import BaseProtocol
from aiohttp.http_writer import StreamWriter

REPEAT = 3  # timed passes per process; the fastest one is reported, as timeit does
BODY = b'{"id": 1, "name": "widget", "tags": ["a", "b", "c"], "price": 9.99, "stock": 17}'
BODY = BODY + b" " * (200 - len(BODY))
STATUS_LINE = "HTTP/1.1 200 OK"


class CountingTransport(asyncio.Transport):
    """A transport that accepts everything and only counts the bytes (a bench, not a test)."""

    def __init__(self) -> None:
        super().__init__()
        self.written = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += len(data)

    def writelines(self, list_of_data: Iterable[bytes | bytearray | memoryview]) -> None:
        for data in list_of_data:
            self.written += len(data)

    def is_closing(self) -> bool:
        return False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default


def make_headers(n: int) -> list[CIMultiDict[str]]:
    """One header set per response, built before timing (a handler builds them, not the writer)."""
    return [
        CIMultiDict(
            {
                "Content-Type": "application/json; charset=utf-8",
                "Content-Length": str(len(BODY)),
                "Date": "Mon, 02 Jun 2025 10:00:00 GMT",
                "Server": "Python/3.11 aiohttp/3.13",
                "Cache-Control": "no-cache",
                "X-Request-Id": f"req-{i:08d}",
            }
        )
        for i in range(n)
    ]


async def serialize(
    protocol: BaseProtocol, loop: asyncio.AbstractEventLoop, all_headers: list[CIMultiDict[str]]
) -> None:
    for headers in all_headers:
        writer = StreamWriter(protocol, loop)
        await writer.write_headers(STATUS_LINE, headers)
        await writer.write(BODY)
        await writer.write_eof()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    loop = asyncio.new_event_loop()
    transport = CountingTransport()
    protocol = BaseProtocol(loop)
    protocol.connection_made(transport)
    written = 0
    seconds = float("inf")
    try:
        loop.run_until_complete(serialize(protocol, loop, make_headers(max(n // 10, 1))))
        for _ in range(REPEAT):
            all_headers = make_headers(n)
            gc.collect()
            transport.written = 0
            start = time.perf_counter()
            loop.run_until_complete(serialize(protocol, loop, all_headers))
            seconds = min(seconds, time.perf_counter() - start)
            written = transport.written
    finally:
        loop.close()
    # every response is at least its head, its body and the blank line between them
    assert written >= n * (len(STATUS_LINE) + len(BODY) + 4), written
    impl = f"{StreamWriter.__module__}.{StreamWriter.__qualname__}"
    # aiohttp 3.13 serializes headers with a C helper when extensions are on; say which one ran
    serializer = getattr(aiohttp.http_writer, "_serialize_headers", None)
    if serializer is not None:
        impl += f" (headers: {serializer.__module__})"
    result = {
        "case": "serialize_responses",
        "ops": n,
        "seconds": seconds,
        "ops_per_s": n / seconds,
        "bytes_per_response": written / n,
        "impl": impl,
        "aiohttp_file": aiohttp.__file__,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
