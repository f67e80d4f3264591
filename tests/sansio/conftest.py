"""Fixtures for the wire-core tests: every engine test runs on both parser engines."""

from __future__ import annotations

from typing import Literal

import pytest

from aiohttp._sansio import H1Engine, HttptoolsH1Engine, PyH1Engine
from aiohttp._sansio._httptools import HTTPTOOLS_AVAILABLE

from ._helpers import EngineFactory


@pytest.fixture(params=["python", "httptools"])
def engine_kind(request: pytest.FixtureRequest) -> str:
    """``"python"`` or ``"httptools"`` (skipped when httptools is not installed)."""
    kind: str = request.param
    if kind == "httptools" and not HTTPTOOLS_AVAILABLE:
        pytest.skip("httptools is not installed")
    return kind


@pytest.fixture
def make_engine(engine_kind: str) -> EngineFactory:
    """Build an engine of the current kind: ``make_engine("server", max_headers=3)``."""

    def factory(
        role: Literal["server", "client"],
        *,
        max_line_size: int = 8190,
        max_field_size: int = 8190,
        max_headers: int = 32768,
        lax: bool = False,
    ) -> H1Engine:
        cls = PyH1Engine if engine_kind == "python" else HttptoolsH1Engine
        return cls(
            role,
            max_line_size=max_line_size,
            max_field_size=max_field_size,
            max_headers=max_headers,
            lax=lax,
        )

    return factory
