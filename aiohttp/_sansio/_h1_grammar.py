"""The RFC 9112 line grammar: compiled patterns and the per-line validators.

Every check here is *prefix-consistent*: the error a line raises depends only on the
bytes up to its first offending byte (or on its length passing a limit), never on what
follows.  That is what makes a parse independent of how the input was split: a head
that arrives in pieces is checked line by line as the lines complete (and the unfinished
last line as far as it goes) and raises exactly what the whole head, checked at once,
would raise.  The fast paths in :mod:`._h1_head` use the ``*_FULL`` patterns to accept
well-formed input in bulk and fall back to these validators to name the first error.
"""

from __future__ import annotations

import re
from typing import Final

from ..http_exceptions import (
    BadHttpMessage,
    BadHttpMethod,
    BadStatusLine,
    InvalidHeader,
    LineTooLong,
    TransferEncodingError,
)

# tchar (RFC 9110 5.6.2), VCHAR / obs-text, field-value bytes.
_T: Final = rb"!#$%&'*+\-.^_`|~0-9A-Za-z"
_VO: Final = rb"\x21-\x7e\x80-\xff"


def _prefix_chain(atoms: list[bytes]) -> bytes:
    """A pattern matching any prefix of the concatenation of ``atoms`` (each atomic)."""
    out = b""
    for atom in reversed(atoms):
        out = atom + (b"(?:" + out + b")?" if out else b"")
    return out


_HTTP1 = [b"H", b"T", b"T", b"P", b"/", b"1", rb"\."]

REQUEST_LINE_FULL: Final = re.compile(rb"([" + _T + rb"]+) ([\x21-\x7e]+) HTTP/1\.([0-9])")
_REQUEST_LINE_PREFIX: Final = re.compile(
    rb"(?P<m>[" + _T + rb"]*)(?P<s1> (?P<t>[\x21-\x7e]+)?"
    rb"(?P<s2> (?:" + _prefix_chain([*_HTTP1, b"[0-9]"]) + rb")?)?)?"
)

STATUS_LINE_FULL: Final = re.compile(
    rb"HTTP/1\.([0-9]) ([1-9][0-9][0-9])(?: ([\t\x20-\x7e\x80-\xff]*))?"
)
_STATUS_LINE_PREFIX: Final = re.compile(
    _prefix_chain(
        [*_HTTP1, b"[0-9]", b" ", b"[1-9]", b"[0-9]", b"[0-9]", rb" [\t\x20-\x7e\x80-\xff]*"]
    )
)

# One match per well-formed field line, anchored at line starts; the value keeps any
# trailing OWS (callers strip it when a block has some).  A block is valid iff the match
# count equals its LF count.
FIELD_LINES: Final = re.compile(rb"(?m)^([" + _T + rb"]+):[ \t]*([\t\x20-\x7e\x80-\xff]*)\r\n")
# The same, for lines without trailing OWS only (the value ends in a visible byte or is
# empty), so the common block needs no strip pass.  The possessive OWS keeps the
# backtracking linear on a line that does end in OWS (it does not match; the caller
# falls back to FIELD_LINES).
FIELD_LINES_TRIMMED: Final = re.compile(
    rb"(?m)^([" + _T + rb"]+):[ \t]*+((?:[\t\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?)\r\n"
)
# One field line without its CRLF, value trimmed of OWS on both sides (what FIELD_LINES
# plus the strip give for that line).
FIELD_LINE: Final = re.compile(
    rb"([" + _T + rb"]+):[ \t]*+((?:[\t\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?)[ \t]*"
)
_FIELD_PREFIX: Final = re.compile(rb"(?P<n>[" + _T + rb"]*)(?P<c>:[\t\x20-\x7e\x80-\xff]*)?")

# chunk = chunk-size [ chunk-ext ] CRLF ; ext = *( ";" name [ "=" ( token / quoted-string ) ] )
CHUNK_LINE: Final = re.compile(
    rb"([0-9A-Fa-f]+)(?:;["
    + _T
    + rb"]+(?:=(?:["
    + _T
    + rb"]*|\"(?:[\t\x20\x21\x23-\x5b\x5d-\x7e\x80-\xff]"
    rb"|\\[\t\x20-\x7e\x80-\xff])*\"))?)*"
)
MAX_CHUNK_SIZE_DIGITS: Final = 16

# Bytes that may never appear in a head (CR and LF only as the CRLF line ends).
CTL_EXCEPT_HTAB: Final = bytes(range(0x09)) + bytes(range(0x0A, 0x20)) + b"\x7f"


def show(line: bytes | bytearray, upto: int | None = None) -> str:
    """A printable, bounded rendering of (a prefix of) a wire line for error messages."""
    part = bytes(line[:upto] if upto is not None else line)[:128]
    return part.decode("ascii", "backslashreplace")


def check_request_line(line: bytes, complete: bool, limit: int) -> None:
    """Raise the error (a prefix of) a request line deserves; ``complete`` if CRLF seen."""
    seg = line[: limit + 1]
    m = _REQUEST_LINE_PREFIX.match(seg)
    assert m is not None  # every group is optional
    end = m.end()
    if not m.group("m") and seg:
        raise BadHttpMethod(show(seg, 1))
    if m.group("s2") is not None and m.group("t") is None:
        raise BadStatusLine(show(seg, end), "Empty request target in request line")
    if end < len(seg):
        if m.group("s1") is None:
            raise BadHttpMethod(show(seg, end + 1))
        raise BadStatusLine(show(seg, end + 1), f"Invalid request line {show(seg, end + 1)!r}")
    if len(line) > limit:
        raise LineTooLong("request line", limit, len(line))
    if complete and REQUEST_LINE_FULL.fullmatch(line) is None:
        raise BadStatusLine(show(line), f"Invalid request line {show(line)!r}")


def check_status_line(line: bytes, complete: bool, limit: int, lax: bool) -> None:
    """Raise the error (a prefix of) a status line deserves; ``complete`` if CRLF seen."""
    seg = line[: limit + 1]
    m = _STATUS_LINE_PREFIX.match(seg)
    end = m.end() if m is not None else 0
    if end < len(seg):
        raise BadStatusLine(show(seg, end + 1), f"Invalid status line {show(seg, end + 1)!r}")
    if len(line) > limit:
        raise LineTooLong("status line", limit, len(line))
    if complete:
        full = STATUS_LINE_FULL.fullmatch(line)
        if full is None or (full.group(3) is None and not lax):
            raise BadStatusLine(show(line), f"Invalid status line {show(line)!r}")


def check_field_line(line: bytes, complete: bool, limit: int, what: str = "header") -> None:
    """Raise the error (a prefix of) a field line deserves; ``complete`` if its end was seen.

    ``line`` is never a continuation line here: obs-fold is judged by the caller.
    """
    seg = line[: limit + 1]
    m = _FIELD_PREFIX.match(seg)
    assert m is not None  # every group is optional
    end = m.end()
    if end < len(seg):
        raise InvalidHeader(show(seg, end + 1))
    if len(line) > limit:
        raise LineTooLong(f"{what} line", limit, len(line))
    if complete and (not m.group("n") or m.group("c") is None):
        raise InvalidHeader(show(line))


def obs_fold_error(line: bytes) -> BadHttpMessage:
    """The error for a folded (continuation) field line where folding is not allowed."""
    return InvalidHeader(show(line))


def too_many_fields(limit: int, what: str = "headers") -> BadHttpMessage:
    """The error for a head or trailer section with more than ``limit`` fields."""
    return BadHttpMessage(f"Too many {what} (more than {limit})")


def bad_chunk_line(line: bytes | bytearray) -> TransferEncodingError:
    """The error for a malformed, oversized or overlong chunk-size line."""
    return TransferEncodingError(f"Invalid chunk size line {show(line)!r}")
