"""The WebSocket opening handshake (RFC 6455 section 4) as pure functions, no I/O.

:func:`server_handshake` checks a client's upgrade request (method, HTTP version, ``Upgrade``,
``Connection``, ``Sec-WebSocket-Version`` and ``Sec-WebSocket-Key``), picks the subprotocol and
negotiates permessage-deflate, and returns the ``101`` answer's headers; a request it cannot
accept raises :class:`HandshakeRefused` carrying the HTTP status to answer with (405 for a
method other than GET, 400 otherwise), which :mod:`aiohttp.web_ws` turns into its
``HTTPException``.  :func:`accept_token` is the ``Sec-WebSocket-Accept`` value for a key, for
the client side to check the server's answer with.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Optional

from multidict import MultiMapping

from . import hdrs
from ._websocket._deflate import ws_ext_gen, ws_ext_parse
from ._websocket.models import WS_KEY

__all__ = ("HandshakeRefused", "ServerHandshake", "accept_token", "server_handshake")

#: The only protocol version RFC 6455 defines.
WS_VERSION: Final = "13"
_KEY_LENGTH: Final = 16
# Header values echoed into an error message are cut to this many characters.
_ECHO_LIMIT: Final = 100


class HandshakeRefused(Exception):
    """The upgrade request cannot be accepted; answer it with ``status``.

    ``headers`` are extra response headers (``Allow`` for 405, ``Sec-WebSocket-Version``
    for an unsupported version).
    """

    def __init__(
        self, status: int, message: str, headers: tuple[tuple[str, str], ...] = ()
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


@dataclass(frozen=True, slots=True)
class ServerHandshake:
    """An accepted upgrade request: what the ``101`` answer says and what was negotiated.

    ``compress`` is the permessage-deflate window bits we compress with (``0``: the
    extension is off); ``notakeover`` says we reset the compression context per message.
    """

    headers: tuple[tuple[str, str], ...]
    protocol: Optional[str]
    compress: int
    notakeover: bool


def accept_token(key: str) -> str:
    """The ``Sec-WebSocket-Accept`` value answering ``Sec-WebSocket-Key: key``."""
    digest = hashlib.sha1(key.encode("ascii") + WS_KEY).digest()
    return base64.b64encode(digest).decode("ascii")


def _tokens(headers: MultiMapping[str], name: str) -> list[str]:
    """The comma-separated tokens of every ``name`` header, stripped, in order."""
    return [
        token
        for value in headers.getall(name, ())
        for token in (part.strip(" \t") for part in value.split(","))
        if token
    ]


def _echo(value: Optional[str]) -> str:
    if value is None:
        return "missing"
    return repr(value if len(value) <= _ECHO_LIMIT else value[:_ECHO_LIMIT] + "...")


def _bad(message: str, headers: tuple[tuple[str, str], ...] = ()) -> HandshakeRefused:
    return HandshakeRefused(400, message, headers)


def _check_key(headers: MultiMapping[str]) -> str:
    keys = headers.getall(hdrs.SEC_WEBSOCKET_KEY, ())
    if len(keys) != 1:
        raise _bad(f"Handshake error: expected one Sec-WebSocket-Key header, got {len(keys)}")
    key = keys[0]
    try:
        raw = base64.b64decode(key.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raw = b""
    if len(raw) != _KEY_LENGTH:
        raise _bad(f"Handshake error: Sec-WebSocket-Key {_echo(key)} is not 16 bytes in base64")
    return key


def _choose_protocol(headers: MultiMapping[str], protocols: Sequence[str]) -> Optional[str]:
    """The first subprotocol the client lists that we support (client preference)."""
    if not protocols:
        return None
    for offered in _tokens(headers, hdrs.SEC_WEBSOCKET_PROTOCOL):
        if offered in protocols:
            return offered
    return None


def server_handshake(
    method: str,
    version: tuple[int, int],
    headers: MultiMapping[str],
    protocols: Sequence[str],
    compress: bool,
) -> ServerHandshake:
    """Check an upgrade request and build the ``101`` answer (see the module docstring).

    :param protocols: the subprotocols we support; the first the client lists wins, and
        none is chosen when there is no overlap (the handshake still succeeds).
    :param compress: whether to accept a permessage-deflate offer.
    :raises HandshakeRefused: the request is not a valid WebSocket upgrade.
    """
    if method != hdrs.METH_GET:
        raise HandshakeRefused(
            405, f"WebSocket upgrade needs a GET request, not {method}", (("Allow", "GET"),)
        )
    if version < (1, 1):
        raise _bad(f"WebSocket upgrade needs HTTP/1.1, not HTTP/{version[0]}.{version[1]}")
    if "websocket" not in (t.lower() for t in _tokens(headers, hdrs.UPGRADE)):
        raise _bad(
            f"No WebSocket UPGRADE hdr: {_echo(headers.get(hdrs.UPGRADE))}\n"
            'Can "Upgrade" only to "WebSocket".'
        )
    if "upgrade" not in (t.lower() for t in _tokens(headers, hdrs.CONNECTION)):
        raise _bad(f"No CONNECTION upgrade hdr: {_echo(headers.get(hdrs.CONNECTION))}")
    if hdrs.TRANSFER_ENCODING in headers or headers.get(hdrs.CONTENT_LENGTH, "0") != "0":
        # The HTTP parser only switches protocols after a head without a body.
        raise _bad("A WebSocket upgrade request must not have a body")
    ws_version = headers.getall(hdrs.SEC_WEBSOCKET_VERSION, ())
    if list(ws_version) != [WS_VERSION]:
        raise _bad(
            f"Unsupported version: {_echo(', '.join(ws_version) or None)}",
            ((hdrs.SEC_WEBSOCKET_VERSION, WS_VERSION),),
        )
    key = _check_key(headers)
    protocol = _choose_protocol(headers, protocols)
    answer = [
        (hdrs.UPGRADE, "websocket"),
        (hdrs.CONNECTION, "upgrade"),
        (hdrs.SEC_WEBSOCKET_ACCEPT, accept_token(key)),
    ]
    if protocol is not None:
        answer.append((hdrs.SEC_WEBSOCKET_PROTOCOL, protocol))
    wbits, notakeover = 0, False
    if compress:
        offers = headers.getall(hdrs.SEC_WEBSOCKET_EXTENSIONS, ())
        if offers:
            wbits, notakeover = ws_ext_parse(", ".join(offers), isserver=True)
        if wbits:
            answer.append(
                (
                    hdrs.SEC_WEBSOCKET_EXTENSIONS,
                    ws_ext_gen(compress=wbits, isserver=True, server_notakeover=notakeover),
                )
            )
    return ServerHandshake(tuple(answer), protocol, wbits, notakeover)
