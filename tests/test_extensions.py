"""Compiled modules or sources: ``aiohttp._extensions`` picks, and never runs a stale build.

Each case runs in a fresh interpreter, since the choice is made once, at ``import aiohttp``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import aiohttp

PACKAGE = Path(aiohttp.__file__).resolve().parent
MANIFEST = PACKAGE / "_mypyc_manifest.json"

# prints what the interpreter imported: the choice, and each aiohttp module's file suffix
PROBE = """
import json, sys, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import aiohttp, aiohttp.web, aiohttp._sansio
from aiohttp._extensions import COMPILED
from aiohttp._sansio import make_engine
files = {
    name: mod.__file__ for name, mod in sys.modules.items()
    if name.startswith("aiohttp") and getattr(mod, "__file__", None)
}
print(json.dumps({
    "compiled": COMPILED,
    "files": files,
    "warnings": [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)],
    "engine": type(make_engine("server")).__name__,
}))
"""


def probe(env_update: dict[str, str], pythonpath: Path | None = None) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k != "AIOHTTP_NO_EXTENSIONS"}
    env.update(env_update)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        cwd=pythonpath,  # ``-c`` puts the working directory first on sys.path
        capture_output=True,
        check=True,
        timeout=60,
    )
    result: dict[str, object] = json.loads(out.stdout)
    return result


def suffixes(files: object) -> dict[str, str]:
    assert isinstance(files, dict)
    return {name: "py" if path.endswith(".py") else "ext" for name, path in files.items()}


def test_no_extensions_runs_every_module_from_source() -> None:
    result = probe({"AIOHTTP_NO_EXTENSIONS": "1"})
    kinds = suffixes(result["files"])
    assert result["compiled"] is False
    assert result["engine"] == "PyH1Engine"
    assert "aiohttp._sansio._h1" in kinds and "aiohttp._sansio" in kinds
    assert set(kinds.values()) == {"py"}, [n for n, k in kinds.items() if k != "py"]
    assert result["warnings"] == []


def test_default_runs_what_the_manifest_names() -> None:
    """With a matching manifest exactly its modules are compiled; without one, none is."""
    result = probe({})
    kinds = suffixes(result["files"])
    if MANIFEST.exists():
        compiled = set(json.loads(MANIFEST.read_text())["modules"])
        assert result["compiled"] is True
        assert compiled <= set(kinds)
        runtime = "aiohttp._mypyc__mypyc"  # the compiled group's shared library
        assert {n for n, k in kinds.items() if k == "ext"} - {runtime} == compiled
    else:
        assert result["compiled"] is False
        assert set(kinds.values()) == {"py"}
    assert result["warnings"] == []


def test_stale_build_warns_and_runs_sources(tmp_path: Path) -> None:
    """A manifest whose digest does not match its source: every module comes from source."""
    copy = tmp_path / "aiohttp"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "_mypyc_manifest.json").write_text(
        json.dumps({"modules": {"aiohttp._sansio._h1": "0" * 64}})
    )
    result = probe({}, pythonpath=tmp_path)
    kinds = suffixes(result["files"])
    files = result["files"]
    assert isinstance(files, dict)
    assert Path(files["aiohttp"]).parent == copy
    assert result["compiled"] is False
    assert set(kinds.values()) == {"py"}
    warnings = result["warnings"]
    assert isinstance(warnings, list) and len(warnings) == 1
    assert "aiohttp._sansio._h1" in warnings[0] and "does not match the source" in warnings[0]


def test_manifest_without_extensions_runs_sources(tmp_path: Path) -> None:
    """A manifest whose sources match but whose extensions are gone is not trusted."""
    copy = tmp_path / "aiohttp"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyd"))
    source = copy / "_sansio" / "_h1.py"
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    (copy / "_mypyc_manifest.json").write_text(
        json.dumps({"modules": {"aiohttp._sansio._h1": digest}})
    )
    result = probe({}, pythonpath=tmp_path)
    assert result["compiled"] is False
    assert set(suffixes(result["files"]).values()) == {"py"}
    warnings = result["warnings"]
    assert isinstance(warnings, list) and len(warnings) == 1
    assert "aiohttp._sansio._h1 is missing" in warnings[0]
