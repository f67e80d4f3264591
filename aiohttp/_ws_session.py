"""The message-level state machine of an open WebSocket, shared by both ends.

:class:`WebSocketSession` owns everything after the opening handshake: the receive loop
(answering pings, the closing handshake), sending, the heartbeat and the timeouts.  The
server's :class:`~aiohttp.web.WebSocketResponse` and the client's
``ClientWebSocketResponse`` wrap one each and add only their handshake.  Received messages
arrive through a :class:`MessageQueue`, which the connection's
:class:`~aiohttp.http_websocket.WebSocketReader` fills.

States (:class:`State`)::

    OPEN ----peer's close received----> PEER_CLOSED --close() sends ours--> CLOSED
      |                                                                       ^
      +--close() sends ours--> CLOSE_SENT --peer's close / timeout / EOF------+

Any failure (protocol error from the peer, the connection lost, no pong) goes to CLOSED at
once.  Entering CLOSED closes the transport.  Only one task may receive; any task may send
or close.  When :meth:`~WebSocketSession.close` runs while another task waits in
:meth:`~WebSocketSession.receive`, that receive returns a ``CLOSING`` message and the closing
task reads the peer's close frame itself.

Close codes: the peer's close frame sets :attr:`~WebSocketSession.close_code` (``0`` when it
carried none); a protocol error sets the code we answer with (1002, 1007, 1009); when no code
was set yet, a connection lost without a close frame, a failed send, a close timeout and a
missing pong set 1006 (aiohttp 3.13 reported 1000 for a connection that simply ended).
"""

from __future__ import annotations

import asyncio
import collections
import enum
from collections.abc import Awaitable, Callable
from typing import Final, Optional, Protocol, Union

from ._websocket._frames import (
    FIN,
    OP_BINARY,
    OP_TEXT,
    RSV1,
    encode_close_payload,
)
from ._websocket._parser import DEFAULT_MAX_MSG_SIZE, Role
from ._websocket.models import WSMessageBinary, WSMessageError, WSMessageText
from ._ws_heartbeat import Heartbeat
from .base_protocol import BaseProtocol
from .helpers import _EXC_SENTINEL
from .http_websocket import (
    WS_CLOSED_MESSAGE,
    WS_CLOSING_MESSAGE,
    WebSocketError,
    WebSocketReader,
    WebSocketWriter,
    WSCloseCode,
    WSMessage,
    WSMsgType,
)
from .streams import EofStream

__all__ = ("MessageQueue", "MessageReader", "State", "WebSocketSession")

#: The call of :meth:`WebSocketSession.receive` after ``CLOSED`` that raises instead (a loop
#: that ignores ``CLOSED`` would otherwise spin forever).
CLOSED_READS_LIMIT: Final = 5
#: Received message bytes buffered before the connection stops reading (flow control).
QUEUE_LIMIT: Final = 2**16


class State(enum.Enum):
    """Where the closing handshake stands (see the module docstring)."""

    OPEN = "open"
    PEER_CLOSED = "peer-closed"
    CLOSE_SENT = "close-sent"
    CLOSED = "closed"


# Looking up an enum member costs as much as a small function call: the hot paths use these.
_OPEN: Final = State.OPEN
_TEXT: Final = WSMsgType.TEXT
_BINARY: Final = WSMsgType.BINARY


class _SendFrame(Protocol):
    """:meth:`WebSocketWriter.send_frame`, bound."""

    def __call__(
        self, message: bytes, opcode: int, compress: Optional[int] = None
    ) -> Awaitable[None]: ...


class MessageQueue:
    """The received-message queue of one connection, with the interface of
    :class:`~aiohttp.streams.DataQueue`.

    The connection's reader feeds messages with their sizes; past twice ``limit`` unread
    bytes the protocol stops reading, and it resumes once reads bring them back under.
    Every message fed is reported to ``on_frame`` (the heartbeat's proof of life).  Written
    out rather than derived from :class:`~aiohttp.streams.FlowControlDataQueue`: a message
    passes here twice per round trip, and one level of calls is measurably cheaper than three.
    """

    __slots__ = (
        "_buffer",
        "_eof",
        "_exception",
        "_limit",
        "_loop",
        "_protocol",
        "_size",
        "_waiter",
        "on_frame",
    )

    def __init__(
        self,
        protocol: BaseProtocol,
        limit: int = QUEUE_LIMIT,
        *,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self._protocol = protocol
        self._limit = limit * 2
        self._loop = loop
        self._buffer: collections.deque[tuple[WSMessage, int]] = collections.deque()
        self._size = 0
        self._eof = False
        self._exception: Optional[BaseException] = None
        self._waiter: Optional[asyncio.Future[None]] = None
        self.on_frame: Optional[Callable[[], None]] = None

    def __len__(self) -> int:
        return len(self._buffer)

    def is_eof(self) -> bool:
        """True once :meth:`feed_eof` or :meth:`set_exception` was called."""
        return self._eof

    def at_eof(self) -> bool:
        """True at the end with nothing left to read."""
        return self._eof and not self._buffer

    def exception(self) -> Optional[BaseException]:
        """The error set by :meth:`set_exception`, if any."""
        return self._exception

    def set_exception(self, exc: BaseException, exc_cause: BaseException = _EXC_SENTINEL) -> None:
        """End the queue with ``exc``: raised by :meth:`read` once the buffer is empty."""
        if exc_cause is not _EXC_SENTINEL and exc_cause is not exc:
            exc.__cause__ = exc_cause
        self._eof = True
        self._exception = exc
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_exception(exc)

    def feed_data(self, data: WSMessage, size: int = 0) -> None:
        """Append a received message; ``size`` is its weight for flow control."""
        self._buffer.append((data, size))
        self._size += size
        if self._size > self._limit and not self._protocol._reading_paused:
            self._protocol.pause_reading()
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)
        on_frame = self.on_frame
        if on_frame is not None:
            on_frame()

    def feed_eof(self) -> None:
        """Mark the end of the queue."""
        self._eof = True
        self._wake()

    def inject(self, msg: WSMessage) -> None:
        """Queue a message of our own (``CLOSING``, ``ERROR``) to wake the receiver."""
        self._buffer.append((msg, 0))
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    async def read(self) -> WSMessage:
        """Return the next message, waiting for one.

        :raises EofStream: the queue ended and is empty (or the error it ended with).
        :raises RuntimeError: another task is waiting already.
        """
        if not self._buffer and not self._eof:
            await self._wait()
        return self._take()

    def _wait(self) -> asyncio.Future[None]:
        """A future that the next message (or the end) completes."""
        waiter = self._waiter
        # whoever completes a waiter clears it first; one left behind was cancelled
        if waiter is not None and not waiter.done():
            raise RuntimeError("read() called while another coroutine is already waiting")
        waiter = self._waiter = self._loop.create_future()
        return waiter

    def _take(self) -> WSMessage:
        buffer = self._buffer
        if buffer:
            data, size = buffer.popleft()
            self._size -= size
            if self._protocol._reading_paused and self._size < self._limit:
                self._protocol.resume_reading()
            return data
        if self._exception is not None:
            raise self._exception
        raise EofStream


_FIN_TEXT: Final = FIN | OP_TEXT
_FIN_BINARY: Final = FIN | OP_BINARY
_WHOLE_COMPRESSED: Final = frozenset((_FIN_TEXT | RSV1, _FIN_BINARY | RSV1))
_NOT_FAILED: Final = (False, b"")
_FAILED: Final = (True, b"")
_new_tuple: Final = tuple.__new__


class MessageReader(WebSocketReader):
    """The :class:`~aiohttp.http_websocket.WebSocketReader` of a session: it feeds a
    :class:`MessageQueue`.

    The commonest read, exactly one whole short unfragmented text or binary frame, is
    parsed and queued here in one call instead of three (reader, parser, queue): a message
    arrives this way twice per echo round trip.  It reads the parser's state without
    changing it, and anything else (or anything wrong) goes the general way, which parses
    the same bytes from the start.
    """

    __slots__ = ("_messages",)

    def __init__(
        self,
        queue: MessageQueue,
        max_msg_size: int = DEFAULT_MAX_MSG_SIZE,
        compress: bool = True,
        *,
        role: Optional[Role] = None,
    ) -> None:
        super().__init__(queue, max_msg_size, compress, role=role)
        self._messages = queue

    def feed_data(self, data: Union[bytes, bytearray, memoryview]) -> tuple[bool, bytes]:
        parser = self._parser
        payload = (
            parser.whole_short_frame(data) if type(data) is bytes and not self._failed else None
        )
        if payload is not None:
            first = data[0]
            length = len(payload)
            msg: Optional[WSMessage] = None
            if first == _FIN_TEXT:
                try:
                    msg = _new_tuple(WSMessageText, (_TEXT, payload.decode(), ""))
                except UnicodeDecodeError:
                    pass  # the general way reports it
            elif first == _FIN_BINARY:
                msg = _new_tuple(WSMessageBinary, (_BINARY, payload, ""))
            elif first in _WHOLE_COMPRESSED and parser._rsv1_allowed:
                try:
                    whole = parser.inflate_message(first, payload)
                except WebSocketError as exc:
                    # the inflater moved on: these bytes cannot go the general way
                    parser._fail(exc)
                    self._failed = True
                    self._messages.set_exception(exc)
                    return _FAILED
                msg = whole
                length = len(whole.data)
            if msg is not None:
                # MessageQueue.feed_data(msg, length), inlined
                queue = self._messages
                queue._buffer.append((msg, length))
                size = queue._size = queue._size + length
                if size > queue._limit and not queue._protocol._reading_paused:
                    queue._protocol.pause_reading()
                waiter = queue._waiter
                if waiter is not None:
                    queue._waiter = None
                    if not waiter.done():
                        waiter.set_result(None)
                on_frame = queue.on_frame
                if on_frame is not None:
                    on_frame()
                return _NOT_FAILED
        return WebSocketReader.feed_data(self, data)


class WebSocketSession:
    """One open WebSocket connection (see the module docstring).

    :param reader: where the connection's reader puts received messages.
    :param writer: sends frames.
    :param close_transport: ends the connection (called once, on entering CLOSED).
    :param timeout: seconds :meth:`close` waits for the peer's close frame (None: no limit).
    :param receive_timeout: default timeout of :meth:`receive` (None: wait forever).
    :param autoclose: answer the peer's close frame at once.
    :param autoping: answer pings (and swallow pongs) inside :meth:`receive`.
    :param heartbeat: ping after this many quiet seconds; no pong within half of it
        closes the connection with 1006.
    """

    __slots__ = (
        "_autoclose",
        "_autoping",
        "_close_code",
        "_close_transport",
        "_closed_reads",
        "_done",
        "_ended",
        "_exception",
        "_heartbeat",
        "_loop",
        "_reader",
        "_receive_timeout",
        "_receiver_left",
        "_receiving",
        "_state",
        "_timeout",
        "_writer",
        "send",
        "send_frame",
    )

    def __init__(
        self,
        reader: MessageQueue,
        writer: WebSocketWriter,
        *,
        loop: asyncio.AbstractEventLoop,
        close_transport: Callable[[], None],
        timeout: Optional[float],
        receive_timeout: Optional[float],
        autoclose: bool,
        autoping: bool,
        heartbeat: Optional[float],
    ) -> None:
        self._reader = reader
        self._writer = writer
        #: Send one frame (see :meth:`WebSocketWriter.send_frame`): the writer's own method,
        #: not a wrapper around it, as every message sent passes here.
        self.send_frame: _SendFrame = writer.send_frame
        #: ``WebSocketWriter._send``: sends at once, returns what is left to await or None.
        self.send = writer._send
        self._loop = loop
        self._close_transport = close_transport
        self._timeout = timeout
        self._receive_timeout = receive_timeout
        self._autoclose = autoclose
        self._autoping = autoping
        self._state = State.OPEN
        self._close_code: Optional[int] = None
        self._exception: Optional[BaseException] = None
        self._receiving = False
        self._receiver_left: Optional[asyncio.Future[None]] = None
        self._done: Optional[asyncio.Future[None]] = None
        self._ended = False
        self._closed_reads = 0
        self._heartbeat: Optional[Heartbeat] = None
        if heartbeat is not None:
            beat = self._heartbeat = Heartbeat(loop, heartbeat, self._ping, self._on_no_pong)
            reader.on_frame = beat.seen
            beat.start()

    # -- state -----------------------------------------------------------------------------

    @property
    def state(self) -> State:
        """Where the closing handshake stands."""
        return self._state

    @property
    def closed(self) -> bool:
        """True once we sent our close frame or gave up on the connection."""
        return self._state is State.CLOSE_SENT or self._state is State.CLOSED

    @property
    def close_code(self) -> Optional[int]:
        """The close code (see the module docstring); None while open."""
        return self._close_code

    @property
    def writer(self) -> WebSocketWriter:
        """The frame writer."""
        return self._writer

    def exception(self) -> Optional[BaseException]:
        """The error that ended the connection, if any."""
        return self._exception

    # -- sending ---------------------------------------------------------------------------

    async def _ping(self) -> None:
        if self._state is State.OPEN:
            await self._writer.send_frame(b"", WSMsgType.PING)

    # -- receiving -------------------------------------------------------------------------

    async def receive(self, timeout: Optional[float] = None) -> WSMessage:
        """Return the next message (see :meth:`aiohttp.web.WebSocketResponse.receive`).

        :raises RuntimeError: another task is receiving, or ``CLOSED`` was returned too
            many times already.
        :raises asyncio.TimeoutError: no message within ``timeout`` (or ``receive_timeout``);
            the connection stays open.
        """
        reader = self._reader
        while True:
            state = self._state
            if state is not _OPEN:
                if state is State.PEER_CLOSED:
                    return WS_CLOSING_MESSAGE
                self._closed_reads += 1
                if self._closed_reads >= CLOSED_READS_LIMIT:
                    raise RuntimeError("WebSocket connection is closed.")
                return WS_CLOSED_MESSAGE
            if self._receiving:
                raise RuntimeError("Concurrent call to receive() is not allowed")
            self._receiving = True
            try:
                wait = self._receive_timeout if timeout is None else timeout
                if wait is not None:
                    msg = await asyncio.wait_for(reader.read(), wait)
                else:
                    # MessageQueue.read() inlined (with _wait() and _take()): one coroutine
                    # and two calls less per message
                    buffer = reader._buffer
                    if not buffer and not reader._eof:
                        waiter = reader._waiter
                        if waiter is not None and not waiter.done():
                            raise RuntimeError(
                                "read() called while another coroutine is already waiting"
                            )
                        waiter = reader._waiter = reader._loop.create_future()
                        await waiter
                    if buffer:
                        msg, size = buffer.popleft()
                        reader._size -= size
                        protocol = reader._protocol
                        if protocol._reading_paused and reader._size < reader._limit:
                            protocol.resume_reading()
                    else:
                        msg = reader._take()  # raises the end of the queue
            except EofStream:
                if self._close_code is None:
                    self._close_code = WSCloseCode.ABNORMAL_CLOSURE
                self._enter_closed()
                return WS_CLOSED_MESSAGE
            except WebSocketError as exc:
                return await self._fail_protocol(exc)
            except (asyncio.CancelledError, asyncio.TimeoutError):
                raise
            except Exception as exc:
                self._fail(exc)
                return WSMessageError(WSMsgType.ERROR, exc, None)
            finally:
                self._receiving = False
                waiter = self._receiver_left
                if waiter is not None:
                    self._receiver_left = None
                    if not waiter.done():
                        waiter.set_result(None)
            kind = msg.type
            if kind is _TEXT or kind is _BINARY:
                return msg
            if msg.type == WSMsgType.CLOSE:
                self._close_code = msg.data
                if self._state is State.CLOSE_SENT:
                    self._enter_closed()  # the peer answered a close() of another task
                elif self._state is State.OPEN:
                    self._state = State.PEER_CLOSED
                    if self._autoclose:
                        # the peer is about to drop the connection: don't wait on a drain
                        await self.close(drain=False)
                return msg
            if msg.type == WSMsgType.PING and self._autoping:
                try:
                    await self._writer.send_frame(msg.data, WSMsgType.PONG)
                except ConnectionError:
                    pass  # the connection is going away; the reader's end tells
                continue
            if msg.type == WSMsgType.PONG and self._autoping:
                continue
            return msg

    async def _fail_protocol(self, exc: WebSocketError) -> WSMessage:
        """The peer broke the protocol: answer with its close code and end the connection."""
        self._close_code = exc.code
        if self._exception is None:
            self._exception = exc
        if self._state is State.OPEN:
            self._state = State.PEER_CLOSED  # nothing more can be read
            await self.close(code=exc.code)
        else:
            self._enter_closed()
        return WSMessageError(WSMsgType.ERROR, exc, None)

    # -- closing ---------------------------------------------------------------------------

    async def close(
        self, *, code: int = WSCloseCode.OK, message: Union[bytes, str] = b"", drain: bool = True
    ) -> bool:
        """Start (or answer) the closing handshake; True if this call closed the connection.

        Sends a close frame with ``code`` and ``message``, then waits up to ``timeout``
        seconds for the peer's close frame (unless it came already), and closes the
        connection.  Returns False at once when a close was already sent.

        :raises ValueError: ``code`` does not fit in two bytes or ``message`` is longer than
            123 bytes (before anything is sent).
        """
        reason = message.encode("utf-8") if isinstance(message, str) else message
        encode_close_payload(code, reason)  # refuse what cannot be sent, before any state change
        state = self._state
        if state is State.CLOSE_SENT or state is State.CLOSED:
            return False
        self._state = State.CLOSED if state is State.PEER_CLOSED else State.CLOSE_SENT
        self._stop_heartbeat()
        try:
            await self._writer.close(code, reason)
            if drain:
                await self._writer.protocol._drain_helper()
        except asyncio.CancelledError:
            self._abort()
            raise
        except Exception as exc:
            self._fail(exc)
            return True
        if self._ended_meanwhile():
            self._enter_closed()
            return True
        if self._receiving:
            # Another task waits in receive(): wake it with CLOSING and let it leave, so
            # that the peer's close frame is ours to read.
            waiter = self._receiver_left = self._loop.create_future()
            self._reader.inject(WS_CLOSING_MESSAGE)
            try:
                await waiter
            except asyncio.CancelledError:
                self._abort()
                raise
            if self._ended_meanwhile():
                self._enter_closed()
                return True
        try:
            await asyncio.wait_for(self._read_peer_close(), self._timeout)
        except asyncio.CancelledError:
            self._abort()
            raise
        except EofStream:
            self._close_code = WSCloseCode.ABNORMAL_CLOSURE
        except Exception as exc:
            self._fail(exc)
        self._enter_closed()
        return True

    def _ended_meanwhile(self) -> bool:
        """Whether another task completed the close (or a failure ended it) while we
        awaited (a method, so the type checker does not keep its narrowed state)."""
        return self._state is State.CLOSED

    async def _read_peer_close(self) -> None:
        """Read (and drop) messages until the peer's close frame."""
        reader = self._reader
        while True:
            msg = await reader.read()
            if msg.type == WSMsgType.CLOSE:
                self._close_code = msg.data
                return

    async def wait_closed(self) -> None:
        """Wait until the connection reached CLOSED (a close in another task finished)."""
        if self._state is State.CLOSED:
            return
        done = self._done
        if done is None:
            done = self._done = self._loop.create_future()
        await asyncio.shield(done)

    def _on_no_pong(self, exc: BaseException) -> None:
        """The heartbeat gave up on the peer: end the connection without a close frame."""
        if self._state is State.CLOSED:
            return
        self._fail(exc)
        if self._receiving:
            self._reader.inject(WSMessageError(WSMsgType.ERROR, exc, None))

    def _fail(self, exc: BaseException) -> None:
        """End the connection abnormally because of ``exc``."""
        if self._exception is None:
            self._exception = exc
        self._abort()

    def _abort(self) -> None:
        if self._close_code is None:
            self._close_code = WSCloseCode.ABNORMAL_CLOSURE
        self._enter_closed()

    def _stop_heartbeat(self) -> None:
        beat = self._heartbeat
        if beat is not None:
            beat.stop()

    def _enter_closed(self) -> None:
        """Enter CLOSED (idempotent): stop the heartbeat and end the connection."""
        self._stop_heartbeat()
        self._state = State.CLOSED
        if not self._ended:
            self._ended = True
            self._close_transport()
        done = self._done
        if done is not None and not done.done():
            done.set_result(None)
