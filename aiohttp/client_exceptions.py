"""The client's error tree, rooted at :class:`ClientError`."""

from __future__ import annotations


class ClientError(Exception):
    """Base class of every client error."""


class ClientConnectionError(ClientError):
    """A connection-level error."""


class ClientConnectionResetError(ClientConnectionError, ConnectionResetError):
    """The connection was reset or closed while writing."""


class ClientPayloadError(ClientError):
    """The response body could not be read completely (truncated or malformed)."""
