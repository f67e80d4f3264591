"""The ``Content-Type`` / ``Content-Length`` accessors shared by messages that carry headers.

:class:`HeadersMixin` (aiohttp 3.13's ``aiohttp.helpers.HeadersMixin``) gives
a class with a ``_headers`` mapping the ``content_type``, ``charset`` and ``content_length``
properties. The parsed ``Content-Type`` is cached and re-parsed only when the header value
changes, so reading the properties on every access costs a dictionary lookup.
"""

from __future__ import annotations

from typing import Final, Optional, Union

from multidict import MultiMapping

from . import hdrs
from .helpers import _SENTINEL, parse_mimetype, sentinel

# RFC 9110 section 8.3: a recipient may assume this type when none (or an invalid one) is given.
_DEFAULT_CONTENT_TYPE: Final = "application/octet-stream"


class HeadersMixin:
    """Content-Type, charset and Content-Length read from ``self._headers``."""

    _headers: MultiMapping[str]
    _content_type: Optional[str] = None
    _content_dict: Optional[dict[str, str]] = None
    _stored_content_type: Union[str, _SENTINEL, None] = sentinel

    def _parse_content_type(self, raw: Optional[str]) -> None:
        self._stored_content_type = raw
        if raw is None:
            self._content_type = _DEFAULT_CONTENT_TYPE
            self._content_dict = {}
            return
        mime = parse_mimetype(raw)
        if not mime.type or not mime.subtype:
            self._content_type = _DEFAULT_CONTENT_TYPE
        else:
            suffix = f"+{mime.suffix}" if mime.suffix else ""
            self._content_type = f"{mime.type}/{mime.subtype}{suffix}"
        self._content_dict = {name: value for name, value in mime.parameters.items()}

    def _refresh(self) -> None:
        raw = self._headers.get(hdrs.CONTENT_TYPE)
        if self._stored_content_type != raw:
            self._parse_content_type(raw)

    @property
    def content_type(self) -> str:
        """The media type of ``Content-Type`` lower-cased, without parameters
        (``application/octet-stream`` when the header is missing or invalid)."""
        self._refresh()
        assert self._content_type is not None
        return self._content_type

    @property
    def charset(self) -> Optional[str]:
        """The ``charset`` parameter of ``Content-Type``, or ``None``."""
        self._refresh()
        assert self._content_dict is not None
        return self._content_dict.get("charset")

    @property
    def content_length(self) -> Optional[int]:
        """``Content-Length`` as an integer, or ``None`` when the header is absent.

        :raises ValueError: the header is not a decimal number.
        """
        value = self._headers.get(hdrs.CONTENT_LENGTH)
        if value is None:
            return None
        value = value.strip(" \t")
        if not value.isdigit() or not value.isascii():
            raise ValueError(f"Invalid Content-Length header: {value!r}")
        return int(value)
