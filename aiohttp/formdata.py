"""HTML form bodies: :class:`FormData` builds ``application/x-www-form-urlencoded`` or
``multipart/form-data`` from fields.

A form is URL-encoded while every field is a plain name/value pair; a file object, a file
name or a content type on any field (or ``default_to_multipart``) makes it multipart, built
on :class:`~aiohttp.multipart.MultipartWriter`. Field names, file names and content types
with CR, LF or NUL are refused with :class:`ValueError` when the field is added.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable
from typing import Optional
from urllib.parse import urlencode

from multidict import MultiDict, MultiDictProxy

from . import hdrs, multipart, payload
from ._header_text import refuse_line_breaks
from .helpers import guess_filename
from .payload import Payload

__all__ = ("FormData",)


class FormData:
    """Helper class for form body generation (URL-encoded or multipart).

    ``fields`` may be a dict, a list of ``(name, value)`` pairs, a multidict, a file object
    or a list of those; see :meth:`add_fields`. ``charset`` encodes text values (default
    UTF-8); ``quote_fields`` controls how ``Content-Disposition`` parameters are quoted.
    Calling the form gives its body; a multipart body is built once and reused by later
    calls (so a request can be re-sent), taking in fields added in between.
    """

    def __init__(
        self,
        fields: Iterable[object] = (),
        quote_fields: bool = True,
        charset: Optional[str] = None,
        *,
        default_to_multipart: bool = False,
    ) -> None:
        self._writer = multipart.MultipartWriter("form-data")
        self._fields: list[tuple[MultiDict[str], dict[str, str], object]] = []
        self._written = 0  # how many fields are in the writer already
        self._is_multipart = default_to_multipart
        self._quote_fields = quote_fields
        self._charset = charset
        if isinstance(fields, dict):
            fields = list(fields.items())
        elif not isinstance(fields, (list, tuple)):
            fields = (fields,)
        self.add_fields(*fields)

    @property
    def is_multipart(self) -> bool:
        """True when the body will be ``multipart/form-data``."""
        return self._is_multipart

    def add_field(
        self,
        name: str,
        value: object,
        *,
        content_type: Optional[str] = None,
        filename: Optional[str] = None,
        content_transfer_encoding: Optional[str] = None,
    ) -> None:
        """Add one field.

        A file object, a ``filename`` or a ``content_type`` makes the form multipart. Bytes
        without a ``filename`` become a file named like the field (deprecated, as in 3.13:
        pass ``filename`` or an :class:`io.BytesIO`). ``content_transfer_encoding`` is
        deprecated and ignored, except that it makes the form multipart.

        :raises TypeError: ``filename``, ``content_type`` or ``content_transfer_encoding``
            is not a ``str``.
        :raises ValueError: ``name``, ``filename`` or ``content_type`` holds CR, LF or NUL.
        """
        if isinstance(name, str):  # urlencoded forms also take other values as names
            refuse_line_breaks(name, "form field name")
        if isinstance(value, io.IOBase):
            self._is_multipart = True
        elif (
            isinstance(value, (bytes, bytearray, memoryview))
            and filename is None
            and content_transfer_encoding is None
        ):
            warnings.warn(
                "In v4, passing bytes will no longer create a file field. Please "
                "explicitly use the filename parameter or pass a BytesIO object.",
                DeprecationWarning,
                stacklevel=2,
            )
            filename = name
        if filename is not None and not isinstance(filename, str):
            raise TypeError(f"filename must be an instance of str. Got: {filename!r}")
        if filename is None and isinstance(value, io.IOBase):
            filename = guess_filename(value, name)
        disposition: MultiDict[str] = MultiDict({"name": name})
        if filename is not None:
            disposition["filename"] = refuse_line_breaks(filename, "form field filename")
            self._is_multipart = True
        headers: dict[str, str] = {}
        if content_type is not None:
            if not isinstance(content_type, str):
                raise TypeError(f"content_type must be an instance of str. Got: {content_type!r}")
            headers[hdrs.CONTENT_TYPE] = refuse_line_breaks(content_type, "content_type")
            self._is_multipart = True
        if content_transfer_encoding is not None:
            if not isinstance(content_transfer_encoding, str):
                raise TypeError(
                    "content_transfer_encoding must be an instance of str. "
                    f"Got: {content_transfer_encoding!r}"
                )
            warnings.warn(
                "content_transfer_encoding is deprecated. "
                "To maintain compatibility with v4 please pass a BytesPayload.",
                DeprecationWarning,
                stacklevel=2,
            )
            self._is_multipart = True
        self._fields.append((disposition, headers, value))

    def add_fields(self, *fields: object) -> None:
        """Add fields given as ``(name, value)`` pairs, multidicts (every item) or file
        objects (named after the file, else ``"unknown"``).

        :raises TypeError: anything else.
        """
        pending = list(fields)
        while pending:
            item = pending.pop(0)
            if isinstance(item, io.IOBase):
                self.add_field(guess_filename(item, "unknown") or "unknown", item)
            elif isinstance(item, (MultiDictProxy, MultiDict)):
                pending.extend(item.items())
            elif isinstance(item, (list, tuple)) and len(item) == 2:
                name, value = item
                self.add_field(name, value)
            else:
                raise TypeError(
                    "Only io.IOBase, multidict and (name, file) pairs allowed, "
                    f"use .add_field() for passing more complex parameters, got {item!r}"
                )

    def __call__(self) -> Payload:
        """The body: a :class:`~aiohttp.payload.BytesPayload` for a URL-encoded form, else
        the :class:`~aiohttp.multipart.MultipartWriter` (the same one on every call)."""
        if self._is_multipart:
            return self._gen_form_data()
        return self._gen_form_urlencoded()

    def _gen_form_urlencoded(self) -> payload.BytesPayload:
        charset = self._charset if self._charset is not None else "utf-8"
        pairs = [(disposition["name"], value) for disposition, _, value in self._fields]
        content_type = "application/x-www-form-urlencoded"
        if charset != "utf-8":
            content_type += f"; charset={charset}"
        body = urlencode(pairs, doseq=True, encoding=charset).encode()
        return payload.BytesPayload(body, content_type=content_type)

    def _gen_form_data(self) -> multipart.MultipartWriter:
        for disposition, headers, value in self._fields[self._written :]:
            options: dict[str, str] = {}
            if hdrs.CONTENT_TYPE in headers:
                options["content_type"] = headers[hdrs.CONTENT_TYPE]
            try:
                part = payload.get_payload(
                    value, headers=headers, encoding=self._charset, **options
                )
            except (LookupError, TypeError) as exc:
                raise TypeError(
                    f"Can not serialize value type: {type(value)!r}\n "
                    f"headers: {headers!r}\n value: {value!r}"
                ) from exc
            part.set_content_disposition(
                "form-data", quote_fields=self._quote_fields, **disposition
            )
            # RFC 7578 section 4.8: form-data parts carry no Content-Length.
            part.headers.popall(hdrs.CONTENT_LENGTH, None)
            self._writer.append_payload(part)
            self._written += 1
        return self._writer
