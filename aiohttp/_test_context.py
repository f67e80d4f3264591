"""What ``TestClient.ws_connect`` returns: awaitable like the coroutine it wraps, and an
async context manager closing the result (the WebSocket) at the end of the block."""

from __future__ import annotations

from collections.abc import Coroutine, Generator
from types import TracebackType
from typing import Optional, Protocol, TypeVar, Union


class _Closable(Protocol):
    async def close(self) -> object: ...


_C = TypeVar("_C", bound=_Closable)


class _ClosingContext(Coroutine[object, None, _C]):
    """Awaitable like the coroutine it wraps; ``async with`` closes the result on exit."""

    __slots__ = ("_coro", "_value")

    def __init__(self, coro: Coroutine[object, None, _C]) -> None:
        self._coro = coro
        self._value: Optional[_C] = None

    def send(self, arg: None) -> object:
        return self._coro.send(arg)

    def throw(
        self,
        typ: Union[BaseException, type[BaseException]],
        val: object = None,
        tb: Optional[TracebackType] = None,
        /,
    ) -> object:
        exc = typ if isinstance(typ, BaseException) else typ()
        return self._coro.throw(exc.with_traceback(tb) if tb is not None else exc)

    def close(self) -> None:
        self._coro.close()

    def __await__(self) -> Generator[object, None, _C]:
        return self._coro.__await__()

    async def __aenter__(self) -> _C:
        self._value = await self._coro
        return self._value

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        if self._value is not None:
            await self._value.close()
