"""What the client's request methods return: awaitable, and usable with ``async with``.

``await session.get(url)`` gives the :class:`~aiohttp.ClientResponse` once its head is read;
``async with session.get(url) as resp:`` does the same and releases the response when the
block ends. :class:`_RequestContextManager` is that object (also a full coroutine, so
``asyncio.create_task(session.get(url))`` works). :class:`_SessionRequestContextManager` is
the one :func:`aiohttp.request` returns: it also closes the one-off session it made. Both
have their public home in :mod:`aiohttp.client`.
"""

from __future__ import annotations

from collections.abc import Coroutine
from types import TracebackType
from typing import Optional, Protocol

from ._awaitable_context import _AwaitableContext
from .client_reqrep import ClientResponse


class _Closable(Protocol):
    async def close(self) -> None: ...


class _RequestContextManager(_AwaitableContext[ClientResponse]):
    """The result of ``session.request()`` / ``get()`` ...: ``await`` it or ``async with`` it;
    leaving the block releases the response (the connection goes back to the pool once the
    body was read, else it is closed)."""

    __slots__ = ()

    async def __aenter__(self) -> ClientResponse:
        # _AwaitableContext.__aenter__ inlined: one coroutine less on every resume.
        self._resp = resp = await self._coro
        if type(resp) is ClientResponse:
            resp._in_context = True  # ClientResponse.__aenter__, without its coroutine
            return resp
        return await resp.__aenter__()

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        # Release whatever the block's outcome: an exception in user code says nothing
        # about the connection, whose own state decides whether it is reused.
        resp = self._resp
        assert resp is not None
        resp.release()
        if type(resp) is ClientResponse and resp._writer is None:
            return  # wait_for_close() would only call release() again, which does nothing
        await resp.wait_for_close()


class _SessionRequestContextManager:
    """The result of :func:`aiohttp.request`: ``async with`` it; the one-off session is
    closed when the block ends (or when sending the request fails)."""

    __slots__ = ("_coro", "_resp", "_session")

    def __init__(self, coro: Coroutine[object, None, ClientResponse], session: _Closable) -> None:
        self._coro = coro
        self._resp: Optional[ClientResponse] = None
        self._session = session

    async def __aenter__(self) -> ClientResponse:
        try:
            self._resp = await self._coro
        except BaseException:
            await self._session.close()
            raise
        return self._resp

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        resp = self._resp
        assert resp is not None
        resp.close()
        await self._session.close()
