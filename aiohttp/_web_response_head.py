"""What a response head needs besides the user's headers: reason phrases, the cached
``Date`` value, the ``Server`` value, the control-character check and ``Accept-Encoding``
negotiation.

Everything here is computed once (per process, per second for ``Date``, per distinct
``Accept-Encoding`` string for negotiation) so preparing a response costs a few lookups.
"""

from __future__ import annotations

import functools
import re
import sys
import time
from collections.abc import Iterable
from concurrent.futures import Executor
from email.utils import formatdate
from http import HTTPStatus
from typing import Final, Optional, Union

from multidict import CIMultiDict

from . import __version__, hdrs
from ._sansio._messages import HttpVersion
from .compression_utils import HAS_BROTLI, BrotliCompressor, ZLibCompressor

SERVER_SOFTWARE: Final = f"Python/{sys.version_info[0]}.{sys.version_info[1]} aiohttp/{__version__}"

#: The standard reason phrase of each status code RFC 9110 (and friends) define.
REASON_PHRASES: Final[dict[int, str]] = {s.value: s.phrase for s in HTTPStatus}

# Control characters other than HTAB (RFC 9110 section 5.5: field values and the reason
# phrase may not hold them).
_CTL_RE: Final = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")

# Codings we can produce, in the order we prefer them when the client likes them equally.
_SUPPORTED: Final[tuple[str, ...]] = (
    ("br", "gzip", "deflate") if HAS_BROTLI else ("gzip", "deflate")
)

# Status lines by (version, status, reason): the same few recur on every response.
_STATUS_LINES: dict[tuple[HttpVersion, int, str], str] = {}

_date_second = -1
_date_value = ""


def http_date() -> str:
    """The current time as an IMF-fixdate (``Sun, 06 Nov 1994 08:49:37 GMT``), recomputed
    at most once per second."""
    global _date_second, _date_value
    now = int(time.time())
    if now != _date_second:
        _date_value = formatdate(now, usegmt=True)
        _date_second = now
    return _date_value


def check_reason(reason: str) -> str:
    """Return ``reason`` or raise :class:`ValueError` if it holds a control character."""
    if _CTL_RE.search(reason) is not None:
        raise ValueError(f"Reason phrase must not contain control characters: {reason!r}")
    return reason


def check_header_values(items: Iterable[tuple[str, str]], values: str) -> None:
    """Raise :class:`ValueError` naming the header whose value holds a control character.

    ``values`` is every value joined, so the common case is one regex search in C.
    """
    if _CTL_RE.search(values) is None:
        return
    for name, value in items:
        if _CTL_RE.search(value) is not None:
            raise ValueError(
                f"Header {name!r} has a value with a control character: {value!r}"
                " (header injection?)"
            )


@functools.lru_cache(maxsize=128)
def choose_coding(accept_encoding: str) -> Optional[str]:
    """The content coding to compress with for an ``Accept-Encoding`` value, or ``None``.

    Quality values are honoured (``q=0`` refuses a coding, ``*`` stands for every coding
    not named); among codings of equal quality brotli (when installed) beats gzip, which
    beats deflate.
    """
    named: dict[str, float] = {}
    star: Optional[float] = None
    for item in accept_encoding.lower().split(","):
        coding, _, params = item.partition(";")
        coding = coding.strip(" \t")
        if not coding:
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip(" \t") == "q":
                try:
                    quality = float(value.strip(" \t"))
                except ValueError:
                    quality = 0.0
        if coding == "*":
            star = quality
        else:
            named[coding] = quality
    best: Optional[str] = None
    best_q = 0.0
    for coding in _SUPPORTED:
        quality = named.get(coding, star if star is not None else 0.0)
        if quality > best_q:
            best, best_q = coding, quality
    return best


def add_vary(headers: CIMultiDict[str], token: str) -> None:
    """Add ``token`` to the ``Vary`` header unless it (or ``*``) is already there."""
    current = headers.get(hdrs.VARY)
    if current is None:
        headers[hdrs.VARY] = token
    elif current.strip() != "*" and token.lower() not in current.lower():
        headers[hdrs.VARY] = f"{current}, {token}"


def new_compressor(
    coding: str,
    strategy: Optional[int],
    executor: Optional[Executor],
    max_sync_chunk_size: Optional[int],
) -> Union[ZLibCompressor, BrotliCompressor]:
    """A compressor for content coding ``coding`` (``br``, ``gzip`` or ``deflate``)."""
    if coding == "br":
        return BrotliCompressor(executor=executor, max_sync_chunk_size=max_sync_chunk_size)
    return ZLibCompressor(
        encoding=coding,
        strategy=strategy,
        executor=executor,
        max_sync_chunk_size=max_sync_chunk_size,
    )


def status_line(version: HttpVersion, status: int, reason: str) -> str:
    """``HTTP/1.1 200 OK``; cached, as the same few lines recur on every response."""
    key = (version, status, reason)
    line = _STATUS_LINES.get(key)
    if line is None:
        line = f"HTTP/{version.major}.{version.minor} {status} {reason}"
        if len(_STATUS_LINES) > 256:
            _STATUS_LINES.clear()
        _STATUS_LINES[key] = line
    return line
