"""Byte ranges for ``FileResponse``: parsing ``Range`` and framing ``multipart/byteranges``.

:func:`parse_byte_ranges` follows RFC 9110 section 14.1-14.2: a header in a unit other than
``bytes`` is ignored (the whole file is sent), a malformed ``bytes`` range set is refused
(416, as aiohttp 3.13 does), and ranges past the end are dropped, the header being
unsatisfiable (416) when none is left.  To keep a hostile range set from multiplying the
response, ranges are sorted and merged when they overlap or nearly touch, and a header
with more than :data:`MAX_RANGES` ranges is ignored.

:class:`MultipartRanges` lays out a multi-range answer (RFC 9110 section 14.6): the part
heads, the closing delimiter and the exact total length, known before sending.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Final

#: More ranges than this in one header and the header is ignored.
MAX_RANGES: Final = 64
# Ranges separated by fewer bytes than this are merged: a part head costs about as much.
_MERGE_GAP: Final = 80
_SPEC_RE: Final = re.compile(r"(\d*)-(\d*)")
# Positions with more digits than this are past the end of any file.
_MAX_DIGITS: Final = 18


class UnsatisfiableRange(Exception):
    """The ``Range`` header is malformed or none of its ranges overlaps the file (416)."""


@dataclass(frozen=True)
class ByteRange:
    """The bytes ``start`` .. ``end`` - 1 of a file."""

    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start

    def content_range(self, size: int) -> str:
        """The ``Content-Range`` value for this range of a ``size``-byte file."""
        return f"bytes {self.start}-{self.end - 1}/{size}"


def parse_byte_ranges(header: str, size: int) -> list[ByteRange] | None:
    """The ranges of a ``size``-byte file that ``header`` asks for, sorted and merged.

    Returns None when the header is to be ignored (another unit, too many ranges).
    Raises :class:`UnsatisfiableRange` when it is malformed or asks only for bytes past
    the end (including a zero-length suffix).
    """
    unit, sep, spec = header.partition("=")
    if not sep:
        raise UnsatisfiableRange("Range header without '='")
    if unit.strip().lower() != "bytes":
        return None
    items = [item.strip() for item in spec.split(",")]
    items = [item for item in items if item]
    if not items:
        raise UnsatisfiableRange("empty range set")
    if len(items) > MAX_RANGES:
        return None
    wanted: list[ByteRange] = []
    for item in items:
        found = _SPEC_RE.fullmatch(item)
        if found is None or found[0] == "-":
            raise UnsatisfiableRange(f"malformed range {item!r}")
        first, last = _position(found[1]), _position(found[2])
        if first is None:  # suffix: the last N bytes
            assert last is not None
            if last and size:
                wanted.append(ByteRange(max(size - last, 0), size))
            continue
        if last is not None and last < first:
            raise UnsatisfiableRange(f"malformed range {item!r}")
        if first < size:
            end = min(last + 1, size) if last is not None else size
            wanted.append(ByteRange(first, end))
    if not wanted:
        raise UnsatisfiableRange("no range overlaps the file")
    return _merge(wanted)


def _position(digits: str) -> int | None:
    """A range position; None when absent; huge ones are clamped (still past any end)."""
    if not digits:
        return None
    if len(digits) > _MAX_DIGITS:
        return 10**_MAX_DIGITS
    return int(digits)


def _merge(ranges: list[ByteRange]) -> list[ByteRange]:
    ranges.sort(key=lambda r: r.start)
    merged = [ranges[0]]
    for current in ranges[1:]:
        last = merged[-1]
        if current.start <= last.end + _MERGE_GAP:
            merged[-1] = ByteRange(last.start, max(last.end, current.end))
        else:
            merged.append(current)
    return merged


class MultipartRanges:
    """The framing of a ``multipart/byteranges`` body for ``ranges`` of a file."""

    def __init__(self, ranges: list[ByteRange], size: int, content_type: str) -> None:
        self.ranges = ranges
        self.boundary = secrets.token_hex(16)
        self.heads = [
            (
                f"--{self.boundary}\r\nContent-Type: {content_type}\r\n"
                f"Content-Range: {rng.content_range(size)}\r\n\r\n"
            ).encode("latin-1")
            for rng in ranges
        ]
        self.tail = f"--{self.boundary}--\r\n".encode("ascii")

    @property
    def content_type(self) -> str:
        """The response's ``Content-Type``."""
        return f"multipart/byteranges; boundary={self.boundary}"

    @property
    def length(self) -> int:
        """The exact body length: heads, data, the CRLF after each part, the delimiter."""
        data = sum(rng.length for rng in self.ranges)
        return sum(map(len, self.heads)) + data + 2 * len(self.ranges) + len(self.tail)
