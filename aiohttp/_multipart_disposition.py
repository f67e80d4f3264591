"""Lexical pieces of ``Content-Disposition`` (RFC 6266) and its parameter encodings
(RFC 5987 ext-values, RFC 2231 continuations), for :mod:`aiohttp.multipart`.

:func:`parse_disposition` does the parsing and lists what it had to reject;
:func:`aiohttp.multipart.parse_content_disposition` turns that list into the 3.13 warnings.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from typing import Final, NamedTuple, Optional
from urllib.parse import unquote, unquote_to_bytes

from ._header_text import is_token

_QUOTED_PAIR: Final = re.compile(r"\\(.)", re.DOTALL)
_CONTINUATION: Final = re.compile(r"[^*]+\*(0|[1-9][0-9]*)\*?")


def split_params(header: str) -> list[str]:
    """Split ``header`` at every ``;`` that is not inside a quoted-string."""
    items: list[str] = []
    start = 0
    in_quotes = False
    escaped = False
    for pos, char in enumerate(header):
        if escaped:
            escaped = False
        elif in_quotes:
            if char == "\\":
                escaped = True
            elif char == '"':
                in_quotes = False
        elif char == '"':
            in_quotes = True
        elif char == ";":
            items.append(header[start:pos])
            start = pos + 1
    items.append(header[start:])
    return items


def is_quoted(value: str) -> bool:
    """True for a value that starts and ends with a double quote."""
    return len(value) >= 2 and value[0] == value[-1] == '"'


def unquote_string(value: str) -> str:
    """The content of a quoted-string, quoted-pairs resolved."""
    return _QUOTED_PAIR.sub(r"\1", value[1:-1])


def is_continuation(key: str) -> bool:
    """True for an RFC 2231 continuation key: ``name*0``, ``name*1*`` ..."""
    return _CONTINUATION.fullmatch(key) is not None


def decode_ext_value(value: str) -> Optional[str]:
    """Decode an RFC 5987 ``charset'language'percent-encoded`` value; ``None`` if malformed
    or not decodable (an empty charset means UTF-8)."""
    charset, sep1, rest = value.partition("'")
    _language, sep2, encoded = rest.partition("'")
    if not (sep1 and sep2) or (charset and not is_token(charset)):
        return None
    if encoded and not is_token(encoded):
        return None
    try:
        codecs.lookup(charset or "utf-8")  # unquote() only consults it for %-escapes
        return unquote(encoded, encoding=charset or "utf-8", errors="strict")
    except (UnicodeDecodeError, LookupError):
        return None


def join_continuations(params: Mapping[str, str], name: str) -> Optional[str]:
    """Reassemble ``name*0``, ``name*1`` ... (RFC 2231 section 3) into one value.

    Numbering must start at 0 and be consecutive. Segments marked with a trailing ``*`` are
    percent-encoded in the charset named at the start of the first one. Returns ``None``
    when there are no segments or the bytes do not decode.
    """
    segments: list[tuple[str, bool]] = []
    while True:
        key = f"{name}*{len(segments)}"
        if key in params:
            segments.append((params[key], False))
        elif key + "*" in params:
            segments.append((params[key + "*"], True))
        else:
            break
    if not segments:
        return None
    charset = "utf-8"
    first, first_extended = segments[0]
    if first_extended:
        declared, sep1, rest = first.partition("'")
        _language, sep2, first = rest.partition("'")
        if not (sep1 and sep2):
            return None
        charset = declared or "utf-8"
        segments[0] = (first, True)
    elif not any(extended for _, extended in segments):
        return "".join(value for value, _ in segments)
    try:
        raw = b"".join(
            unquote_to_bytes(value) if extended else value.encode(charset)
            for value, extended in segments
        )
        return raw.decode(charset)
    except (UnicodeError, LookupError):
        return None


class Problem(NamedTuple):
    """Something :func:`parse_disposition` could not accept: the whole header
    (``header=True``, the value is the header) or one parameter (the value is its text)."""

    header: bool
    text: str


def parse_disposition(header: str) -> tuple[Optional[str], dict[str, str], list[Problem]]:
    """Parse a ``Content-Disposition`` value: ``(type, params, problems)``.

    The type and parameter names are lower-cased. A quoted value is unquoted and loses
    leading ``/`` and ``\\`` (a client's directory part); an ext-value (``name*``) is
    decoded; continuation segments are kept raw for :func:`join_continuations`. A bad
    parameter is skipped; a bad header gives ``(None, {})``. Either is reported in
    ``problems``.
    """
    disptype, *items = split_params(header)
    disptype = disptype.strip()
    if not is_token(disptype):
        return None, {}, [Problem(True, header)]
    problems: list[Problem] = []
    params: dict[str, str] = {}
    for item in items:
        if not item.strip():  # a stray or trailing ";"
            problems.append(Problem(True, header))
            continue
        key, sep, value = item.partition("=")
        key = key.strip().lower()
        value = value.strip()
        if not sep or key in params:
            return None, {}, [*problems, Problem(True, header)]
        if not is_token(key):
            problems.append(Problem(False, item))
            continue
        if is_continuation(key):
            if is_quoted(value):
                value = unquote_string(value)
            elif not is_token(value):
                problems.append(Problem(False, item))
                continue
        elif key.endswith("*"):
            decoded = decode_ext_value(value)
            if decoded is None:
                problems.append(Problem(False, item))
                continue
            value = decoded
        elif is_quoted(value):
            value = unquote_string(value).lstrip("\\/")
        elif not is_token(value):
            return None, {}, [*problems, Problem(True, header)]
        params[key] = value
    return disptype.lower(), params, problems
