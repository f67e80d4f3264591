"""The HTTP/1.1 wire core: bytes in, events out. No asyncio, no sockets.

:mod:`._messages` holds the message heads (:class:`RawRequestMessage`,
:class:`RawResponseMessage`) and the body events every engine emits;
:mod:`._engine` the :class:`H1Engine` protocol both parser engines implement.
:class:`PyH1Engine` (pure Python, :mod:`._h1`) and :class:`HttptoolsH1Engine`
(httptools/llhttp, :mod:`._httptools`) are the two engines; :func:`make_engine` picks
httptools when it imports and ``AIOHTTP_NO_EXTENSIONS`` is unset or empty
(:data:`ENGINE_KIND` tells which was picked at import); a lax client engine is always the
pure-Python one (:class:`HttptoolsH1Engine` would only delegate to it).
"""

from __future__ import annotations

import os
from typing import Final, Literal

from ._engine import H1Engine
from ._h1 import PyH1Engine
from ._httptools import HTTPTOOLS_AVAILABLE, HttptoolsH1Engine

__all__ = ("ENGINE_KIND", "H1Engine", "HttptoolsH1Engine", "PyH1Engine", "make_engine")

ENGINE_KIND: Final[Literal["httptools", "python"]] = (
    "httptools" if HTTPTOOLS_AVAILABLE and not os.environ.get("AIOHTTP_NO_EXTENSIONS") else "python"
)


def make_engine(
    role: Literal["server", "client"],
    *,
    max_line_size: int = 8190,
    max_field_size: int = 8190,
    max_headers: int = 32768,
    lax: bool = False,
) -> H1Engine:
    """A parser engine of the kind :data:`ENGINE_KIND` names, for ``role``."""
    if ENGINE_KIND == "httptools" and not (lax and role == "client"):
        return HttptoolsH1Engine(
            role,
            max_line_size=max_line_size,
            max_field_size=max_field_size,
            max_headers=max_headers,
            lax=lax,
        )
    return PyH1Engine(
        role,
        max_line_size=max_line_size,
        max_field_size=max_field_size,
        max_headers=max_headers,
        lax=lax,
    )
