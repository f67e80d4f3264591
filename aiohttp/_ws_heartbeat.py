"""The WebSocket heartbeat: ping a quiet peer, give up on one that does not answer.

Every frame received proves the peer alive (:meth:`Heartbeat.seen`, called per frame, only
stores a timestamp).  One timer per connection does the rest: when ``interval`` seconds pass
without a frame it sends a ping, and when ``interval / 2`` more pass still without one, it
reports the peer dead through ``on_timeout`` with a
:class:`~aiohttp.ServerTimeoutError` (an :class:`asyncio.TimeoutError`).  A failed ping send
is reported the same way, with the send's error.  The timer is re-armed lazily: receiving a
frame never touches the event loop's timer heap.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Final, Optional

from .client_exceptions import ServerTimeoutError

__all__ = ("Heartbeat",)

# A timer may fire this much before its deadline (the loop's clock resolution and more).
_SLACK: Final = 0.001


class Heartbeat:
    """The heartbeat of one connection (see the module docstring).

    :param interval: seconds of silence before a ping.
    :param send_ping: sends one ping frame.
    :param on_timeout: called once with the error when the peer is considered dead.
    """

    __slots__ = (
        "_handle",
        "_interval",
        "_last_seen",
        "_loop",
        "_on_timeout",
        "_ping_sent",
        "_ping_task",
        "_send_ping",
    )

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        interval: float,
        send_ping: Callable[[], Awaitable[None]],
        on_timeout: Callable[[BaseException], None],
    ) -> None:
        if interval <= 0:
            raise ValueError(f"heartbeat must be a positive number of seconds, got {interval!r}")
        self._loop = loop
        self._interval = interval
        self._send_ping = send_ping
        self._on_timeout = on_timeout
        self._handle: Optional[asyncio.TimerHandle] = None
        self._last_seen = 0.0
        self._ping_sent: Optional[float] = None  # when the unanswered ping went out
        self._ping_task: Optional[asyncio.Task[None]] = None

    @property
    def interval(self) -> float:
        """Seconds of silence before a ping."""
        return self._interval

    def start(self) -> None:
        """Start watching; the peer counts as seen now."""
        self.stop()
        self._last_seen = self._loop.time()
        self._ping_sent = None
        self._handle = self._loop.call_at(self._last_seen + self._interval, self._tick)

    def seen(self) -> None:
        """A frame arrived from the peer."""
        self._last_seen = self._loop.time()

    def stop(self) -> None:
        """Stop the timer (a ping being sent finishes on its own)."""
        handle = self._handle
        if handle is not None:
            self._handle = None
            handle.cancel()

    def _tick(self) -> None:
        self._handle = None
        loop = self._loop
        now = loop.time()
        ping_sent = self._ping_sent
        if ping_sent is not None and self._last_seen < ping_sent:
            deadline = ping_sent + self._interval / 2
            if now + _SLACK < deadline:
                self._handle = loop.call_at(deadline, self._tick)
                return
            self._on_timeout(
                ServerTimeoutError(f"No PONG received after {self._interval / 2} seconds")
            )
            return
        self._ping_sent = None
        due = self._last_seen + self._interval
        if now + _SLACK < due:
            self._handle = loop.call_at(due, self._tick)
            return
        self._ping_sent = now
        if self._ping_task is None or self._ping_task.done():
            task = self._ping_task = loop.create_task(self._ping())
            task.add_done_callback(self._ping_done)
        self._handle = loop.call_at(now + self._interval / 2, self._tick)

    async def _ping(self) -> None:
        await self._send_ping()

    def _ping_done(self, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None and self._handle is not None:
            self.stop()
            self._on_timeout(exc)
