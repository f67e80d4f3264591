"""Rules for multipart boundaries and for the parts a
:class:`~aiohttp.multipart.MultipartWriter` accepts.

A boundary we generate or are given must be 1-70 RFC 2046 ``bchars``; one a peer sends is
accepted when it is 1-70 printable ASCII characters. :func:`prepare_part` applies the
per-subtype header rules to a part as it is appended (RFC 7578 for ``form-data``) and tells
which content and transfer encodings the writer must apply to it.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Final, Optional

from . import hdrs
from ._header_text import check_header_fields, is_token
from ._multipart_codec import CONTENT_ENCODINGS, IDENTITY_TRANSFER, TRANSFER_ENCODINGS

if TYPE_CHECKING:
    from .payload import Payload

MAX_BOUNDARY: Final = 70

# RFC 2046 section 5.1.1 bchars (a space is allowed, but not last).
_BCHARS: Final = frozenset(
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? "
)
_NAME_PARAM: Final = re.compile(r"(?:^|;)\s*name\*?\s*=", re.IGNORECASE)
_FORM_DATA_FORBIDDEN: Final = (
    hdrs.CONTENT_ENCODING,
    hdrs.CONTENT_LENGTH,
    hdrs.CONTENT_TRANSFER_ENCODING,
)


def own_boundary(boundary: Optional[str]) -> tuple[bytes, str]:
    """The boundary to write (random when ``None``) and its ``Content-Type`` parameter
    text (quoted unless it is a token).

    :raises ValueError: not 1-70 bchars, or ends with a space.
    """
    if boundary is None:
        boundary = uuid.uuid4().hex
    elif (
        not 1 <= len(boundary) <= MAX_BOUNDARY
        or not _BCHARS.issuperset(boundary)
        or boundary.endswith(" ")
    ):
        raise ValueError(
            f"invalid multipart boundary {boundary!r}: use 1-70 letters, digits "
            "or '()+_,-./:=? (RFC 2046), not ending with a space"
        )
    param = boundary if is_token(boundary) else f'"{boundary}"'
    return boundary.encode("ascii"), param


def peer_boundary(boundary: str) -> bytes:
    """Check a received boundary: 1-70 printable ASCII characters."""
    if len(boundary) > MAX_BOUNDARY:
        raise ValueError(f"boundary {boundary!r} is too long (70 chars max)")
    if not boundary or not boundary.isascii() or not boundary.isprintable():
        raise ValueError(f"invalid multipart boundary {boundary!r}")
    return boundary.encode("ascii")


def prepare_part(
    payload: Payload, form_data: bool, index: int
) -> tuple[Optional[str], Optional[str]]:
    """Check (and complete) the headers of a part being appended; return the
    ``(content_encoding, transfer_encoding)`` to apply, ``None`` for identity.

    In ``form-data`` a part without ``Content-Disposition`` gets
    ``form-data; name="section-<index>"`` and ``Content-Encoding``, ``Content-Length`` and
    ``Content-Transfer-Encoding`` are refused (RFC 7578 sections 4.7, 4.8); elsewhere a
    part of known size and no encoding gets ``Content-Length``.

    :raises RuntimeError: an unknown content or transfer encoding.
    :raises ValueError: a forbidden form-data header, or invalid header text.
    """
    headers = payload.headers
    check_header_fields(headers.items())
    if form_data:
        present = [name for name in _FORM_DATA_FORBIDDEN if name in headers]
        if present:
            raise ValueError(f"form-data parts must not have {', '.join(present)} headers")
        if hdrs.CONTENT_DISPOSITION not in headers:
            payload.set_content_disposition("form-data", name=f"section-{index}")
        return None, None
    coding = headers.get(hdrs.CONTENT_ENCODING, "").strip().lower()
    if coding not in CONTENT_ENCODINGS:
        raise RuntimeError(f"unknown content encoding: {coding}")
    transfer = headers.get(hdrs.CONTENT_TRANSFER_ENCODING, "").strip().lower()
    if transfer not in TRANSFER_ENCODINGS:
        raise RuntimeError(f"unknown content transfer encoding: {transfer}")
    content_encoding = None if coding in ("", "identity") else coding
    transfer_encoding = None if transfer in IDENTITY_TRANSFER else transfer
    size = payload.size
    if size is not None and content_encoding is None and transfer_encoding is None:
        headers[hdrs.CONTENT_LENGTH] = str(size)
    return content_encoding, transfer_encoding


def check_form_part(payload: Payload) -> None:
    """A ``form-data`` part must be named (RFC 7578 section 4.2)."""
    disposition = payload.headers.get(hdrs.CONTENT_DISPOSITION, "")
    if _NAME_PARAM.search(disposition) is None:
        raise ValueError("a form-data part needs a Content-Disposition with a name")
