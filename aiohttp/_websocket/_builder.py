"""The sans-IO WebSocket frame builder: messages in, frame bytes out.

:class:`FrameBuilder` knows one end of a connection: whether it masks (a client must, a server
must not) and which permessage-deflate settings were negotiated.  It checks the caller's input
(opcode, control frame size) with :class:`ValueError` before anything is built, and keeps the
compression context in step with what the peer inflates: when one message is compressed with a
different window (a per-message override), the shared context is dropped before its next use,
because the peer's window now holds that message too.
"""

from __future__ import annotations

import os
from typing import Callable, Optional

from ._deflate import DEFAULT_LEVEL, MessageCompressor
from ._frames import KNOWN_OPCODES, MAX_CONTROL_PAYLOAD, OP_CLOSE, build_frame

__all__ = ("FrameBuilder",)


def _random_mask_key() -> bytes:
    return os.urandom(4)


class FrameBuilder:
    """Builds the frames of one end of a WebSocket connection.

    :param use_mask: mask every frame (the client side).
    :param mask_key: returns a fresh 4-byte masking key per frame.
    :param compress: negotiated permessage-deflate window bits (9-15), ``0`` for none.
    :param notakeover: reset the compression context after every message.
    :param level: zlib compression level.
    """

    __slots__ = (
        "_compress",
        "_compressor",
        "_level",
        "_mask_key",
        "_reset_pending",
        "_use_mask",
    )

    def __init__(
        self,
        *,
        use_mask: bool = False,
        mask_key: Callable[[], bytes] = _random_mask_key,
        compress: int = 0,
        notakeover: bool = False,
        level: int = DEFAULT_LEVEL,
    ) -> None:
        self._use_mask = use_mask
        self._mask_key = mask_key
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

    def frame(self, payload: bytes, opcode: int, *, rsv1: bool = False, fin: bool = True) -> bytes:
        """Return one frame carrying ``payload`` as is (masked if this end masks)."""
        if opcode not in KNOWN_OPCODES:
            raise ValueError(f"Unknown WebSocket opcode {opcode:#x}")
        if opcode >= OP_CLOSE and len(payload) > MAX_CONTROL_PAYLOAD:
            raise ValueError(
                f"Control frame payload is {len(payload)} bytes; at most {MAX_CONTROL_PAYLOAD}"
            )
        mask_key = self._mask_key() if self._use_mask else None
        return build_frame(payload, opcode, fin=fin, rsv1=rsv1, mask_key=mask_key)

    def message(self, payload: bytes, opcode: int, compress: Optional[int] = None) -> bytes:
        """Return the single frame of a whole message, compressed when negotiated."""
        compressor = self.compressor_for(opcode, compress)
        if compressor is None:
            return self.frame(payload, opcode)
        return self.frame(compressor.compress(payload), opcode, rsv1=True)

    def discard_context(self) -> None:
        """Start the shared compression context over before its next message.

        For a message that was compressed but never sent (its send was cancelled): the
        context now remembers bytes the peer never saw.
        """
        if self._compressor is not None:
            self._reset_pending = True
