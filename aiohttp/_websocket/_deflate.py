"""permessage-deflate (RFC 7692): extension negotiation and per-message (de)compression.

Negotiation: :func:`ws_ext_gen` writes a ``Sec-WebSocket-Extensions`` value (a client's offer or
a server's answer) and :func:`ws_ext_parse` reads one; both speak in window bits (9-15, since
zlib cannot compress with an 8-bit window) and a "no context takeover" flag.  A server picks
the first offer it can honour and ignores the rest; a client rejects an answer it did not ask
for with :class:`WSHandshakeError`.

Compression: each message is deflated and sync-flushed, and the trailing empty stored block
``00 00 ff ff`` is dropped; the receiver appends it back.  With context takeover the LZ77
window carries over from message to message on both sides, so the sender must compress
messages in the order it sends them.  Inflating is bounded: the decompressor never produces
more bytes than the caller's limit.
"""

from __future__ import annotations

import zlib
from typing import Final, Optional

from .models import WebSocketError, WSCloseCode, WSHandshakeError

__all__ = ("MessageCompressor", "MessageDecompressor", "ws_ext_gen", "ws_ext_parse")

DEFLATE_TAIL: Final = b"\x00\x00\xff\xff"
#: zlib's fastest level: WebSocket payloads are usually small and latency matters more.
DEFAULT_LEVEL: Final = zlib.Z_BEST_SPEED
MIN_WBITS: Final = 9
MAX_WBITS: Final = 15

_EXTENSION: Final = "permessage-deflate"
_Params = list[tuple[str, Optional[str]]]


def ws_ext_gen(compress: int = 15, isserver: bool = False, server_notakeover: bool = False) -> str:
    """Return a ``Sec-WebSocket-Extensions`` value offering (client) or accepting (server)
    permessage-deflate.

    :param compress: window bits, 9-15.  A client asks the server to compress with at most
        this window; a server announces the window it compresses with.
    :param isserver: build a server's answer instead of a client's offer.
    :param server_notakeover: ask for (client) or announce (server) that the server resets its
        compression context after every message.
    """
    if not MIN_WBITS <= compress <= MAX_WBITS:
        raise ValueError(
            f"window bits must be between {MIN_WBITS} and {MAX_WBITS} "
            f"(zlib cannot compress with an 8-bit window), got {compress}"
        )
    parts = [_EXTENSION]
    if not isserver:
        # tell the server it may cap our window; we compress with whatever it answers
        parts.append("client_max_window_bits")
    if compress < MAX_WBITS:
        parts.append(f"server_max_window_bits={compress}")
    if server_notakeover:
        parts.append("server_no_context_takeover")
    return "; ".join(parts)


def ws_ext_parse(extstr: Optional[str], isserver: bool = False) -> tuple[int, bool]:
    """Read a ``Sec-WebSocket-Extensions`` value; return ``(window_bits, notakeover)`` for our
    own compressor, ``(0, False)`` when permessage-deflate is not in effect.

    A server (``isserver=True``) reads a client's offers and accepts the first valid
    permessage-deflate one.  A client reads the server's answer and raises
    :class:`WSHandshakeError` for anything it did not offer or cannot honour.
    """
    if not extstr:
        return 0, False
    offers = _split_extensions(extstr)
    if isserver:
        for name, params in offers:
            if name == _EXTENSION and params is not None:
                accepted = _server_accept(params)
                if accepted is not None:
                    return accepted
        return 0, False
    if len(offers) != 1:
        raise WSHandshakeError(f"Unexpected extensions in the server's answer: {extstr!r}")
    name, params = offers[0]
    if name != _EXTENSION or params is None:
        raise WSHandshakeError(f"Extension not offered: {extstr!r}")
    return _client_accept(params)


def _split_extensions(extstr: str) -> list[tuple[str, Optional[_Params]]]:
    """Split a header value into ``(name, params)``; ``params`` is None when malformed."""
    result: list[tuple[str, Optional[_Params]]] = []
    for item in extstr.split(","):
        name, *raw_params = (part.strip() for part in item.split(";"))
        if not name:
            continue
        params: Optional[_Params] = []
        for raw in raw_params:
            key, sep, value = raw.partition("=")
            key = key.strip().lower()
            if not key or params is None:
                params = None
                continue
            if not sep:
                params.append((key, None))
                continue
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            params.append((key, value))
        result.append((name.lower(), params))
    return result


def _window_bits(value: Optional[str], low: int = MIN_WBITS) -> Optional[int]:
    """Window bits from a parameter value if they are within ``low``-15, None otherwise."""
    if value is None or not value.isascii() or not value.isdigit() or len(value) > 2:
        return None
    bits = int(value)
    return bits if low <= bits <= MAX_WBITS else None


def _server_accept(params: _Params) -> Optional[tuple[int, bool]]:
    """The server's settings for one client offer, None to decline the offer."""
    wbits, notakeover = MAX_WBITS, False
    seen: set[str] = set()
    for key, value in params:
        if key in seen:
            return None
        seen.add(key)
        if key == "server_no_context_takeover" and value is None:
            notakeover = True
        elif key == "client_no_context_takeover" and value is None:
            pass  # the client's own promise; our decompressor copes either way
        elif key == "server_max_window_bits":
            bits = _window_bits(value)
            if bits is None:
                return None
            wbits = bits
        elif key == "client_max_window_bits":
            # we inflate with a full window, so any window the client picks is fine
            if value is not None and _window_bits(value, low=8) is None:
                return None
        else:
            return None
    return wbits, notakeover


def _client_accept(params: _Params) -> tuple[int, bool]:
    """The client's settings from the server's answer; raise if we cannot honour it."""
    wbits, notakeover = MAX_WBITS, False
    seen: set[str] = set()
    for key, value in params:
        if key in seen:
            raise WSHandshakeError(f"Duplicate permessage-deflate parameter: {key}")
        seen.add(key)
        if key == "client_no_context_takeover" and value is None:
            notakeover = True
        elif key == "server_no_context_takeover" and value is None:
            pass
        elif key == "client_max_window_bits":
            bits = _window_bits(value)
            if bits is None:
                raise WSHandshakeError(f"Invalid client_max_window_bits: {value!r}")
            wbits = bits
        elif key == "server_max_window_bits":
            if _window_bits(value, low=8) is None:
                raise WSHandshakeError(f"Invalid server_max_window_bits: {value!r}")
        else:
            raise WSHandshakeError(f"Unsupported permessage-deflate parameter: {key}")
    return wbits, notakeover


class MessageCompressor:
    """Deflates whole messages for the wire (RSV1 frames).

    :param wbits: LZ77 window bits, 9-15.
    :param notakeover: reset the context after every message (``*_no_context_takeover``).
    :param level: zlib compression level.
    """

    __slots__ = ("_flush_mode", "_level", "_obj", "_wbits")

    def __init__(
        self, wbits: int = MAX_WBITS, *, notakeover: bool = False, level: int = DEFAULT_LEVEL
    ) -> None:
        if not MIN_WBITS <= wbits <= MAX_WBITS:
            raise ValueError(
                f"window bits must be between {MIN_WBITS} and {MAX_WBITS}, got {wbits}"
            )
        self._wbits = wbits
        self._level = level
        # a full flush also empties the window, so the next message cannot refer back
        self._flush_mode = zlib.Z_FULL_FLUSH if notakeover else zlib.Z_SYNC_FLUSH
        self._obj = zlib.compressobj(level, zlib.DEFLATED, -wbits)

    @property
    def wbits(self) -> int:
        """The window bits this compressor uses."""
        return self._wbits

    def compress(self, data: bytes) -> bytes:
        """Return the compressed payload of one message, without the ``00 00 ff ff`` tail."""
        obj = self._obj
        out = obj.compress(data) + obj.flush(self._flush_mode)
        if out.endswith(DEFLATE_TAIL):
            out = out[:-4]
        return out

    def reset(self) -> None:
        """Forget the context: the next message refers to nothing sent before."""
        self._obj = zlib.compressobj(self._level, zlib.DEFLATED, -self._wbits)


def _inflate(obj: zlib._Decompress, data: bytes, limit: Optional[int]) -> bytes:
    """``obj.decompress(data)`` producing at most ``limit`` bytes: 1002 for invalid data,
    1009 past the limit."""
    try:
        # max_length 0 means unbounded; one byte over the limit is enough to tell
        out = obj.decompress(data, 0 if limit is None else limit + 1)
    except zlib.error as exc:
        raise WebSocketError(
            WSCloseCode.PROTOCOL_ERROR, f"Invalid compressed data: {exc}"
        ) from None
    if limit is not None and len(out) > limit:
        raise WebSocketError(
            WSCloseCode.MESSAGE_TOO_BIG, "Decompressed message exceeds the size limit"
        )
    return out


class MessageDecompressor:
    """Inflates received messages, frame by frame, keeping the context between messages."""

    __slots__ = ("_obj",)

    def __init__(self) -> None:
        # the largest window inflates data compressed with any smaller one
        self._obj = zlib.decompressobj(-MAX_WBITS)

    def decompress(self, data: bytes, limit: Optional[int]) -> bytes:
        """Inflate part of a message, producing at most ``limit`` bytes (None: no limit).

        Raises :class:`WebSocketError` 1009 when the output would exceed ``limit`` and 1002
        when the data is not valid deflate.
        """
        obj = self._obj
        if obj.eof:
            if data:
                raise WebSocketError(
                    WSCloseCode.PROTOCOL_ERROR, "Data after the end of a deflate stream"
                )
            return b""
        return _inflate(obj, data, limit)

    def decompress_message(self, data: bytes, limit: Optional[int]) -> bytes:
        """Inflate a whole message at once: :meth:`decompress` then :meth:`finish`, with
        the same results and errors, in one pass over ``data`` and the implied tail."""
        if self._obj.eof:
            out = self.decompress(data, limit)
            return out + self.finish(None if limit is None else limit - len(out))
        obj = self._obj
        # one call instead of two: the tail costs as much to inflate as the message
        out = _inflate(obj, data + DEFLATE_TAIL, limit)
        if obj.eof:
            # the message ended the deflate stream (BFINAL): only the tail may follow it
            rest = obj.unused_data
            self._obj = zlib.decompressobj(-MAX_WBITS)
            if rest != DEFLATE_TAIL:
                raise WebSocketError(
                    WSCloseCode.PROTOCOL_ERROR, "Data after the end of a deflate stream"
                )
        return out

    def finish(self, limit: Optional[int]) -> bytes:
        """End a message: inflate the implied ``00 00 ff ff`` tail."""
        if self._obj.eof:
            # the peer closed its deflate stream (BFINAL); the next message starts afresh
            tail_rest = self._obj.unused_data
            self._obj = zlib.decompressobj(-MAX_WBITS)
            if tail_rest:
                raise WebSocketError(
                    WSCloseCode.PROTOCOL_ERROR, "Data after the end of a deflate stream"
                )
            return b""
        return self.decompress(DEFLATE_TAIL, limit)
