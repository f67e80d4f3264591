"""Quickstart example: read pipelined HTTP/1.1 requests off raw bytes with the wire layer.

This is what the server does for every connection: bytes in, request heads and body streams
out. It runs as it is: ``python docs/code/parse_request.py``.
"""

from __future__ import annotations

import asyncio

from aiohttp.base_protocol import BaseProtocol
from aiohttp.http_exceptions import BadHttpMessage
from aiohttp.http_parser import HttpRequestParser

# two requests sent back to back on one connection, the first with a body
RAW = (
    b"POST /echo HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\n\r\nhello"
    b"GET /next?page=2 HTTP/1.1\r\nHost: example.com\r\n\r\n"
)


async def main() -> None:
    loop = asyncio.get_running_loop()
    parser = HttpRequestParser(
        BaseProtocol(loop), loop, 2**16, max_line_size=8190, max_field_size=8190
    )
    messages, upgraded, tail = parser.feed_data(RAW)
    assert not upgraded and tail == b""  # no protocol switch, so no bytes left over
    for message, payload in messages:
        body = await payload.read()
        print(message.method, message.path, message.headers["Host"], body)
        # POST /echo example.com b'hello'
        # GET /next?page=2 example.com b''

    # a malformed head is an error that carries the status to answer with
    try:
        parser.feed_data(b"GET / HTTP/1.1\r\nno colon here\r\n\r\n")
    except BadHttpMessage as exc:
        print("rejected:", exc.code)  # rejected: 400


if __name__ == "__main__":
    asyncio.run(main())
