"""The sans-IO WebSocket parser: received bytes in, complete messages out (RFC 6455, RFC 7692).

Theory of operation.  :meth:`WebSocketParser.feed_data` appends bytes to a buffer;
:meth:`WebSocketParser.next_message` returns the next complete message, or None when the buffer
holds no complete one yet.  Inside, the parser alternates between two phases per frame:

``header``   wait for the 2-14 header bytes, then check everything the header alone decides:
             reserved bits, opcode, masking for our role, control frame rules, the place of the
             frame in a fragmented message and the message size limit.  A frame too large for
             the limit is refused here, before any of its payload is buffered.
``payload``  wait for the announced payload, unmask it and hand it to the message assembler.

The assembler passes control frames (ping, pong, close) on at once, even between the fragments
of a data message, and joins data fragments into one text or binary message, inflating
permessage-deflate messages within the size limit and checking UTF-8 as fragments arrive.

Any violation raises :class:`~.models.WebSocketError` carrying the close code to answer with
(1002 protocol error, 1007 invalid UTF-8, 1009 too big); the parser then stays failed and raises
the same error again.  Messages completed before the error have already been returned.
"""

from __future__ import annotations

import codecs
import struct
from typing import Final, Literal, Optional, Union

from ._deflate import MessageDecompressor
from ._frames import (
    FIN,
    KNOWN_OPCODES,
    LEN_16,
    LEN_64,
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
    apply_mask,
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

__all__ = ("Role", "WebSocketParser")

#: Which end of the connection the parser reads for: a ``"server"`` requires masked frames
#: (they come from a client), a ``"client"`` refuses them.
Role = Literal["client", "server"]

DEFAULT_MAX_MSG_SIZE: Final = 4 * 1024 * 1024

_UNPACK_16: Final = struct.Struct("!H").unpack_from
_UNPACK_64: Final = struct.Struct("!Q").unpack_from
_Utf8Decoder = codecs.getincrementaldecoder("utf-8")


def _protocol_error(message: str) -> WebSocketError:
    return WebSocketError(WSCloseCode.PROTOCOL_ERROR, message)


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
        "_buf",
        "_error",
        "_fin",
        "_forbid_mask",
        "_in_payload",
        "_inflater",
        "_length",
        "_mask_key",
        "_max_size",
        "_msg_compressed",
        "_msg_opcode",
        "_msg_size",
        "_msg_wire",
        "_opcode",
        "_parts",
        "_pos",
        "_require_mask",
        "_rsv1",
        "_rsv1_allowed",
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
        self._rsv1_allowed = compress
        self._require_mask = role == "server"
        self._forbid_mask = role == "client"
        self._buf = bytearray()
        self._pos = 0
        self._error: Optional[WebSocketError] = None
        # the frame whose payload we are waiting for
        self._in_payload = False
        self._fin = True
        self._rsv1 = False
        self._opcode = 0
        self._length = 0
        self._mask_key: Optional[bytes] = None
        # the fragmented data message being assembled (opcode None: none)
        self._msg_opcode: Optional[int] = None
        self._msg_compressed = False
        self._msg_size = 0
        self._msg_wire = 0
        self._parts: list[bytes] = []
        self._text_parts: list[str] = []
        self._utf8: Optional[codecs.IncrementalDecoder] = None
        self._inflater: Optional[MessageDecompressor] = None

    @property
    def buffered(self) -> int:
        """Bytes received but not yet turned into a message."""
        return len(self._buf) - self._pos + self._msg_wire

    def feed_data(self, data: Union[bytes, bytearray, memoryview]) -> None:
        """Add received bytes; :meth:`next_message` then returns what they complete."""
        if self._error is not None:
            return
        if self._pos:
            del self._buf[: self._pos]
            self._pos = 0
        self._buf += data

    def next_message(self) -> Optional[WSMessage]:
        """Return the next complete message, None if more bytes are needed.

        Raises :class:`~.models.WebSocketError` on a protocol violation, and again on every
        later call.
        """
        if self._error is not None:
            raise self._error
        try:
            return self._next_message()
        except WebSocketError as exc:
            self._error = exc
            self._buf.clear()
            self._pos = 0
            raise

    def messages(self, data: Union[bytes, bytearray, memoryview]) -> list[WSMessage]:
        """Feed ``data`` and return every message it completes (convenience for tests)."""
        self.feed_data(data)
        out: list[WSMessage] = []
        while (msg := self.next_message()) is not None:
            out.append(msg)
        return out

    def _next_message(self) -> Optional[WSMessage]:
        buf = self._buf
        while True:
            if not self._in_payload and not self._read_header():
                return None
            start = self._pos
            end = start + self._length
            if len(buf) < end:
                return None
            with memoryview(buf) as view:
                if self._mask_key is None:
                    payload = bytes(view[start:end])
                else:
                    payload = apply_mask(self._mask_key, view[start:end])
            self._pos = end
            self._in_payload = False
            msg = self._on_frame(payload)
            if msg is not None:
                return msg

    def _read_header(self) -> bool:
        """Parse and check the next frame header; False if it is not complete yet."""
        buf = self._buf
        pos = self._pos
        available = len(buf) - pos
        if available < 2:
            return False
        first, second = buf[pos], buf[pos + 1]
        self._check_bits(first, second)
        length = second & LENGTH_BITS
        header_size = 2
        if length == LEN_16:
            header_size = 4
        elif length == LEN_64:
            header_size = 10
        masked = bool(second & MASK_BIT)
        if masked:
            header_size += 4
        if available < header_size:
            return False
        if length == LEN_16:
            (length,) = _UNPACK_16(buf, pos + 2)
        elif length == LEN_64:
            (length,) = _UNPACK_64(buf, pos + 2)
            if length >> 63:
                raise _protocol_error("Frame length has its most significant bit set")
        opcode = first & OPCODE_BITS
        rsv1 = bool(first & RSV1)
        if opcode < OP_CLOSE:
            self._check_size(opcode, rsv1, length)
        self._fin = bool(first & FIN)
        self._rsv1 = rsv1
        self._opcode = opcode
        self._length = length
        self._mask_key = bytes(buf[pos + header_size - 4 : pos + header_size]) if masked else None
        self._pos = pos + header_size
        self._in_payload = True
        return True

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
            raise WebSocketError(
                WSCloseCode.MESSAGE_TOO_BIG,
                f"Message size {so_far + length} exceeds limit {self._max_size}",
            )

    def _on_frame(self, payload: bytes) -> Optional[WSMessage]:
        """Assemble one unmasked frame; return the message it completes, if any."""
        opcode = self._opcode
        if opcode >= OP_CLOSE:
            return self._control(opcode, payload)
        fin = self._fin
        if opcode != OP_CONTINUATION:
            if fin and not self._rsv1:
                return self._complete(opcode, payload)
            self._msg_opcode = opcode
            self._msg_compressed = self._rsv1
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
                raise WebSocketError(
                    WSCloseCode.INVALID_TEXT, "Text message is not valid UTF-8"
                ) from None
        else:
            self._parts.append(chunk)
        if not fin:
            return None
        msg: WSMessage
        if utf8 is not None:
            msg = WSMessageText(WSMsgType.TEXT, "".join(self._text_parts), "")
        else:
            msg = WSMessageBinary(WSMsgType.BINARY, b"".join(self._parts), "")
        self._reset_message()
        return msg

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
                raise WebSocketError(
                    WSCloseCode.INVALID_TEXT, "Text message is not valid UTF-8"
                ) from None
            return WSMessageText(WSMsgType.TEXT, text, "")
        return WSMessageBinary(WSMsgType.BINARY, data, "")

    @staticmethod
    def _control(opcode: int, payload: bytes) -> WSMessage:
        if opcode == OP_PING:
            return WSMessagePing(WSMsgType.PING, payload, "")
        if opcode == OP_PONG:
            return WSMessagePong(WSMsgType.PONG, payload, "")
        code, reason = decode_close_payload(payload)
        return WSMessageClose(WSMsgType.CLOSE, code, reason)
