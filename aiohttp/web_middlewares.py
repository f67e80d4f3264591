"""Server middlewares: the ``@middleware`` marker and ``normalize_path_middleware``.

A middleware is ``async def mw(request, handler) -> StreamResponse`` (the
:class:`aiohttp.abc.AbstractMiddleware` shape): it may answer itself or call
``handler(request)`` and return, change or replace its response.  The application wraps
the matched handler in the middlewares of every application the request went through,
outermost application first and, within one application, in list order (the first
middleware listed sees the request first).

:func:`normalize_path_middleware` redirects a request that matched no route to the
nearest spelling of its path that does (merged slashes, added or removed trailing slash).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from .abc import AbstractMiddleware
from .web_exceptions import HTTPMove, HTTPPermanentRedirect

if TYPE_CHECKING:
    from .web_app import Application
    from .web_request import Request
    from .web_response import StreamResponse

__all__ = ("middleware", "normalize_path_middleware")

_Func = TypeVar("_Func")
_Handler = Callable[["Request"], Awaitable["StreamResponse"]]

_SLASHES = re.compile(r"//+")
_LEADING_SLASHES = re.compile(r"^//+")


def middleware(f: _Func) -> _Func:
    """Mark ``f`` as a new-style ``(request, handler)`` middleware and return it unchanged.

    aiohttp 3.x needed the mark to tell new-style middlewares from the old-style
    ``(app, handler) -> handler`` factories; here an unmarked function is new-style too
    unless its first parameter is named ``app`` (see :class:`~aiohttp.web.Application`).
    """
    f.__middleware_version__ = 1  # type: ignore[attr-defined]  # a marker on any callable
    return f


def _candidate_paths(
    path: str, *, append_slash: bool, remove_slash: bool, merge_slashes: bool
) -> list[str]:
    """The spellings of ``path`` to try, in the documented order."""
    candidates: list[str] = []
    if merge_slashes:
        candidates.append(_SLASHES.sub("/", path))
    if append_slash and not path.endswith("/"):
        candidates.append(path + "/")
    if remove_slash and path.endswith("/"):
        candidates.append(path[:-1])
    if merge_slashes and append_slash:
        merged = _SLASHES.sub("/", path)
        if not merged.endswith("/"):
            candidates.append(merged + "/")
    if merge_slashes and remove_slash:
        merged = _SLASHES.sub("/", path)
        if merged.endswith("/") and merged != "/":
            candidates.append(merged[:-1])
    seen: set[str] = {path}
    unique: list[str] = []
    for candidate in candidates:
        # A path starting with "//" would be sent as a scheme-relative Location: another host.
        candidate = _LEADING_SLASHES.sub("/", candidate) or "/"
        if candidate not in seen:
            seen.add(candidate)
            unique.append(candidate)
    return unique


async def _resolves(request: Request, path: str) -> bool:
    """Whether ``path`` (on the same application as ``request``) matches a route."""
    alt_request = request.clone(rel_url=path)
    match_info = await request.app.router.resolve(alt_request)
    return match_info.http_exception is None


def normalize_path_middleware(
    *,
    append_slash: bool = True,
    remove_slash: bool = False,
    merge_slashes: bool = True,
    redirect_class: type[HTTPMove] = HTTPPermanentRedirect,
) -> AbstractMiddleware:
    """Make a middleware that redirects unmatched requests to a path that matches.

    Only requests that matched no route are considered.  The alternatives are tried in
    this order: slashes merged (``merge_slashes``), then a trailing slash added
    (``append_slash``) or removed (``remove_slash``), then both; the first that resolves
    is answered with ``redirect_class`` (308 by default), keeping the query string.
    ``append_slash`` and ``remove_slash`` exclude each other (:class:`AssertionError`,
    as in aiohttp 3.13).
    """
    if append_slash and remove_slash:
        raise AssertionError("Cannot both remove and append slash")

    @middleware
    async def impl(request: Request, handler: _Handler) -> StreamResponse:
        if request.match_info.http_exception is None:
            return await handler(request)
        raw_path, sep, query = request.raw_path.partition("?")
        for path in _candidate_paths(
            raw_path,
            append_slash=append_slash,
            remove_slash=remove_slash,
            merge_slashes=merge_slashes,
        ):
            if await _resolves(request, path):
                raise redirect_class(path + sep + query)
        return await handler(request)

    return impl


def _fix_request_current_app(app: Application) -> AbstractMiddleware:
    """The middleware each application runs first: ``request.app`` is ``app`` inside it."""

    @middleware
    async def impl(request: Request, handler: _Handler) -> StreamResponse:
        with request.match_info.set_current_app(app):
            return await handler(request)

    return impl
