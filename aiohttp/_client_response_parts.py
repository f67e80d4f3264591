"""What :class:`aiohttp.ClientResponse` reads out of response headers, as plain functions.

The ``Link`` header (RFC 8288) as the 3.13 ``links`` mapping, the ``Set-Cookie`` headers as a
:class:`~http.cookies.SimpleCookie` (parsed the tolerant RFC 6265 way, so one odd cookie does not
hide the others), the body charset named by ``Content-Type``, and the check that a response
declared JSON before :meth:`~aiohttp.ClientResponse.json` decodes it. Peer input never raises
here: what cannot be understood is left out.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from http.cookies import SimpleCookie
from typing import Final, Optional, Union

from multidict import MultiDict, MultiDictProxy
from yarl import URL

from ._cookie_parse import CookieMorsel, parse_set_cookie
from .helpers import parse_mimetype

LinkParams = MultiDictProxy[Union[str, URL]]

# ``application/json`` and the structured-syntax ``+json`` types (RFC 6839).
_JSON_TYPE: Final = re.compile(r"^application/(?:[\w.+-]+?\+)?json")
_WSP: Final = " \t"


def _scan_params(text: str, pos: int) -> tuple[list[tuple[str, str]], int]:
    """Parse ``; name=value`` parameters from ``pos`` up to the ``,`` ending the link-value;
    return them and the position after that comma."""
    params: list[tuple[str, str]] = []
    n = len(text)
    while pos < n:
        char = text[pos]
        if char == ",":
            return params, pos + 1
        if char != ";":
            pos += 1
            continue
        pos += 1
        end = pos
        while end < n and text[end] not in "=;,":
            end += 1
        name = text[pos:end].strip(_WSP).lower()
        pos = end
        if pos >= n or text[pos] != "=":
            continue  # a parameter without a value is dropped
        pos += 1
        while pos < n and text[pos] in _WSP:
            pos += 1
        if pos < n and text[pos] == '"':
            chars: list[str] = []
            pos += 1
            while pos < n and text[pos] != '"':
                if text[pos] == "\\" and pos + 1 < n:
                    pos += 1
                chars.append(text[pos])
                pos += 1
            value = "".join(chars)
            pos += 1
        else:
            end = pos
            while end < n and text[end] not in ";,":
                end += 1
            value = text[pos:end].strip(_WSP)
            pos = end
        if name:
            params.append((name, value))
    return params, pos


def parse_links(values: Iterable[str], base: URL) -> MultiDictProxy[LinkParams]:
    """The ``Link`` header values as a multidict keyed by each link's ``rel`` (its URI when
    it has none); each link maps its parameters to their values, and ``"url"`` to its URI
    resolved against ``base``."""
    text = ", ".join(values)
    links: MultiDict[LinkParams] = MultiDict()
    pos, n = 0, len(text)
    while pos < n:
        start = text.find("<", pos)
        if start < 0:
            break
        end = text.find(">", start + 1)
        if end < 0:
            break
        target = text[start + 1 : end].strip(_WSP)
        params, pos = _scan_params(text, end + 1)
        link: MultiDict[Union[str, URL]] = MultiDict(params)
        key = link.get("rel", target)
        try:
            link.add("url", base.join(URL(target)))
        except ValueError:
            continue  # not a URI reference
        links.add(str(key), MultiDictProxy(link))
    return MultiDictProxy(links)


def parse_cookies(values: Iterable[str]) -> SimpleCookie:
    """The ``Set-Cookie`` values as a :class:`SimpleCookie` (a later cookie of the same name
    wins); a value the RFC 6265 algorithm ignores is skipped."""
    cookies = SimpleCookie()
    for value in values:
        parsed = parse_set_cookie(value)
        if parsed is None:
            continue
        morsel = CookieMorsel()
        morsel.set_raw(parsed.name, parsed.value, parsed.coded_value)
        if parsed.domain is not None:
            morsel["domain"] = parsed.domain
        if parsed.path is not None:
            morsel["path"] = parsed.path
        if parsed.raw_expires:
            morsel["expires"] = parsed.raw_expires
        if parsed.raw_max_age:
            morsel["max-age"] = parsed.raw_max_age
        if parsed.samesite:
            morsel["samesite"] = parsed.samesite
        for flag in ("secure", "httponly", "partitioned"):
            if getattr(parsed, flag):
                morsel[flag] = True
        dict.__setitem__(cookies, parsed.name, morsel)
    return cookies


def declared_charset(content_type: str) -> Optional[str]:
    """The codec named by the ``charset`` of a ``Content-Type`` value (its canonical Python
    name), ``utf-8`` for JSON types that default to it, or ``None``."""
    mime = parse_mimetype(content_type)
    charset = mime.parameters.get("charset")
    if charset:
        try:
            return codecs.lookup(charset).name
        except (LookupError, ValueError):
            pass
    if mime.type == "application" and (mime.subtype in ("json", "rdap") or mime.suffix == "json"):
        return "utf-8"  # RFC 8259 section 8.1, RFC 9083
    return None


def is_expected_content_type(actual: str, expected: str) -> bool:
    """Whether a response of media type ``actual`` may be decoded as ``expected``:
    ``application/json`` also admits ``+json`` types; others must appear in ``actual``."""
    if expected == "application/json":
        return _JSON_TYPE.match(actual) is not None
    return expected in actual
