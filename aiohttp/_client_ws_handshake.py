"""The client half of the WebSocket opening handshake (RFC 6455 section 4.1), no I/O.

:func:`client_offer` builds the upgrade request's headers: ``Upgrade``, ``Connection``,
``Sec-WebSocket-Version``, a fresh ``Sec-WebSocket-Key`` (16 random bytes in base64), the
subprotocols we offer, ``Origin`` and the permessage-deflate offer.  :func:`check_answer`
checks the server's answer against that offer -- status ``101``, ``Upgrade: websocket``,
``Connection: upgrade``, the ``Sec-WebSocket-Accept`` token, a subprotocol we offered (or
none), an extension we offered (or none) -- and returns what was negotiated, or raises
:class:`HandshakeFailed` with the reason, which :mod:`aiohttp._client_ws_connect` turns into
:class:`~aiohttp.WSServerHandshakeError`.  Unlike aiohttp 3.13, which ignores them, a
subprotocol or an extension the client did not offer fails the handshake, as the RFC says.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Optional

from multidict import CIMultiDict, MultiMapping

from . import hdrs
from ._websocket._deflate import ws_ext_gen, ws_ext_parse
from ._websocket.models import WSHandshakeError
from ._ws_handshake import WS_VERSION, accept_token
from .typedefs import LooseHeaders

__all__ = ("Accepted", "ClientOffer", "HandshakeFailed", "check_answer", "client_offer")

_KEY_BYTES: Final = 16
# RFC 9110 "token" characters, which a subprotocol name must consist of (RFC 6455 4.1).
_TOKEN_CHARS: Final = frozenset(
    "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)
# Header values echoed into an error message are cut to this many characters.
_ECHO_LIMIT: Final = 100


class HandshakeFailed(Exception):
    """The server's answer does not complete the handshake; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class ClientOffer:
    """The upgrade request: its ``headers`` and the ``key`` the answer must match."""

    headers: CIMultiDict[str]
    key: str
    protocols: tuple[str, ...]
    compress: int


@dataclass(frozen=True, slots=True)
class Accepted:
    """What the handshake settled: the subprotocol (None: none), the permessage-deflate
    window bits we compress with (``0``: off) and whether we reset the compression
    context per message (``client_no_context_takeover``)."""

    protocol: Optional[str]
    compress: int
    notakeover: bool


def _check_protocols(protocols: Iterable[str]) -> tuple[str, ...]:
    result = tuple(protocols)
    for name in result:
        if not name or not _TOKEN_CHARS.issuperset(name):
            raise ValueError(f"WebSocket subprotocol {name!r} is not a valid token")
    return result


def client_offer(
    headers: Optional[LooseHeaders],
    protocols: Iterable[str],
    origin: Optional[str],
    compress: int,
    *,
    random_bytes: Callable[[int], bytes] = os.urandom,
) -> ClientOffer:
    """The upgrade request's headers (see the module docstring).

    The caller's ``headers`` come first; ``Upgrade``, ``Connection`` and
    ``Sec-WebSocket-Version`` are only added when absent, the key, subprotocols, origin and
    extension offer always replace the caller's.

    :raises ValueError: a subprotocol is not a token, or ``compress`` is neither ``0`` nor
        window bits 9-15 (before anything is sent).
    """
    offered = _check_protocols(protocols)
    extension = ws_ext_gen(compress=compress) if compress else None
    result: CIMultiDict[str] = CIMultiDict()
    if headers:
        result.extend(headers.items() if isinstance(headers, Mapping) else headers)
    result.setdefault(hdrs.UPGRADE, "websocket")
    result.setdefault(hdrs.CONNECTION, "Upgrade")
    result.setdefault(hdrs.SEC_WEBSOCKET_VERSION, WS_VERSION)
    key = base64.b64encode(random_bytes(_KEY_BYTES)).decode("ascii")
    result[hdrs.SEC_WEBSOCKET_KEY] = key
    if offered:
        result[hdrs.SEC_WEBSOCKET_PROTOCOL] = ",".join(offered)
    if origin is not None:
        result[hdrs.ORIGIN] = origin
    if extension is not None:
        result[hdrs.SEC_WEBSOCKET_EXTENSIONS] = extension
    return ClientOffer(result, key, offered, compress)


def _echo(value: Optional[str]) -> str:
    if value is None:
        return "missing"
    return repr(value if len(value) <= _ECHO_LIMIT else value[:_ECHO_LIMIT] + "...")


def _has_token(headers: MultiMapping[str], name: str, token: str) -> bool:
    return any(
        part.strip(" \t").lower() == token
        for value in headers.getall(name, ())
        for part in value.split(",")
    )


def _chosen_protocol(headers: MultiMapping[str], offered: tuple[str, ...]) -> Optional[str]:
    values = headers.getall(hdrs.SEC_WEBSOCKET_PROTOCOL, ())
    if not values:
        return None
    chosen = values[0].strip(" \t")
    if len(values) > 1 or chosen not in offered:
        raise HandshakeFailed(
            f"Server chose a subprotocol the client did not offer: {_echo(', '.join(values))}"
        )
    return chosen


def _negotiated_extension(headers: MultiMapping[str], compress: int) -> tuple[int, bool]:
    values = headers.getall(hdrs.SEC_WEBSOCKET_EXTENSIONS, ())
    if not values:
        return 0, False
    answer = ", ".join(values)
    if not compress:
        raise HandshakeFailed(f"Server answered with an extension not offered: {_echo(answer)}")
    try:
        return ws_ext_parse(answer)
    except WSHandshakeError as exc:
        raise HandshakeFailed(str(exc)) from None


def check_answer(status: int, headers: MultiMapping[str], offer: ClientOffer) -> Accepted:
    """Check the server's answer to ``offer``; return what was negotiated.

    :raises HandshakeFailed: the answer does not complete the handshake.
    """
    if status != 101:
        raise HandshakeFailed("Invalid response status")
    if not _has_token(headers, hdrs.UPGRADE, "websocket"):
        raise HandshakeFailed("Invalid upgrade header")
    if not _has_token(headers, hdrs.CONNECTION, "upgrade"):
        raise HandshakeFailed("Invalid connection header")
    accepts = headers.getall(hdrs.SEC_WEBSOCKET_ACCEPT, ())
    if len(accepts) != 1 or accepts[0].strip(" \t") != accept_token(offer.key):
        raise HandshakeFailed("Invalid challenge response")
    protocol = _chosen_protocol(headers, offer.protocols)
    compress, notakeover = _negotiated_extension(headers, offer.compress)
    return Accepted(protocol, compress, notakeover)
