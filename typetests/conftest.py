"""pytest setup for the ``*.yml`` typetests (pytest-mypy-plugins).

The plugin runs the ``mypy`` it finds on ``PATH`` in a temporary directory, with the
repository root on ``MYPYPATH``.  ``make typetests`` calls the venv's python without
activating the venv, and ``mypy.ini`` names its stub directory relative to the repository,
so both are made absolute here.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent


def _prepend(variable: str, entry: str) -> None:
    parts = [p for p in os.environ.get(variable, "").split(os.pathsep) if p]
    if entry not in parts:
        os.environ[variable] = os.pathsep.join([entry, *parts])


_prepend("PATH", str(Path(sys.executable).parent))
_prepend("MYPYPATH", str(_ROOT / "typings"))
