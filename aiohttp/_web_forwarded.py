"""Parsing of the ``Forwarded`` request header (RFC 7239) for ``BaseRequest.forwarded``.

``Forwarded: for=192.0.2.60;proto=http;by=203.0.113.43, for="[2001:db8::1]"`` is a list of
elements, each a ``;``-separated list of ``name=value`` pairs whose value is a token or a
quoted-string.  Every header line is parsed in order and every element becomes one
read-only mapping (names lower-cased, quoted-strings unquoted); empty elements are
skipped.  A syntax error ends the element it occurs in: the pairs read so far are kept and
parsing resumes after the next comma, so one malformed proxy cannot hide the elements
others appended.  Nothing here is trusted: the values are what the peer sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final

_TOKEN: Final = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_QDTEXT: Final = r"[\t !\x23-\x5b\x5d-\x7e\x80-\xff]"
_QUOTED_PAIR: Final = r"\\[\t !-~\x80-\xff]"
_PAIR_RE: Final = re.compile(
    rf"[ \t]*({_TOKEN})=(?:({_TOKEN})|\"((?:{_QDTEXT}|{_QUOTED_PAIR})*)\")[ \t]*"
)
_UNESCAPE_RE: Final = re.compile(r"\\(.)")


def _parse_line(value: str, out: list[Mapping[str, str]]) -> None:
    pos = 0
    end = len(value)
    elem: dict[str, str] = {}
    while pos < end:
        match = _PAIR_RE.match(value, pos)
        if match is not None:
            name, token, quoted = match.groups()
            if token is not None:
                elem[name.lower()] = token
            else:
                elem[name.lower()] = _UNESCAPE_RE.sub(r"\1", quoted)
            pos = match.end()
        else:
            while pos < end and value[pos] in " \t":
                pos += 1
        if pos >= end:
            break
        sep = value[pos]
        if sep == ";":
            pos += 1
            continue
        if sep == ",":
            pos += 1
            _flush(elem, out)
            elem = {}
            continue
        # A syntax error: keep what this element had and resume after the next comma.
        comma = value.find(",", pos)
        if comma < 0:
            pos = end
            break
        _flush(elem, out)
        elem = {}
        pos = comma + 1
    _flush(elem, out)


def _flush(elem: dict[str, str], out: list[Mapping[str, str]]) -> None:
    # Empty list members ("a, , b") carry nothing and are skipped (RFC 9110 5.6.1).
    if elem:
        out.append(MappingProxyType(elem))


def parse_forwarded(values: Iterable[str]) -> tuple[Mapping[str, str], ...]:
    """Parse every ``Forwarded`` header line into one mapping per element."""
    out: list[Mapping[str, str]] = []
    for value in values:
        _parse_line(value, out)
    return tuple(out)
