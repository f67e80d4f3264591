"""WebSocket masking (RFC 6455 section 5.3): XOR a payload with a repeated 4-byte key.

Masking is the only per-byte operation of the protocol, so it decides how fast large
messages go.  Pure Python has no vectorised XOR over bytes, but big integers have one: the
payload and the repeated key become two integers, are XORed, and the result becomes bytes
again, all at C speed.  The two conversions dominate (about a nanosecond per byte each), and
they run faster on slices that stay in the CPU cache than on one huge integer, so payloads
longer than :data:`CHUNK` go through in slices of that size, whose key stream is converted
once per payload.

When the optional ``websockets`` package is installed, its C ``apply_mask`` is used instead
(ten to twenty times faster on large payloads); ``AIOHTTP_NO_EXTENSIONS=1`` turns it off.
The choice is made, and the C version checked against the Python one, on the first call.
Both return new ``bytes``.
"""

from __future__ import annotations

import os
from typing import Callable, Final, Optional, Union

__all__ = ("CHUNK", "apply_mask", "apply_mask_python", "mask_implementation")

_Buffer = Union[bytes, bytearray, memoryview]

#: Payloads longer than this are masked slice by slice (a multiple of 4, so every slice
#: starts at key byte 0).
CHUNK: Final = 16 * 1024

_from_bytes: Final = int.from_bytes


def apply_mask_python(data: _Buffer, key: bytes) -> bytes:
    """XOR ``data`` with the 4-byte ``key`` repeated (masking and unmasking are the same)."""
    n = len(data)
    if n <= CHUNK:
        if not n:
            return b""
        stream = key * ((n + 3) >> 2)
        if len(stream) != n:
            stream = stream[:n]
        return (_from_bytes(data, "little") ^ _from_bytes(stream, "little")).to_bytes(n, "little")
    out = bytearray(n)
    stream_value = _from_bytes(key * (CHUNK >> 2), "little")
    whole = n - n % CHUNK
    with memoryview(data) as view:
        for start in range(0, whole, CHUNK):
            end = start + CHUNK
            value = _from_bytes(view[start:end], "little") ^ stream_value
            out[start:end] = value.to_bytes(CHUNK, "little")
        if whole != n:
            out[whole:] = apply_mask_python(view[whole:], key)
    return bytes(out)


def _load_accelerated() -> Optional[Callable[[_Buffer, bytes], bytes]]:
    """The C masking function of ``websockets``, if installed, allowed and correct."""
    if os.environ.get("AIOHTTP_NO_EXTENSIONS"):
        return None
    try:
        from websockets.speedups import apply_mask as c_apply_mask
    except ImportError:
        return None

    # its argument order and results are not a promise made to us: check before use
    sample = bytes(range(251)) * 3
    key = b"\x01\x7f\x80\xfe"
    for size in (0, 1, 5, 64, len(sample)):
        if c_apply_mask(sample[:size], key) != apply_mask_python(sample[:size], key):
            return None
    return c_apply_mask


def _first_use(data: _Buffer, key: bytes) -> bytes:
    # importing websockets costs tens of milliseconds: paid by the first masked frame, not
    # by every ``import aiohttp``
    global apply_mask
    accelerated = _load_accelerated()
    apply_mask = apply_mask_python if accelerated is None else accelerated
    return apply_mask(data, key)


#: ``apply_mask(data, key)``: XOR a bytes-like payload with the repeated 4-byte key and
#: return new ``bytes``.  Look it up on the module at each use (``_mask.apply_mask``): the
#: first call replaces it with the implementation chosen.
apply_mask: Callable[[_Buffer, bytes], bytes] = _first_use


def mask_implementation() -> str:
    """``"c"`` when the C implementation of ``websockets`` masks, ``"python"`` otherwise."""
    if apply_mask is _first_use:
        apply_mask(b"", b"\x00\x00\x00\x00")
    return "python" if apply_mask is apply_mask_python else "c"
