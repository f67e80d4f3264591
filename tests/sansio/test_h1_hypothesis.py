"""Generated valid messages, fed at random split points, parse to what was generated."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings, strategies as st

from aiohttp._sansio._messages import Event

from ._helpers import BOUNDARY, END, EngineFactory, body, end, merge, req, resp, run

TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
RESERVED = {"content-length", "transfer-encoding", "connection", "upgrade", "content-encoding"}
VALUE_BYTES = [bytes([c]) for c in range(0x21, 0x7F)] + [b"\x80", b"\xc3\xa9", b"\xff"]
PATH_CHARS = "abcXYZ019-._~!$&'()*+,;=:@/%"

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass
class Generated:
    """A wire message and the events it must parse to."""

    wire: bytes
    events: list[Event]


names = st.text(TCHARS, min_size=1, max_size=12).filter(lambda n: n.lower() not in RESERVED)
words = st.lists(st.sampled_from(VALUE_BYTES), min_size=1, max_size=8).map(b"".join)
values = st.lists(words, max_size=4).map(lambda ws: b" ".join(ws))
fields = st.lists(st.tuples(names, values), max_size=8)
trailer_fields = st.lists(st.tuples(names, values), max_size=3)


def _decoded(pairs: list[tuple[str, bytes]]) -> list[tuple[str, str]]:
    return [(n, v.decode("utf-8", "surrogateescape")) for n, v in pairs]


def _wire_fields(pairs: list[tuple[str, bytes]], ows: bool) -> bytes:
    sep = b":\t " if ows else b": "
    return b"".join(n.encode() + sep + v + (b" \t" if ows else b"") + b"\r\n" for n, v in pairs)


@st.composite
def framed_bodies(draw: st.DrawFn) -> tuple[str, bytes, list[bytes], list[tuple[str, bytes]]]:
    """``(framing, body, chunk sizes as wire chunks, trailers)``."""
    framing = draw(st.sampled_from(["length", "chunked", "none"]))
    data = b"" if framing == "none" else draw(st.binary(max_size=300))
    chunks: list[bytes] = []
    if framing == "chunked":
        cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=4)))
        bounds = [0, *cuts, len(data)]
        chunks = [data[a:b] for a, b in itertools.pairwise(bounds) if b > a]
    trailers = draw(trailer_fields) if framing == "chunked" else []
    return framing, data, chunks, trailers


def _body_wire_and_events(
    framing: str, data: bytes, chunks: list[bytes], trailers: list[tuple[str, bytes]], ext: bool
) -> tuple[list[tuple[str, bytes]], bytes, list[Event]]:
    if framing == "length":
        return [("Content-Length", str(len(data)).encode())], data, [body(data)] if data else []
    if framing == "none":
        return [], b"", []
    wire = b""
    events: list[Event] = []
    for chunk in chunks:
        wire += b"%x%s\r\n%s\r\n" % (len(chunk), b";e=v" if ext else b"", chunk)
        events += [body(chunk), BOUNDARY]
    wire += b"0\r\n" + _wire_fields(trailers, False) + b"\r\n"
    return [("Transfer-Encoding", b"chunked")], wire, events


@st.composite
def requests(draw: st.DrawFn) -> Generated:
    method = draw(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "X-Custom"]))
    path = "/" + draw(st.text(PATH_CHARS, max_size=20)).replace("%", "%25")
    pairs = draw(fields)
    framing, data, chunks, trailers = draw(framed_bodies())
    ows = draw(st.booleans())
    extra, body_wire, body_events = _body_wire_and_events(
        framing, data, chunks, trailers, draw(st.booleans())
    )
    all_pairs = pairs + extra
    wire = f"{method} {path} HTTP/1.1\r\n".encode() + _wire_fields(all_pairs, ows) + b"\r\n"
    head = req(method, path, _decoded(all_pairs), chunked=framing == "chunked")
    last = end(_decoded(trailers)) if trailers else END
    return Generated(wire + body_wire, [head, *body_events, last])


@st.composite
def responses(draw: st.DrawFn) -> Generated:
    code = draw(st.integers(200, 599).filter(lambda c: c not in (204, 304)))
    reason = draw(st.text("abcXYZ -", max_size=12))
    pairs = draw(fields)
    framing, data, chunks, trailers = draw(framed_bodies())
    if framing == "none":
        framing = "length"
    extra, body_wire, body_events = _body_wire_and_events(
        framing, data, chunks, trailers, draw(st.booleans())
    )
    all_pairs = pairs + extra
    wire = f"HTTP/1.1 {code} {reason}\r\n".encode() + _wire_fields(all_pairs, False) + b"\r\n"
    head = resp(code, reason, _decoded(all_pairs), chunked=framing == "chunked")
    last = end(_decoded(trailers)) if trailers else END
    return Generated(wire + body_wire, [head, *body_events, last])


def _split(wire: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(c, len(wire)) for c in cuts})
    bounds = [0, *points, len(wire)]
    return [wire[a:b] for a, b in itertools.pairwise(bounds) if b > a]


def _check_requests(make_engine: EngineFactory, messages: list[Generated], cuts: list[int]) -> None:
    wire = b"".join(m.wire for m in messages)
    expected = merge(ev for m in messages for ev in m.events)
    assert run(make_engine("server"), _split(wire, cuts), eof=True) == expected


def _check_responses(
    make_engine: EngineFactory, messages: list[Generated], cuts: list[int]
) -> None:
    wire = b"".join(m.wire for m in messages)
    expected = merge(ev for m in messages for ev in m.events)
    assert run(make_engine("client"), _split(wire, cuts), eof=True) == expected


# Applied as calls, not decorators: ``given`` is typed with ``Any`` (disallow_any_decorated).
_CUTS = st.lists(st.integers(0, 4000))
test_generated_requests_parse_at_any_split = SETTINGS(
    given(messages=st.lists(requests(), min_size=1, max_size=3), cuts=_CUTS)(_check_requests)
)
test_generated_responses_parse_at_any_split = SETTINGS(
    given(messages=st.lists(responses(), min_size=1, max_size=3), cuts=_CUTS)(_check_responses)
)
