"""Quickstart example: the wire-level errors carry the HTTP status a server answers with.

It runs as it is: ``python docs/code/wire_errors.py``.
"""

from __future__ import annotations

from http import HTTPStatus

from aiohttp import hdrs
from aiohttp.http_exceptions import BadHttpMessage, HttpProcessingError, LineTooLong


def error_head(exc: HttpProcessingError) -> bytes:
    """The response head a server sends for a protocol error."""
    body_length = len(exc.message.encode("utf-8"))
    lines = [
        f"HTTP/1.1 {exc.code} {HTTPStatus(exc.code).phrase}",
        f"{hdrs.CONTENT_TYPE}: text/plain; charset=utf-8",
        f"{hdrs.CONTENT_LENGTH}: {body_length}",
        f"{hdrs.CONNECTION}: close",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def main() -> None:
    errors: list[HttpProcessingError] = [
        BadHttpMessage("no colon in header line"),
        LineTooLong("request line", "8190", "9000"),
    ]
    for exc in errors:
        print(type(exc).__name__, exc.code)  # BadHttpMessage 400, then LineTooLong 400
        print(error_head(exc).decode("latin-1"))


if __name__ == "__main__":
    main()
