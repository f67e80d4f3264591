"""Build hook: compile the strictly typed hot modules with mypyc when it can.

Everything else about the package lives in ``pyproject.toml``. The modules listed in
``COMPILED`` are pure Python that mypy --strict checks; mypyc turns them into C extensions
that sit beside their sources. ``aiohttp/_mypyc_manifest.json`` records the SHA-256 of each
source as compiled, and ``aiohttp._extensions`` uses the compiled modules only while the
sources still match (an edited source is never shadowed by a stale build) and
``AIOHTTP_NO_EXTENSIONS`` is unset. With ``AIOHTTP_NO_EXTENSIONS`` set at build time, or
without mypyc, the package is built as pure Python.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).resolve().parent
MANIFEST = ROOT / "aiohttp" / "_mypyc_manifest.json"

#: The hot path of the HTTP/1.1 wire core: parser engines and the head serialiser.
COMPILED = (
    "aiohttp/_sansio/_messages.py",
    "aiohttp/_sansio/_h1_grammar.py",
    "aiohttp/_sansio/_h1_framing.py",
    "aiohttp/_sansio/_h1_head.py",
    "aiohttp/_sansio/_h1.py",
    "aiohttp/_sansio/_httptools_driver.py",
    "aiohttp/_sansio/_httptools.py",
    "aiohttp/_header_serialize.py",
)


def _module_name(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def _write_manifest() -> None:
    digests = {
        _module_name(path): hashlib.sha256((ROOT / path).read_bytes()).hexdigest()
        for path in COMPILED
    }
    MANIFEST.write_text(json.dumps({"modules": digests}, indent=1, sort_keys=True) + "\n")


def _ext_modules() -> list[object]:
    MANIFEST.unlink(missing_ok=True)
    if os.environ.get("AIOHTTP_NO_EXTENSIONS"):
        print("AIOHTTP_NO_EXTENSIONS is set: building pure Python", file=sys.stderr)
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        print("mypyc is not available: building pure Python", file=sys.stderr)
        return []
    os.chdir(ROOT)  # mypyc resolves the module paths and mypy.ini from here
    try:
        extensions: list[object] = mypycify(
            ["--config-file", "mypy.ini", "--no-warn-unused-configs", *COMPILED],
            opt_level="3",
            group_name="aiohttp._mypyc",
        )
    except (Exception, SystemExit) as exc:  # mypyc exits on type errors
        print(f"mypyc failed ({exc!r}): building pure Python", file=sys.stderr)
        return []
    _write_manifest()
    return extensions


setup(ext_modules=_ext_modules())
