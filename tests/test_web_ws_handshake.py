"""The WebSocket opening handshake on the server: the pure checks of
:mod:`aiohttp._ws_handshake`, and over a real socket the ``101`` answer, every refusal
(400/405 with a clear message), subprotocol selection, permessage-deflate negotiation and
:meth:`WebSocketResponse.can_prepare`."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import zlib
from typing import Optional

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from aiohttp import web
from aiohttp._ws_handshake import HandshakeRefused, accept_token, server_handshake
from tests._web_fixtures import (
    WS_TEST_ACCEPT,
    WS_TEST_KEY,
    RawWS,
    raw_conn,
    raw_exchange,
    serve_app,
    split_response,
    ws_upgrade,
)

GOOD = {
    "Host": "x",
    "Upgrade": "websocket",
    "Connection": "Upgrade",
    "Sec-WebSocket-Key": WS_TEST_KEY,
    "Sec-WebSocket-Version": "13",
}


def headers(**changes: Optional[str]) -> CIMultiDictProxy[str]:
    """The good handshake headers with ``changes`` (underscores for dashes; None drops)."""
    h = CIMultiDict(GOOD)
    for name, value in changes.items():
        name = name.replace("_", "-")
        if value is None:
            h.popall(name, None)
        else:
            h[name] = value
    return CIMultiDictProxy(h)


def refused(
    hdrs: CIMultiDictProxy[str], method: str = "GET", version: tuple[int, int] = (1, 1)
) -> HandshakeRefused:
    with pytest.raises(HandshakeRefused) as info:
        server_handshake(method, version, hdrs, (), True)
    return info.value


# -- pure checks ------------------------------------------------------------------------------


def test_accept_token_rfc6455_sample() -> None:
    assert accept_token(WS_TEST_KEY) == WS_TEST_ACCEPT


def test_server_handshake_good_request_answers_101_headers() -> None:
    hs = server_handshake("GET", (1, 1), headers(), (), True)
    answer = dict(hs.headers)
    assert answer["Upgrade"] == "websocket"
    assert answer["Connection"] == "upgrade"
    assert answer["Sec-WebSocket-Accept"] == WS_TEST_ACCEPT
    assert "Sec-WebSocket-Protocol" not in answer
    assert "Sec-WebSocket-Extensions" not in answer
    assert (hs.protocol, hs.compress, hs.notakeover) == (None, 0, False)


def test_server_handshake_tokens_are_case_insensitive_lists() -> None:
    hs = server_handshake(
        "GET",
        (1, 1),
        headers(Upgrade="foo, WebSocket", Connection="keep-alive, UPGRADE"),
        (),
        True,
    )
    assert dict(hs.headers)["Sec-WebSocket-Accept"] == WS_TEST_ACCEPT


def test_server_handshake_non_get_is_405() -> None:
    exc = refused(headers(), method="POST")
    assert exc.status == 405
    assert ("Allow", "GET") in exc.headers


def test_server_handshake_http10_is_400() -> None:
    assert refused(headers(), version=(1, 0)).status == 400


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"Upgrade": None}, "UPGRADE"),
        ({"Upgrade": "h2c"}, "UPGRADE"),
        ({"Connection": None}, "CONNECTION"),
        ({"Connection": "keep-alive"}, "CONNECTION"),
        ({"Sec_WebSocket_Version": None}, "version"),
        ({"Sec_WebSocket_Version": "8"}, "version"),
        ({"Sec_WebSocket_Version": "14"}, "version"),
        ({"Sec_WebSocket_Key": None}, "Sec-WebSocket-Key"),
        ({"Sec_WebSocket_Key": "not base64!"}, "Sec-WebSocket-Key"),
        ({"Sec_WebSocket_Key": base64.b64encode(b"x" * 15).decode()}, "16 bytes"),
        ({"Sec_WebSocket_Key": base64.b64encode(b"x" * 17).decode()}, "16 bytes"),
        ({"Sec_WebSocket_Key": "dGhlIHNhbXBsZSBub25jZQ"}, "16 bytes"),  # padding missing
        ({"Content_Length": "5"}, "body"),
        ({"Transfer_Encoding": "chunked"}, "body"),
    ],
)
def test_server_handshake_bad_header_is_400(changes: dict[str, Optional[str]], words: str) -> None:
    exc = refused(headers(**changes))
    assert exc.status == 400
    assert words.lower() in exc.message.lower()


def test_server_handshake_unsupported_version_names_ours() -> None:
    exc = refused(headers(Sec_WebSocket_Version="8"))
    assert ("Sec-WebSocket-Version", "13") in exc.headers


def test_server_handshake_two_keys_is_400() -> None:
    h = CIMultiDict(GOOD)
    h.add("Sec-WebSocket-Key", WS_TEST_KEY)
    assert refused(CIMultiDictProxy(h)).status == 400


def test_server_handshake_long_header_echo_is_cut() -> None:
    exc = refused(headers(Upgrade="x" * 5000))
    assert len(exc.message) < 300


@pytest.mark.parametrize(
    ("offered", "ours", "chosen"),
    [
        ("chat, superchat", ("superchat", "chat"), "chat"),  # the client's preference wins
        ("a,b", ("b",), "b"),
        ("a", ("b",), None),
        (None, ("b",), None),
        ("a", (), None),
    ],
)
def test_server_handshake_protocol_selection(
    offered: Optional[str], ours: tuple[str, ...], chosen: Optional[str]
) -> None:
    hs = server_handshake("GET", (1, 1), headers(Sec_WebSocket_Protocol=offered), ours, True)
    assert hs.protocol == chosen
    assert dict(hs.headers).get("Sec-WebSocket-Protocol") == chosen


@pytest.mark.parametrize(
    ("offer", "answer", "wbits", "notakeover"),
    [
        ("permessage-deflate", "permessage-deflate", 15, False),
        (
            "permessage-deflate; client_max_window_bits",
            "permessage-deflate",
            15,
            False,
        ),
        (
            "permessage-deflate; server_max_window_bits=10; server_no_context_takeover",
            "permessage-deflate; server_max_window_bits=10; server_no_context_takeover",
            10,
            True,
        ),
        # an offer we cannot honour is skipped for the next one
        ("permessage-deflate; foo, permessage-deflate", "permessage-deflate", 15, False),
        ("x-webkit-deflate-frame", None, 0, False),
    ],
)
def test_server_handshake_deflate_negotiation(
    offer: str, answer: Optional[str], wbits: int, notakeover: bool
) -> None:
    hs = server_handshake("GET", (1, 1), headers(Sec_WebSocket_Extensions=offer), (), True)
    assert dict(hs.headers).get("Sec-WebSocket-Extensions") == answer
    assert (hs.compress, hs.notakeover) == (wbits, notakeover)


def test_server_handshake_compress_off_ignores_offer() -> None:
    h = headers(Sec_WebSocket_Extensions="permessage-deflate")
    hs = server_handshake("GET", (1, 1), h, (), False)
    assert "Sec-WebSocket-Extensions" not in dict(hs.headers)
    assert hs.compress == 0


# -- over a socket ------------------------------------------------------------------------------


def ws_app(**options: object) -> web.Application:
    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(**options)  # type: ignore[arg-type]  # test passes options through
        await ws.prepare(request)
        await ws.send_str(f"protocol={ws.ws_protocol} compress={ws.compress}")
        await ws.close()
        return ws

    app = web.Application()
    app.router.add_route("*", "/ws", handler)
    return app


async def test_handshake_101_over_socket() -> None:
    async with serve_app(ws_app()) as port:
        ws = await RawWS.connect(port)
        try:
            status, hdrs, _ = split_response(ws.head)
            assert status == 101
            assert hdrs["Sec-WebSocket-Accept"] == WS_TEST_ACCEPT
            assert hdrs["Upgrade"].lower() == "websocket"
            assert hdrs["Connection"].lower() == "upgrade"
            assert "Content-Length" not in hdrs
            assert "Transfer-Encoding" not in hdrs
            assert "Content-Type" not in hdrs
            _, opcode, payload = await ws.read_frame()
            assert (opcode, payload) == (1, b"protocol=None compress=0")
        finally:
            await ws.close()


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (ws_upgrade().replace(b"GET", b"POST", 1), 405),
        (ws_upgrade().replace(b"HTTP/1.1", b"HTTP/1.0", 1), 400),
        (ws_upgrade().replace(b"Upgrade: websocket", b"Upgrade: h2c"), 400),
        (ws_upgrade().replace(b"Connection: Upgrade", b"Connection: keep-alive"), 400),
        (ws_upgrade().replace(b"Version: 13", b"Version: 12"), 400),
        (ws_upgrade(key="c2hvcnQ="), 400),
        (ws_upgrade(key="!!!!!!!!!!!!!!!!!!!!!!=="), 400),
    ],
    ids=["method", "http10", "upgrade", "connection", "version", "short-key", "bad-key"],
)
async def test_handshake_refused_over_socket(request_bytes: bytes, status: int) -> None:
    async with serve_app(ws_app()) as port, raw_conn(port) as conn:
        await conn.send(request_bytes)
        resp = await conn.read_response()
    assert resp.status == status
    assert resp.body  # a message saying what is wrong
    if status == 405:
        assert resp.header("Allow") == "GET"
    if b"Version: 12" in request_bytes:
        assert resp.header("Sec-WebSocket-Version") == "13"


async def test_handshake_refused_connection_keeps_serving_http() -> None:
    """A refused upgrade leaves the connection speaking HTTP/1.1."""
    async with serve_app(ws_app()) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            bad = ws_upgrade().replace(b"Version: 13", b"Version: 7")
            writer.write(bad + b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = await asyncio.wait_for(reader.read(), 5)
        finally:
            writer.close()
    assert data.startswith(b"HTTP/1.1 400 ")
    assert b"HTTP/1.1 404 " in data


async def test_handshake_subprotocol_chosen_over_socket() -> None:
    async with serve_app(ws_app(protocols=("v2", "v1"))) as port:
        ws = await RawWS.connect(port, extra="Sec-WebSocket-Protocol: v1, v2\r\n")
        try:
            _, hdrs, _ = split_response(ws.head)
            assert hdrs["Sec-WebSocket-Protocol"] == "v1"
            _, _, payload = await ws.read_frame()
            assert payload.startswith(b"protocol=v1 ")
        finally:
            await ws.close()


async def test_handshake_no_common_subprotocol_logs_and_succeeds(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, "aiohttp.websocket")
    async with serve_app(ws_app(protocols=("v2",))) as port:
        ws = await RawWS.connect(port, extra="Sec-WebSocket-Protocol: v9\r\n")
        try:
            _, hdrs, _ = split_response(ws.head)
            assert "Sec-WebSocket-Protocol" not in hdrs
            _, _, payload = await ws.read_frame()
            assert payload.startswith(b"protocol=None ")
        finally:
            await ws.close()
    assert "don't overlap" in caplog.text


async def test_handshake_deflate_negotiated_over_socket() -> None:
    async with serve_app(ws_app()) as port:
        ws = await RawWS.connect(
            port,
            extra="Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=12\r\n",
        )
        try:
            _, hdrs, _ = split_response(ws.head)
            assert hdrs["Sec-WebSocket-Extensions"] == (
                "permessage-deflate; server_max_window_bits=12"
            )
            first, _, payload = await ws.read_frame()
            assert first & 0x40  # RSV1: compressed
            text = zlib.decompressobj(-12).decompress(payload + b"\x00\x00\xff\xff")
            assert text == b"protocol=None compress=12"
        finally:
            await ws.close()


async def test_handshake_compress_false_declines_deflate() -> None:
    async with serve_app(ws_app(compress=False)) as port:
        ws = await RawWS.connect(port, extra="Sec-WebSocket-Extensions: permessage-deflate\r\n")
        try:
            _, hdrs, _ = split_response(ws.head)
            assert "Sec-WebSocket-Extensions" not in hdrs
            first, _, payload = await ws.read_frame()
            assert not first & 0x40
            assert payload == b"protocol=None compress=0"
        finally:
            await ws.close()


async def test_can_prepare_reports_without_raising() -> None:
    answers: list[web.WebSocketReady] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(protocols=("p",))
        ready = ws.can_prepare(request)
        answers.append(ready)
        if not ready:
            return web.Response(text="plain")
        await ws.prepare(request)
        with pytest.raises(RuntimeError, match="Already started"):
            ws.can_prepare(request)
        await ws.close()
        return ws

    app = web.Application()
    app.router.add_get("/ws", handler)
    async with serve_app(app) as port:
        data = await raw_exchange(port, b"GET /ws HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert split_response(data)[2] == b"plain"
        ws = await RawWS.connect(port, extra="Sec-WebSocket-Protocol: p\r\n")
        try:
            assert await ws.read_close() == 1000
        finally:
            await ws.close()
    assert answers == [web.WebSocketReady(False, None), web.WebSocketReady(True, "p")]
    assert not answers[0] and answers[1]


def test_websocket_ready_is_a_frozen_value() -> None:
    ready = web.WebSocketReady(ok=True, protocol="chat")
    assert ready == web.WebSocketReady(True, "chat")
    with pytest.raises(AttributeError):
        ready.ok = False  # type: ignore[misc]  # frozen


def test_accept_token_matches_hashlib() -> None:
    key = base64.b64encode(bytes(range(16))).decode()
    expected = base64.b64encode(
        hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()
    ).decode()
    assert accept_token(key) == expected
