"""The deprecated ``@aiohttp.streamer`` decorator (aiohttp 3.13 keeps it for old code).

A function decorated with ``@streamer`` takes a writer as its first argument; calling the
decorated function with the remaining arguments gives an object that can be passed as a
request or response body, and is streamed by calling the function with the writer. New code
passes an async generator of bytes instead (:class:`aiohttp.payload.AsyncIterablePayload`).
"""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable
from typing import Generic

from typing_extensions import Concatenate, ParamSpec

from .abc import AbstractStreamWriter
from .payload import Payload, payload_type

__all__ = ("streamer",)

_P = ParamSpec("_P")
_StreamFunc = Callable[Concatenate[AbstractStreamWriter, _P], Awaitable[None]]


class _stream_wrapper(Generic[_P]):
    """A streamer call waiting for its writer."""

    def __init__(self, func: _StreamFunc[_P], *args: _P.args, **kwargs: _P.kwargs) -> None:
        self._call: Callable[[AbstractStreamWriter], Awaitable[None]] = lambda writer: func(
            writer, *args, **kwargs
        )

    async def __call__(self, writer: AbstractStreamWriter) -> None:
        await self._call(writer)


class streamer(Generic[_P]):
    """Decorator turning ``async def f(writer, *args)`` into a body factory ``f(*args)``.

    Deprecated since aiohttp 3.x: use an async generator as the body instead.
    """

    def __init__(self, coro: _StreamFunc[_P]) -> None:
        warnings.warn(
            "payload_streamer is deprecated, use async generators instead",
            DeprecationWarning,
            stacklevel=2,
        )
        self.coro = coro

    def __call__(self, *args: _P.args, **kwargs: _P.kwargs) -> _stream_wrapper[_P]:
        return _stream_wrapper(self.coro, *args, **kwargs)


@payload_type(_stream_wrapper)
class StreamWrapperPayload(Payload):
    """Streams a :class:`_stream_wrapper` by handing it the writer; size unknown."""

    async def write(self, writer: AbstractStreamWriter) -> None:
        wrapper: Callable[[AbstractStreamWriter], Awaitable[None]] = self._value
        await wrapper(writer)

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        raise TypeError("Unable to decode a streamed payload")
