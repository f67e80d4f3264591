"""The shapes :mod:`aiohttp.client_reqrep` needs from the objects around a request.

A request is sent over a connection (:class:`aiohttp.connector.Connection`), may belong to a
session (:class:`aiohttp.ClientSession`, which picks the charset of a body that names none) and
may be traced (:class:`aiohttp.tracing.Trace`). Those classes live in modules that import
``client_reqrep``; typing against these protocols instead keeps the import graph acyclic, and
the real classes satisfy them structurally.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Optional, Protocol

from multidict import CIMultiDict
from yarl import URL

from .client_proto import ResponseHandler

if TYPE_CHECKING:
    from .client_reqrep import ClientResponse


class ConnectionLike(Protocol):
    """One connection lent by a connector for one request."""

    @property
    def protocol(self) -> Optional[ResponseHandler]:
        """The connection's protocol; ``None`` once released or closed."""

    @property
    def transport(self) -> Optional[asyncio.Transport]:
        """The connection's transport; ``None`` once released or closed."""

    def release(self) -> None:
        """Give the connection back to the pool (it is closed if not reusable)."""

    def close(self) -> None:
        """Close the connection."""


class SessionLike(Protocol):
    """What a response reads from its session."""

    @property
    def _resolve_charset(self) -> Callable[[ClientResponse, bytes], str]:
        """The ``fallback_charset_resolver``: the charset of a body whose headers name none."""


class TraceLike(Protocol):
    """The tracing signals sent while a request and its response are transferred."""

    async def send_request_chunk_sent(self, method: str, url: URL, chunk: bytes) -> None: ...

    async def send_request_headers(
        self, method: str, url: URL, headers: CIMultiDict[str]
    ) -> None: ...

    async def send_response_chunk_received(self, method: str, url: URL, chunk: bytes) -> None: ...
