"""The sans-IO WebSocket frame builder: messages in, frame bytes out.

:class:`FrameBuilder` knows one end of a connection: whether it masks (a client must, a server
must not) and which permessage-deflate settings were negotiated.  It checks the caller's input
(opcode, control frame size) with :class:`ValueError` before anything is built, and keeps the
compression context in step with what the peer inflates: when one message is compressed with a
different window (a per-message override), the shared context is dropped before its next use,
because the peer's window now holds that message too.

A frame comes out in two parts, the header (with the masking key) and the payload, so that a
large payload can be written without first being copied behind its header.  Masking keys come
from the operating system's random source, read a few hundred keys at a time: every key is as
unpredictable as RFC 6455 section 5.3 asks, without a system call per frame.
"""

from __future__ import annotations

import os
import struct
from typing import Callable, Final, Optional

from . import _mask
from ._deflate import DEFAULT_LEVEL, MessageCompressor
from ._frames import (
    FIN,
    KNOWN_OPCODES,
    LEN_16,
    MASK_BIT,
    MAX_CONTROL_PAYLOAD,
    OP_CLOSE,
    RSV1,
    frame_header,
)

__all__ = ("FrameBuilder",)

# Bytes of random masking keys read from the OS at a time.
_KEY_BATCH: Final = 1024
_PACK_SHORT: Final = struct.Struct("!BB").pack
_PACK_SHORT_KEY: Final = struct.Struct("!BB4s").pack


class FrameBuilder:
    """Builds the frames of one end of a WebSocket connection.

    :param use_mask: mask every frame (the client side).
    :param mask_key: returns a fresh 4-byte masking key per frame (default: the OS's random
        source).
    :param compress: negotiated permessage-deflate window bits (9-15), ``0`` for none.
    :param notakeover: reset the compression context after every message.
    :param level: zlib compression level.
    """

    __slots__ = (
        "_compress",
        "_compressor",
        "_key_pos",
        "_keys",
        "_level",
        "_mask_key",
        "_reset_pending",
        "_use_mask",
    )

    def __init__(
        self,
        *,
        use_mask: bool = False,
        mask_key: Optional[Callable[[], bytes]] = None,
        compress: int = 0,
        notakeover: bool = False,
        level: int = DEFAULT_LEVEL,
    ) -> None:
        self._use_mask = use_mask
        self._mask_key = mask_key
        self._keys = b""
        self._key_pos = 0
        self._compress = compress
        self._level = level
        self._compressor: Optional[MessageCompressor] = (
            MessageCompressor(compress, notakeover=notakeover, level=level) if compress else None
        )
        self._reset_pending = False

    @property
    def compress(self) -> int:
        """Negotiated window bits, ``0`` when messages go uncompressed."""
        return self._compress

    def compressor_for(
        self, opcode: int, compress: Optional[int] = None
    ) -> Optional[MessageCompressor]:
        """The compressor for the next message, None to send it uncompressed.

        Call it in send order: it may reset the shared context.  ``compress`` overrides the
        window bits for this message (``0``: send it uncompressed); without a negotiated
        extension messages are never compressed, so RSV1 is never sent unasked.
        """
        if opcode not in KNOWN_OPCODES:
            raise ValueError(f"Unknown WebSocket opcode {opcode:#x}")
        main = self._compressor
        if opcode >= OP_CLOSE or main is None or compress == 0:
            return None
        if compress is None or compress == main.wbits:
            if self._reset_pending:
                self._reset_pending = False
                main.reset()
            return main
        # a fresh compressor refers only to this message, which the peer inflates into its
        # window: the shared context no longer matches the peer's and must start over
        other = MessageCompressor(compress, notakeover=True, level=self._level)
        self._reset_pending = True
        return other

    def next_key(self) -> bytes:
        """The masking key of the next frame: from ``mask_key`` when one was given, else
        the next four bytes of a batch read from the OS."""
        if self._mask_key is not None:
            return self._mask_key()
        pos = self._key_pos
        if pos == len(self._keys):
            self._keys = os.urandom(_KEY_BATCH)
            pos = 0
        self._key_pos = pos + 4
        return self._keys[pos : pos + 4]

    def frame_parts(
        self, payload: bytes, opcode: int, *, rsv1: bool = False, fin: bool = True
    ) -> tuple[bytes, bytes]:
        """Return ``(header, payload)`` of one frame carrying ``payload`` as is (masked if
        this end masks); the frame is their concatenation."""
        if opcode not in KNOWN_OPCODES:
            raise ValueError(f"Unknown WebSocket opcode {opcode:#x}")
        length = len(payload)
        if opcode >= OP_CLOSE and length > MAX_CONTROL_PAYLOAD:
            raise ValueError(
                f"Control frame payload is {length} bytes; at most {MAX_CONTROL_PAYLOAD}"
            )
        first = (opcode | FIN) if fin else opcode
        if rsv1:
            first |= RSV1
        if not self._use_mask:
            if length < LEN_16:
                return _PACK_SHORT(first, length), payload
            return frame_header(first, 0, length), payload
        key = self.next_key()
        if length < LEN_16:
            return _PACK_SHORT_KEY(first, MASK_BIT | length, key), _mask.apply_mask(payload, key)
        return frame_header(first, MASK_BIT, length) + key, _mask.apply_mask(payload, key)

    def frame(self, payload: bytes, opcode: int, *, rsv1: bool = False, fin: bool = True) -> bytes:
        """Return one frame carrying ``payload`` as is (masked if this end masks)."""
        header, body = self.frame_parts(payload, opcode, rsv1=rsv1, fin=fin)
        return header + body

    def message_parts(
        self, payload: bytes, opcode: int, compress: Optional[int] = None
    ) -> tuple[bytes, bytes]:
        """Return ``(header, payload)`` of the single frame of a whole message, compressed
        when negotiated."""
        if self._compressor is None or opcode >= OP_CLOSE or compress == 0:
            return self.frame_parts(payload, opcode)
        compressor = self.compressor_for(opcode, compress)
        if compressor is None:
            return self.frame_parts(payload, opcode)
        return self.frame_parts(compressor.compress(payload), opcode, rsv1=True)

    def message(self, payload: bytes, opcode: int, compress: Optional[int] = None) -> bytes:
        """Return the single frame of a whole message, compressed when negotiated."""
        header, body = self.message_parts(payload, opcode, compress)
        return header + body

    def discard_context(self) -> None:
        """Start the shared compression context over before its next message.

        For a message that was compressed but never sent (its send was cancelled): the
        context now remembers bytes the peer never saw.
        """
        if self._compressor is not None:
            self._reset_pending = True
