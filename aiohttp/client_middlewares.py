"""Client middlewares: their types and how a list of them becomes one handler.

A client middleware is ``async def mw(request, handler) -> ClientResponse``: it may change
the :class:`~aiohttp.ClientRequest`, call ``handler(request)`` any number of times (a retry
calls it again; not calling it at all short-circuits with its own response) and return a
response. :func:`build_client_middlewares` chains them so the first one listed is the
outermost: it sees the request first and the response last.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from .client_reqrep import ClientRequest, ClientResponse

__all__ = ("ClientHandlerType", "ClientMiddlewareType", "build_client_middlewares")

ClientHandlerType = Callable[[ClientRequest], Awaitable[ClientResponse]]
"""What a middleware calls to pass the request on: ``await handler(request)``."""

ClientMiddlewareType = Callable[[ClientRequest, ClientHandlerType], Awaitable[ClientResponse]]
"""A client middleware: ``async def mw(request, handler) -> ClientResponse``."""


def _link(middleware: ClientMiddlewareType, inner: ClientHandlerType) -> ClientHandlerType:
    async def handler(request: ClientRequest) -> ClientResponse:
        return await middleware(request, inner)

    return handler


def build_client_middlewares(
    handler: ClientHandlerType, middlewares: Sequence[ClientMiddlewareType]
) -> ClientHandlerType:
    """Wrap ``handler`` in ``middlewares``; ``middlewares[0]`` runs first.

    An empty sequence returns ``handler`` itself.
    """
    wrapped = handler
    for middleware in reversed(middlewares):
        wrapped = _link(middleware, wrapped)
    return wrapped
