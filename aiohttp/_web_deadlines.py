"""The two read deadlines of a server connection, kept on one loop timer.

``head``: the request head being received must be complete by then (``read_head_timeout``,
the slowloris guard; also bounds how long a fresh connection may stay silent).
``idle``: a kept-alive connection with nothing to do is closed then (``keepalive_timeout``).

Moving a deadline later is a float assignment: the timer fires at the old time, sees the
new deadline and re-arms itself.  Only a deadline earlier than the armed time reschedules,
so the per-request cost on a busy keep-alive connection is one ``loop.time()`` call.
Deadlines of ``timeout_ceil_threshold`` seconds or more are rounded up to whole seconds so
the timers of many connections share wake-ups: given a :class:`SecondTimers`, such a
deadline joins the set of connections due at that second, which one loop timer serves, and
leaves it with a set removal (a connection accepted, answered and closed sets no timer).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from typing import Literal, Optional

Expired = Literal["head", "idle"]


def _ignore(which: Expired) -> None:
    return None


class SecondTimers:
    """The connections of one server (one loop) due at each whole second, and one loop timer
    per second that has any."""

    __slots__ = ("_due",)

    def __init__(self) -> None:
        self._due: dict[float, set[ConnectionDeadlines]] = {}

    def add(self, loop: asyncio.AbstractEventLoop, when: float, owner: ConnectionDeadlines) -> None:
        due = self._due.get(when)
        if due is None:
            due = self._due[when] = set()
            loop.call_at(when, self._fire, when)
        due.add(owner)

    def discard(self, when: float, owner: ConnectionDeadlines) -> None:
        due = self._due.get(when)
        if due is not None:
            due.discard(owner)

    def _fire(self, when: float) -> None:
        for owner in self._due.pop(when, ()):
            try:
                owner._fire_shared(when)
            except Exception as exc:  # one connection's failure must not strand the others
                owner._loop.call_exception_handler(
                    {"message": "Error in a connection deadline callback", "exception": exc}
                )


class ConnectionDeadlines:
    """Fires ``on_expired("head")`` or ``on_expired("idle")`` when a deadline passes."""

    __slots__ = (
        "_ceil",
        "_handle",
        "_loop",
        "_on_expired",
        "_shared",
        "_shared_when",
        "_when",
        "head",
        "idle",
    )

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        on_expired: Callable[[Expired], None],
        ceil_threshold: float,
        shared: Optional[SecondTimers] = None,
    ) -> None:
        self._loop = loop
        self._on_expired = on_expired
        self._ceil = ceil_threshold
        self._shared = shared
        # Armed either as ``_handle`` (a timer of its own) or as ``_shared_when`` (a member
        # of ``shared``'s set for that second), never both.
        self._handle: Optional[asyncio.TimerHandle] = None
        self._shared_when: Optional[float] = None
        self._when = 0.0
        #: Loop time by which the current head must be complete, or None.
        self.head: Optional[float] = None
        #: Loop time at which an idle connection is closed, or None.
        self.idle: Optional[float] = None

    def _deadline(self, delay: float) -> float:
        when = self._loop.time() + delay
        return float(math.ceil(when)) if delay >= self._ceil else when

    def start_head(self, delay: float) -> None:
        """Require a complete head within ``delay`` seconds (unless already required)."""
        if self.head is None:
            self.head = when = self._deadline(delay)
            self._arm(when)

    def start_idle(self, delay: float) -> None:
        """Close the connection if it is still idle ``delay`` seconds from now."""
        when = self._loop.time() + delay
        if delay >= self._ceil:
            when = float(math.ceil(when))
        self.idle = when
        if (self._handle is None and self._shared_when is None) or when < self._when:
            self._arm(when)

    def cancel(self) -> None:
        """Forget both deadlines and stop the timer."""
        self.head = self.idle = None
        self._disarm()

    def _disarm(self) -> None:
        handle = self._handle
        if handle is not None:
            self._handle = None
            handle.cancel()
        shared_when = self._shared_when
        if shared_when is not None:
            self._shared_when = None
            assert self._shared is not None
            self._shared.discard(shared_when, self)

    def close(self) -> None:
        """:meth:`cancel`, and drop the callback for good (it refers back to the
        connection: without it, a closed connection is freed without the cycle collector)."""
        self.cancel()
        self._on_expired = _ignore

    def _arm(self, when: float) -> None:
        if self._handle is not None or self._shared_when is not None:
            if self._when <= when:
                return  # fires earlier anyway and re-arms for ``when``
            self._disarm()
        self._when = when
        shared = self._shared
        if shared is not None and when.is_integer():
            self._shared_when = when
            shared.add(self._loop, when, self)
        else:
            self._handle = self._loop.call_at(when, self._fire)

    def _fire_shared(self, when: float) -> None:
        if self._shared_when == when:
            self._shared_when = None
            self._fire()

    def _fire(self) -> None:
        self._handle = None
        now = self._loop.time()
        head, idle = self.head, self.idle
        if head is not None and now >= head:
            self.head = None
            self._on_expired("head")
            return
        if idle is not None and now >= idle:
            self.idle = None
            self._on_expired("idle")
            idle = self.idle
            head = self.head
        pending = [t for t in (head, idle) if t is not None]
        if pending and self._shared_when is None and self._handle is None:
            self._arm(min(pending))
