"""The client half of the opening handshake as pure functions: the upgrade request's headers
(:func:`client_offer`) and the checks of the server's answer (:func:`check_answer`)."""

from __future__ import annotations

import base64
import hashlib

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from aiohttp._client_ws_handshake import (
    Accepted,
    ClientOffer,
    HandshakeFailed,
    check_answer,
    client_offer,
)

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def fixed_bytes(n: int) -> bytes:
    return bytes(range(n))


def offer(protocols: tuple[str, ...] = (), compress: int = 0) -> ClientOffer:
    return client_offer(None, protocols, None, compress, random_bytes=fixed_bytes)


def good_answer(key: str, *extra: tuple[str, str]) -> CIMultiDictProxy[str]:
    accept = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
    headers = CIMultiDict(
        [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", accept)]
    )
    headers.extend(extra)
    return CIMultiDictProxy(headers)


# -- client_offer ----------------------------------------------------------------------------


def test_client_offer_minimal_headers() -> None:
    made = offer()
    assert made.key == base64.b64encode(bytes(range(16))).decode()
    assert dict(made.headers) == {
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": made.key,
    }


def test_client_offer_key_is_random_by_default() -> None:
    first = client_offer(None, (), None, 0)
    second = client_offer(None, (), None, 0)
    assert first.key != second.key
    assert len(base64.b64decode(first.key, validate=True)) == 16


def test_client_offer_protocols_origin_and_compression() -> None:
    made = client_offer(
        {"X-Token": "t"}, ["chat", "v2.json"], "https://example.org", 12, random_bytes=fixed_bytes
    )
    assert made.headers["X-Token"] == "t"
    assert made.headers["Sec-WebSocket-Protocol"] == "chat,v2.json"
    assert made.headers["Origin"] == "https://example.org"
    assert made.headers["Sec-WebSocket-Extensions"] == (
        "permessage-deflate; client_max_window_bits; server_max_window_bits=12"
    )
    assert made.protocols == ("chat", "v2.json")
    assert made.compress == 12


def test_client_offer_keeps_caller_upgrade_headers_but_replaces_key() -> None:
    made = client_offer(
        [("Connection", "keep-alive, Upgrade"), ("Sec-WebSocket-Key", "mine")],
        (),
        None,
        0,
        random_bytes=fixed_bytes,
    )
    assert made.headers["Connection"] == "keep-alive, Upgrade"
    assert made.headers.getall("Sec-WebSocket-Key") == [made.key]


@pytest.mark.parametrize("name", ["", "a b", "a,b", "x\r\nInjected: 1", "é"])
def test_client_offer_refuses_protocol_that_is_not_a_token(name: str) -> None:
    with pytest.raises(ValueError, match="not a valid token"):
        client_offer(None, [name], None, 0)


@pytest.mark.parametrize("compress", [1, 8, 16, -1])
def test_client_offer_refuses_bad_window_bits(compress: int) -> None:
    with pytest.raises(ValueError, match="window bits"):
        client_offer(None, (), None, compress)


# -- check_answer ----------------------------------------------------------------------------


def test_check_answer_accepts_a_plain_answer() -> None:
    made = offer()
    assert check_answer(101, good_answer(made.key), made) == Accepted(None, 0, False)


def test_check_answer_tokens_are_case_insensitive_lists() -> None:
    made = offer()
    accept = good_answer(made.key)["Sec-WebSocket-Accept"]
    headers = CIMultiDictProxy(
        CIMultiDict(
            [
                ("Upgrade", "WebSocket"),
                ("Connection", "keep-alive, UPGRADE"),
                ("Sec-WebSocket-Accept", accept),
            ]
        )
    )
    assert check_answer(101, headers, made).protocol is None


@pytest.mark.parametrize(
    ("status", "drop", "message"),
    [
        (200, None, "Invalid response status"),
        (426, None, "Invalid response status"),
        (101, "Upgrade", "Invalid upgrade header"),
        (101, "Connection", "Invalid connection header"),
        (101, "Sec-WebSocket-Accept", "Invalid challenge response"),
    ],
)
def test_check_answer_failures(status: int, drop: str | None, message: str) -> None:
    made = offer()
    headers = CIMultiDict(good_answer(made.key))
    if drop is not None:
        del headers[drop]
    with pytest.raises(HandshakeFailed) as info:
        check_answer(status, CIMultiDictProxy(headers), made)
    assert info.value.message == message


def test_check_answer_refuses_two_accept_headers() -> None:
    made = offer()
    answer = good_answer(made.key)
    doubled = good_answer(made.key, ("Sec-WebSocket-Accept", answer["Sec-WebSocket-Accept"]))
    with pytest.raises(HandshakeFailed, match="challenge"):
        check_answer(101, doubled, made)


def test_check_answer_refuses_accept_of_another_key() -> None:
    made = offer()
    with pytest.raises(HandshakeFailed, match="challenge"):
        check_answer(101, good_answer("dGhlIHNhbXBsZSBub25jZQ=="), made)


def test_check_answer_protocol_must_be_one_we_offered() -> None:
    made = offer(("a", "b"))
    answer = good_answer(made.key, ("Sec-WebSocket-Protocol", "b"))
    assert check_answer(101, answer, made).protocol == "b"
    for chosen in (["c"], ["a, b"], ["a", "b"]):
        extra = [("Sec-WebSocket-Protocol", value) for value in chosen]
        with pytest.raises(HandshakeFailed, match="subprotocol"):
            check_answer(101, good_answer(made.key, *extra), made)


def test_check_answer_protocol_when_none_offered_fails() -> None:
    made = offer()
    with pytest.raises(HandshakeFailed, match="subprotocol"):
        check_answer(101, good_answer(made.key, ("Sec-WebSocket-Protocol", "x")), made)


def test_check_answer_compression_negotiated() -> None:
    made = offer(compress=15)
    ext = ("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits=11")
    assert check_answer(101, good_answer(made.key, ext), made) == Accepted(None, 11, False)
    ext = ("Sec-WebSocket-Extensions", "permessage-deflate; client_no_context_takeover")
    assert check_answer(101, good_answer(made.key, ext), made) == Accepted(None, 15, True)
    assert check_answer(101, good_answer(made.key), made) == Accepted(None, 0, False)


@pytest.mark.parametrize(
    "value",
    [
        "x-webkit-deflate-frame",
        "permessage-deflate; unknown=1",
        "permessage-deflate; client_max_window_bits=7",
        "permessage-deflate, permessage-deflate",
    ],
)
def test_check_answer_refuses_bad_extension_answers(value: str) -> None:
    made = offer(compress=15)
    with pytest.raises(HandshakeFailed):
        check_answer(101, good_answer(made.key, ("Sec-WebSocket-Extensions", value)), made)


def test_check_answer_refuses_extension_not_offered() -> None:
    made = offer()
    ext = ("Sec-WebSocket-Extensions", "permessage-deflate")
    with pytest.raises(HandshakeFailed, match="extension not offered"):
        check_answer(101, good_answer(made.key, ext), made)
