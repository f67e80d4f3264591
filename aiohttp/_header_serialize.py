"""Serialization of an HTTP/1.1 message head and of a chunked trailer section to bytes.

This module owns the check that keeps caller-supplied text from changing a message's framing:
a CR, LF or NUL in the start line, a header name or a header value, or a name that is not an
RFC 9110 token, is refused with a :class:`ValueError` that names the field, before any byte is
produced. The check runs once per head over the joined text (``str.count``, in C), and names are
looked up in a set of names already proven to be tokens (a regex runs only for a new name);
only when a check fails does a per-field loop run, to say which field is at fault.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final, NoReturn

# RFC 9110 section 5.6.2: token = 1*tchar.
_TCHAR: Final = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]"
_TOKEN: Final = re.compile(rf"{_TCHAR}+")
_FORBIDDEN_CHAR: Final = re.compile(r"[\r\n\x00]")

# RFC 9110 section 6.5.1: fields a sender must not put in a trailer section, because
# they frame, route or describe how to process the content.
_FORBIDDEN_TRAILERS: Final = frozenset(
    {
        "authorization",
        "content-encoding",
        "content-length",
        "content-range",
        "content-type",
        "host",
        "proxy-authorization",
        "set-cookie",
        "trailer",
        "transfer-encoding",
    }
)


def serialize_trailers(trailers: Mapping[str, str]) -> bytes:
    """Return the last chunk of a chunked body: ``0 CRLF`` then ``trailers`` then CRLF.

    Checked like :func:`serialize_head`; fields that RFC 9110 forbids in trailers
    (framing, routing, content type and coding, credentials) raise :class:`ValueError`.
    """
    for name in trailers:
        if str(name).lower() in _FORBIDDEN_TRAILERS:
            raise ValueError(f"{name!r} is not allowed in a trailer section (RFC 9110 6.5.1)")
    return serialize_head("0", trailers, "Trailer")


# Names already proven to be tokens: the same few names recur on every message, so a C-level
# ``issuperset`` replaces the regex for them. Bounded; cleared when full.
_KNOWN_NAMES: Final[set[str]] = set()
_KNOWN_NAMES_MAX: Final = 1024


def serialize_head(start_line: str, headers: Mapping[str, str], kind: str = "Header") -> bytes:
    """Return ``start_line CRLF (name ": " value CRLF)* CRLF`` encoded as UTF-8.

    Raises :class:`ValueError` naming the culprit for a CR, LF or NUL anywhere, or a
    header name that is not an RFC 9110 token; :class:`TypeError` for a non-``str`` name
    or value. ``kind`` is the word error messages use for a field (``"Header"``).
    """
    count = len(headers)
    if count:
        try:
            fields = "\r\n".join(map(": ".join, headers.items()))
        except TypeError:
            _raise_for_type(list(headers.items()), kind)
        text = f"{start_line}\r\n{fields}\r\n\r\n"
        if not _KNOWN_NAMES.issuperset(headers):  # iterating a mapping yields its names
            _learn_names(start_line, headers, kind)
    else:
        text = f"{start_line}\r\n\r\n"
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        _check_values(text, start_line, headers, kind)  # an injection is named first
        raise
    # Names are tokens now, so our own separators are the only CR and LF allowed: one pair
    # per line, and no NUL. (UTF-8 encodes other characters without these bytes.) One
    # deleting pass counts all three.
    if len(data) - len(data.translate(None, b"\r\n\x00")) != 2 * (count + 2):
        _raise_for_value(start_line, list(headers.items()), kind)
    return data


def _check_values(text: str, start_line: str, headers: Mapping[str, str], kind: str) -> None:
    lines = len(headers) + 2
    if text.count("\n") != lines or text.count("\r") != lines or "\x00" in text:
        _raise_for_value(start_line, list(headers.items()), kind)


def _learn_names(start_line: str, headers: Mapping[str, str], kind: str) -> None:
    """Check the names the cache does not know; remember the good ones, raise for a bad one."""
    names = [name for name in headers if name not in _KNOWN_NAMES]
    if any(_TOKEN.fullmatch(name) is None for name in names):
        _raise_for_value(start_line, list(headers.items()), kind)
    if len(_KNOWN_NAMES) + len(names) > _KNOWN_NAMES_MAX:
        _KNOWN_NAMES.clear()
    _KNOWN_NAMES.update(names)


def _show(text: str) -> str:
    return repr(text if len(text) <= 80 else text[:77] + "...")


def _raise_for_type(items: Iterable[tuple[object, object]], kind: str) -> NoReturn:
    for name, value in items:
        if not isinstance(name, str):
            raise TypeError(f"{kind} name must be str, got {type(name).__name__}: {name!r}")
        if not isinstance(value, str):
            raise TypeError(
                f"{kind} value of {name!r} must be str, got {type(value).__name__}: {value!r}"
            )
    raise AssertionError("unreachable: join failed without a non-str item")  # pragma: no cover


def _raise_for_value(start_line: str, items: Iterable[tuple[str, str]], kind: str) -> NoReturn:
    found = _FORBIDDEN_CHAR.search(start_line)
    if found is not None:
        raise ValueError(
            f"Start line {_show(start_line)} contains a forbidden character {found.group()!r}:"
            " CR, LF and NUL are not allowed"
        )
    for name, value in items:
        if _TOKEN.fullmatch(name) is None:
            raise ValueError(f"Invalid {kind.lower()} name {_show(name)}: not an RFC 9110 token")
        found = _FORBIDDEN_CHAR.search(value)
        if found is not None:
            raise ValueError(
                f"{kind} value of {name!r} contains a forbidden character {found.group()!r}:"
                " CR, LF and NUL are not allowed (header injection?)"
            )
    raise AssertionError("unreachable: check failed without a culprit")  # pragma: no cover
