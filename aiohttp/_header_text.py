"""Character classes of RFC 9110 and the checks that keep caller-given text from breaking a
header line.

Anything a caller hands us that ends up inside a header we send (a content type, a file name,
a credential, a header name or value) passes through :func:`refuse_line_breaks` or
:func:`check_header_name` first, so a CR, LF or NUL becomes a :class:`ValueError` at the call
that introduced it instead of a second header on the wire.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final
from urllib.parse import quote

# RFC 9110 section 5.6.2: tchar.
TOKEN_CHARS: Final[frozenset[str]] = frozenset(
    "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)
# RFC 5322 qtext plus the characters a quoted-pair may escape: printable ASCII and HTAB.
QUOTABLE_CHARS: Final[frozenset[str]] = frozenset(map(chr, range(0x20, 0x7F))) | {"\t"}

_LINE_BREAKING: Final = re.compile(r"[\r\n\x00]")
_NEEDS_BACKSLASH: Final = re.compile(r'(["\\])')


def is_token(text: str) -> bool:
    """True when ``text`` is a non-empty RFC 9110 token."""
    return bool(text) and TOKEN_CHARS.issuperset(text)


def refuse_line_breaks(text: str, what: str) -> str:
    """Return ``text`` unchanged, or raise :class:`ValueError` naming ``what`` if it holds
    CR, LF or NUL (each could end a header line early)."""
    if _LINE_BREAKING.search(text) is not None:
        raise ValueError(f"{what} must not contain CR, LF or NUL characters: {text!r}")
    return text


def check_header_name(name: str) -> str:
    """Return ``name`` if it is a valid header field name (a token), else raise ValueError."""
    if not is_token(name):
        raise ValueError(f"invalid header name {name!r}")
    return name


def check_header_fields(fields: Iterable[tuple[str, str]]) -> None:
    """Validate every name (a token) and value (no CR/LF/NUL) of a header block."""
    for name, value in fields:
        check_header_name(name)
        refuse_line_breaks(value, f"value of header {name!r}")


def quote_pairs(text: str) -> str:
    """Backslash-escape the two characters a quoted-string cannot hold bare (``"`` and ``\\``).

    The caller adds the surrounding double quotes.
    """
    return _NEEDS_BACKSLASH.sub(r"\\\1", text)


def rfc5987_value(text: str, charset: str) -> str:
    """Encode ``text`` as an RFC 5987 ext-value: ``charset''percent-encoded``."""
    return f"{charset}''{quote(text, safe='', encoding=charset)}"
