"""Whether the mypyc-compiled modules run, or every module from its Python source.

``setup.py`` compiles a few hot, strictly typed modules with mypyc; the C extensions sit beside
their ``.py`` sources, and Python's import system prefers them. They are used only when

- ``AIOHTTP_NO_EXTENSIONS`` is unset or empty, and
- ``_mypyc_manifest.json`` (written by that build) names each compiled module with the SHA-256
  of the source it was built from, every source still has that digest, and every extension
  is there.

Otherwise :func:`select` puts a finder ahead of the import system that loads ``aiohttp``'s
submodules from their sources, so an edited source is never shadowed by a stale build (that
case also warns: rebuild with ``pip install -e .``). :data:`COMPILED` tells which way it went.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import warnings
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import (
    EXTENSION_SUFFIXES,
    SOURCE_SUFFIXES,
    FileFinder,
    ModuleSpec,
    SourceFileLoader,
)
from pathlib import Path
from types import ModuleType
from typing import Final

__all__ = ("COMPILED", "select")

_PACKAGE_DIR: Final = Path(__file__).resolve().parent
_MANIFEST: Final = _PACKAGE_DIR / "_mypyc_manifest.json"


class SourceOnlyFinder(MetaPathFinder):
    """Finds ``aiohttp`` submodules as ``.py`` sources only, never as compiled extensions."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if path is None or not fullname.startswith("aiohttp."):
            return None
        for entry in path:
            spec = FileFinder(entry, (SourceFileLoader, SOURCE_SUFFIXES)).find_spec(fullname)
            if spec is not None:
                return spec
        return None


def _stale_modules() -> list[str] | None:
    """Compiled modules whose source changed since the build, or whose extension is missing;
    ``None``: no compiled build."""
    try:
        manifest = json.loads(_MANIFEST.read_text())
    except (OSError, ValueError):
        return None
    modules = manifest.get("modules") if isinstance(manifest, dict) else None
    if not isinstance(modules, dict) or not modules:
        return None
    stale = []
    for name, digest in modules.items():
        source = _PACKAGE_DIR.parent.joinpath(*str(name).split(".")).with_suffix(".py")
        try:
            actual = hashlib.sha256(source.read_bytes()).hexdigest()
        except OSError:
            actual = ""
        built = any(source.with_suffix(suffix).exists() for suffix in EXTENSION_SUFFIXES)
        if actual != digest or not built:
            stale.append(str(name))
    return stale


def select() -> bool:
    """Decide compiled or source (once, before any other submodule imports); True: compiled."""
    if any(isinstance(finder, SourceOnlyFinder) for finder in sys.meta_path):
        return False
    stale = None if os.environ.get("AIOHTTP_NO_EXTENSIONS") else _stale_modules()
    if stale == []:
        return True
    if stale:
        warnings.warn(
            "aiohttp: the compiled build of "
            + ", ".join(stale)
            + " is missing or does not match the source; running every module from source. "
            "Rebuild with `pip install -e .` (or `make`).",
            RuntimeWarning,
            stacklevel=3,
        )
    sys.meta_path.insert(0, SourceOnlyFinder())
    return False


COMPILED: Final = select()
