"""The connection pool behind :class:`aiohttp.BaseConnector`: slots, waiters, idle connections.

Theory of operation. A request needs a *slot* before it may reuse or open a connection: at
most ``limit`` slots are held at once (``0``: no limit) and at most ``limit_per_host`` for one
:class:`~aiohttp.client_reqrep.ConnectionKey`. A slot is held by a :class:`Reservation` until
a connection is bound to it, then by that connection's protocol until it is released.

Requests that find no free slot wait in one first-in-first-out queue. Whenever a slot frees
up the queue is scanned from its head and every waiter whose host has room is *handed* a
reservation before its task even runs, so a newcomer can never overtake it; a waiter whose
own host is full is skipped without blocking the waiters behind it for other hosts. After
each scan no waiter that could proceed is left queued, which is why a newcomer may take a
free slot directly. A waiter cancelled after it was handed a reservation gives it back.

Released connections that may be reused wait, per key, in an idle list (the most recently
used is reused first). One timer sweeps them: it fires when the oldest idle connection
expires (``keepalive_timeout`` seconds after its release), closes what expired and re-arms
for the next expiry. Idle connections do not hold slots.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import deque
from collections.abc import Callable
from typing import Optional, Union

from ._client_values import ConnectionKey
from ._timers import ceil_deadline
from .client_exceptions import ClientConnectionError
from .client_proto import ResponseHandler

CONNECTOR_CLOSED = "Connector is closed."


class Reservation:
    """A slot held for a request that has no connection yet."""

    __slots__ = ("key",)

    def __init__(self, key: ConnectionKey) -> None:
        self.key = key

    def __repr__(self) -> str:
        return f"<Reservation {self.key.host}:{self.key.port}>"


_Holder = Union[Reservation, ResponseHandler]


class ConnectionPool:
    """Slots, the waiter queue and the idle connections of one connector.

    ``closer`` is called with every protocol the pool decides to close (expired, not
    reusable, or everything on :meth:`close`).
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        limit: int,
        limit_per_host: int,
        keepalive_timeout: Optional[float],
        timeout_ceil_threshold: float,
        closer: Callable[[ResponseHandler], None],
    ) -> None:
        self._loop = loop
        self._limit = limit
        self._limit_per_host = limit_per_host
        self._keepalive = keepalive_timeout
        self._ceil_threshold = timeout_ceil_threshold
        self._closer = closer
        self._acquired: set[_Holder] = set()
        self._acquired_per_host: dict[ConnectionKey, set[_Holder]] = {}
        self._waiters: dict[asyncio.Future[Reservation], ConnectionKey] = {}
        self._idle: dict[ConnectionKey, deque[tuple[ResponseHandler, float]]] = {}
        self._sweep_handle: Optional[asyncio.TimerHandle] = None
        self._closed = False

    # -- what is held ------------------------------------------------------------------------

    @property
    def acquired(self) -> int:
        """Slots held (by reservations and lent connections)."""
        return len(self._acquired)

    def acquired_for(self, key: ConnectionKey) -> int:
        """Slots held for ``key``."""
        return len(self._acquired_per_host.get(key, ()))

    @property
    def waiting(self) -> int:
        """Requests queued for a slot."""
        return len(self._waiters)

    def idle_count(self, key: Optional[ConnectionKey] = None) -> int:
        """Idle connections (for ``key``, or in all)."""
        if key is not None:
            return len(self._idle.get(key, ()))
        return sum(len(conns) for conns in self._idle.values())

    def idle_protocols(self) -> list[ResponseHandler]:
        """Every idle connection's protocol."""
        return [proto for conns in self._idle.values() for proto, _ in conns]

    def has_capacity(self, key: ConnectionKey) -> bool:
        """True if a slot for ``key`` is free under both limits."""
        if self._limit and len(self._acquired) >= self._limit:
            return False
        return not (self._limit_per_host and self.acquired_for(key) >= self._limit_per_host)

    # -- slots -------------------------------------------------------------------------------

    def try_reserve(self, key: ConnectionKey) -> Optional[Reservation]:
        """A reservation for ``key`` if a slot is free now (nobody eligible is queued:
        see the module docstring), else ``None``."""
        if self._closed:
            raise ClientConnectionError(CONNECTOR_CLOSED)
        if not self.has_capacity(key):
            return None
        reservation = Reservation(key)
        self._hold(key, reservation)
        return reservation

    def take_idle_now(self, key: ConnectionKey) -> Optional[ResponseHandler]:
        """:meth:`try_reserve`, :meth:`take_idle` and :meth:`bind` at once: an idle
        connection for ``key`` that now holds a slot, or ``None`` (no free slot, or no
        idle connection) with nothing held."""
        if self._closed:
            raise ClientConnectionError(CONNECTOR_CLOSED)
        if key not in self._idle or not self.has_capacity(key):
            return None
        protocol = self.take_idle(key)
        if protocol is not None:
            self._hold(key, protocol)
        return protocol

    def enqueue(self, key: ConnectionKey) -> asyncio.Future[Reservation]:
        """Queue for a slot; pass the returned future to :meth:`wait`."""
        if self._closed:
            raise ClientConnectionError(CONNECTOR_CLOSED)
        waiter: asyncio.Future[Reservation] = self._loop.create_future()
        self._waiters[waiter] = key
        self._grant()
        return waiter

    async def wait(self, waiter: asyncio.Future[Reservation]) -> Reservation:
        """Wait until ``waiter`` is handed a reservation.

        :raises ClientConnectionError: the connector was closed meanwhile.

        If the wait is cancelled the place in the queue (or a reservation handed over
        meanwhile) is given up, so no slot leaks.
        """
        try:
            return await waiter
        except BaseException:
            self.abandon(waiter)
            raise

    def abandon(self, waiter: asyncio.Future[Reservation]) -> None:
        """Leave the queue; give back the reservation ``waiter`` may have been handed."""
        self._waiters.pop(waiter, None)
        if waiter.done():
            if not waiter.cancelled() and waiter.exception() is None:
                self.cancel_reservation(waiter.result())
        else:
            waiter.cancel()

    def cancel_reservation(self, reservation: Reservation) -> None:
        """Give a slot back unused (connecting failed or was cancelled)."""
        self._drop(reservation.key, reservation)
        self._grant()

    def bind(self, reservation: Reservation, protocol: ResponseHandler) -> None:
        """The reservation's slot is now held by ``protocol``'s connection."""
        key = reservation.key
        self._drop(key, reservation)
        self._hold(key, protocol)

    def _hold(self, key: ConnectionKey, holder: _Holder) -> None:
        self._acquired.add(holder)
        per_host = self._acquired_per_host.get(key)
        if per_host is None:
            self._acquired_per_host[key] = {holder}
        else:
            per_host.add(holder)

    def _drop(self, key: ConnectionKey, holder: _Holder) -> bool:
        self._acquired.discard(holder)
        per_host = self._acquired_per_host.get(key)
        if per_host is None or holder not in per_host:
            return False
        per_host.remove(holder)
        if not per_host:
            del self._acquired_per_host[key]
        return True

    def _grant(self) -> None:
        """Hand free slots to the queue, oldest eligible waiter first."""
        if not self._waiters:
            return
        for waiter, key in list(self._waiters.items()):
            if self._limit and len(self._acquired) >= self._limit:
                return
            if waiter.done():  # cancelled, being abandoned
                del self._waiters[waiter]
                continue
            if not self.has_capacity(key):
                continue
            del self._waiters[waiter]
            reservation = Reservation(key)
            self._hold(key, reservation)
            waiter.set_result(reservation)

    # -- connections -------------------------------------------------------------------------

    def take_idle(self, key: ConnectionKey) -> Optional[ResponseHandler]:
        """The most recently released live idle connection for ``key`` (expired or
        disconnected ones met on the way are closed), or ``None``."""
        conns = self._idle.get(key)
        if not conns:
            return None
        deadline = self._expiry_cutoff()
        found: Optional[ResponseHandler] = None
        while conns:
            proto, released_at = conns.pop()
            if proto.is_connected() and (deadline is None or released_at > deadline):
                found = proto
                break
            self._closer(proto)
        if not conns:
            del self._idle[key]
        return found

    def release(self, key: ConnectionKey, protocol: ResponseHandler, *, reuse: bool) -> None:
        """A lent connection comes back: keep it idle if ``reuse`` (and keep-alive allows),
        else close it. Its slot goes to the queue."""
        self._drop(key, protocol)
        if reuse and not self._closed and self._keepalive != 0:
            idle = self._idle.get(key)
            if idle is None:
                idle = self._idle[key] = deque()
            idle.append((protocol, self._loop.time()))
            if self._sweep_handle is None:  # (else _schedule_sweep() does nothing)
                self._schedule_sweep()
        else:
            self._closer(protocol)
        if self._waiters:  # (else _grant() does nothing)
            self._grant()

    def _expiry_cutoff(self) -> Optional[float]:
        """Connections released at or before this loop time have expired."""
        if self._keepalive is None:
            return None
        return self._loop.time() - self._keepalive

    def _schedule_sweep(self) -> None:
        if self._sweep_handle is not None or self._keepalive is None or not self._idle:
            return
        oldest = min(conns[0][1] for conns in self._idle.values())
        delay = max(oldest + self._keepalive - self._loop.time(), 0.0)
        when = ceil_deadline(self._loop.time(), delay, self._ceil_threshold)
        self._sweep_handle = self._loop.call_at(when, _sweep_callback(self))

    def sweep(self) -> None:
        """Close the idle connections that expired or were disconnected; re-arm the timer."""
        self._sweep_handle = None
        deadline = self._expiry_cutoff()
        for key in list(self._idle):
            keep: deque[tuple[ResponseHandler, float]] = deque()
            for proto, released_at in self._idle[key]:
                if proto.is_connected() and (deadline is None or released_at > deadline):
                    keep.append((proto, released_at))
                else:
                    self._closer(proto)
            if keep:
                self._idle[key] = keep
            else:
                del self._idle[key]
        self._schedule_sweep()

    def close(self) -> list[ResponseHandler]:
        """Fail every waiter with :class:`ClientConnectionError` and forget everything;
        return the protocols (idle and lent) that the caller must close."""
        self._closed = True
        if self._sweep_handle is not None:
            self._sweep_handle.cancel()
            self._sweep_handle = None
        protocols = self.idle_protocols()
        protocols.extend(h for h in self._acquired if isinstance(h, ResponseHandler))
        self._idle.clear()
        self._acquired.clear()
        self._acquired_per_host.clear()
        waiters, self._waiters = self._waiters, {}
        for waiter in waiters:
            if not waiter.done():
                waiter.set_exception(ClientConnectionError(CONNECTOR_CLOSED))
                waiter.exception()  # its task may be gone: don't log "never retrieved"
        return protocols


def close_protocols(
    protocols: list[ResponseHandler], *, abort_tls: bool
) -> list[asyncio.Future[None]]:
    """Close ``protocols`` (TLS ones abruptly if ``abort_tls``: no TLS shutdown exchange);
    return the futures that resolve when each connection is gone."""
    waiters: list[asyncio.Future[None]] = []
    for proto in protocols:
        closed = proto.closed
        if closed is not None and not closed.done():
            waiters.append(closed)
        transport = proto.transport
        if abort_tls and transport is not None and transport.get_extra_info("sslcontext"):
            proto.abort()
        else:
            proto.close()
    return waiters


def _sweep_callback(pool: ConnectionPool) -> Callable[[], None]:
    # A weak reference: a pending sweep must not keep a forgotten pool (and its
    # connector) alive, or the connector's "unclosed" warning could never fire.
    ref = weakref.ref(pool)

    def run() -> None:
        target = ref()
        if target is not None:
            target.sweep()

    return run
