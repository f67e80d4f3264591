"""The ``Content-Type`` / ``Content-Length`` view shared by requests and responses.

:class:`ContentHeadersMixin` gives :class:`~aiohttp.web.BaseRequest` and
:class:`~aiohttp.web.StreamResponse` their ``content_type``, ``charset`` and
``content_length`` read side (aiohttp 3.13's ``HeadersMixin``).  The ``Content-Type`` value
is parsed only when the raw header differs from the one parsed last time, so reading the
properties repeatedly costs a dictionary lookup and a string comparison.
"""

from __future__ import annotations

from typing import Final, Optional

from multidict import CIMultiDict, CIMultiDictProxy

from . import hdrs
from .helpers import parse_mimetype

_OCTET_STREAM: Final = "application/octet-stream"
_NOT_PARSED: Final = object()
_NO_PARAMS: Final[dict[str, str]] = {}


def split_content_type(raw: Optional[str]) -> tuple[str, dict[str, str]]:
    """Return the media type (lower-cased, parameters stripped) and the parameters.

    A missing header is ``application/octet-stream`` (RFC 9110 section 8.3); a value that
    is not ``type/subtype`` is treated as ``text/plain``, as e-mail parsers do.
    """
    if raw is None:
        return _OCTET_STREAM, {}
    mime = parse_mimetype(raw)
    if not mime.type or not mime.subtype:
        media = "text/plain"
    elif mime.suffix:
        media = f"{mime.type}/{mime.subtype}+{mime.suffix}"
    else:
        media = f"{mime.type}/{mime.subtype}"
    return media, dict(mime.parameters)


class ContentHeadersMixin:
    """Read-only ``content_type``, ``charset`` and ``content_length`` over ``_headers``."""

    _headers: CIMultiDict[str] | CIMultiDictProxy[str]
    # Class-level defaults: an instance stores its own values on first parse.
    _content_type: str = _OCTET_STREAM
    _content_dict: dict[str, str] = _NO_PARAMS  # never mutated in place, only replaced
    _stored_content_type: object = _NOT_PARSED

    def _parse_content_type(self) -> None:
        raw = self._headers.get(hdrs.CONTENT_TYPE)
        if raw != self._stored_content_type:
            self._stored_content_type = raw
            self._content_type, self._content_dict = split_content_type(raw)

    @property
    def content_type(self) -> str:
        """The media type of ``Content-Type`` without parameters (lower-cased);
        ``application/octet-stream`` when the header is missing."""
        self._parse_content_type()
        return self._content_type

    @property
    def charset(self) -> Optional[str]:
        """The ``charset`` parameter of ``Content-Type``, or ``None``."""
        self._parse_content_type()
        return self._content_dict.get("charset")

    @property
    def content_length(self) -> Optional[int]:
        """The ``Content-Length`` header as an ``int``, or ``None`` when absent.

        :raises ValueError: the header is not a decimal number.
        """
        return self._header_content_length()

    def _header_content_length(self) -> Optional[int]:
        raw = self._headers.get(hdrs.CONTENT_LENGTH)
        if raw is None:
            return None
        if not raw.isdigit() or not raw.isascii():
            raise ValueError(f"Invalid Content-Length {raw!r}")
        return int(raw)
