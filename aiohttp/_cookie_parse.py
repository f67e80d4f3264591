"""Cookie syntax: the tolerant ``Set-Cookie`` parser and the cookie-date parser.

This module turns text into :class:`ParsedCookie` records and knows nothing about storage.
``parse_set_cookie`` follows the user-agent algorithm of RFC 6265 section 5.2 (split on the
first ``;``, name before the first ``=``, unknown attributes ignored, last attribute wins), so
it accepts values that :class:`http.cookies.SimpleCookie` refuses (``{}`` or ``/`` in names,
unbalanced quotes, commas, spaces) and never raises. Two rules come from RFC 6265bis: a
cookie whose name or value holds a control character (other than HTAB) is dropped, because
it would be echoed into a ``Cookie`` header, and the size limits below. ``parse_cookie_date``
is the section 5.1.1 date algorithm. :class:`CookieMorsel` is a :class:`~http.cookies.Morsel`
that also knows the ``Partitioned`` flag on Python versions whose ``Morsel`` does not.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from http.cookies import Morsel, SimpleCookie
from typing import ClassVar, Final

# RFC 6265bis 5.6: name + value over 4096 octets drops the cookie, an attribute value over
# 1024 octets drops that attribute. Applied to cookies a peer sends.
MAX_NAME_VALUE_SIZE: Final = 4096
MAX_ATTRIBUTE_VALUE_SIZE: Final = 1024

# Every control character except HTAB (RFC 6265bis 5.6 step 3).
_CTL_RE: Final = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_WSP: Final = " \t"
_MAX_AGE_RE: Final = re.compile(r"-?[0-9]+")

# RFC 6265 5.1.1. A date-token is a run of non-delimiters; each production is matched at
# the start of a token and must not be followed by another digit.
DATE_TOKENS_RE: Final = re.compile(r"[^\x09\x20-\x2f\x3b-\x40\x5b-\x60\x7b-\x7e]+")
DATE_HMS_TIME_RE: Final = re.compile(r"([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?![0-9])")
DATE_DAY_OF_MONTH_RE: Final = re.compile(r"([0-9]{1,2})(?![0-9])")
DATE_MONTH_RE: Final = re.compile(r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", re.I)
DATE_YEAR_RE: Final = re.compile(r"([0-9]{2,4})(?![0-9])")
_MONTHS: Final = (
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
)

# 9999-12-31T23:59:59Z: the latest instant a cookie can expire at.
MAX_TIME: Final = 253402300799


class CookieMorsel(Morsel[str]):
    """A ``Morsel`` whose attribute table includes ``Partitioned`` (a flag, CHIPS).

    Python 3.14 added the attribute to ``Morsel``; older versions reject it. The table is a
    class attribute the stdlib methods read through ``self``, so overriding it here teaches
    ``__setitem__`` and ``OutputString`` the new flag without touching the stdlib class.
    """

    _reserved: ClassVar[dict[str, str]] = {
        "expires": "expires",
        "path": "Path",
        "comment": "Comment",
        "domain": "Domain",
        "max-age": "Max-Age",
        "secure": "Secure",
        "httponly": "HttpOnly",
        "version": "Version",
        "samesite": "SameSite",
        "partitioned": "Partitioned",
    }
    _flags: ClassVar[set[str]] = {"secure", "httponly", "partitioned"}

    _key: str | None
    _value: str | None
    _coded_value: str | None

    def set_raw(self, key: str, value: str, coded_value: str) -> None:
        """Set name and values without ``Morsel.set``'s legal-name check.

        Servers use names ``set`` refuses (``a{b}``); the callers have checked instead that
        nothing in them can break a ``Cookie`` header.
        """
        self._key = key
        self._value = value
        self._coded_value = coded_value


@dataclass(slots=True)
class ParsedCookie:
    """One cookie as received, before the storage model (RFC 6265 5.3) judges it.

    ``domain`` is the Domain attribute lowercased without its leading dot (None if absent),
    ``path`` the Path attribute (None if absent or invalid, meaning the default path),
    ``max_age`` the delta seconds, ``expires`` a POSIX timestamp; ``raw_*`` keep the
    attribute text for the stored morsel.
    """

    name: str
    value: str
    coded_value: str
    domain: str | None = None
    path: str | None = None
    max_age: int | None = None
    expires: float | None = None
    raw_max_age: str = ""
    raw_expires: str = ""
    secure: bool = False
    httponly: bool = False
    samesite: str = ""
    partitioned: bool = False


def has_control_char(text: str) -> bool:
    """Whether ``text`` holds a control character other than HTAB."""
    return _CTL_RE.search(text) is not None


def check_cookie_text(name: str, value: str, coded_value: str) -> str | None:
    """Return why a cookie cannot be sent in a ``Cookie`` header, or None if it can."""
    if not name:
        return "empty cookie name"
    if _CTL_RE.search(name) or any(c in name for c in "=; \t"):
        return f"illegal cookie name {name!r}"
    if _CTL_RE.search(value) or _CTL_RE.search(coded_value):
        return f"control character in the value of cookie {name!r}"
    return None


def parse_cookie_date(text: str) -> float | None:
    """Parse a cookie date (RFC 6265 5.1.1) into a POSIX timestamp; None if it is invalid."""
    time: tuple[int, int, int] | None = None
    day = month = year = None
    for token in DATE_TOKENS_RE.findall(text):
        if time is None and (m := DATE_HMS_TIME_RE.match(token)):
            time = (int(m[1]), int(m[2]), int(m[3]))
        elif day is None and (m := DATE_DAY_OF_MONTH_RE.match(token)):
            day = int(m[1])
        elif month is None and (m := DATE_MONTH_RE.match(token)):
            month = _MONTHS.index(m[1].lower()) + 1
        elif year is None and (m := DATE_YEAR_RE.match(token)):
            year = int(m[1])
    if time is None or day is None or month is None or year is None:
        return None
    if 70 <= year <= 99:
        year += 1900
    elif 0 <= year <= 69:
        year += 2000
    hour, minute, second = time
    if year < 1601 or hour > 23 or minute > 59 or second > 59:
        return None
    try:
        datetime.date(year, month, day)
    except ValueError:  # day 0, 31 April, 29 February of a common year ...
        return None
    return float(calendar.timegm((year, month, day, hour, minute, second)))


def _parse_max_age(text: str) -> int | None:
    # RFC 6265 5.2.2: an optional "-" and digits; anything else leaves the attribute out.
    return int(text) if _MAX_AGE_RE.fullmatch(text) else None


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def parse_set_cookie(header: str) -> ParsedCookie | None:
    """Parse one ``Set-Cookie`` field value; None means the user agent ignores it."""
    pair, _, attributes = header.partition(";")
    name, eq, raw_value = pair.partition("=")
    if not eq:
        return None
    name = name.strip(_WSP)
    raw_value = raw_value.strip(_WSP)
    value = _unquote(raw_value)
    if len(name) + len(raw_value) > MAX_NAME_VALUE_SIZE:
        return None
    if check_cookie_text(name, value, raw_value) is not None:
        return None
    cookie = ParsedCookie(name, value, raw_value)
    for av in attributes.split(";"):
        key, _, av_value = av.partition("=")
        key = key.strip(_WSP).lower()
        av_value = av_value.strip(_WSP)
        if len(av_value) > MAX_ATTRIBUTE_VALUE_SIZE:
            continue
        if key == "expires":
            if (when := parse_cookie_date(av_value)) is not None:
                cookie.expires, cookie.raw_expires = when, av_value
        elif key == "max-age":
            if (delta := _parse_max_age(av_value)) is not None:
                cookie.max_age, cookie.raw_max_age = delta, av_value
        elif key == "domain":
            # An empty Domain is undefined behaviour; RFC 6265 says to ignore the attribute.
            if domain := av_value.lstrip(".").lower():
                cookie.domain = domain
        elif key == "path":
            cookie.path = av_value if av_value.startswith("/") else None
        elif key == "secure":
            cookie.secure = True
        elif key == "httponly":
            cookie.httponly = True
        elif key == "partitioned":
            cookie.partitioned = True
        elif key == "samesite":
            cookie.samesite = av_value
    return cookie


def cookie_from_value(name: str, value: str) -> ParsedCookie:
    """A cookie from a plain string value, quoted the way ``SimpleCookie`` quotes it."""
    plain, coded = SimpleCookie().value_encode(value)
    return ParsedCookie(name, plain, coded)


def cookie_from_morsel(name: str, morsel: Morsel[str], now: float) -> ParsedCookie:
    """A cookie from a caller's ``Morsel``; its attributes are read like Set-Cookie ones.

    ``Morsel`` allows an ``int`` Expires meaning "seconds from now", resolved against ``now``.
    """
    value = morsel.value if morsel.value is not None else ""
    coded = morsel.coded_value if morsel.coded_value is not None else value
    cookie = ParsedCookie(name, value, coded)
    if domain := str(morsel.get("domain") or "").lstrip(".").lower():
        cookie.domain = domain
    if (path := str(morsel.get("path") or "")).startswith("/"):
        cookie.path = path
    max_age: object = morsel.get("max-age")
    if isinstance(max_age, int) and not isinstance(max_age, bool):
        cookie.max_age, cookie.raw_max_age = max_age, str(max_age)
    elif isinstance(max_age, str) and (delta := _parse_max_age(max_age.strip())) is not None:
        cookie.max_age, cookie.raw_max_age = delta, max_age
    expires: object = morsel.get("expires")
    if isinstance(expires, int) and not isinstance(expires, bool):
        cookie.expires, cookie.raw_expires = float(now + expires), str(expires)
    elif isinstance(expires, str) and (when := parse_cookie_date(expires)) is not None:
        cookie.expires, cookie.raw_expires = when, expires
    cookie.secure = bool(morsel.get("secure"))
    cookie.httponly = bool(morsel.get("httponly"))
    cookie.partitioned = bool(morsel.get("partitioned"))
    cookie.samesite = str(morsel.get("samesite") or "")
    return cookie
