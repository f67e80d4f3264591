"""Type checks for ``aiohttp.http_websocket``: ``WSMessage`` is a tagged union, so checking
``msg.type`` narrows ``msg.data``; the reader and writer accept what the drivers pass.

Checked by the main mypy run only.  Correct use is checked with ``assert_type``; each misuse
line carries the ``type: ignore`` code it must produce, so with ``warn_unused_ignores`` a
misuse that stops failing is an error.
"""

from __future__ import annotations

import asyncio
import random
from typing import Literal, Optional

from typing_extensions import assert_never, assert_type

from aiohttp._websocket.models import (
    WSMessageBinary,
    WSMessageClose,
    WSMessageClosed,
    WSMessageClosing,
    WSMessageContinuation,
    WSMessageError,
    WSMessagePing,
    WSMessagePong,
    WSMessageText,
)
from aiohttp.base_protocol import BaseProtocol
from aiohttp.http_websocket import (
    WS_CLOSED_MESSAGE,
    WebSocketError,
    WebSocketReader,
    WebSocketWriter,
    WSCloseCode,
    WSMessage,
    WSMsgType,
    ws_ext_gen,
    ws_ext_parse,
)
from aiohttp.streams import DataQueue


def narrow_with_equality(msg: WSMessage) -> None:
    if msg.type == WSMsgType.TEXT:
        assert_type(msg, WSMessageText)
        assert_type(msg.data, str)
        assert_type(msg.extra, Optional[str])
    elif msg.type == WSMsgType.BINARY:
        assert_type(msg.data, bytes)
    elif msg.type == WSMsgType.CLOSE:
        assert_type(msg.data, int)
        assert_type(msg.extra, Optional[str])
    elif msg.type == WSMsgType.PING or msg.type == WSMsgType.PONG:
        assert_type(msg.data, bytes)
    elif msg.type == WSMsgType.ERROR:
        assert_type(msg.data, BaseException)
    elif msg.type == WSMsgType.CLOSED or msg.type == WSMsgType.CLOSING:
        assert_type(msg.data, None)
    else:
        assert_type(msg, WSMessageContinuation)


def narrow_with_identity_and_aliases(msg: WSMessage) -> None:
    if msg.type is WSMsgType.text:
        assert_type(msg.data, str)
    if msg.type == WSMsgType.binary:
        assert_type(msg.data, bytes)
    if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
        msg.data.bit_length()  # type: ignore[union-attr]  # CLOSING/CLOSED carry None


def narrow_with_match(msg: WSMessage) -> str:
    match msg.type:
        case WSMsgType.TEXT:
            return msg.data
        case WSMsgType.BINARY | WSMsgType.PING | WSMsgType.PONG | WSMsgType.CONTINUATION:
            return msg.data.decode()
        case WSMsgType.CLOSE:
            return f"closed with {msg.data:d}: {msg.extra}"
        case WSMsgType.ERROR:
            return repr(msg.data)
        case WSMsgType.CLOSING | WSMsgType.CLOSED:
            return "gone"
        case _:
            assert_never(msg.type)


def narrow_with_isinstance(msg: WSMessage) -> None:
    if isinstance(msg, WSMessageClose):
        assert_type(msg.data, int)


def unnarrowed_data_is_a_union(msg: WSMessage) -> None:
    msg.data.upper()  # type: ignore[union-attr]  # could be bytes, int, None ...
    msg.json()  # type: ignore[union-attr]  # only text and binary messages have json()


def tuple_behaviour(msg: WSMessageText) -> None:
    kind, data, extra = msg
    assert_type(kind, Literal[WSMsgType.TEXT])
    assert_type(data, str)
    assert_type(extra, Optional[str])
    assert_type(msg[1], str)
    assert_type(msg.json(loads=lambda s: len(s)), int)
    assert_type(WS_CLOSED_MESSAGE, WSMessageClosed)


def building_messages() -> list[WSMessage]:
    messages: list[WSMessage] = [
        WSMessageText(WSMsgType.TEXT, "hi", None),
        WSMessageBinary(WSMsgType.BINARY, b"\x00", None),
        WSMessagePing(WSMsgType.PING, b"", None),
        WSMessagePong(WSMsgType.PONG, b"", None),
        WSMessageClose(WSMsgType.CLOSE, WSCloseCode.OK, "bye"),
        WSMessageClosing(WSMsgType.CLOSING, None, None),
        WSMessageError(WSMsgType.ERROR, WebSocketError(1002, "bad"), None),
    ]
    WSMessageText(WSMsgType.TEXT, b"bytes", None)  # type: ignore[arg-type]  # text data is str
    WSMessageText(WSMsgType.BINARY, "x", None)  # type: ignore[arg-type]  # kind must match
    # 3.13's run-time constructor: the union cannot be called, build the kind instead
    WSMessage(WSMsgType.TEXT, "hi", None)  # type: ignore[operator]
    return messages


async def reader_and_writer(protocol: BaseProtocol, transport: asyncio.Transport) -> None:
    queue: DataQueue[WSMessage] = DataQueue(asyncio.get_running_loop())
    reader = WebSocketReader(queue, 4 * 1024 * 1024, compress=True, role="server")
    assert_type(reader.feed_data(b"\x81\x00"), tuple[bool, bytes])
    WebSocketReader(queue, 1024, role="peer")  # type: ignore[arg-type]  # "client" or "server"
    wrong: DataQueue[bytes] = DataQueue(asyncio.get_running_loop())
    WebSocketReader(wrong, 1024)  # type: ignore[arg-type]  # the queue must take messages

    writer = WebSocketWriter(
        protocol, transport, use_mask=True, random=random.Random(), compress=15
    )
    await writer.send_frame(b"payload", WSMsgType.BINARY, compress=None)
    await writer.close(WSCloseCode.GOING_AWAY, "bye")
    await writer.send_frame("text", WSMsgType.TEXT)  # type: ignore[arg-type]  # bytes only
    assert_type(ws_ext_parse("permessage-deflate", isserver=True), tuple[int, bool])
    assert_type(ws_ext_gen(15, isserver=True), str)
