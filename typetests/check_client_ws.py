"""Type checks for ``aiohttp.client_ws`` and ``ClientSession.ws_connect``: ``msg.type``
narrows ``msg.data``; the typed receive helpers return exact types; ``ws_connect`` options
are typed keywords (a misspelt one, or a bare number as ``timeout``, is an error);
``ClientWebSocketResponse`` satisfies :class:`aiohttp.abc.AbstractWebSocket`.

Checked by the main mypy run only; each misuse line carries the ``type: ignore`` code it
must produce.
"""

from __future__ import annotations

from typing import Any, Optional

from typing_extensions import assert_type
from yarl import URL

from aiohttp.abc import AbstractWebSocket
from aiohttp.client import ClientSession
from aiohttp.client_ws import ClientWebSocketResponse, ClientWSTimeout
from aiohttp.helpers import BasicAuth
from aiohttp.http_websocket import WSCloseCode, WSMessage, WSMsgType


async def chat(session: ClientSession) -> None:
    async with session.ws_connect(
        "wss://example.org/chat",
        protocols=("chat.v2", "chat.v1"),
        timeout=ClientWSTimeout(ws_receive=30.0, ws_close=5.0),
        heartbeat=20.0,
        compress=15,
        max_msg_size=1 << 20,
        origin="https://example.org",
        headers={"X-Token": "t"},
        params={"room": "1"},
        auth=BasicAuth("u", "p"),
    ) as ws:
        assert_type(ws, ClientWebSocketResponse)
        async for msg in ws:
            assert_type(msg, WSMessage)
            if msg.type == WSMsgType.TEXT:
                assert_type(msg.data, str)
                await ws.send_str(msg.data.upper())
            elif msg.type == WSMsgType.BINARY:
                assert_type(msg.data, bytes)
                await ws.send_bytes(msg.data)
            elif msg.type == WSMsgType.ERROR:
                assert_type(msg.data, BaseException)
        msg = await ws.receive(timeout=1.0)
        if msg.type == WSMsgType.CLOSE:
            assert_type(msg.data, int)
            assert_type(msg.extra, Optional[str])
        msg.data.upper()  # type: ignore[union-attr]  # not narrowed: may be int, None ...
        assert_type(ws.protocol, Optional[str])
        assert_type(ws.compress, int)
        assert_type(ws.client_notakeover, bool)
        assert_type(ws.closed, bool)
        assert_type(ws.close_code, Optional[int])
        assert_type(ws.exception(), Optional[BaseException])
        assert_type(ws.get_extra_info("peername"), object)
        assert_type(await ws.close(code=WSCloseCode.GOING_AWAY, message=b"bye"), bool)


async def receive_helpers(session: ClientSession) -> None:
    ws = await session.ws_connect(URL("ws://localhost/"))
    assert_type(ws, ClientWebSocketResponse)
    assert_type(await ws.receive_str(), str)
    assert_type(await ws.receive_bytes(timeout=2), bytes)
    assert_type(await ws.receive_json(), Any)
    await ws.send_json({"a": 1}, dumps=lambda o: "{}")
    await ws.send_frame(b"x", WSMsgType.BINARY, compress=0)
    await ws.ping(b"p")
    await ws.pong()
    await ws.send_str(b"bytes")  # type: ignore[arg-type]
    await ws.close(code="1000")  # type: ignore[arg-type]
    structural: AbstractWebSocket = ws
    assert_type(structural.closed, bool)


def misspelt_options(session: ClientSession) -> None:
    _ = session.ws_connect("ws://x", heartbeet=3.0)  # type: ignore[call-arg]
    _ = session.ws_connect("ws://x", timeout=5.0)  # type: ignore[arg-type]
    _ = session.ws_connect("ws://x", protocols=[1])  # type: ignore[list-item]
    _ = session.ws_connect("ws://x", max_msg_size="big")  # type: ignore[arg-type]
    _ = session.ws_connect("ws://x", autoping=True, autoclose=False, proxy="http://proxy")
