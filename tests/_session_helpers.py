"""Scripted keep-alive servers for the session tests (on top of :mod:`tests._raw_server`).

:func:`reply` builds exact response bytes; :func:`keep_alive` makes a handler answering every
request on a connection with ``respond(request)`` until the client closes (``None`` from
``respond`` closes the connection without answering); :func:`serve` runs one such server.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Optional, Union

from tests._raw_server import Handler, RawConnection, RawServer, Request, raw_server

Respond = Callable[[Request], Union[Optional[bytes], Awaitable[Optional[bytes]]]]

_REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    301: "Moved Permanently",
    302: "Found",
    303: "See Other",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    401: "Unauthorized",
    404: "Not Found",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def reply(
    status: int = 200,
    body: bytes = b"",
    headers: Iterable[tuple[str, str]] = (),
    *,
    reason: Optional[str] = None,
    length: bool = True,
) -> bytes:
    """An HTTP/1.1 response with ``Content-Length`` (unless ``length`` is false)."""
    lines = [f"HTTP/1.1 {status} {reason or _REASONS.get(status, 'Status')}"]
    lines += [f"{name}: {value}" for name, value in headers]
    if length:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def keep_alive(respond: Respond) -> Handler:
    """Answer each request on the connection with ``respond(request)``."""

    async def handler(conn: RawConnection) -> None:
        while True:
            try:
                request = await conn.read_request()
            except asyncio.IncompleteReadError:
                return
            answer = respond(request)
            if not isinstance(answer, (bytes, type(None))):
                answer = await answer
            if answer is None:
                return
            conn.write(answer)
            await conn.drain()

    return handler


@contextlib.asynccontextmanager
async def serve(respond: Respond) -> AsyncIterator[RawServer]:
    """A keep-alive scripted server answering with ``respond``."""
    async with raw_server(keep_alive(respond)) as server:
        yield server


def requests_of(server: RawServer) -> list[Request]:
    """Every request the server read, in order (across connections)."""
    return [r for conn in server.connections for r in conn.requests]


def base(server: RawServer) -> str:
    return f"http://127.0.0.1:{server.port}"
