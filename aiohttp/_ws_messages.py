"""The message API both WebSocket ends share: ``send_str``, ``receive_json``, ``async for`` ...

:class:`_WebSocketMessages` implements the typed send and receive methods once, on top of
two things each end provides: ``_started()`` (the connection's
:class:`~aiohttp._ws_session.WebSocketSession`, or :class:`RuntimeError` when there is none
yet) and ``receive()``.  :func:`bind_message_api` then copies the methods into the public
class's own namespace, so :class:`~aiohttp.ClientWebSocketResponse` and
:class:`~aiohttp.web.WebSocketResponse` each still list them (as 3.13 classes do).
"""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, Any, Final, Optional, Union

from ._ws_session import WebSocketSession
from .client_exceptions import WSMessageTypeError
from .http_websocket import WSMessage, WSMsgType
from .typedefs import DEFAULT_JSON_DECODER, DEFAULT_JSON_ENCODER, JSONDecoder, JSONEncoder

if TYPE_CHECKING:
    from typing_extensions import Self

_OP_TEXT: Final = int(WSMsgType.TEXT)
_OP_BINARY: Final = int(WSMsgType.BINARY)
_END_OF_ITERATION: Final = frozenset((WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED))
# A received message quoted in a WSMessageTypeError is cut to this many characters.
_QUOTE_LIMIT: Final = 60
# The methods bind_message_api copies into each public class.
_SHARED: Final = (
    "send_frame",
    "send_str",
    "send_bytes",
    "send_json",
    "receive_str",
    "receive_bytes",
    "receive_json",
    "__aiter__",
    "__anext__",
)


def _type_error(msg: WSMessage, expected: WSMsgType) -> WSMessageTypeError:
    data = repr(msg.data)
    if len(data) > _QUOTE_LIMIT:
        data = data[:_QUOTE_LIMIT] + "..."
    return WSMessageTypeError(
        f"Received message {msg.type.name}:{data} is not WSMsgType.{expected.name}"
    )


class _WebSocketMessages:
    """Typed sends and receives over the session ``_started()`` returns."""

    __slots__ = ()

    # the session behind _started(), read directly on the hot paths (None: not prepared)
    _session: Optional[WebSocketSession]

    @abstractmethod
    def _started(self) -> WebSocketSession:
        """The connection's session; :class:`RuntimeError` while there is none."""

    @abstractmethod
    async def receive(self, timeout: Optional[float] = None) -> WSMessage:
        """Return the next message."""

    async def send_frame(
        self, message: bytes, opcode: WSMsgType, compress: Optional[int] = None
    ) -> None:
        """Send one frame with ``opcode`` (``compress``: window bits for this message,
        ``0`` to send it uncompressed)."""
        session = self._session
        if session is None:
            session = self._started()  # raises
        pending = session.send(message, opcode, compress)
        if pending is not None:
            await pending

    async def send_str(self, data: str, compress: Optional[int] = None) -> None:
        """Send a text message.

        :raises TypeError: ``data`` is not a ``str``.
        """
        if not isinstance(data, str):
            raise TypeError(f"data argument must be str ({type(data)!r})")
        # the writer's synchronous send: no coroutine of its own unless it must wait
        session = self._session
        if session is None:
            session = self._started()  # raises
        pending = session.send(data.encode(), _OP_TEXT, compress)  # UTF-8; faster without arguments
        if pending is not None:
            await pending

    async def send_bytes(
        self, data: Union[bytes, bytearray, memoryview], compress: Optional[int] = None
    ) -> None:
        """Send a binary message.

        :raises TypeError: ``data`` is not bytes-like.
        """
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data argument must be byte-ish ({type(data)!r})")
        session = self._session
        if session is None:
            session = self._started()  # raises
        pending = session.send(bytes(data), _OP_BINARY, compress)
        if pending is not None:
            await pending

    async def send_json(
        self,
        data: object,
        compress: Optional[int] = None,
        *,
        dumps: JSONEncoder = DEFAULT_JSON_ENCODER,
    ) -> None:
        """Send ``dumps(data)`` as a text message."""
        await self.send_str(dumps(data), compress=compress)

    async def receive_str(self, *, timeout: Optional[float] = None) -> str:
        """Return the next message, which must be text.

        :raises WSMessageTypeError: it is not (a ``TypeError``).
        """
        msg = await self.receive(timeout)
        if msg.type != WSMsgType.TEXT:
            raise _type_error(msg, WSMsgType.TEXT)
        return msg.data

    async def receive_bytes(self, *, timeout: Optional[float] = None) -> bytes:
        """Return the next message, which must be binary.

        :raises WSMessageTypeError: it is not (a ``TypeError``).
        """
        msg = await self.receive(timeout)
        if msg.type != WSMsgType.BINARY:
            raise _type_error(msg, WSMsgType.BINARY)
        return msg.data

    async def receive_json(  # type: ignore[explicit-any]  # decoded JSON is arbitrary
        self, *, loads: JSONDecoder = DEFAULT_JSON_DECODER, timeout: Optional[float] = None
    ) -> Any:
        """Return ``loads()`` of the next message, which must be text."""
        data = await self.receive_str(timeout=timeout)
        return loads(data)

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> WSMessage:
        """The next message; iteration ends at ``CLOSE``, ``CLOSING`` or ``CLOSED``."""
        session = self._session
        if session is None:
            session = self._started()  # raises
        msg = await session.receive()
        if msg.type in _END_OF_ITERATION:
            raise StopAsyncIteration
        return msg


def bind_message_api(cls: type[_WebSocketMessages]) -> None:
    """Copy the shared methods into ``cls``'s own namespace (unless it defines its own)."""
    namespace = vars(_WebSocketMessages)
    for name in _SHARED:
        if name not in vars(cls):
            setattr(cls, name, namespace[name])
