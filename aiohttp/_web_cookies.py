"""Cookies on the server side: reading ``Cookie`` request headers and building the
``Set-Cookie`` morsels of :meth:`StreamResponse.set_cookie <aiohttp.web.StreamResponse.set_cookie>`.

:func:`parse_cookie_header` is tolerant, as a server must be with what browsers send: pairs
without ``=`` are skipped, a double-quoted value is unquoted, and the first of two cookies
with one name wins (RFC 6265 section 5.4 sends the more specific one first).
:func:`make_morsel` is strict about what we send: the name must be an RFC 6265 token, the
value is quoted by :mod:`http.cookies` when it needs to be, and an attribute value holding a
control character or ``;`` is refused with :class:`ValueError` (it would otherwise add
attributes, or headers, of the caller's choosing).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from http.cookies import SimpleCookie
from typing import Final, Optional, Union

from ._cookie_parse import CookieMorsel

_ATTR_BAD_RE: Final = re.compile(r"[\x00-\x1f\x7f;]")
_OCTAL_RE: Final = re.compile(r"\\([0-3][0-7][0-7]|.)")
_ENCODER: Final = SimpleCookie()

#: The ``Expires`` value that tells a user agent to drop a cookie at once.
EXPIRED: Final = "Thu, 01 Jan 1970 00:00:00 GMT"


def _unescape(match: re.Match[str]) -> str:
    text = match.group(1)
    return chr(int(text, 8)) if len(text) == 3 else text


def parse_cookie_header(values: Iterable[str]) -> dict[str, str]:
    """Return the cookies of one or more ``Cookie`` header values, by name."""
    cookies: dict[str, str] = {}
    for header in values:
        for item in header.split(";"):
            name, eq, value = item.partition("=")
            name = name.strip(" \t")
            if not eq or not name or name in cookies:
                continue
            value = value.strip(" \t")
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = _OCTAL_RE.sub(_unescape, value[1:-1])
            cookies[name] = value
    return cookies


def _checked(what: str, value: str) -> str:
    if _ATTR_BAD_RE.search(value) is not None:
        raise ValueError(f"Cookie {what} must not contain control characters or ';': {value!r}")
    return value


def make_morsel(
    name: str,
    value: str,
    *,
    expires: Optional[str],
    domain: Optional[str],
    max_age: Union[int, str, None],
    path: str,
    secure: Optional[bool],
    httponly: Optional[bool],
    version: Optional[str],
    samesite: Optional[str],
    partitioned: Optional[bool],
) -> CookieMorsel:
    """Build the morsel for one ``Set-Cookie`` header (see the module docstring).

    :raises http.cookies.CookieError: ``name`` is not a legal cookie name.
    :raises ValueError: an attribute holds a control character or ``;``.
    """
    real, coded = _ENCODER.value_encode(value)
    morsel = CookieMorsel()
    morsel.set(name, real, coded)
    if expires is not None:
        morsel["expires"] = _checked("expires", expires)
    if domain is not None:
        morsel["domain"] = _checked("domain", domain)
    if max_age is not None:
        morsel["max-age"] = _checked("max-age", str(max_age))
    morsel["path"] = _checked("path", path)
    if secure is not None:
        morsel["secure"] = secure
    if httponly is not None:
        morsel["httponly"] = httponly
    if version is not None:
        morsel["version"] = _checked("version", version)
    if samesite is not None:
        morsel["samesite"] = _checked("samesite", samesite)
    if partitioned is not None:
        morsel["partitioned"] = partitioned
    return morsel
