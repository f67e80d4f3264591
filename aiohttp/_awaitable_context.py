"""Awaitable objects that are also async context managers, for calls such as ``session.get()``.

:class:`_AwaitableContext` wraps the coroutine that produces a value: awaiting the wrapper
(or driving it as a coroutine, e.g. with ``asyncio.create_task``) runs that coroutine, and
``async with`` awaits it and hands the value to the block. Subclasses only say what happens
when the block ends. :class:`_ClosingContext` closes the value there; the client's
``_RequestContextManager`` and ``_WSRequestContextManager`` are built on these.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Coroutine, Generator
from types import TracebackType
from typing import Optional, Protocol, TypeVar, Union

_T = TypeVar("_T")


class _Closable(Protocol):
    async def close(self) -> object: ...


_C = TypeVar("_C", bound=_Closable)


class _AwaitableContext(Coroutine[object, None, _T]):
    """Wraps the coroutine producing a value; awaiting the wrapper awaits the coroutine."""

    __slots__ = ("_coro", "_resp")

    def __init__(self, coro: Coroutine[object, None, _T]) -> None:
        self._coro = coro
        self._resp: Optional[_T] = None

    def send(self, arg: None) -> object:
        return self._coro.send(arg)

    def throw(
        self,
        typ: Union[BaseException, type[BaseException]],
        val: object = None,
        tb: Optional[TracebackType] = None,
        /,
    ) -> object:
        if isinstance(typ, BaseException):
            return self._coro.throw(typ)
        exc = typ() if val is None else val if isinstance(val, BaseException) else typ(val)
        return self._coro.throw(exc.with_traceback(tb) if tb is not None else exc)

    def close(self) -> None:
        self._coro.close()

    def __await__(self) -> Generator[object, None, _T]:
        return self._coro.__await__()

    def __iter__(self) -> Generator[object, None, _T]:
        return self.__await__()

    async def __aenter__(self) -> _T:
        self._resp = await self._coro
        return self._resp

    @abstractmethod
    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        """Clean up the value :meth:`__aenter__` produced."""


class _ClosingContext(_AwaitableContext[_C]):
    """Awaitable like the coroutine it wraps; ``async with`` closes the result on exit."""

    __slots__ = ()

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        if self._resp is not None:
            await self._resp.close()
