"""Builds the middleware chain an application runs around a matched handler.

Each application keeps its middlewares, innermost first, in ``_middlewares_handlers``
(prepared once, when it is pre-frozen).  For a request that went through the apps
``(root, sub, ...)`` the handler is wrapped by the innermost app's middlewares first, so
the root's first middleware sees the request first.  The chain for a (handler, apps) pair
is built once and cached (for routes that matched).  Old-style ``(app, handler) ->
handler`` factories of aiohttp 2 are adapted here so the chain has one shape.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from functools import lru_cache, update_wrapper
from typing import TYPE_CHECKING

from .abc import AbstractMiddleware

if TYPE_CHECKING:
    from .web_app import Application
    from .web_request import Request
    from .web_response import StreamResponse

_Handler = Callable[["Request"], Awaitable["StreamResponse"]]
# An aiohttp 2.x-style middleware factory: ``await factory(app, handler)`` returns a handler.
_OldStyleMiddleware = Callable[["Application", _Handler], Awaitable[_Handler]]


def is_old_style(mw: object) -> bool:
    """An unmarked middleware whose first parameter is named ``app`` is an old-style factory.

    Functions marked with ``@web.middleware`` are always new-style.
    """
    if getattr(mw, "__middleware_version__", None) == 1 or not callable(mw):
        return False
    try:
        params = list(inspect.signature(mw).parameters)
    except (TypeError, ValueError):  # builtins and the like have no signature
        return False
    return bool(params) and params[0] == "app"


def adapt_old_style(factory: _OldStyleMiddleware, app: Application) -> AbstractMiddleware:
    """A new-style middleware that asks ``factory`` for a handler on every request."""

    async def adapted(request: Request, handler: _Handler, /) -> StreamResponse:
        return await (await factory(app, handler))(request)

    return adapted


def _wrap(mw: AbstractMiddleware, handler: _Handler) -> _Handler:
    """``handler`` with ``mw`` in front; keeps the handler's name and attributes, so a
    middleware can read marks that decorators left on the handler."""

    async def step(request: Request) -> StreamResponse:
        return await mw(request, handler)

    return update_wrapper(step, handler)


def build_chain(handler: _Handler, apps: tuple[Application, ...]) -> _Handler:
    """``handler`` wrapped in the middlewares of every app in ``apps`` (root first)."""
    for app in reversed(apps):
        for mw in app._middlewares_handlers:
            handler = _wrap(mw, handler)
    return handler


# For matched routes: their handlers are long-lived, so the chain is built once per route.
# (Unmatched requests get a fresh error handler each time; they use build_chain directly.)
cached_chain = lru_cache(maxsize=1024)(build_chain)
