"""Mutated vectors: the two engines must agree on every outcome (seeded, bounded)."""

from __future__ import annotations

import itertools
import random

import pytest

from aiohttp._sansio import HttptoolsH1Engine, PyH1Engine
from aiohttp._sansio._httptools import HTTPTOOLS_AVAILABLE
from aiohttp._sansio._messages import Event

from ._helpers import Vector, merge
from ._vectors_client import CLIENT_VECTORS
from ._vectors_server_errors import SERVER_VECTORS

# Chunk extensions are judged by llhttp alone in the httptools engine (httptools does not
# expose them), so mutations stay away from extension syntax.
POOL = [v for v in SERVER_VECTORS + CLIENT_VECTORS if b";" not in v.data]
ALPHABET = b"\r\n :\t\x00\x7f\x80aZ0-/HTTP"


def _outcome(
    cls: type[PyH1Engine] | type[HttptoolsH1Engine], v: Vector, parts: list[bytes]
) -> tuple[str, list[Event] | str]:
    engine = cls(v.role, **v.options)  # type: ignore[arg-type]  # options are engine limits
    if v.method:
        engine.expect_response(v.method)
    events: list[Event] = []
    try:
        for part in parts:
            events += engine.feed(part)
        events += engine.feed_eof()
    except Exception as exc:
        return "error", type(exc).__name__
    return "events", merge(events)


def _mutate(rnd: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rnd.randint(1, 3)):
        k = rnd.randrange(len(buf) + 1)
        byte = rnd.choice(ALPHABET)
        op = rnd.random()
        if op < 0.4 and k < len(buf):
            buf[k] = byte
        elif op < 0.7:
            buf.insert(k, byte)
        elif k < len(buf):
            del buf[k]
    return bytes(buf)


@pytest.mark.skipif(not HTTPTOOLS_AVAILABLE, reason="httptools is not installed")
@pytest.mark.parametrize("seed", range(4))
def test_engines_agree_on_mutated_vectors(seed: int) -> None:
    rnd = random.Random(seed)
    for _ in range(1500):
        v = rnd.choice(POOL)
        data = v.data
        if rnd.random() < 0.3:
            other = rnd.choice([w for w in POOL if w.role == v.role and not w.method])
            data = other.data + data
        data = _mutate(rnd, data)
        cuts = sorted(rnd.randrange(len(data) + 1) for _ in range(rnd.randint(0, 3)))
        bounds = [0, *cuts, len(data)]
        parts = [data[a:b] for a, b in itertools.pairwise(bounds)]
        assert _outcome(PyH1Engine, v, parts) == _outcome(HttptoolsH1Engine, v, parts), parts
