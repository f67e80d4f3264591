"""WebSocket protocol (RFC 6455) over asyncio: the reader and writer a connection drives.

:class:`WebSocketReader` feeds received bytes to the sans-IO parser of
:mod:`aiohttp._websocket` and puts the resulting messages (or the protocol error) into a
:class:`~aiohttp.streams.DataQueue`; :class:`WebSocketWriter` builds frames with the sans-IO
builder and writes them to a transport, waiting on the protocol's flow control.  The message
vocabulary (:class:`WSMsgType`, :class:`WSCloseCode`, ``WSMessage`` ...) and the
permessage-deflate negotiation helpers are re-exported from there.
"""

from __future__ import annotations

import asyncio
import random as _random_module
import struct
from collections.abc import Awaitable
from typing import Final, Optional, Protocol, Union

from ._websocket import _mask
from ._websocket._builder import FrameBuilder
from ._websocket._deflate import ws_ext_gen, ws_ext_parse
from ._websocket._frames import (
    FIN,
    LEN_16,
    MASK_BIT,
    OP_BINARY,
    OP_CLOSE,
    OP_TEXT,
    RSV1,
    encode_close_payload,
)
from ._websocket._parser import DEFAULT_MAX_MSG_SIZE, Role, WebSocketParser
from ._websocket.models import (
    WS_CLOSED_MESSAGE,
    WS_CLOSING_MESSAGE,
    WS_KEY,
    WebSocketError,
    WSCloseCode,
    WSHandshakeError,
    WSMessage,
    WSMsgType,
)
from .base_protocol import BaseProtocol
from .client_exceptions import ClientConnectionResetError

__all__ = (
    "WS_CLOSED_MESSAGE",
    "WS_CLOSING_MESSAGE",
    "WS_KEY",
    "WebSocketReader",
    "WebSocketWriter",
    "WSMessage",
    "WebSocketError",
    "WSMsgType",
    "WSCloseCode",
    "ws_ext_gen",
    "ws_ext_parse",
    "WSHandshakeError",
)

#: Messages at least this large are compressed in the default executor, off the event loop.
_EXECUTOR_COMPRESS_SIZE: Final = 64 * 1024
#: Frames with payloads at least this large are written in two parts, header and payload.
_SEPARATE_WRITE_SIZE: Final = 64 * 1024
_PACK_SHORT: Final = struct.Struct("!BB").pack
_PACK_SHORT_KEY: Final = struct.Struct("!BB4s").pack
#: Masking keys must be unpredictable (RFC 6455 section 5.3): the OS generator by default.
_SYSTEM_RANDOM: Final = _random_module.SystemRandom()


class _MessageQueue(Protocol):
    """Where :class:`WebSocketReader` puts messages: a :class:`~aiohttp.streams.DataQueue`."""

    def feed_data(self, data: WSMessage, size: int, /) -> None: ...

    def feed_eof(self) -> None: ...

    def set_exception(self, exc: BaseException, /) -> None: ...


class WebSocketReader:
    """Parses the bytes a connection receives into messages for ``queue``.

    :param queue: receives each message with its payload size, ``feed_eof()`` at the end of
        the connection and ``set_exception(WebSocketError)`` on a protocol violation.
    :param max_msg_size: largest message (after decompression) in bytes; ``0`` for no limit.
    :param compress: permessage-deflate was negotiated.
    :param role: ``"server"`` (frames must be masked), ``"client"`` (frames must not be
        masked) or None to accept both, as aiohttp 3.13 does.
    """

    __slots__ = ("_failed", "_parser", "queue")

    def __init__(
        self,
        queue: _MessageQueue,
        max_msg_size: int = DEFAULT_MAX_MSG_SIZE,
        compress: bool = True,
        *,
        role: Optional[Role] = None,
    ) -> None:
        self.queue = queue
        self._parser = WebSocketParser(max_msg_size=max_msg_size, compress=compress, role=role)
        self._failed = False

    def feed_eof(self) -> None:
        """The connection ended."""
        self.queue.feed_eof()

    def feed_data(self, data: Union[bytes, bytearray, memoryview]) -> tuple[bool, bytes]:
        """Parse received bytes; return ``(failed, tail)``.

        ``failed`` is true once a protocol error was put into the queue: the caller stops
        reading, and bytes fed after that come back as ``tail``.
        """
        if self._failed:
            return True, bytes(data)
        try:
            self._parser.feed(data, self.queue.feed_data)
        except WebSocketError as exc:
            self._failed = True
            self.queue.set_exception(exc)
            return True, b""
        return False, b""


class WebSocketWriter:
    """Writes WebSocket frames to a transport.

    :param protocol: the connection's protocol; its ``_drain_helper()`` provides back-pressure.
    :param transport: where frames are written.
    :param use_mask: mask frames (the client side must).
    :param limit: wait for the transport to drain after this many bytes were written.
    :param random: source of masking keys (an OS-backed generator by default).
    :param compress: negotiated permessage-deflate window bits (9-15), ``0`` for none.
    :param notakeover: reset the compression context after every message.
    """

    def __init__(
        self,
        protocol: BaseProtocol,
        transport: asyncio.Transport,
        *,
        use_mask: bool = False,
        limit: int = 2**16,
        random: _random_module.Random = _SYSTEM_RANDOM,
        compress: int = 0,
        notakeover: bool = False,
    ) -> None:
        self.protocol = protocol
        self.transport = transport
        self.use_mask = use_mask
        self.compress = compress
        self.notakeover = notakeover
        self._limit = limit
        self._random = random
        self._output_size = 0
        self._closing = False
        self._builder = FrameBuilder(
            use_mask=use_mask,
            # the builder reads the OS's random source itself, in batches
            mask_key=None if random is _SYSTEM_RANDOM else self._new_mask_key,
            compress=compress,
            notakeover=notakeover,
        )
        self._compressing = bool(compress)
        self._compress_lock: Optional[asyncio.Lock] = None

    def _new_mask_key(self) -> bytes:
        return self._random.getrandbits(32).to_bytes(4, "big")

    async def send_frame(self, message: bytes, opcode: int, compress: Optional[int] = None) -> None:
        """Send ``message`` as one frame with ``opcode``.

        Data messages are compressed when permessage-deflate was negotiated; ``compress``
        overrides the window bits for this message (``0``: uncompressed).  Raises
        :class:`ValueError` for an unknown opcode or a control payload over 125 bytes, and
        :class:`~aiohttp.ClientConnectionResetError` once the transport is closing or after
        :meth:`close` for anything but control frames.
        """
        pending = self._send(message, opcode, compress)
        if pending is not None:
            await pending

    def _send(
        self, message: bytes, opcode: int, compress: Optional[int] = None
    ) -> Optional[Awaitable[None]]:
        """:meth:`send_frame` without a coroutine of its own, for the hot paths.

        Writes the frame at once when it can and returns None; otherwise returns what the
        caller must await to finish the send (a drain of the transport, or a compression
        in the executor).  Raises what :meth:`send_frame` raises.
        """
        if self._closing and not opcode & OP_CLOSE:
            raise ClientConnectionResetError("Cannot write to closing transport")
        transport = self.transport
        if transport.is_closing():
            raise ClientConnectionResetError("Cannot write to closing transport")
        builder = self._builder
        rsv1 = False
        if self._compressing and opcode < OP_CLOSE and compress != 0:
            lock = self._compress_lock
            if len(message) >= _EXECUTOR_COMPRESS_SIZE or (lock is not None and lock.locked()):
                return self._send_compressed_off_loop(message, opcode, compress)
            compressor = builder._compressor
            if (
                compressor is None
                or compress is not None
                or builder._reset_pending
                or opcode not in (OP_TEXT, OP_BINARY)
            ):
                compressor = builder.compressor_for(opcode, compress)
            if compressor is not None:
                message = compressor.compress(message)
                rsv1 = True
        length = len(message)
        if length < LEN_16 and opcode in (OP_TEXT, OP_BINARY):
            # FrameBuilder.frame() of a short data frame, inlined (every small message)
            first = opcode | FIN | RSV1 if rsv1 else opcode | FIN
            if not builder._use_mask:
                frame = _PACK_SHORT(first, length) + message
            else:
                key = builder.next_key()
                frame = _PACK_SHORT_KEY(first, MASK_BIT | length, key) + (
                    _mask.apply_mask(message, key)
                )
            self._output_size += len(frame)
            transport.write(frame)
        elif length < _SEPARATE_WRITE_SIZE:
            frame = builder.frame(message, opcode, rsv1=rsv1)
            self._output_size += len(frame)
            transport.write(frame)
        else:
            self._write(*builder.frame_parts(message, opcode, rsv1=rsv1))
        if self._output_size > self._limit:
            self._output_size = 0
            return self.protocol._drain_helper()
        return None

    async def close(self, code: int = 1000, message: Union[bytes, str] = b"") -> None:
        """Send a close frame with ``code`` and a reason of at most 123 bytes."""
        if isinstance(message, str):
            message = message.encode("utf-8")
        payload = encode_close_payload(code, message)
        try:
            await self.send_frame(payload, WSMsgType.CLOSE)
        finally:
            self._closing = True

    async def _send_compressed_off_loop(
        self, message: bytes, opcode: int, compress: Optional[int]
    ) -> None:
        """Compress in an executor, keeping compressed messages in order."""
        lock = self._compress_lock
        if lock is None:
            lock = self._compress_lock = asyncio.Lock()
        builder = self._builder
        async with lock:
            compressor = builder.compressor_for(opcode, compress)
            assert compressor is not None
            loop = asyncio.get_running_loop()
            try:
                payload = await loop.run_in_executor(None, compressor.compress, message)
                self._check_transport()
            except BaseException:
                # the context remembers a message the peer will never see
                builder.discard_context()
                raise
            self._write(*builder.frame_parts(payload, opcode, rsv1=True))
        if self._output_size > self._limit:
            self._output_size = 0
            await self.protocol._drain_helper()

    def _check_transport(self) -> None:
        if self.transport.is_closing():
            raise ClientConnectionResetError("Cannot write to closing transport")

    def _write(self, header: bytes, payload: bytes) -> None:
        size = len(payload)
        self._output_size += len(header) + size
        if size < _SEPARATE_WRITE_SIZE:
            self.transport.write(header + payload)
        else:
            # one more system call is cheaper than copying a large payload behind its header
            self.transport.write(header)
            self.transport.write(payload)
