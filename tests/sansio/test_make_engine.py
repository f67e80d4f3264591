"""``make_engine`` picks httptools unless ``AIOHTTP_NO_EXTENSIONS`` is set."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

import aiohttp._sansio
from aiohttp._sansio import HttptoolsH1Engine, PyH1Engine
from aiohttp._sansio._httptools import HTTPTOOLS_AVAILABLE


@pytest.fixture
def reload_sansio(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    yield monkeypatch
    monkeypatch.undo()
    importlib.reload(aiohttp._sansio)


@pytest.mark.parametrize("value", ["1", "yes"])
def test_make_engine_no_extensions_picks_python(
    reload_sansio: pytest.MonkeyPatch, value: str
) -> None:
    reload_sansio.setenv("AIOHTTP_NO_EXTENSIONS", value)
    mod = importlib.reload(aiohttp._sansio)
    assert mod.ENGINE_KIND == "python"
    assert type(mod.make_engine("server")) is PyH1Engine
    assert type(mod.make_engine("client", lax=True)) is PyH1Engine


@pytest.mark.skipif(not HTTPTOOLS_AVAILABLE, reason="httptools is not installed")
@pytest.mark.parametrize("value", [None, ""])
def test_make_engine_default_picks_httptools(
    reload_sansio: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        reload_sansio.delenv("AIOHTTP_NO_EXTENSIONS", raising=False)
    else:
        reload_sansio.setenv("AIOHTTP_NO_EXTENSIONS", value)
    mod = importlib.reload(aiohttp._sansio)
    assert mod.ENGINE_KIND == "httptools"
    engine = mod.make_engine("server", max_line_size=100, max_headers=3)
    assert type(engine) is HttptoolsH1Engine
    assert engine.feed(b"GET / HTTP/1.1\r\n\r\n")[0].method == "GET"  # type: ignore[union-attr]


def test_make_engine_env_read_at_import_in_fresh_process() -> None:
    code = (
        "import aiohttp._sansio as s; print(s.ENGINE_KIND, type(s.make_engine('server')).__name__)"
    )
    env = {**os.environ, "AIOHTTP_NO_EXTENSIONS": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["python", "PyH1Engine"]


def test_make_engine_without_httptools_installed() -> None:
    code = (
        "import sys; sys.modules['httptools'] = None\n"
        "import aiohttp._sansio as s\n"
        "print(s.ENGINE_KIND, type(s.make_engine('client')).__name__)\n"
        "try:\n    s.HttptoolsH1Engine('server')\nexcept ImportError:\n    print('ImportError')"
    )
    env = {k: v for k, v in os.environ.items() if k != "AIOHTTP_NO_EXTENSIONS"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["python", "PyH1Engine", "ImportError"]
