"""Type checks for ``aiohttp.web_ws``: in a typical handler loop ``msg.type`` narrows
``msg.data``; the typed receive helpers return exact types; ``WebSocketResponse`` satisfies
:class:`aiohttp.abc.AbstractWebSocket`.

Checked by the main mypy run only; each misuse line carries the ``type: ignore`` code it
must produce.
"""

from __future__ import annotations

from typing import Any, Optional

from typing_extensions import assert_type

from aiohttp import web
from aiohttp.abc import AbstractStreamWriter, AbstractWebSocket
from aiohttp.http_websocket import WSCloseCode, WSMessage, WSMsgType


async def handler(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(heartbeat=30.0, protocols=("chat",), max_msg_size=1 << 20)
    assert_type(ws.can_prepare(request), web.WebSocketReady)
    assert_type(ws.can_prepare(request).protocol, Optional[str])
    assert_type(await ws.prepare(request), AbstractStreamWriter)
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
        elif msg.type == WSMsgType.PING:
            assert_type(msg.data, bytes)
    msg = await ws.receive(timeout=1.0)
    if msg.type == WSMsgType.CLOSE:
        assert_type(msg.data, int)
        assert_type(msg.extra, Optional[str])
    msg.data.upper()  # type: ignore[union-attr]  # not narrowed: may be int, None ...
    assert_type(ws.closed, bool)
    assert_type(ws.close_code, Optional[int])
    assert_type(ws.ws_protocol, Optional[str])
    assert_type(ws.exception(), Optional[BaseException])
    assert_type(ws.get_extra_info("peername"), object)
    assert_type(await ws.close(code=WSCloseCode.GOING_AWAY, message=b"bye"), bool)
    return ws


async def receive_helpers(ws: web.WebSocketResponse) -> None:
    assert_type(await ws.receive_str(), str)
    assert_type(await ws.receive_bytes(timeout=2), bytes)
    assert_type(await ws.receive_json(), Any)
    assert_type(await ws.receive_json(loads=lambda s: len(s)), Any)
    await ws.send_json({"a": 1}, dumps=lambda o: "{}")
    await ws.send_frame(b"x", WSMsgType.BINARY, compress=0)
    await ws.ping(b"p")
    await ws.ping("text ping")
    await ws.send_str(b"bytes")  # type: ignore[arg-type]
    await ws.send_bytes("text")  # type: ignore[arg-type]
    await ws.receive_str(1.0)  # type: ignore[call-arg]  # timeout is keyword-only
    await ws.close(code="1000")  # type: ignore[arg-type]


def protocol_conformance(ws: web.WebSocketResponse) -> AbstractWebSocket:
    return ws


web.WebSocketResponse(timeout="10")  # type: ignore[arg-type]
web.WebSocketResponse(10.0)  # type: ignore[call-arg]  # every option is keyword-only
ready = web.WebSocketReady(ok=True, protocol=None)
assert_type(ready.ok, bool)
assert_type(bool(ready), bool)
