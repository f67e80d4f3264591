"""The WebSocket vocabulary: message kinds, close codes, messages and the protocol error.

``WSMessage`` is a tagged union for the type checker: one ``NamedTuple`` per message kind
(:class:`WSMessageText`, :class:`WSMessageBinary`, :class:`WSMessageClose` ...), each with a
``Literal`` ``type`` field, so ``if msg.type == WSMsgType.TEXT:`` narrows ``msg.data`` to ``str``.
Every kind is the 3-tuple ``(type, data, extra)`` of aiohttp 3.13, so unpacking, indexing and
equality with plain tuples behave as before.  At run time ``WSMessage`` is also a class:
``WSMessage(type, data, extra)`` builds the matching kind and ``isinstance(m, WSMessage)`` is
true for every kind.  Typed code builds messages with the per-kind classes (a union cannot be
called), e.g. ``WSMessageText(WSMsgType.TEXT, "hi", None)``.
"""

from __future__ import annotations

import json as _json
from enum import IntEnum
from operator import itemgetter
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    ClassVar,
    Final,
    Literal,
    NamedTuple,
    Optional,
    TypeVar,
    Union,
    cast,
    overload,
)

if TYPE_CHECKING:
    from typing_extensions import TypeAlias

__all__ = (
    "WS_CLOSED_MESSAGE",
    "WS_CLOSING_MESSAGE",
    "WS_KEY",
    "WSCloseCode",
    "WSHandshakeError",
    "WSMessage",
    "WSMessageBinary",
    "WSMessageClose",
    "WSMessageClosed",
    "WSMessageClosing",
    "WSMessageContinuation",
    "WSMessageError",
    "WSMessagePing",
    "WSMessagePong",
    "WSMessageText",
    "WSMsgType",
    "WebSocketError",
)

_T = TypeVar("_T")

#: The GUID RFC 6455 appends to ``Sec-WebSocket-Key`` to compute ``Sec-WebSocket-Accept``.
WS_KEY: Final[bytes] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class WSCloseCode(IntEnum):
    """Close status codes (RFC 6455 section 7.4 and the IANA registry)."""

    OK = 1000
    GOING_AWAY = 1001
    PROTOCOL_ERROR = 1002
    UNSUPPORTED_DATA = 1003
    ABNORMAL_CLOSURE = 1006
    INVALID_TEXT = 1007
    POLICY_VIOLATION = 1008
    MESSAGE_TOO_BIG = 1009
    MANDATORY_EXTENSION = 1010
    INTERNAL_ERROR = 1011
    SERVICE_RESTART = 1012
    TRY_AGAIN_LATER = 1013
    BAD_GATEWAY = 1014


class WSMsgType(IntEnum):
    """Message kinds: the RFC 6455 opcodes plus aiohttp's own connection states."""

    CONTINUATION = 0x0
    TEXT = 0x1
    BINARY = 0x2
    PING = 0x9
    PONG = 0xA
    CLOSE = 0x8
    # aiohttp's own kinds, never on the wire
    CLOSING = 0x100
    CLOSED = 0x101
    ERROR = 0x102

    # The lowercase names are enum aliases at run time.  mypy would treat a plain
    # ``text = TEXT`` as a distinct member (so ``msg.type == WSMsgType.text`` would neither
    # narrow nor overlap); declared as class variables of the member's literal type they do both.
    if TYPE_CHECKING:
        text: ClassVar[Literal[WSMsgType.TEXT]]
        binary: ClassVar[Literal[WSMsgType.BINARY]]
        ping: ClassVar[Literal[WSMsgType.PING]]
        pong: ClassVar[Literal[WSMsgType.PONG]]
        close: ClassVar[Literal[WSMsgType.CLOSE]]
        closing: ClassVar[Literal[WSMsgType.CLOSING]]
        closed: ClassVar[Literal[WSMsgType.CLOSED]]
        error: ClassVar[Literal[WSMsgType.ERROR]]
    else:
        text = TEXT
        binary = BINARY
        ping = PING
        pong = PONG
        close = CLOSE
        closing = CLOSING
        closed = CLOSED
        error = ERROR


class WebSocketError(Exception):
    """A WebSocket protocol violation; ``code`` is the close code to answer it with."""

    def __init__(self, code: int, message: str) -> None:
        self.code = code
        super().__init__(code, message)

    def __str__(self) -> str:
        return str(self.args[1])


class WSHandshakeError(Exception):
    """The opening handshake (or extension negotiation) failed."""


class WSMessageContinuation(NamedTuple):
    """A continuation fragment (not produced by the reader, which joins fragments)."""

    type: Literal[WSMsgType.CONTINUATION]
    data: bytes
    extra: Optional[str]


class WSMessageText(NamedTuple):
    """A complete text message; ``data`` is the decoded text."""

    type: Literal[WSMsgType.TEXT]
    data: str
    extra: Optional[str]

    @overload
    def json(self) -> Any: ...  # type: ignore[explicit-any]  # decoded JSON is arbitrary

    @overload
    def json(self, *, loads: Callable[[str], _T]) -> _T: ...

    def json(self, *, loads: Callable[[str], object] = _json.loads) -> object:
        """Return ``data`` decoded as JSON by ``loads``."""
        return loads(self.data)


class WSMessageBinary(NamedTuple):
    """A complete binary message."""

    type: Literal[WSMsgType.BINARY]
    data: bytes
    extra: Optional[str]

    @overload
    def json(self) -> Any: ...  # type: ignore[explicit-any]  # decoded JSON is arbitrary

    @overload
    def json(self, *, loads: Callable[[bytes], _T]) -> _T: ...

    def json(self, *, loads: Callable[[bytes], object] = _json.loads) -> object:
        """Return ``data`` decoded as JSON by ``loads``."""
        return loads(self.data)


class WSMessagePing(NamedTuple):
    """A ping; ``data`` is its application data (at most 125 bytes)."""

    type: Literal[WSMsgType.PING]
    data: bytes
    extra: Optional[str]


class WSMessagePong(NamedTuple):
    """A pong; ``data`` is its application data (at most 125 bytes)."""

    type: Literal[WSMsgType.PONG]
    data: bytes
    extra: Optional[str]


class WSMessageClose(NamedTuple):
    """The peer's close frame: ``data`` is the status code (``0`` if none), ``extra`` the reason."""

    type: Literal[WSMsgType.CLOSE]
    data: int
    extra: Optional[str]


class WSMessageClosing(NamedTuple):
    """The connection is closing (aiohttp state, not a frame)."""

    type: Literal[WSMsgType.CLOSING]
    data: None
    extra: None


class WSMessageClosed(NamedTuple):
    """The connection is closed (aiohttp state, not a frame)."""

    type: Literal[WSMsgType.CLOSED]
    data: None
    extra: None


class WSMessageError(NamedTuple):
    """Reading failed; ``data`` is the exception."""

    type: Literal[WSMsgType.ERROR]
    data: BaseException
    extra: Optional[str]


_KINDS: Final[dict[WSMsgType, type[tuple[object, ...]]]] = {
    WSMsgType.CONTINUATION: WSMessageContinuation,
    WSMsgType.TEXT: WSMessageText,
    WSMsgType.BINARY: WSMessageBinary,
    WSMsgType.PING: WSMessagePing,
    WSMsgType.PONG: WSMessagePong,
    WSMsgType.CLOSE: WSMessageClose,
    WSMsgType.CLOSING: WSMessageClosing,
    WSMsgType.CLOSED: WSMessageClosed,
    WSMsgType.ERROR: WSMessageError,
}
_KIND_CLASSES: Final = tuple(_KINDS.values())


class _WSMessageMeta(type):
    """Makes the run-time ``WSMessage`` build the right kind and recognise every kind."""

    def __call__(cls, type: Union[WSMsgType, int], data: object, extra: Optional[str]) -> object:
        kind = WSMsgType(type)
        return tuple.__new__(_KINDS[kind], (kind, data, extra))

    def __instancecheck__(cls, instance: object) -> bool:
        return isinstance(instance, _KIND_CLASSES)

    def __subclasscheck__(cls, subclass: type) -> bool:
        return issubclass(subclass, _KIND_CLASSES)


class _WSMessageFactory(metaclass=_WSMessageMeta):
    """``WSMessage(type, data, extra)``: build the message kind that ``type`` names."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, str, str]] = ("type", "data", "extra")

    # 3.13's class attributes, usable unbound on any kind (``WSMessage.json(msg)``)
    type = property(itemgetter(0), doc="The message kind.")
    data = property(itemgetter(1), doc="The payload.")
    extra = property(itemgetter(2), doc="The close reason (close messages).")

    def json(self, *, loads: Callable[[str], object] = _json.loads) -> object:
        """Return the message data decoded as JSON by ``loads``."""
        message = cast("tuple[object, str, object]", self)
        return loads(message[1])


_WSMessageFactory.__name__ = _WSMessageFactory.__qualname__ = "WSMessage"

if TYPE_CHECKING:
    WSMessage: TypeAlias = (
        WSMessageContinuation
        | WSMessageText
        | WSMessageBinary
        | WSMessagePing
        | WSMessagePong
        | WSMessageClose
        | WSMessageClosing
        | WSMessageClosed
        | WSMessageError
    )
else:
    WSMessage = _WSMessageFactory

WS_CLOSED_MESSAGE: Final = WSMessageClosed(WSMsgType.CLOSED, None, None)
WS_CLOSING_MESSAGE: Final = WSMessageClosing(WSMsgType.CLOSING, None, None)
