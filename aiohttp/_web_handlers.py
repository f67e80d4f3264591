"""What a route accepts as a handler, and the default ``Expect`` handler.

:func:`prepare_handler` takes a route's handler as given: a coroutine function (or an
object with an ``async __call__``) or a view class is used as is; any other callable is
still accepted, as in aiohttp 3.13, but deprecated and wrapped so that calling it returns
an awaitable; anything else is a :class:`TypeError` when the route is added.

:func:`default_expect_handler` answers ``Expect: 100-continue`` with the interim
``100 Continue`` and refuses other expectations with 417.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
import warnings
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Final, Optional, Union

from . import hdrs
from .abc import AbstractView
from .http_writer import HttpVersion11
from .web_exceptions import HTTPExpectationFailed
from .web_response import StreamResponse

if TYPE_CHECKING:
    from .web_request import Request

Handler = Callable[["Request"], Awaitable[StreamResponse]]
HandlerType = Union[type[AbstractView], Handler]
ExpectHandler = Callable[["Request"], Awaitable[Optional[StreamResponse]]]

_PACKAGE_DIR: Final = os.path.dirname(os.path.abspath(__file__))


def is_async_callable(obj: object) -> bool:
    """True for a coroutine function or an object whose ``__call__`` is one."""
    if inspect.iscoroutinefunction(obj):
        return True
    call = getattr(type(obj), "__call__", None)  # noqa: B004  # the method, not callability
    return inspect.iscoroutinefunction(call)


def _caller_outside_package() -> int:
    """The ``stacklevel`` that points a warning at the first caller outside aiohttp."""
    level = 1
    frame = sys._getframe(1)
    while frame.f_code.co_filename.startswith(_PACKAGE_DIR) and frame.f_back is not None:
        frame = frame.f_back
        level += 1
    return level


def prepare_handler(handler: object) -> HandlerType:
    """Check a route's handler; wrap (and deprecate) a plain function."""
    if isinstance(handler, type):
        if hasattr(handler, "__await__"):  # an AbstractView, inherited or structural
            return handler
        raise TypeError(f"Only async functions and View classes can be handlers, got {handler!r}")
    if not callable(handler):
        raise TypeError(f"Handler must be an async function or a View class, got {handler!r}")
    if is_async_callable(handler):
        return handler
    warnings.warn(
        "Bare functions are deprecated, use async ones",
        DeprecationWarning,
        stacklevel=_caller_outside_package(),
    )
    call: Callable[[Request], object] = handler

    @functools.wraps(call)
    async def wrapper(request: Request) -> StreamResponse:
        result = call(request)
        if inspect.isawaitable(result):
            result = await result
        if not isinstance(result, StreamResponse):
            raise TypeError(f"Handler {call!r} returned {result!r}, not a StreamResponse")
        return result

    return wrapper


async def default_expect_handler(request: Request) -> None:
    """Answer ``Expect: 100-continue`` with an interim 100 (HTTP/1.1 only); refuse any
    other expectation with 417."""
    if request.version != HttpVersion11:
        return
    expect = request.headers.get(hdrs.EXPECT, "")
    if expect.lower() != "100-continue":
        raise HTTPExpectationFailed(text=f"Unknown Expect: {expect}")
    writer = request.writer
    await writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    writer.output_size = 0  # the interim answer is not part of the response body
