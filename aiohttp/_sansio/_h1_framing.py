"""Message semantics from a parsed head: body framing, keep-alive, upgrade, compression.

Both engines call these two functions once per head, so ``Content-Length`` /
``Transfer-Encoding`` validation (RFC 9112 section 6), the ``Connection`` token list and
the switch-protocol rules are decided in exactly one place.  Framing:

=========  ==============================================================
NONE       no body: the head is followed by ``MessageEnd`` at once
LENGTH     ``Content-Length`` bytes of body
CHUNKED    ``Transfer-Encoding: ..., chunked``
EOF        (responses) the body runs until the peer closes
SWITCH     the connection leaves HTTP/1.1 after this head (``Upgraded``)
=========  ==============================================================
"""

from __future__ import annotations

import enum
from typing import Final, NamedTuple, Optional

from multidict import CIMultiDict

from .. import hdrs
from ..http_exceptions import BadHttpMessage
from ._messages import HttpVersion

_MAX_CL_DIGITS: Final = 18  # < 2**63: a length Python and C peers agree on
_COMPRESSIONS: Final = frozenset(("gzip", "deflate", "br"))
_CL: Final = hdrs.CONTENT_LENGTH
_TE: Final = hdrs.TRANSFER_ENCODING
_CONN: Final = hdrs.CONNECTION
_CE: Final = hdrs.CONTENT_ENCODING
_UPGRADE: Final = hdrs.UPGRADE


class Framing(enum.Enum):
    """How the body of a message is delimited."""

    NONE = 0
    LENGTH = 1
    CHUNKED = 2
    EOF = 3
    SWITCH = 4


class Semantics(NamedTuple):
    """What a head means for the connection (see the module docstring for ``framing``)."""

    framing: Framing
    length: int
    should_close: bool
    compression: Optional[str]
    upgrade: bool
    chunked: bool


def _connection_tokens(headers: CIMultiDict[str]) -> tuple[str, ...]:
    values = headers.getall(_CONN, None)
    if values is None:
        return ()
    if len(values) == 1 and "," not in values[0]:
        return (values[0].strip(" \t").lower(),)
    return tuple(t.strip(" \t").lower() for v in values for t in v.split(","))


def _content_length(headers: CIMultiDict[str]) -> Optional[int]:
    values = headers.getall(_CL, None)
    if values is None:
        return None
    result: Optional[int] = None
    for value in values:
        for part in value.split(","):
            digits = part.strip(" \t")
            if (
                not digits
                or len(digits) > _MAX_CL_DIGITS
                or not digits.isascii()
                or not digits.isdigit()
            ):
                raise BadHttpMessage(f"Invalid Content-Length {value!r}")
            n = int(digits)
            if result is not None and n != result:
                raise BadHttpMessage(f"Conflicting Content-Length values {values!r}")
            result = n
    return result


def _transfer_codings(headers: CIMultiDict[str]) -> Optional[list[str]]:
    values = headers.getall(_TE, None)
    if values is None:
        return None
    codings = [c.strip(" \t").lower() for v in values for c in v.split(",")]
    if "" in codings:
        raise BadHttpMessage(f"Invalid Transfer-Encoding {values!r}")
    if "chunked" in codings[:-1]:
        raise BadHttpMessage(f"Transfer-Encoding 'chunked' is not the final coding {values!r}")
    return codings


def _flags(version: HttpVersion, headers: CIMultiDict[str]) -> tuple[bool, Optional[str], bool]:
    """``(should_close, compression, upgrade)`` from the generic connection headers."""
    conn = _connection_tokens(headers)
    if version[1] == 0 and version[0] == 1:
        close = "keep-alive" not in conn or "close" in conn
    else:
        close = "close" in conn
    compression: Optional[str] = None
    ce = headers.get(_CE)
    if ce is not None:
        ce = ce.strip(" \t").lower()
        if ce in _COMPRESSIONS:
            compression = ce
    upgrade = "upgrade" in conn and _UPGRADE in headers
    return close, compression, upgrade


def _names_websocket(headers: CIMultiDict[str]) -> bool:
    return any(
        t.strip(" \t").lower() == "websocket"
        for v in headers.getall(_UPGRADE, ())
        for t in v.split(",")
    )


def request_semantics(method: str, version: HttpVersion, headers: CIMultiDict[str]) -> Semantics:
    """Decide framing and flags of a request head; raise ``BadHttpMessage`` if ambiguous."""
    close, compression, upgrade = _flags(version, headers)
    if _CL not in headers and _TE not in headers:  # the common case: no body
        if (upgrade and _names_websocket(headers)) or method == "CONNECT":
            return Semantics(Framing.SWITCH, 0, close, compression, upgrade, False)
        return Semantics(Framing.NONE, 0, close, compression, upgrade, False)
    length = _content_length(headers)
    codings = _transfer_codings(headers)
    chunked = False
    if codings is not None:
        if version < (1, 1):
            raise BadHttpMessage("Transfer-Encoding is not allowed in an HTTP/1.0 request")
        if length is not None:
            raise BadHttpMessage("Request has both Content-Length and Transfer-Encoding")
        if codings[-1] != "chunked":
            raise BadHttpMessage("Request Transfer-Encoding does not end with 'chunked'")
        chunked = True
        framing = Framing.CHUNKED
    elif length:
        framing = Framing.LENGTH
    elif (upgrade and _names_websocket(headers)) or method == "CONNECT":
        framing = Framing.SWITCH
    else:
        framing = Framing.NONE
    return Semantics(framing, length or 0, close, compression, upgrade, chunked)


def response_semantics(
    code: int, request_method: str, version: HttpVersion, headers: CIMultiDict[str]
) -> Semantics:
    """Decide framing and flags of a response head to a ``request_method`` request."""
    close, compression, upgrade = _flags(version, headers)
    length = _content_length(headers)
    codings = _transfer_codings(headers)
    chunked = codings is not None and codings[-1] == "chunked"
    if code == 101 or (request_method == "CONNECT" and 200 <= code < 300):
        framing = Framing.SWITCH
    elif code < 200 or code == 204 or code == 304 or request_method == "HEAD":
        framing = Framing.NONE
    elif codings is not None:
        framing = Framing.CHUNKED if chunked else Framing.EOF
        length = None
    elif length is not None:
        framing = Framing.LENGTH if length else Framing.NONE
    else:
        framing = Framing.EOF
    if framing is Framing.EOF:
        close = True
    return Semantics(framing, length or 0, close, compression, upgrade, chunked)
