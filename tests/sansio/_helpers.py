"""Builders for expected events and drivers that feed engines in pieces."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Optional, Union

from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from aiohttp._sansio import H1Engine
from aiohttp._sansio._messages import (
    CHUNK_BOUNDARY,
    MESSAGE_END,
    BodyChunk,
    Event,
    HttpVersion,
    MessageEnd,
    RawRequestMessage,
    RawResponseMessage,
    Upgraded,
)
from aiohttp.http_exceptions import HttpProcessingError

Fields = Sequence[tuple[str, str]]
Role = Literal["server", "client"]
EngineFactory = Callable[..., H1Engine]

END = MESSAGE_END
BOUNDARY = CHUNK_BOUNDARY


def _proxy(fields: Fields) -> CIMultiDictProxy[str]:
    return CIMultiDictProxy(CIMultiDict(list(fields)))


def _raw(fields: Fields) -> tuple[tuple[bytes, bytes], ...]:
    return tuple((n.encode("ascii"), v.encode("utf-8", "surrogateescape")) for n, v in fields)


def req(
    method: str,
    path: str,
    fields: Fields = (),
    *,
    version: tuple[int, int] = (1, 1),
    close: bool = False,
    compression: Optional[str] = None,
    upgrade: bool = False,
    chunked: bool = False,
    url: Optional[URL] = None,
) -> RawRequestMessage:
    """An expected request head; ``url`` defaults to the origin-form URL of ``path``."""
    if url is None:
        p, _, frag = path.partition("#")
        p, _, q = p.partition("?")
        url = URL.build(path=p, query_string=q, fragment=frag, encoded=True)
    return RawRequestMessage(
        method,
        path,
        HttpVersion(*version),
        _proxy(fields),
        _raw(fields),
        close,
        compression,
        upgrade,
        chunked,
        url,
    )


def resp(
    code: int,
    reason: str,
    fields: Fields = (),
    *,
    version: tuple[int, int] = (1, 1),
    close: bool = False,
    compression: Optional[str] = None,
    upgrade: bool = False,
    chunked: bool = False,
) -> RawResponseMessage:
    """An expected response head."""
    return RawResponseMessage(
        HttpVersion(*version),
        code,
        reason,
        _proxy(fields),
        _raw(fields),
        close,
        compression,
        upgrade,
        chunked,
    )


def body(data: bytes) -> BodyChunk:
    """Expected body bytes (adjacent chunks are merged before comparing)."""
    return BodyChunk(data)


def end(trailers: Fields) -> MessageEnd:
    """An expected end of message with trailer fields."""
    return MessageEnd(_proxy(trailers))


def up(data: bytes) -> Upgraded:
    """Expected bytes after a protocol switch."""
    return Upgraded(data)


@dataclass(frozen=True)
class Raises:
    """The parse must fail with ``cls`` whose message contains ``fragment``."""

    cls: type[HttpProcessingError]
    fragment: str = ""


@dataclass(frozen=True)
class Vector:
    """One scripted connection: bytes in, events (or an error) out."""

    id: str
    role: Role
    data: bytes
    expect: Union[list[Event], Raises]
    eof: bool = False
    method: Optional[str] = None
    options: dict[str, Union[int, bool]] = field(default_factory=dict)


def merge(events: Iterable[Event]) -> list[Event]:
    """Join adjacent ``BodyChunk`` and adjacent ``Upgraded`` events (split-dependent)."""
    out: list[Event] = []
    for ev in events:
        last = out[-1] if out else None
        if isinstance(ev, BodyChunk) and isinstance(last, BodyChunk):
            out[-1] = BodyChunk(last.data + ev.data)
        elif isinstance(ev, Upgraded) and isinstance(last, Upgraded):
            out[-1] = Upgraded(last.data + ev.data)
        else:
            out.append(ev)
    return out


def run(engine: H1Engine, parts: Iterable[bytes], eof: bool) -> list[Event]:
    """Feed ``parts`` in order (then EOF if asked) and return the merged events."""
    events: list[Event] = []
    for part in parts:
        got = engine.feed(part)
        assert all(not isinstance(e, BodyChunk) or e.data for e in got), got
        events += got
    if eof:
        events += engine.feed_eof()
    return merge(events)


def splits(data: bytes, one_byte_limit: int = 160) -> Iterable[list[bytes]]:
    """The input whole, split in two at every offset, and (if short) one byte at a time."""
    yield [data]
    for i in range(1, len(data)):
        yield [data[:i], data[i:]]
    if len(data) <= one_byte_limit:
        yield [data[i : i + 1] for i in range(len(data))]
