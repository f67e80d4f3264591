"""Timers the stream layer wraps around each wait for the peer.

:class:`TimerContext` turns a cancellation it caused into :class:`asyncio.TimeoutError`;
:class:`TimerNoop` is the never-firing stand-in; :func:`ceil_deadline` rounds long deadlines up
to whole seconds so many timers share one loop wake-up. :mod:`aiohttp.helpers` re-exports them
under their aiohttp 3.13 names.
"""

from __future__ import annotations

import asyncio
import math
import sys
from types import TracebackType
from typing import Optional


class BaseTimerContext:
    """A context manager that a stream enters around each wait for the peer.

    The base implementation does nothing; :class:`TimerContext` cancels the waiting task
    when its timeout fires.
    """

    __slots__ = ()

    def assert_timeout(self) -> None:
        """Raise :class:`asyncio.TimeoutError` if the timeout has already fired."""

    def __enter__(self) -> BaseTimerContext:
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc_val: Optional[BaseException],
        exc_tb: Optional[TracebackType],
    ) -> Optional[bool]:
        return None


class TimerNoop(BaseTimerContext):
    """A timer that never fires."""

    __slots__ = ()


class TimerContext(BaseTimerContext):
    """Cancels the tasks running inside it when :meth:`timeout` is called.

    A task cancelled this way sees :class:`asyncio.TimeoutError` raised from ``__exit__``.
    """

    __slots__ = ("_cancelled", "_cancelling", "_loop", "_tasks")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._tasks: list[asyncio.Task[object]] = []
        self._cancelled = False
        self._cancelling = 0

    def assert_timeout(self) -> None:
        if self._cancelled:
            raise asyncio.TimeoutError from None

    def __enter__(self) -> BaseTimerContext:
        task = asyncio.current_task(loop=self._loop)
        if task is None:
            raise RuntimeError("Timeout context manager should be used inside a task")
        if sys.version_info >= (3, 11):
            self._cancelling = task.cancelling()
        if self._cancelled:
            raise asyncio.TimeoutError from None
        self._tasks.append(task)
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc_val: Optional[BaseException],
        exc_tb: Optional[TracebackType],
    ) -> Optional[bool]:
        enter_task: Optional[asyncio.Task[object]] = None
        if self._tasks:
            enter_task = self._tasks.pop()
        if exc_type is asyncio.CancelledError and self._cancelled:
            assert enter_task is not None
            # Our cancel, not someone else's: turn it into a timeout.
            if sys.version_info >= (3, 11) and enter_task.uncancel() > self._cancelling:
                return None
            raise asyncio.TimeoutError from exc_val
        return None

    def timeout(self) -> None:
        """Fire: cancel every task currently inside the context."""
        if not self._cancelled:
            for task in set(self._tasks):
                task.cancel()
            self._cancelled = True


def ceil_deadline(loop_time: float, delay: float, ceil_threshold: float = 5) -> float:
    """The loop time ``delay`` seconds from ``loop_time``, rounded up to a whole second
    when ``delay`` is at least ``ceil_threshold`` (so many timers share one wake-up)."""
    when = loop_time + delay
    if delay >= ceil_threshold:
        return math.ceil(when)
    return when
