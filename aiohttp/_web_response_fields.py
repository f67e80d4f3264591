"""The settable header fields of a server response: ``content_length``, ``content_type``,
``charset``, ``last_modified``, ``etag`` and the cookies.

:class:`ResponseFieldsMixin` is the part of :class:`~aiohttp.web.StreamResponse` that maps
typed attribute assignments onto ``self._headers``; each setter validates what it writes
(no control characters, no ``"`` inside an entity tag, no charset without a content type),
so a bad value fails where it was assigned rather than when the head is sent.
"""

from __future__ import annotations

import calendar
import datetime
import re
from email.utils import formatdate
from http.cookies import SimpleCookie
from typing import Final, Optional, TypeAlias, Union

from multidict import CIMultiDict

from . import hdrs
from ._web_cookies import EXPIRED, make_morsel
from ._web_headers import ContentHeadersMixin
from ._web_precond import ETAG_ANY, parse_etag
from .helpers import ETag, parse_http_date

_LastModified: TypeAlias = Union[int, float, datetime.datetime, str, None]

_ETAG_VALUE_RE: Final = re.compile(r"[\x21\x23-\x7e\x80-\xff]*")
_CONTROL_RE: Final = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


class ResponseFieldsMixin(ContentHeadersMixin):
    """Typed, validated access to the response headers aiohttp gives attributes to."""

    _headers: CIMultiDict[str]
    _cookies: Optional[SimpleCookie] = None
    _chunked: bool = False

    @property
    def cookies(self) -> SimpleCookie:
        """The cookies sent as ``Set-Cookie`` headers."""
        if self._cookies is None:
            self._cookies = SimpleCookie()
        return self._cookies

    def set_cookie(
        self,
        name: str,
        value: str,
        *,
        expires: Optional[str] = None,
        domain: Optional[str] = None,
        max_age: Union[int, str, None] = None,
        path: str = "/",
        secure: Optional[bool] = None,
        httponly: Optional[bool] = None,
        version: Optional[str] = None,
        samesite: Optional[str] = None,
        partitioned: Optional[bool] = None,
    ) -> None:
        """Set a cookie (replacing one of the same name set earlier on this response).

        :raises http.cookies.CookieError: ``name`` is not a legal cookie name.
        :raises ValueError: an attribute holds a control character or ``;``.
        """
        self.cookies[name] = make_morsel(
            name,
            value,
            expires=expires,
            domain=domain,
            max_age=max_age,
            path=path,
            secure=secure,
            httponly=httponly,
            version=version,
            samesite=samesite,
            partitioned=partitioned,
        )

    def del_cookie(
        self,
        name: str,
        *,
        domain: Optional[str] = None,
        path: str = "/",
        secure: Optional[bool] = None,
        httponly: Optional[bool] = None,
        samesite: Optional[str] = None,
    ) -> None:
        """Tell the client to delete cookie ``name`` (an empty value that expired in 1970)."""
        self.cookies.pop(name, None)
        self.set_cookie(
            name,
            "",
            max_age=0,
            expires=EXPIRED,
            domain=domain,
            path=path,
            secure=secure,
            httponly=httponly,
            samesite=samesite,
        )

    @property
    def content_length(self) -> Optional[int]:
        """The ``Content-Length`` header as an int (``None`` when absent)."""
        return self._header_content_length()

    @content_length.setter
    def content_length(self, value: Optional[int]) -> None:
        if value is None:
            self._headers.popall(hdrs.CONTENT_LENGTH, None)
            return
        value = int(value)
        if value < 0:
            raise ValueError(f"Content length must not be negative: {value}")
        if self._chunked:
            raise RuntimeError("You can't set content length when chunked encoding is enable")
        self._headers[hdrs.CONTENT_LENGTH] = str(value)

    @property
    def content_type(self) -> str:
        """The media type of ``Content-Type`` (setting it keeps the parameters)."""
        self._parse_content_type()
        return self._content_type

    @content_type.setter
    def content_type(self, value: str) -> None:
        value = str(value)
        if _CONTROL_RE.search(value) is not None:
            raise ValueError(f"Content type must not contain control characters: {value!r}")
        self._parse_content_type()
        self._content_type = value
        self._write_content_type()

    @property
    def charset(self) -> Optional[str]:
        """The ``charset`` parameter of ``Content-Type``."""
        self._parse_content_type()
        return self._content_dict.get("charset")

    @charset.setter
    def charset(self, value: Optional[str]) -> None:
        if self.content_type == "application/octet-stream":
            raise RuntimeError(
                "Setting charset for application/octet-stream "
                "doesn't make sense, setup content_type first"
            )
        params = dict(self._content_dict)
        if value is None:
            params.pop("charset", None)
        else:
            value = str(value).lower()
            if _CONTROL_RE.search(value) is not None or ";" in value:
                raise ValueError(f"Invalid charset {value!r}")
            params["charset"] = value
        self._content_dict = params
        self._write_content_type()

    def _write_content_type(self) -> None:
        params = "".join(f"; {k}={v}" for k, v in self._content_dict.items())
        self._headers[hdrs.CONTENT_TYPE] = self._content_type + params

    @property
    def last_modified(self) -> Optional[datetime.datetime]:
        """The ``Last-Modified`` header as an aware UTC datetime (``None`` if absent or
        invalid); set it from a POSIX timestamp, a datetime or a preformatted string."""
        return parse_http_date(self._headers.get(hdrs.LAST_MODIFIED))

    @last_modified.setter
    def last_modified(self, value: _LastModified) -> None:
        if value is None:
            self._headers.popall(hdrs.LAST_MODIFIED, None)
        elif isinstance(value, (int, float)):
            self._headers[hdrs.LAST_MODIFIED] = formatdate(int(value + 0.999999), usegmt=True)
        elif isinstance(value, datetime.datetime):
            stamp = calendar.timegm(value.utctimetuple())
            self._headers[hdrs.LAST_MODIFIED] = formatdate(stamp, usegmt=True)
        elif isinstance(value, str):
            self._headers[hdrs.LAST_MODIFIED] = value
        else:
            raise TypeError(f"Unsupported last_modified type {type(value)!r}")

    @property
    def etag(self) -> Optional[ETag]:
        """The ``ETag`` header (``None`` if absent or malformed); set it from a string (a
        strong tag), an :class:`~aiohttp.ETag` or ``None``."""
        return parse_etag(self._headers.get(hdrs.ETAG))

    @etag.setter
    def etag(self, value: Union[ETag, str, None]) -> None:
        if value is None:
            self._headers.popall(hdrs.ETAG, None)
            return
        if isinstance(value, str):
            tag, weak = value, False
        elif isinstance(value, ETag):
            tag, weak = value.value, value.is_weak
        else:
            raise ValueError(
                f"Unsupported etag type: {type(value)}. etag must be str, ETag or None"
            )
        if tag == ETAG_ANY:
            self._headers[hdrs.ETAG] = ETAG_ANY
            return
        if _ETAG_VALUE_RE.fullmatch(tag) is None:
            raise ValueError(f"Value {tag!r} is not a valid etag. Maybe it contains '\"'?")
        self._headers[hdrs.ETAG] = f'W/"{tag}"' if weak else f'"{tag}"'
