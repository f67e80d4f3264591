"""Every scripted vector on both engines, fed whole and split at every offset."""

from __future__ import annotations

import pytest

from aiohttp._sansio import H1Engine
from aiohttp.http_exceptions import HttpProcessingError

from ._helpers import EngineFactory, Raises, Vector, merge, run, splits
from ._vectors_client import CLIENT_VECTORS
from ._vectors_server_errors import SERVER_VECTORS

VECTORS = SERVER_VECTORS + CLIENT_VECTORS


def _engine(make_engine: EngineFactory, vector: Vector) -> H1Engine:
    engine = make_engine(vector.role, **vector.options)
    if vector.method is not None:
        engine.expect_response(vector.method)
    return engine


def test_vector_table_is_large_and_ids_unique() -> None:
    ids = [v.id + v.role for v in VECTORS]
    assert len(ids) == len(set(ids))
    assert len(VECTORS) >= 80


@pytest.mark.parametrize("vector", VECTORS, ids=[f"{v.role}-{v.id}" for v in VECTORS])
def test_vector_any_split(make_engine: EngineFactory, vector: Vector) -> None:
    for parts in splits(vector.data):
        engine = _engine(make_engine, vector)
        if isinstance(vector.expect, Raises):
            with pytest.raises(vector.expect.cls) as info:
                run(engine, parts, vector.eof)
            assert vector.expect.fragment in str(info.value), (parts, info.value)
            # the error is sticky
            with pytest.raises(HttpProcessingError) as again:
                engine.feed(b"")
            assert again.value is info.value
            with pytest.raises(HttpProcessingError):
                engine.feed_eof()
        else:
            assert run(engine, parts, vector.eof) == merge(vector.expect), parts
