"""Errors raised while reading HTTP messages off the wire.

Each class carries the HTTP status (``code``) a server answers with when a peer sends such a
message, a human readable ``message`` and optional ``headers`` for that answer.  The wire core
(:mod:`aiohttp._sansio`) raises only these.
"""

from __future__ import annotations

from typing import Optional, Union

from multidict import CIMultiDict

__all__ = ("HttpProcessingError",)


class HttpProcessingError(Exception):
    """Base of every HTTP protocol error.

    :param code: HTTP status that describes the failure (``0`` when not set).
    :param message: what went wrong.
    :param headers: headers to send with the error answer.
    """

    code: int = 0
    message: str = ""
    headers: Optional[CIMultiDict[str]] = None

    def __init__(
        self,
        *,
        code: Optional[int] = None,
        message: str = "",
        headers: Optional[CIMultiDict[str]] = None,
    ) -> None:
        if code is not None:
            self.code = code
        self.headers = headers
        self.message = message
        super().__init__(self.code, message)

    def __str__(self) -> str:
        return f"{self.code}, message:\n  {self.message}"

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__}: {self.code}, message={self.message!r}>"


class BadHttpMessage(HttpProcessingError):
    """A message that breaks the HTTP/1.1 grammar (status 400)."""

    code = 400
    message = "Bad Request"

    def __init__(self, message: str, *, headers: Optional[CIMultiDict[str]] = None) -> None:
        super().__init__(message=message, headers=headers)
        self.args = (message,)


class HttpBadRequest(BadHttpMessage):
    """Generic bad request (status 400)."""

    code = 400
    message = "Bad Request"


class PayloadEncodingError(BadHttpMessage):
    """The message body could not be decoded."""


class ContentEncodingError(PayloadEncodingError):
    """The ``Content-Encoding`` of the body is unknown or its data is corrupt."""


class TransferEncodingError(PayloadEncodingError):
    """The chunked transfer coding of the body is malformed or was cut short."""


class ContentLengthError(PayloadEncodingError):
    """The body is shorter than its ``Content-Length`` said."""


class DecompressSizeError(PayloadEncodingError):
    """Decompressing the body would produce more than the allowed size."""


class LineTooLong(BadHttpMessage):
    """A request line, status line or header is longer than the configured limit."""

    def __init__(
        self,
        line: str,
        limit: Union[int, str] = "Unknown",
        actual_size: Union[int, str] = "Unknown",
    ) -> None:
        super().__init__(f"Got more than {limit} bytes ({actual_size}) when reading {line}.")
        self.args = (line, limit, actual_size)


class InvalidHeader(BadHttpMessage):
    """A header field breaks the field grammar, or its value is not acceptable."""

    def __init__(self, hdr: Union[bytes, str]) -> None:
        hdr_s = hdr.decode(errors="backslashreplace") if isinstance(hdr, bytes) else hdr
        super().__init__(f"Invalid HTTP header: {hdr!r}")
        self.hdr = hdr_s
        self.args = (hdr,)


class BadStatusLine(BadHttpMessage):
    """The request line or status line is malformed."""

    def __init__(self, line: str = "", error: Optional[str] = None) -> None:
        super().__init__(error or f"Bad status line {line!r}")
        self.args = (line,)
        self.line = line


class BadHttpMethod(BadStatusLine):
    """The request method is not a valid token."""

    def __init__(self, line: str = "", error: Optional[str] = None) -> None:
        super().__init__(line, error or f"Bad HTTP method in status line {line!r}")


class InvalidURLError(BadHttpMessage):
    """The request target is not a valid URL."""
