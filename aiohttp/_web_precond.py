"""Parsers for the conditional and range request headers (RFC 9110 sections 13 and 14).

They back the ``if_match`` / ``if_none_match`` (entity-tag lists), ``if_modified_since`` /
``if_unmodified_since`` / ``if_range`` (HTTP dates) and ``http_range`` properties of
:class:`~aiohttp.web.BaseRequest`, and the ``etag`` property of responses.
"""

from __future__ import annotations

import re
from typing import Final, Optional

from .helpers import ETag

#: The ``*`` that matches any entity tag in ``If-Match`` / ``If-None-Match``.
ETAG_ANY: Final = "*"

_ETAGC: Final = r"[\x21\x23-\x7e\x80-\xff]"
QUOTED_ETAG_RE: Final = re.compile(rf'(W/)?"({_ETAGC}*)"')
_ETAG_LIST_RE: Final = re.compile(rf'[ \t]*(W/)?"({_ETAGC}*)"[ \t]*(?:,|$)')
_RANGE_RE: Final = re.compile(r"bytes=([0-9]*)-([0-9]*)")


def parse_etag_list(header: Optional[str]) -> Optional[tuple[ETag, ...]]:
    """The entity tags of an ``If-Match``-style header; ``None`` when it is absent.

    ``*`` gives a single ``ETag(value="*")``.  Parsing stops at the first malformed member,
    keeping the tags before it.
    """
    if header is None:
        return None
    if header.strip(" \t") == ETAG_ANY:
        return (ETag(value=ETAG_ANY),)
    tags: list[ETag] = []
    pos = 0
    end = len(header)
    while pos < end:
        match = _ETAG_LIST_RE.match(header, pos)
        if match is None:
            break
        tags.append(ETag(value=match.group(2), is_weak=match.group(1) is not None))
        pos = match.end()
    return tuple(tags)


def parse_etag(header: Optional[str]) -> Optional[ETag]:
    """A single entity tag (an ``ETag`` response header); ``None`` when absent or invalid."""
    if header is None:
        return None
    if header == ETAG_ANY:
        return ETag(value=ETAG_ANY)
    match = QUOTED_ETAG_RE.fullmatch(header)
    if match is None:
        return None
    return ETag(value=match.group(2), is_weak=match.group(1) is not None)


def parse_range(header: Optional[str]) -> slice[Optional[int], Optional[int], int]:
    """The byte range of a ``Range`` header as a slice of the representation.

    ``bytes=10-19`` is ``slice(10, 20, 1)``, ``bytes=10-`` is ``slice(10, None, 1)``,
    ``bytes=-5`` (the last five bytes) is ``slice(-5, None, 1)`` and no header is
    ``slice(None, None, 1)``.

    :raises ValueError: the header is not one ``bytes`` range (several ranges are not
        supported), the start is after the end, or neither is given.
    """
    if header is None:
        return slice(None, None, 1)
    match = _RANGE_RE.fullmatch(header.strip(" \t"))
    if match is None:
        raise ValueError("range not in acceptable format")
    first, last = match.groups()
    if not first and not last:
        raise ValueError("No start or end of range specified")
    if not first:
        suffix = int(last)
        if suffix == 0:
            raise ValueError("A suffix range of zero bytes selects nothing")
        return slice(-suffix, None, 1)
    start = int(first)
    if not last:
        return slice(start, None, 1)
    stop = int(last) + 1
    if start >= stop:
        raise ValueError("start cannot be after end")
    return slice(start, stop, 1)
