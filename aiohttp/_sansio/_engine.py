"""The contract of an HTTP/1.1 parser engine (pure Python or httptools/llhttp).

Theory of operation
-------------------
An engine parses one connection in one direction: a *server* engine reads requests, a
*client* engine reads responses.  ``feed(data)`` takes whatever bytes arrived (any split,
down to one byte at a time, must give the same events) and returns the events completed
by them, in order.  ``feed_eof()`` says the peer closed: a body delimited by the close
ends (``MessageEnd``), anything else incomplete raises.  Errors are
:mod:`aiohttp.http_exceptions` instances; after one the engine is dead and every later
call raises the same error again.

A client engine must be told, before each response is parsed, which request method it
answers (``HEAD`` and ``CONNECT`` change the framing): ``expect_response(method)``.
"""

from __future__ import annotations

from typing import Protocol

from ._messages import Event


class H1Engine(Protocol):
    """An incremental HTTP/1.1 parser for one direction of one connection."""

    def feed(self, data: bytes | bytearray | memoryview) -> list[Event]:
        """Parse ``data`` and return the events it completed; raise on a protocol error."""
        ...

    def feed_eof(self) -> list[Event]:
        """The peer closed; return the final events or raise if a message was cut short."""
        ...

    def expect_response(self, method: str) -> None:
        """(client engines) The next response answers a request made with ``method``."""
        ...

    @property
    def upgraded(self) -> bool:
        """True once the connection switched protocols; ``feed`` then returns ``Upgraded``."""
        ...
