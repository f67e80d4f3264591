"""What a parser engine emits: message heads and body events.

A parse of one connection is a sequence, per message, of one head
(:class:`RawRequestMessage` or :class:`RawResponseMessage`), zero or more
:class:`BodyChunk` (a chunked body also gives a :class:`ChunkBoundary` after each
transfer chunk's data), and one :class:`MessageEnd`.  After a head that switches
protocols (``Upgrade`` accepted, ``CONNECT``) the engine stops parsing and hands the
bytes that follow back as :class:`Upgraded`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Optional, Union

from multidict import CIMultiDictProxy
from yarl import URL

from ..typedefs import RawHeaders


class HttpVersion(NamedTuple):
    """An HTTP protocol version, ``HttpVersion(1, 1)``."""

    major: int
    minor: int


HttpVersion10 = HttpVersion(1, 0)
HttpVersion11 = HttpVersion(1, 1)


class RawRequestMessage(NamedTuple):
    """The head of a parsed HTTP request."""

    method: str
    path: str
    version: HttpVersion
    headers: CIMultiDictProxy[str]
    raw_headers: RawHeaders
    should_close: bool
    compression: Optional[str]
    upgrade: bool
    chunked: bool
    url: URL


class RawResponseMessage(NamedTuple):
    """The head of a parsed HTTP response."""

    version: HttpVersion
    code: int
    reason: str
    headers: CIMultiDictProxy[str]
    raw_headers: RawHeaders
    should_close: bool
    compression: Optional[str]
    upgrade: bool
    chunked: bool


# The 3.13 home of these names is aiohttp.http_parser (they are re-exported there).
for _cls in (HttpVersion, RawRequestMessage, RawResponseMessage):
    _cls.__module__ = "aiohttp.http_parser"
del _cls


@dataclass(frozen=True, slots=True)
class BodyChunk:
    """Decoded-framing body bytes of the current message (never empty)."""

    data: bytes


@dataclass(frozen=True, slots=True)
class ChunkBoundary:
    """The end of one ``Transfer-Encoding: chunked`` chunk of the current message."""


@dataclass(frozen=True, slots=True)
class MessageEnd:
    """The current message is complete; ``trailers`` are the chunked trailer fields."""

    trailers: Optional[CIMultiDictProxy[str]] = None


@dataclass(frozen=True, slots=True)
class Upgraded:
    """The connection switched protocols; ``data`` are the bytes after the last head."""

    data: bytes


CHUNK_BOUNDARY = ChunkBoundary()
MESSAGE_END = MessageEnd()

Head = Union[RawRequestMessage, RawResponseMessage]
Event = Union[RawRequestMessage, RawResponseMessage, BodyChunk, ChunkBoundary, MessageEnd, Upgraded]
