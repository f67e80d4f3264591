"""A small HTTP/1.1 server built directly on the wire core (parser + writer).

It shows the layer below ``aiohttp.web``: :class:`aiohttp.http_parser.HttpRequestParser`
turns bytes into request heads and body streams, :class:`aiohttp.http_writer.StreamWriter`
serialises the answers. Run it with ``python examples/demo_server.py [port]`` and try::

    curl http://127.0.0.1:8080/
    curl http://127.0.0.1:8080/json
    curl -d 'hello' http://127.0.0.1:8080/echo
    curl http://127.0.0.1:8080/stream
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Optional

from multidict import CIMultiDict

from aiohttp import hdrs
from aiohttp.base_protocol import BaseProtocol
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.http_parser import HttpRequestParser, RawRequestMessage
from aiohttp.http_writer import StreamWriter
from aiohttp.streams import StreamReader

HOST = "127.0.0.1"
PORT = 8080
MAX_PIPELINED = 16  # requests parsed ahead of the one being answered, per connection
MAX_BODY = 2**20  # the demo reads request bodies into memory: cap them

_Request = tuple[RawRequestMessage, StreamReader]


class DemoProtocol(BaseProtocol):
    """One connection: parse requests as bytes arrive, answer them in order."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self._parser = HttpRequestParser(self, loop, 2**16)
        self._requests: asyncio.Queue[Optional[_Request]] = asyncio.Queue(MAX_PIPELINED)
        self._task: Optional[asyncio.Task[None]] = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._task = self._loop.create_task(self._serve())

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        super().connection_lost(exc)
        if self._task is not None:
            self._task.cancel()

    def data_received(self, data: bytes) -> None:
        try:
            messages, _upgraded, _tail = self._parser.feed_data(data)
        except HttpProcessingError as exc:
            self._reject(exc)
            return
        for message in messages:
            if self._requests.full():
                self._reject(HttpProcessingError(code=429, message="Too many pipelined requests"))
                return
            self._requests.put_nowait(message)

    def eof_received(self) -> None:
        self._parser.feed_eof()
        if not self._requests.full():
            self._requests.put_nowait(None)

    def _reject(self, exc: HttpProcessingError) -> None:
        assert self.transport is not None
        body = f"{exc.code or 400} {exc.message}\n".encode()
        self.transport.write(
            b"HTTP/1.1 %d Bad Request\r\nContent-Type: text/plain\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n%s"
            % (exc.code or 400, len(body), body)
        )
        self.transport.close()

    async def _serve(self) -> None:
        while (item := await self._requests.get()) is not None:
            message, payload = item
            if not await self._answer(message, payload):
                break
        if self.transport is not None:
            self.transport.close()

    async def _answer(self, message: RawRequestMessage, payload: StreamReader) -> bool:
        """Write the response; return whether the connection may serve another request."""
        writer = StreamWriter(self, self._loop)
        headers = CIMultiDict[str]()
        request_body = await _read_capped(payload)
        path = message.url.path
        if request_body is None:
            status, body = "413 Request Entity Too Large", b"Request body too large\n"
            headers[hdrs.CONTENT_TYPE] = "text/plain"
        elif path == "/":
            status, body = "200 OK", b"Hello from the aiohttp wire core!\n"
            headers[hdrs.CONTENT_TYPE] = "text/plain; charset=utf-8"
        elif path == "/json":
            info = {
                "method": message.method,
                "path": message.path,
                "version": list(message.version),
            }
            status, body = "200 OK", json.dumps(info).encode()
            headers[hdrs.CONTENT_TYPE] = "application/json"
        elif path == "/echo":
            status, body = "200 OK", request_body
            headers[hdrs.CONTENT_TYPE] = "application/octet-stream"
        elif path == "/stream":
            headers[hdrs.CONTENT_TYPE] = "text/plain"
            headers[hdrs.TRANSFER_ENCODING] = "chunked"
            writer.enable_chunking()
            await writer.write_headers("HTTP/1.1 200 OK", headers)
            for i in range(5):
                await writer.write(f"chunk {i}\n".encode())
            await writer.write_eof()
            return not message.should_close
        else:
            status, body = "404 Not Found", b"Not Found\n"
            headers[hdrs.CONTENT_TYPE] = "text/plain"
        headers[hdrs.CONTENT_LENGTH] = str(len(body))
        keep_alive = not message.should_close and request_body is not None
        if not keep_alive:
            headers[hdrs.CONNECTION] = "close"
        await writer.write_headers(f"HTTP/1.1 {status}", headers)
        await writer.write_eof(body)
        return keep_alive


async def _read_capped(payload: StreamReader) -> Optional[bytes]:
    """The whole request body, or None when it is larger than MAX_BODY."""
    parts: list[bytes] = []
    size = 0
    async for chunk in payload.iter_any():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        parts.append(chunk)
    return b"".join(parts)


async def main(host: str = HOST, port: int = PORT) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: DemoProtocol(loop), host, port)
    print(f"Serving on http://{host}:{port}/ (routes: /, /json, /echo, /stream); Ctrl+C stops")
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main(port=int(sys.argv[1]) if len(sys.argv) > 1 else PORT))
    except KeyboardInterrupt:
        pass
