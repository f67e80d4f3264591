"""The client's timeout settings and the whole-request deadline.

:class:`ClientTimeout` (public home :mod:`aiohttp.client`) bounds a request: ``total`` from
the start of the request to the end of reading the response body, ``connect`` for getting a
connection (waiting for a pool slot included), ``sock_connect`` for one connection attempt,
``sock_read`` for the gap between two reads. :class:`ClientWSTimeout` holds the WebSocket
client's two timeouts. :class:`RequestDeadline` enforces ``total``: one timer whose expiry
cancels whatever part of the request is running (sending, waiting for the head, reading the
body) and turns it into :class:`asyncio.TimeoutError`.
"""

from __future__ import annotations

import asyncio
import warnings
from typing import Final, Optional, Union

import attrs

from ._timers import BaseTimerContext, TimerContext, TimerNoop, ceil_deadline
from .helpers import _SENTINEL


@attrs.frozen
class ClientTimeout:
    """Timeouts of a client request, in seconds (``None`` or ``0``: no limit).

    ``total``: the whole request, redirects and body reading included. ``connect``: getting
    a connection, waiting for a free pool slot included. ``sock_connect``: connecting to a
    peer (not the pool wait). ``sock_read``: the longest pause between two reads of the
    response. ``ceil_threshold``: timeouts of at least this many seconds are rounded up to a
    whole second, so many timers share one loop wake-up. The instance is immutable; use
    :func:`attrs.evolve` to derive another.
    """

    total: Optional[float] = None
    connect: Optional[float] = None
    sock_read: Optional[float] = None
    sock_connect: Optional[float] = None
    ceil_threshold: float = 5


@attrs.frozen
class ClientWSTimeout:
    """Timeouts of a WebSocket client, in seconds (``None``: no limit).

    ``ws_receive``: waiting for a message in ``receive()``; ``ws_close``: waiting for the
    peer's close frame after sending ours.
    """

    ws_receive: Optional[float] = None
    ws_close: Optional[float] = None


DEFAULT_TIMEOUT: Final = ClientTimeout(total=5 * 60, sock_connect=30)
DEFAULT_WS_CLIENT_TIMEOUT: Final = ClientWSTimeout(ws_receive=None, ws_close=10.0)


class RequestDeadline:
    """The ``total`` timeout of one request.

    :meth:`start` arms the timer (nothing happens for ``None`` or ``0``); :attr:`timer` is
    the context the request runs in and the response's body reader enters on every wait, so
    the expiry cancels the running step wherever it is. :meth:`cancel` disarms it (when the
    response body is fully read or the request failed).
    """

    __slots__ = ("_handle", "_loop", "_threshold", "_total", "timer")

    def __init__(
        self, loop: asyncio.AbstractEventLoop, total: Optional[float], ceil_threshold: float = 5
    ) -> None:
        self._loop = loop
        self._total = total
        self._threshold = ceil_threshold
        self._handle: Optional[asyncio.TimerHandle] = None
        self.timer: BaseTimerContext = TimerContext(loop) if total else TimerNoop()

    def start(self) -> None:
        """Arm the timer, ``total`` seconds from now."""
        timer = self.timer
        if self._total and isinstance(timer, TimerContext):
            when = ceil_deadline(self._loop.time(), self._total, self._threshold)
            self._handle = self._loop.call_at(when, timer.timeout)

    def cancel(self) -> None:
        """Disarm the timer. Idempotent."""
        handle = self._handle
        if handle is not None:
            handle.cancel()
            self._handle = None


def session_timeout(
    timeout: Union[ClientTimeout, _SENTINEL, None],
    read_timeout: Union[float, _SENTINEL],
    conn_timeout: Optional[float],
) -> ClientTimeout:
    """The session's timeouts, from ``timeout`` or the deprecated two arguments."""
    if timeout is None or isinstance(timeout, _SENTINEL):
        result = DEFAULT_TIMEOUT
        if not isinstance(read_timeout, _SENTINEL):
            warnings.warn(
                "read_timeout is deprecated, use timeout argument instead",
                DeprecationWarning,
                stacklevel=3,
            )
            result = ClientTimeout(read_timeout, result.connect, result.sock_read,
                                   result.sock_connect, result.ceil_threshold)  # fmt: skip
        if conn_timeout is not None:
            warnings.warn(
                "conn_timeout is deprecated, use timeout argument instead",
                DeprecationWarning,
                stacklevel=3,
            )
            result = ClientTimeout(result.total, conn_timeout, result.sock_read,
                                   result.sock_connect, result.ceil_threshold)  # fmt: skip
        return result
    if not isinstance(timeout, ClientTimeout):
        raise ValueError(
            f"timeout parameter cannot be of {type(timeout)} type, "
            "please use 'timeout=ClientTimeout(...)'"
        )
    if not isinstance(read_timeout, _SENTINEL):
        raise ValueError("read_timeout and timeout parameters conflict, please setup timeout.read")
    if conn_timeout is not None:
        raise ValueError(
            "conn_timeout and timeout parameters conflict, please setup timeout.connect"
        )
    return timeout
