"""RFC 6455 frame layout: opcodes, header bits, header encoding and close payloads.

A frame is ``FIN RSV1 RSV2 RSV3 opcode(4) | MASK len(7) [len16 | len64] [mask key(4)] payload``.
Lengths 0-125 fit the 7-bit field, 126 announces a 16-bit and 127 a 64-bit length (whose top bit
must be clear).  Pure functions only; :mod:`._parser` and :mod:`._builder` use them (masking
itself lives in :mod:`._mask`).
"""

from __future__ import annotations

import struct
from typing import Final, Optional

from . import _mask
from .models import WebSocketError, WSCloseCode

OP_CONTINUATION: Final = 0x0
OP_TEXT: Final = 0x1
OP_BINARY: Final = 0x2
OP_CLOSE: Final = 0x8
OP_PING: Final = 0x9
OP_PONG: Final = 0xA
KNOWN_OPCODES: Final = frozenset((OP_CONTINUATION, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG))

FIN: Final = 0x80
RSV1: Final = 0x40
RSV2: Final = 0x20
RSV3: Final = 0x10
OPCODE_BITS: Final = 0x0F
MASK_BIT: Final = 0x80
LENGTH_BITS: Final = 0x7F

LEN_16: Final = 126
LEN_64: Final = 127
MAX_CONTROL_PAYLOAD: Final = 125
MAX_LEN_64: Final = (1 << 63) - 1

_PACK_SHORT: Final = struct.Struct("!BB").pack
_PACK_LEN_16: Final = struct.Struct("!BBH").pack
_PACK_LEN_64: Final = struct.Struct("!BBQ").pack


def frame_header(first: int, mask_bit: int, length: int) -> bytes:
    """Return the header of a frame, without the masking key.

    ``first`` is the whole first byte (FIN, RSV bits and opcode), ``mask_bit`` is
    :data:`MASK_BIT` or ``0``.
    """
    if length < LEN_16:
        return _PACK_SHORT(first, mask_bit | length)
    if length < 0x10000:
        return _PACK_LEN_16(first, mask_bit | LEN_16, length)
    return _PACK_LEN_64(first, mask_bit | LEN_64, length)


def build_frame(
    payload: bytes,
    opcode: int,
    *,
    fin: bool = True,
    rsv1: bool = False,
    mask_key: Optional[bytes] = None,
) -> bytes:
    """Return one complete frame; the payload is masked with ``mask_key`` when it is given."""
    first = opcode | (FIN if fin else 0) | (RSV1 if rsv1 else 0)
    if mask_key is None:
        return frame_header(first, 0, len(payload)) + payload
    return (
        frame_header(first, MASK_BIT, len(payload)) + mask_key + _mask.apply_mask(payload, mask_key)
    )


def is_valid_close_code(code: int) -> bool:
    """True for a status code a peer may put in a close frame (RFC 6455 section 7.4)."""
    return 1000 <= code <= 1003 or 1007 <= code <= 1014 or 3000 <= code <= 4999


def encode_close_payload(code: int, reason: bytes) -> bytes:
    """Return a close frame payload; raise :class:`ValueError` if it cannot be sent."""
    if not 0 <= code <= 0xFFFF:
        raise ValueError(f"close code {code} does not fit in two bytes")
    payload = code.to_bytes(2, "big") + reason
    if len(payload) > MAX_CONTROL_PAYLOAD:
        raise ValueError(
            f"close reason is {len(reason)} bytes; at most {MAX_CONTROL_PAYLOAD - 2} fit"
        )
    return payload


def decode_close_payload(payload: bytes) -> tuple[int, str]:
    """Return ``(code, reason)`` of a received close frame, ``(0, "")`` when it is empty."""
    if not payload:
        return 0, ""
    if len(payload) == 1:
        raise WebSocketError(WSCloseCode.PROTOCOL_ERROR, "Close frame payload of one byte")
    code = int.from_bytes(payload[:2], "big")
    if not is_valid_close_code(code):
        raise WebSocketError(WSCloseCode.PROTOCOL_ERROR, f"Invalid close code: {code}")
    try:
        reason = payload[2:].decode("utf-8")
    except UnicodeDecodeError:
        raise WebSocketError(WSCloseCode.INVALID_TEXT, "Close reason is not valid UTF-8") from None
    return code, reason
