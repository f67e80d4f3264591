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


# Module constants: reading an Enum member off its class costs ~0.1 us per access.
_F_NONE: Final = Framing.NONE
_F_LENGTH: Final = Framing.LENGTH
_F_CHUNKED: Final = Framing.CHUNKED
_F_EOF: Final = Framing.EOF
_F_SWITCH: Final = Framing.SWITCH


class Semantics(NamedTuple):
    """What a head means for the connection (see the module docstring for ``framing``)."""

    framing: Framing
    length: int
    should_close: bool
    compression: Optional[str]
    upgrade: bool
    chunked: bool


_NONE_KEEP: Final = Semantics(_F_NONE, 0, False, None, False, False)
_NONE_CLOSE: Final = Semantics(_F_NONE, 0, True, None, False, False)


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
    if len(values) == 1 and "," not in values[0]:
        coding = values[0].strip(" \t").lower()
        if coding:
            return [coding]
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


def _plain_close(version: HttpVersion, headers: CIMultiDict[str]) -> bool:
    """``should_close`` of a head without ``Upgrade`` (what ``_flags`` decides, cheaper)."""
    values = headers.getall(_CONN, None)
    http10 = version[1] == 0 and version[0] == 1
    if values is None:
        return http10
    if len(values) == 1 and "," not in values[0]:
        token = values[0].strip(" \t").lower()
        return token != "keep-alive" if http10 else token == "close"
    return _flags(version, headers)[0]


def _names_websocket(headers: CIMultiDict[str]) -> bool:
    return any(
        t.strip(" \t").lower() == "websocket"
        for v in headers.getall(_UPGRADE, ())
        for t in v.split(",")
    )


def request_semantics(method: str, version: HttpVersion, headers: CIMultiDict[str]) -> Semantics:
    """Decide framing and flags of a request head; raise ``BadHttpMessage`` if ambiguous."""
    if (
        _CL not in headers
        and _TE not in headers
        and _UPGRADE not in headers
        and _CE not in headers
        and method != "CONNECT"
    ):
        # the common case: no body, no switch, no coding; only keep-alive to decide
        # (_plain_close inlined)
        values = headers.getall(_CONN, None)
        http10 = version[1] == 0 and version[0] == 1
        if values is None:
            return _NONE_CLOSE if http10 else _NONE_KEEP
        if len(values) == 1 and "," not in values[0]:
            token = values[0].strip(" \t").lower()
            close = token != "keep-alive" if http10 else token == "close"
        else:
            close = _flags(version, headers)[0]
        return _NONE_CLOSE if close else _NONE_KEEP
    close, compression, upgrade = _flags(version, headers)
    if _CL not in headers and _TE not in headers:
        if (upgrade and _names_websocket(headers)) or method == "CONNECT":
            return Semantics(_F_SWITCH, 0, close, compression, upgrade, False)
        return Semantics(_F_NONE, 0, close, compression, upgrade, False)
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
        framing = _F_CHUNKED
    elif length:
        framing = _F_LENGTH
    elif (upgrade and _names_websocket(headers)) or method == "CONNECT":
        framing = _F_SWITCH
    else:
        framing = _F_NONE
    return Semantics(framing, length or 0, close, compression, upgrade, chunked)


def response_semantics(
    code: int, request_method: str, version: HttpVersion, headers: CIMultiDict[str]
) -> Semantics:
    """Decide framing and flags of a response head to a ``request_method`` request."""
    if _UPGRADE not in headers and _CE not in headers:
        close = _plain_close(version, headers)
        compression: Optional[str] = None
        upgrade = False
    else:
        close, compression, upgrade = _flags(version, headers)
    length = _content_length(headers)
    codings = _transfer_codings(headers)
    chunked = codings is not None and codings[-1] == "chunked"
    if code == 101 or (request_method == "CONNECT" and 200 <= code < 300):
        framing = _F_SWITCH
    elif code < 200 or code == 204 or code == 304 or request_method == "HEAD":
        framing = _F_NONE
    elif codings is not None:
        framing = _F_CHUNKED if chunked else _F_EOF
        length = None
    elif length is not None:
        framing = _F_LENGTH if length else _F_NONE
    else:
        framing = _F_EOF
    if framing is _F_EOF:
        close = True
    return tuple.__new__(Semantics, (framing, length or 0, close, compression, upgrade, chunked))
