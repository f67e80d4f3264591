"""Conditional requests for ``FileResponse`` (RFC 9110 section 13).

:func:`evaluate_preconditions` applies ``If-Match``, ``If-Unmodified-Since``,
``If-None-Match`` and ``If-Modified-Since`` (as the request parsed them) in the order
section 13.2.2 prescribes, and says whether to answer 412, 304 or go on.
:func:`if_range_holds` decides whether a ``Range`` may get a partial answer: an ``If-Range``
entity tag must match strongly, an ``If-Range`` date must equal ``Last-Modified`` exactly.
Times are compared in whole seconds, the resolution of HTTP dates, with the same rounding
as the ``Last-Modified`` sent.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Optional

from . import hdrs
from ._web_precond import ETAG_ANY, parse_etag
from .helpers import ETag, parse_http_date

if TYPE_CHECKING:
    from .web_request import BaseRequest


def format_etag(etag: ETag) -> str:
    """The header form of ``etag``."""
    return ('W/"%s"' if etag.is_weak else '"%s"') % etag.value


def _is_any(tags: tuple[ETag, ...]) -> bool:
    return len(tags) == 1 and tags[0].value == ETAG_ANY and not tags[0].is_weak


def _strong_match(tags: Iterable[ETag], current: ETag) -> bool:
    return not current.is_weak and any(
        not tag.is_weak and tag.value == current.value for tag in tags
    )


def _seconds(when: Optional[datetime.datetime]) -> Optional[int]:
    return None if when is None else int(when.timestamp())


def evaluate_preconditions(request: BaseRequest, etag: ETag, last_modified: int) -> Optional[int]:
    """412 or 304 when a precondition says so, else None (answer normally).

    ``last_modified`` is the POSIX time, in whole seconds, sent as ``Last-Modified``.
    """
    safe = request.method in (hdrs.METH_GET, hdrs.METH_HEAD)
    if_match = request.if_match
    if if_match is not None:
        if not _is_any(if_match) and not _strong_match(if_match, etag):
            return 412
    else:
        since = _seconds(request.if_unmodified_since)
        if since is not None and last_modified > since:
            return 412
    if_none_match = request.if_none_match
    if if_none_match is not None:
        if _is_any(if_none_match) or any(tag.value == etag.value for tag in if_none_match):
            return 304 if safe else 412
    elif safe:
        since = _seconds(request.if_modified_since)
        if since is not None and last_modified <= since:
            return 304
    return None


def if_range_holds(request: BaseRequest, etag: ETag, last_modified: int) -> bool:
    """True when a ``Range`` may be honoured: no ``If-Range``, or one that still holds."""
    value = request.headers.get(hdrs.IF_RANGE)
    if value is None:
        return True
    value = value.strip(" \t")
    if value.startswith(('"', "W/")):
        tag = parse_etag(value)
        return tag is not None and _strong_match((tag,), etag)
    return _seconds(parse_http_date(value)) == last_modified
