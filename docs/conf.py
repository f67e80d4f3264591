"""Sphinx configuration for the project's documentation (built by ``make docs``).

The build runs with ``-W --keep-going``: every warning fails it. It needs no network: there is
no intersphinx mapping, and cross-references to other projects stay plain text.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# document the working tree, whatever is installed
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402  (needs the path above)

project = "aiohttp (typed re-implementation)"
author = "the project's contributors"
copyright = "the project's contributors"
release = aiohttp.__version__
version = ".".join(release.split(".")[:2])

extensions = ["sphinx.ext.autodoc"]

# Signatures without annotations; the types go into each description. A type that autodoc
# cannot resolve (a TYPE_CHECKING-only import, a private alias) then stays plain text instead
# of breaking the build.
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_preserve_defaults = True

# Unresolvable cross-references (to multidict, yarl, the stdlib ...) stay plain text: with no
# intersphinx there is nothing to resolve them against.
nitpicky = False

exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
templates_path: list[str] = []
html_static_path: list[str] = []
html_theme = "alabaster"
html_title = f"aiohttp {release}"
