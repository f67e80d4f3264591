"""The sans-IO WebSocket parser: received bytes in, complete messages out (RFC 6455, RFC 7692).

Theory of operation.  :meth:`WebSocketParser.feed` parses received bytes and calls a sink with
every message they complete; :meth:`~WebSocketParser.feed_data` and
:meth:`~WebSocketParser.next_message` offer the same one message at a time.  Per frame the
parser goes through two phases:

``header``   wait for the 2-14 header bytes, then check everything the header alone decides:
             reserved bits, opcode, masking for our role, control frame rules, the place of the
             frame in a fragmented message and the message size limit.  A frame too large for
             the limit is refused here, before any of its payload is buffered.
``payload``  wait for the announced payload, unmask it and hand it to the message assembler.

Received bytes are parsed where they arrive: only an incomplete header (at most 13 bytes) is
kept for the next call, and the pieces of an incomplete payload are kept as they came and
joined once, so a large payload is copied once (plus the unmasking pass).  The common frame
(an unfragmented, uncompressed text or binary message, masked as our role requires) takes a
short path that makes its message directly.

The assembler passes control frames (ping, pong, close) on at once, even between the fragments
of a data message, and joins data fragments into one text or binary message, inflating
permessage-deflate messages within the size limit and checking UTF-8 as fragments arrive.

Any violation raises :class:`~.models.WebSocketError` carrying the close code to answer with
(1002 protocol error, 1007 invalid UTF-8, 1009 too big); the parser then stays failed and raises
the same error again.  Messages completed before the error have already been passed on.
"""

from __future__ import annotations

import codecs
import collections
from typing import Callable, Final, Literal, Optional, Union

from . import _mask
from ._deflate import MessageDecompressor
from ._frames import (
    FIN,
    KNOWN_OPCODES,
    LEN_16,
    LENGTH_BITS,
    MASK_BIT,
    MAX_CONTROL_PAYLOAD,
    OP_CLOSE,
    OP_CONTINUATION,
    OP_PING,
    OP_PONG,
    OP_TEXT,
    OPCODE_BITS,
    RSV1,
    RSV2,
    RSV3,
    decode_close_payload,
)
from .models import (
    WebSocketError,
    WSCloseCode,
    WSMessage,
    WSMessageBinary,
    WSMessageClose,
    WSMessagePing,
    WSMessagePong,
    WSMessageText,
    WSMsgType,
)

__all__ = ("Role", "Sink", "WebSocketParser")

#: Which end of the connection the parser reads for: a ``"server"`` requires masked frames
#: (they come from a client), a ``"client"`` refuses them.
Role = Literal["client", "server"]
#: Receives each message with its size in bytes (the payload's, for flow control).
Sink = Callable[[WSMessage, int], object]

DEFAULT_MAX_MSG_SIZE: Final = 4 * 1024 * 1024

# First header bytes of the frames that take the short path: FIN, no RSV bit, text / binary.
_FIN_TEXT: Final = FIN | OP_TEXT
_FIN_BINARY: Final = FIN | 0x2
_SHORT_PATH_FIRST: Final = frozenset((_FIN_TEXT, _FIN_BINARY))
# First header bytes of a whole compressed message: FIN, RSV1, text / binary.
_WHOLE_COMPRESSED: Final = frozenset((_FIN_TEXT | RSV1, _FIN_BINARY | RSV1))
# A frame with a 7-bit length is at most this long (with the masking key).
_SHORT_FRAME_MAX: Final = 6 + 125
# Payloads at least this long are unmasked from a view instead of a copied slice.
_VIEW_SIZE: Final = 4096
_NO_LIMIT: Final = 1 << 64
_TEXT: Final = WSMsgType.TEXT
_BINARY: Final = WSMsgType.BINARY
_Utf8Decoder = codecs.getincrementaldecoder("utf-8")
_from_bytes: Final = int.from_bytes
# tuple.__new__ skips the NamedTuple's Python-level __new__ (a third of the cost)
_new_tuple: Final = tuple.__new__


def _protocol_error(message: str) -> WebSocketError:
    return WebSocketError(WSCloseCode.PROTOCOL_ERROR, message)


def _invalid_text() -> WebSocketError:
    return WebSocketError(WSCloseCode.INVALID_TEXT, "Text message is not valid UTF-8")


def _text_message(text: str) -> WSMessageText:
    return _new_tuple(WSMessageText, (_TEXT, text, ""))


def _binary_message(data: bytes) -> WSMessageBinary:
    return _new_tuple(WSMessageBinary, (_BINARY, data, ""))


class WebSocketParser:
    """Turns the bytes a peer sends into :data:`~.models.WSMessage` values.

    :param max_msg_size: largest message (after decompression) in bytes; ``0`` for no limit.
    :param compress: permessage-deflate was negotiated, so RSV1 marks compressed messages.
    :param role: our end of the connection; it decides whether frames must be masked
        (``"server"``) or must not be (``"client"``).  ``None``, the default of
        :class:`aiohttp.http_websocket.WebSocketReader` since aiohttp 3.13 has no such flag,
        accepts both.
    """

    __slots__ = (
        "_chunks",
        "_error",
        "_first",
        "_forbid_mask",
        "_inflater",
        "_key",
        "_limit",
        "_mask_bits",
        "_mask_expect",
        "_max_size",
        "_msg_compressed",
        "_msg_opcode",
        "_msg_size",
        "_msg_wire",
        "_need",
        "_parts",
        "_pending",
        "_ready",
        "_require_mask",
        "_rsv1_allowed",
        "_tail",
        "_text_parts",
        "_utf8",
    )

    def __init__(
        self,
        *,
        max_msg_size: int = DEFAULT_MAX_MSG_SIZE,
        compress: bool = True,
        role: Optional[Role] = None,
    ) -> None:
        if max_msg_size < 0:
            raise ValueError(f"max_msg_size must be >= 0, got {max_msg_size}")
        self._max_size: Optional[int] = max_msg_size or None
        self._limit = max_msg_size or _NO_LIMIT
        self._rsv1_allowed = compress
        self._require_mask = role == "server"
        self._forbid_mask = role == "client"
        # a frame's MASK bit is right when ``second_byte & _mask_bits == _mask_expect``
        self._mask_bits = 0 if role is None else MASK_BIT
        self._mask_expect = MASK_BIT if role == "server" else 0
        self._error: Optional[WebSocketError] = None
        # an incomplete frame header (less than 14 bytes)
        self._tail = b""
        # the frame whose payload we are waiting for: header byte, key, pieces, bytes missing
        self._first = 0
        self._key: Optional[bytes] = None
        self._chunks: list[Union[bytes, memoryview]] = []
        self._need = 0
        # the fragmented data message being assembled (opcode None: none)
        self._msg_opcode: Optional[int] = None
        self._msg_compressed = False
        self._msg_size = 0
        self._msg_wire = 0
        self._parts: list[bytes] = []
        self._text_parts: list[str] = []
        self._utf8: Optional[codecs.IncrementalDecoder] = None
        self._inflater: Optional[MessageDecompressor] = None
        # feed_data() / next_message(): bytes not parsed yet, messages not returned yet
        self._pending: list[bytes] = []
        self._ready: collections.deque[WSMessage] = collections.deque()

    @property
    def buffered(self) -> int:
        """Bytes received but not yet turned into a message."""
        return (
            len(self._tail)
            + sum(len(chunk) for chunk in self._chunks)
            + self._msg_wire
            + sum(len(data) for data in self._pending)
        )

    def whole_short_frame(self, data: bytes) -> Optional[bytes]:
        """The unmasked payload when ``data`` is exactly one whole frame with a 7-bit length,
        masked as this end expects and within the size limit, and no message is in progress
        (nothing buffered); else None. The first byte (flags, opcode) is the caller's to check.
        """
        n = len(data)
        if not 2 <= n <= _SHORT_FRAME_MAX or self._need or self._tail:
            return None
        second = data[1]
        length = second & LENGTH_BITS
        if (
            length >= LEN_16  # 126 and 127 announce a longer length field
            or (second & self._mask_bits) != self._mask_expect
            or self._msg_opcode is not None
            or length > self._limit
        ):
            return None
        if second & MASK_BIT:
            return _mask.apply_mask(data[6:], data[2:6]) if n == length + 6 else None
        return data[2:] if n == length + 2 else None

    def feed(self, data: Union[bytes, bytearray, memoryview], sink: Sink) -> None:
        """Parse received bytes, calling ``sink(message, size)`` for each message completed.

        Raises :class:`~.models.WebSocketError` on a protocol violation (after passing on the
        messages completed before it), and again on every later call.
        """
        if self._error is not None:
            raise self._error
        if type(data) is not bytes:
            data = bytes(data)
        try:
            if data and data[0] in _SHORT_PATH_FIRST:
                # the commonest call by far, kept short: exactly one whole short data frame
                payload = self.whole_short_frame(data)
                if payload is not None:
                    if data[0] == _FIN_TEXT:
                        try:
                            text = payload.decode()  # UTF-8; faster without arguments
                        except UnicodeDecodeError:
                            raise _invalid_text() from None
                        sink(_new_tuple(WSMessageText, (_TEXT, text, "")), len(payload))
                    else:
                        sink(_new_tuple(WSMessageBinary, (_BINARY, payload, "")), len(payload))
                    return
            n = len(data)
            pos = 0
            if self._need:
                pos = self._more_payload(data, sink)
                if pos < 0:
                    return
            elif self._tail:
                data = self._tail + data
                self._tail = b""
                n = len(data)
            mask_bits = self._mask_bits
            mask_expect = self._mask_expect
            limit = self._limit
            while n - pos >= 2:
                first = data[pos]
                second = data[pos + 1]
                # the short path: an unfragmented, uncompressed text or binary message, masked
                # as it must be; anything else is checked in full
                simple = (
                    first in _SHORT_PATH_FIRST
                    and (second & mask_bits) == mask_expect
                    and self._msg_opcode is None
                )
                if not simple:
                    self._check_bits(first, second)
                length = second & LENGTH_BITS
                start = pos + 2
                if length >= LEN_16:
                    if length == LEN_16:
                        start += 2
                        if start > n:
                            break
                        length = (data[pos + 2] << 8) | data[pos + 3]
                    else:
                        start += 8
                        if start > n:
                            break
                        length = _from_bytes(data[pos + 2 : start], "big")
                        if length >> 63:
                            raise _protocol_error("Frame length has its most significant bit set")
                key: Optional[bytes] = None
                if second & MASK_BIT:
                    key = data[start : start + 4]
                    start += 4
                    if start > n:
                        break
                if simple:
                    if length > limit:
                        raise self._too_big(length)
                elif first & OPCODE_BITS < OP_CLOSE:
                    self._check_size(first & OPCODE_BITS, bool(first & RSV1), length)
                end = start + length
                if end > n:
                    self._first = first
                    self._key = key
                    self._need = end - n
                    self._chunks = [memoryview(data)[start:]]
                    return
                if key is None:
                    payload = data[start:end]
                elif length < _VIEW_SIZE:
                    payload = _mask.apply_mask(data[start:end], key)
                else:
                    with memoryview(data) as view:
                        payload = _mask.apply_mask(view[start:end], key)
                pos = end
                if not simple:
                    self._deliver(first, payload, sink)
                elif first == _FIN_TEXT:
                    try:
                        text = payload.decode()
                    except UnicodeDecodeError:
                        raise _invalid_text() from None
                    sink(_new_tuple(WSMessageText, (_TEXT, text, "")), length)
                else:
                    sink(_new_tuple(WSMessageBinary, (_BINARY, payload, "")), length)
            if pos < n:
                self._tail = data[pos:]
        except WebSocketError as exc:
            self._fail(exc)
            raise

    def feed_data(self, data: Union[bytes, bytearray, memoryview]) -> None:
        """Add received bytes; :meth:`next_message` then returns what they complete."""
        if self._error is None:
            self._pending.append(bytes(data))

    def next_message(self) -> Optional[WSMessage]:
        """Return the next complete message, None if more bytes are needed.

        Raises :class:`~.models.WebSocketError` on a protocol violation, and again on every
        later call.
        """
        ready = self._ready
        pending = self._pending
        if not ready and pending:
            data = b"".join(pending)
            pending.clear()
            try:
                self.feed(data, self._keep)
            except WebSocketError:
                pass  # raised below, once the messages before it are returned
        if ready:
            return ready.popleft()
        if self._error is not None:
            raise self._error
        return None

    def messages(self, data: Union[bytes, bytearray, memoryview]) -> list[WSMessage]:
        """Feed ``data`` and return every message it completes (convenience for tests)."""
        self.feed_data(data)
        out: list[WSMessage] = []
        while (msg := self.next_message()) is not None:
            out.append(msg)
        return out

    def _keep(self, msg: WSMessage, size: int) -> None:
        self._ready.append(msg)

    def _fail(self, exc: WebSocketError) -> None:
        self._error = exc
        self._tail = b""
        self._chunks = []
        self._need = 0
        self._pending.clear()
        self._reset_message()

    def _more_payload(self, data: bytes, sink: Sink) -> int:
        """Add to the payload being received; return where the next frame starts in
        ``data``, -1 if the payload is still incomplete."""
        need = self._need
        n = len(data)
        chunks = self._chunks
        if n < need:
            chunks.append(data)
            self._need = need - n
            return -1
        chunks.append(data if n == need else memoryview(data)[:need])
        payload = b"".join(chunks)
        self._chunks = []
        self._need = 0
        key = self._key
        if key is not None:
            payload = _mask.apply_mask(payload, key)
        self._deliver(self._first, payload, sink)
        return need

    def _deliver(self, first: int, payload: bytes, sink: Sink) -> None:
        if first in _WHOLE_COMPRESSED and self._msg_opcode is None:
            whole = self.inflate_message(first, payload)
            sink(whole, len(whole.data))
            return
        msg = self._on_frame(first, payload)
        if msg is not None:
            data = msg.data
            sink(msg, len(data) if isinstance(data, (bytes, str)) else 0)

    def _too_big(self, size: int) -> WebSocketError:
        return WebSocketError(
            WSCloseCode.MESSAGE_TOO_BIG, f"Message size {size} exceeds limit {self._max_size}"
        )

    def _check_bits(self, first: int, second: int) -> None:
        """Check what the first two header bytes decide; raise WebSocketError (1002)."""
        if first & (RSV2 | RSV3):
            raise _protocol_error("Frame has reserved bits RSV2/RSV3 set")
        opcode = first & OPCODE_BITS
        if opcode not in KNOWN_OPCODES:
            raise _protocol_error(f"Unknown opcode {opcode:#x}")
        if second & MASK_BIT:
            if self._forbid_mask:
                raise _protocol_error("Received a masked frame from the server")
        elif self._require_mask:
            raise _protocol_error("Received an unmasked frame from the client")
        rsv1 = first & RSV1
        if opcode >= OP_CLOSE:
            if not first & FIN:
                raise _protocol_error("Fragmented control frame")
            if (second & LENGTH_BITS) > MAX_CONTROL_PAYLOAD:
                raise _protocol_error("Control frame payload longer than 125 bytes")
            if rsv1:
                raise _protocol_error("Control frame has RSV1 set")
        elif opcode == OP_CONTINUATION:
            if self._msg_opcode is None:
                raise _protocol_error("Continuation frame without a message to continue")
            if rsv1:
                raise _protocol_error("Continuation frame has RSV1 set")
        else:
            if self._msg_opcode is not None:
                raise _protocol_error("New data frame while a fragmented message is unfinished")
            if rsv1 and not self._rsv1_allowed:
                raise _protocol_error("Frame has RSV1 set but no extension was negotiated")

    def _check_size(self, opcode: int, rsv1: bool, length: int) -> None:
        """Refuse a data frame that would take the message over the limit (1009)."""
        limit = self._max_size
        if limit is None:
            return
        so_far = 0 if opcode != OP_CONTINUATION else self._msg_wire
        compressed = rsv1 if opcode != OP_CONTINUATION else self._msg_compressed
        if compressed:
            # deflate may grow incompressible data a little; the inflated size is bounded later
            limit += (limit >> 10) + 1024
        if so_far + length > limit:
            raise self._too_big(so_far + length)

    def _on_frame(self, first: int, payload: bytes) -> Optional[WSMessage]:
        """Assemble one unmasked frame (``first``: its first header byte); return the
        message it completes, if any."""
        opcode = first & OPCODE_BITS
        if opcode >= OP_CLOSE:
            return self._control(opcode, payload)
        fin = bool(first & FIN)
        if opcode != OP_CONTINUATION:
            rsv1 = bool(first & RSV1)
            if fin and not rsv1:
                return self._complete(opcode, payload)
            self._msg_opcode = opcode
            self._msg_compressed = rsv1
            if opcode == OP_TEXT and not fin:
                self._utf8 = _Utf8Decoder()
        self._msg_wire += len(payload)
        chunk = self._inflate(payload, fin) if self._msg_compressed else payload
        self._msg_size += len(chunk)
        msg_opcode = self._msg_opcode
        assert msg_opcode is not None
        if opcode != OP_CONTINUATION and fin:
            self._reset_message()
            return self._complete(msg_opcode, chunk)
        utf8 = self._utf8
        if utf8 is not None:
            try:
                self._text_parts.append(utf8.decode(chunk, fin))
            except UnicodeDecodeError:
                raise _invalid_text() from None
        else:
            self._parts.append(chunk)
        if not fin:
            return None
        msg: WSMessage
        if utf8 is not None:
            msg = _text_message("".join(self._text_parts))
        else:
            msg = _binary_message(b"".join(self._parts))
        self._reset_message()
        return msg

    def inflate_message(self, first: int, payload: bytes) -> Union[WSMessageText, WSMessageBinary]:
        """The message of one whole compressed data frame (``first`` has FIN and RSV1 set,
        no fragmented message is in progress, the frame passed the header checks): what
        :meth:`_on_frame` makes of it, in fewer steps.

        Raises :class:`~.models.WebSocketError` without failing the parser (its caller
        does that).
        """
        inflater = self._inflater
        if inflater is None:
            inflater = self._inflater = MessageDecompressor()
        data = inflater.decompress_message(payload, self._max_size)
        if first & OPCODE_BITS == OP_TEXT:
            try:
                text = data.decode()
            except UnicodeDecodeError:
                raise _invalid_text() from None
            return _new_tuple(WSMessageText, (_TEXT, text, ""))
        return _new_tuple(WSMessageBinary, (_BINARY, data, ""))

    def _inflate(self, payload: bytes, fin: bool) -> bytes:
        inflater = self._inflater
        if inflater is None:
            inflater = self._inflater = MessageDecompressor()
        limit = None if self._max_size is None else self._max_size - self._msg_size
        out = inflater.decompress(payload, limit)
        if fin:
            out += inflater.finish(None if limit is None else limit - len(out))
        return out

    def _reset_message(self) -> None:
        self._msg_opcode = None
        self._msg_compressed = False
        self._msg_size = 0
        self._msg_wire = 0
        self._parts = []
        self._text_parts = []
        self._utf8 = None

    @staticmethod
    def _complete(opcode: int, data: bytes) -> WSMessage:
        if opcode == OP_TEXT:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                raise _invalid_text() from None
            return _text_message(text)
        return _binary_message(data)

    @staticmethod
    def _control(opcode: int, payload: bytes) -> WSMessage:
        if opcode == OP_PING:
            return WSMessagePing(WSMsgType.PING, payload, "")
        if opcode == OP_PONG:
            return WSMessagePong(WSMsgType.PONG, payload, "")
        code, reason = decode_close_payload(payload)
        return WSMessageClose(WSMsgType.CLOSE, code, reason)
