"""Following HTTP redirects: which responses redirect, where to, and with what request.

A ``301``, ``302``, ``303``, ``307`` or ``308`` answer with a ``Location`` (or the legacy
``URI``) header is followed. Like aiohttp 3.13 (and browsers): a ``303`` turns any method but
``HEAD`` into ``GET`` without a body, a ``301``/``302`` turns ``POST`` into ``GET`` without a
body, and every other case keeps the method and re-sends the body. The new location may be
relative (resolved against the URL that answered) but must be ``http(s)``. Going to another
origin drops the credentials and cookies the caller attached (see :data:`CROSS_ORIGIN_DROPPED`).
"""

from __future__ import annotations

from typing import Final, NamedTuple, Optional

from multidict import CIMultiDict, CIMultiDictProxy, istr
from yarl import URL

from . import hdrs
from .client_exceptions import InvalidUrlRedirectClientError, NonHttpUrlRedirectClientError

REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})
_FOLLOWED_SCHEMES: Final = frozenset({"", "http", "https"})

CROSS_ORIGIN_DROPPED: Final[tuple[istr, ...]] = (
    hdrs.AUTHORIZATION,
    hdrs.PROXY_AUTHORIZATION,
    hdrs.COOKIE,
)
"""Request headers never carried to another origin by a redirect."""

_BODY_HEADERS: Final[tuple[istr, ...]] = (
    hdrs.CONTENT_LENGTH,
    hdrs.CONTENT_TYPE,
    hdrs.CONTENT_ENCODING,
    hdrs.TRANSFER_ENCODING,
)


class NextRequest(NamedTuple):
    """The method of the redirected request and whether the body is sent again."""

    method: str
    keep_body: bool


def next_request(status: int, method: str) -> NextRequest:
    """How the request changes when ``status`` redirects a ``method`` request."""
    if (status == 303 and method != hdrs.METH_HEAD) or (
        status in (301, 302) and method == hdrs.METH_POST
    ):
        return NextRequest(hdrs.METH_GET, False)
    return NextRequest(method, True)


def drop_body_headers(headers: CIMultiDict[str]) -> None:
    """Remove the headers describing a body that is no longer sent."""
    for name in _BODY_HEADERS:
        headers.popall(name, None)


def location(headers: CIMultiDictProxy[str]) -> Optional[str]:
    """Where a redirect points (``Location``, else ``URI``), or ``None``."""
    return headers.get(hdrs.LOCATION) or headers.get(hdrs.URI)


def redirect_url(raw: str, current: URL, *, requote: bool) -> URL:
    """The absolute URL a redirect to ``raw`` from ``current`` leads to.

    :raises InvalidUrlRedirectClientError: ``raw`` is not a URL, or has no valid origin.
    :raises NonHttpUrlRedirectClientError: ``raw`` has a scheme other than http(s).
    """
    try:
        target = URL(raw, encoded=not requote)
    except ValueError as exc:
        raise InvalidUrlRedirectClientError(
            raw, "Server attempted redirecting to a location that does not look like a URL"
        ) from exc
    if target.scheme not in _FOLLOWED_SCHEMES:
        raise NonHttpUrlRedirectClientError(raw)
    if not target.scheme:
        target = current.join(target)
    try:
        target.origin()
    except ValueError as exc:
        raise InvalidUrlRedirectClientError(target, "Invalid redirect URL origin") from exc
    return target


def same_origin(a: URL, b: URL) -> bool:
    """True when ``a`` and ``b`` have the same scheme, host and port."""
    try:
        return a.origin() == b.origin()
    except ValueError:
        return False
