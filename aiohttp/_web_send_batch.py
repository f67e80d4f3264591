"""Small responses finished in one loop iteration, written back to back (a server's cork).

Under load one loop iteration answers the requests of many connections.  Written as soon
as each is ready, the responses' ``send`` calls are spread between the Python work of the
requests that follow, so a client on another core (a load balancer or proxy on the same
host, a benchmark tool) has gone back to sleep before the next response lands, and every
``send`` pays the kernel for waking it.  Held for the rest of the iteration and written
together at the start of the next, the responses wake it about once per batch: on loopback
that saves several microseconds of system time per request.

A response is held only when another connection of the server has a request waiting to be
taken up (its response will come in this iteration or the next), or one is held already: a
lone client has nothing to share a wake-up with and gets its answer at once, and neither do
connections whose handlers run long (WebSockets, long polls), as they wait for nothing.

Only the single write of a complete response (``Response`` with a bytes body, see
:func:`aiohttp._web_serve.finish_response`) is held, one per connection, and only while the
connection waits for its next request or is to close after it (the close then waits for the
write): anything else its request loop does first writes what it holds
(:meth:`aiohttp.web_protocol.RequestHandler._release_output`), and so does a forced close,
a deadline or the peer's EOF.  A connection lost meanwhile drops its held bytes with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import asyncio

    from .web_protocol import RequestHandler

#: A response larger than this is written at once: one such write already amortises a wake-up.
HOLD_LIMIT: Final = 2**16


class SendBatch:
    """The held responses of one server's connections, and how many connections have a
    request their request loop has not taken up yet (``waiting``, kept by
    :class:`~aiohttp.web_protocol.RequestHandler`)."""

    __slots__ = ("_held", "_loop", "waiting")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._held: list[RequestHandler] = []
        self.waiting = 0

    def should_hold(self, handler: RequestHandler) -> bool:
        """Whether a response ``handler`` finished now would share a wake-up with another."""
        return self.waiting > handler._waiting or bool(self._held)

    def hold(self, handler: RequestHandler) -> None:
        """Write ``handler``'s held output at the start of the next loop iteration."""
        if not self._held:
            self._loop.call_soon(self._flush)
        self._held.append(handler)

    def _flush(self) -> None:
        held, self._held = self._held, []
        for handler in held:
            try:
                handler._release_output()
            except Exception as exc:  # one connection's failure must not hold the others
                self._loop.call_exception_handler(
                    {"message": "Error writing a held response", "exception": exc}
                )
