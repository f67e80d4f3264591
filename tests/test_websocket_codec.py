"""The sans-IO WebSocket codec (:mod:`aiohttp._websocket`): frame vectors, every protocol
error with its close code, fragmentation, masking, lengths, size limits, permessage-deflate,
negotiation strings, input split at every offset, and the ``websockets`` library as an
independent peer for the bytes on the wire."""

from __future__ import annotations

import dataclasses
import os
import random
import struct
import zlib
from collections.abc import Sequence
from typing import Optional

import pytest
from hypothesis import given, settings, strategies as st
from websockets.extensions.base import Extension
from websockets.extensions.permessage_deflate import PerMessageDeflate
from websockets.frames import Close, Frame, Opcode
from websockets.streams import StreamReader
from websockets.typing import ExtensionName
from websockets.utils import apply_mask as ws_apply_mask

from aiohttp._websocket import _mask
from aiohttp._websocket._builder import FrameBuilder
from aiohttp._websocket._deflate import (
    MessageCompressor,
    MessageDecompressor,
    ws_ext_gen,
    ws_ext_parse,
)
from aiohttp._websocket._frames import build_frame, encode_close_payload
from aiohttp._websocket._mask import CHUNK, apply_mask_python
from aiohttp._websocket._parser import Role, WebSocketParser
from aiohttp._websocket.models import (
    WebSocketError,
    WSHandshakeError,
    WSMessage,
    WSMessageBinary,
    WSMessageClose,
    WSMessagePing,
    WSMessagePong,
    WSMessageText,
    WSMsgType,
)

MASK = b"\x37\xfa\x21\x3d"


# -- helpers ---------------------------------------------------------------------------------


def ws_frames(
    data: bytes, *, mask: bool, extensions: Optional[Sequence[Extension]] = None
) -> list[Frame]:
    """Parse ``data`` with the websockets library (the independent peer)."""
    reader = StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    frames: list[Frame] = []
    while reader.buffer:
        parse = Frame.parse(reader.read_exact, mask=mask, extensions=extensions)
        try:
            next(parse)
        except StopIteration as stop:
            frames.append(stop.value)
        else:  # pragma: no cover - only on a truncated frame
            raise AssertionError("truncated frame")
    return frames


class RSV1Recorder(Extension):
    """A pass-through extension that lets websockets accept RSV1 and records it."""

    name = ExtensionName("x-record-rsv1")

    def __init__(self) -> None:
        self.seen: list[bool] = []

    def decode(self, frame: Frame, *, max_size: Optional[int] = None) -> Frame:
        self.seen.append(frame.rsv1)
        return dataclasses.replace(frame, rsv1=False)

    def encode(self, frame: Frame) -> Frame:  # pragma: no cover - never sends
        return frame


def rsv1_bits(data: bytes, *, mask: bool) -> list[bool]:
    recorder = RSV1Recorder()
    ws_frames(data, mask=mask, extensions=[recorder])
    return recorder.seen


def ws_bytes(frame: Frame, *, mask: bool) -> bytes:
    return frame.serialize(mask=mask)


def raw_frame(
    first: int, payload: bytes, *, mask_key: Optional[bytes] = None, length: Optional[int] = None
) -> bytes:
    """A frame built by hand: ``first`` is the whole first byte; ``length`` may lie."""
    n = len(payload) if length is None else length
    mask_bit = 0x80 if mask_key is not None else 0
    if n < 126:
        head = bytes((first, mask_bit | n))
    elif n < 0x10000:
        head = struct.pack("!BBH", first, mask_bit | 126, n)
    else:
        head = struct.pack("!BBQ", first, mask_bit | 127, n)
    if mask_key is None:
        return head + payload
    return head + mask_key + _mask.apply_mask(payload, mask_key)


def parse_all(data: bytes, **kwargs: object) -> list[WSMessage]:
    parser = WebSocketParser(**kwargs)  # type: ignore[arg-type]  # keyword pass-through in tests
    return parser.messages(data)


def expect_error(data: bytes, code: int, match: str, **kwargs: object) -> WebSocketError:
    parser = WebSocketParser(**kwargs)  # type: ignore[arg-type]  # keyword pass-through in tests
    with pytest.raises(WebSocketError, match=match) as info:
        parser.messages(data)
    assert info.value.code == code
    return info.value


def deflate_raw(data: bytes, wbits: int = 15) -> bytes:
    """permessage-deflate payload made with plain zlib, independently of our compressor."""
    obj = zlib.compressobj(6, zlib.DEFLATED, -wbits)
    out = obj.compress(data) + obj.flush(zlib.Z_SYNC_FLUSH)
    assert out.endswith(b"\x00\x00\xff\xff")
    return out[:-4]


# -- masking ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 5, 7, 8, 125, 126, 1000, 65537])
def test_apply_mask_matches_websockets_and_is_an_involution(size: int) -> None:
    data = os.urandom(size)
    masked = _mask.apply_mask(data, MASK)
    assert masked == ws_apply_mask(data, MASK)
    assert _mask.apply_mask(masked, MASK) == data


def test_apply_mask_memoryview_input() -> None:
    data = bytearray(b"hello world")
    assert _mask.apply_mask(memoryview(data)[2:7], MASK) == ws_apply_mask(b"llo w", MASK)


@pytest.mark.parametrize(
    "size", [0, 1, 3, 4, 5, CHUNK - 1, CHUNK, CHUNK + 1, CHUNK + 3, 3 * CHUNK, 3 * CHUNK + 7]
)
@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_apply_mask_python_across_slice_boundaries(size: int, kind: type) -> None:
    data = os.urandom(size)
    key = os.urandom(4)
    masked = apply_mask_python(kind(data), key)
    assert type(masked) is bytes
    assert masked == ws_apply_mask(data, key)
    assert apply_mask_python(masked, key) == data


def test_apply_mask_picks_the_c_version_on_first_use_unless_extensions_are_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from websockets.speedups import apply_mask as c_apply_mask

    monkeypatch.delenv("AIOHTTP_NO_EXTENSIONS", raising=False)
    assert _mask._load_accelerated() is c_apply_mask
    monkeypatch.setattr(_mask, "apply_mask", _mask._first_use)
    assert _mask.mask_implementation() == "c"
    assert _mask.apply_mask is c_apply_mask

    monkeypatch.setenv("AIOHTTP_NO_EXTENSIONS", "1")
    assert _mask._load_accelerated() is None
    monkeypatch.setattr(_mask, "apply_mask", _mask._first_use)
    assert _mask.apply_mask(b"\x00\x01", b"\x01\x01\x01\x01") == b"\x01\x00"
    assert _mask.apply_mask is apply_mask_python
    assert _mask.mask_implementation() == "python"


# -- frame building --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "header"),
    [
        (0, b"\x82\x00"),
        (125, b"\x82\x7d"),
        (126, b"\x82\x7e\x00\x7e"),
        (65535, b"\x82\x7e\xff\xff"),
        (65536, b"\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00"),
    ],
)
def test_build_frame_length_encodings(size: int, header: bytes) -> None:
    payload = os.urandom(size)
    frame = build_frame(payload, 0x2)
    assert frame == header + payload
    (parsed,) = ws_frames(frame, mask=False)
    assert parsed.opcode is Opcode.BINARY and parsed.data == payload and parsed.fin


@pytest.mark.parametrize("size", [0, 5, 125, 126, 65535, 65536])
def test_build_frame_masked_parses_with_websockets(size: int) -> None:
    payload = os.urandom(size)
    frame = build_frame(payload, 0x2, mask_key=MASK)
    assert frame[1] & 0x80
    assert MASK in frame[:14]
    (parsed,) = ws_frames(frame, mask=True)
    assert parsed.data == payload


def test_build_frame_flags() -> None:
    assert build_frame(b"x", 0x1, fin=False) == b"\x01\x01x"
    assert build_frame(b"x", 0x1, rsv1=True) == b"\xc1\x01x"


def test_builder_rejects_bad_input_before_building() -> None:
    builder = FrameBuilder()
    with pytest.raises(ValueError, match="at most 125"):
        builder.frame(b"x" * 126, 0x9)
    with pytest.raises(ValueError, match="Unknown WebSocket opcode"):
        builder.message(b"x", 0x3)
    with pytest.raises(ValueError, match="at most 123"):
        encode_close_payload(1000, b"r" * 124)
    with pytest.raises(ValueError, match="two bytes"):
        encode_close_payload(70000, b"")


def test_builder_default_keys_are_fresh_per_frame_across_batches() -> None:
    builder = FrameBuilder(use_mask=True)
    frames = [builder.frame_parts(b"payload %d" % i, 0x2) for i in range(600)]
    keys = [header[2:6] for header, _ in frames]
    # 600 keys cross the builder's batch of random bytes; a repeat would be a 2**-32 fluke
    assert len(set(keys)) == len(keys)
    parsed = ws_frames(b"".join(h + b for h, b in frames), mask=True)
    assert [f.data for f in parsed] == [b"payload %d" % i for i in range(600)]


@pytest.mark.parametrize("size", [0, 125, 126, 65535, 65536, 200_000])
@pytest.mark.parametrize("use_mask", [False, True])
def test_builder_frame_parts_concatenate_to_the_frame(size: int, use_mask: bool) -> None:
    keys = iter([MASK, MASK])
    builder = FrameBuilder(use_mask=use_mask, mask_key=lambda: next(keys))
    payload = os.urandom(size)
    header, body = builder.frame_parts(payload, 0x2)
    assert header + body == build_frame(payload, 0x2, mask_key=MASK if use_mask else None)
    assert len(header) in (2, 4, 10, 6, 8, 14)


def test_builder_masks_with_the_key_source() -> None:
    keys = iter([b"\x01\x02\x03\x04", b"\x05\x06\x07\x08"])
    builder = FrameBuilder(use_mask=True, mask_key=lambda: next(keys))
    first = builder.message(b"hello", 0x1)
    second = builder.message(b"hello", 0x1)
    assert first[2:6] == b"\x01\x02\x03\x04" and second[2:6] == b"\x05\x06\x07\x08"
    assert [f.data for f in ws_frames(first + second, mask=True)] == [b"hello", b"hello"]


# -- parsing valid input ---------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 70000])
@pytest.mark.parametrize("mask", [True, False])
def test_parser_every_length_from_websockets(size: int, mask: bool) -> None:
    payload = os.urandom(size)
    data = ws_bytes(Frame(Opcode.BINARY, payload), mask=mask)
    assert parse_all(data) == [(WSMsgType.BINARY, payload, "")]


@pytest.mark.parametrize(
    ("length_field", "size"),
    [
        (struct.pack("!BH", 126, 5), 5),
        (struct.pack("!BQ", 127, 5), 5),
        (struct.pack("!BQ", 127, 300), 300),
    ],
)
def test_parser_accepts_non_minimal_lengths(length_field: bytes, size: int) -> None:
    payload = b"a" * size
    data = b"\x81" + length_field + payload
    assert parse_all(data) == [(WSMsgType.TEXT, payload.decode(), "")]


def test_parser_text_binary_ping_pong_close_kinds() -> None:
    data = b"".join(
        ws_bytes(frame, mask=False)
        for frame in (
            Frame(Opcode.TEXT, "héllo €".encode()),
            Frame(Opcode.BINARY, b"\x00\xff"),
            Frame(Opcode.PING, b"ping"),
            Frame(Opcode.PONG, b"pong"),
            Frame(Opcode.CLOSE, Close(1001, "going").serialize()),
        )
    )
    messages = parse_all(data, role="client")
    assert messages == [
        WSMessageText(WSMsgType.TEXT, "héllo €", ""),
        WSMessageBinary(WSMsgType.BINARY, b"\x00\xff", ""),
        WSMessagePing(WSMsgType.PING, b"ping", ""),
        WSMessagePong(WSMsgType.PONG, b"pong", ""),
        WSMessageClose(WSMsgType.CLOSE, 1001, "going"),
    ]
    assert [type(m) for m in messages] == [
        WSMessageText,
        WSMessageBinary,
        WSMessagePing,
        WSMessagePong,
        WSMessageClose,
    ]


def test_parser_empty_close_frame_is_code_zero() -> None:
    assert parse_all(b"\x88\x00") == [(WSMsgType.CLOSE, 0, "")]


@pytest.mark.parametrize("code", [1000, 1001, 1002, 1003, 1007, 1011, 1012, 1014, 3000, 4999])
def test_parser_valid_close_codes(code: int) -> None:
    assert parse_all(b"\x88\x02" + code.to_bytes(2, "big")) == [(WSMsgType.CLOSE, code, "")]


def test_parser_fragmented_text_with_interleaved_control_frames() -> None:
    text = "fragmented ✓ message"
    raw = text.encode()
    # split inside the 3-byte check mark so UTF-8 decoding must carry over fragments
    cut1, cut2 = raw.index("✓".encode()) + 1, len(raw) - 3
    data = (
        ws_bytes(Frame(Opcode.TEXT, raw[:cut1], fin=False), mask=True)
        + ws_bytes(Frame(Opcode.PING, b"1"), mask=True)
        + ws_bytes(Frame(Opcode.CONT, raw[cut1:cut2], fin=False), mask=True)
        + ws_bytes(Frame(Opcode.PONG, b"2"), mask=True)
        + ws_bytes(Frame(Opcode.CONT, raw[cut2:]), mask=True)
    )
    assert parse_all(data, role="server") == [
        (WSMsgType.PING, b"1", ""),
        (WSMsgType.PONG, b"2", ""),
        (WSMsgType.TEXT, text, ""),
    ]


def test_parser_fragmented_binary_with_empty_fragments() -> None:
    data = (
        raw_frame(0x02, b"")
        + raw_frame(0x00, b"ab")
        + raw_frame(0x00, b"")
        + raw_frame(0x80, b"cd")
    )
    assert parse_all(data) == [(WSMsgType.BINARY, b"abcd", "")]


def test_parser_without_role_accepts_masked_and_unmasked() -> None:
    data = raw_frame(0x81, b"a", mask_key=MASK) + raw_frame(0x81, b"b")
    assert [m.data for m in parse_all(data)] == ["a", "b"]


def test_parser_returns_none_until_a_message_is_complete() -> None:
    parser = WebSocketParser()
    frame = raw_frame(0x82, b"x" * 300, mask_key=MASK)
    parser.feed_data(frame[:1])
    assert parser.next_message() is None
    parser.feed_data(frame[1:-1])
    assert parser.next_message() is None
    parser.feed_data(frame[-1:])
    assert parser.next_message() == (WSMsgType.BINARY, b"x" * 300, "")
    assert parser.next_message() is None
    assert parser.buffered == 0


def test_parser_feed_passes_messages_and_sizes_to_the_sink() -> None:
    parser = WebSocketParser(role="server")
    got: list[tuple[WSMessage, int]] = []
    data = (
        raw_frame(0x81, "hé".encode(), mask_key=MASK)
        + raw_frame(0x89, b"pi", mask_key=MASK)
        + raw_frame(0x82, b"\x00" * 300, mask_key=MASK)
        + raw_frame(0x88, b"\x03\xe8", mask_key=MASK)
    )
    parser.feed(data, lambda msg, size: got.append((msg, size)))
    assert got == [
        ((WSMsgType.TEXT, "hé", ""), 3),
        ((WSMsgType.PING, b"pi", ""), 2),
        ((WSMsgType.BINARY, b"\x00" * 300, ""), 300),
        ((WSMsgType.CLOSE, 1000, ""), 0),
    ]


@pytest.mark.parametrize("use_mask", [False, True])
@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_parser_large_payload_in_random_pieces(use_mask: bool, kind: type) -> None:
    payload = os.urandom(300_000)
    wire = raw_frame(0x82, payload, mask_key=MASK if use_mask else None)
    wire += raw_frame(0x81, b"after", mask_key=MASK if use_mask else None)
    parser = WebSocketParser(role="server" if use_mask else "client")
    got: list[tuple[WSMessage, int]] = []
    rnd = random.Random(len(wire))
    pos = 0
    while pos < len(wire):
        step = rnd.choice([1, 7, 1000, 65536, 100_000])
        parser.feed(kind(wire[pos : pos + step]), lambda m, n: got.append((m, n)))
        pos += step
        # only the payload (or an incomplete header) is held, and never more than was fed
        assert 0 <= parser.buffered <= pos
    assert got == [
        ((WSMsgType.BINARY, payload, ""), len(payload)),
        ((WSMsgType.TEXT, "after", ""), 5),
    ]
    assert parser.buffered == 0


def test_parser_buffered_counts_a_partial_payload_and_a_partial_header() -> None:
    parser = WebSocketParser(role="server")
    frame = raw_frame(0x82, b"z" * 300, mask_key=MASK)  # an 8-byte header
    got: list[WSMessage] = []
    parser.feed(frame[:108], lambda m, n: got.append(m))
    assert parser.buffered == 100 and not got
    parser.feed(frame[108:] + frame[:3], lambda m, n: got.append(m))
    assert got == [(WSMsgType.BINARY, b"z" * 300, "")]
    assert parser.buffered == 3
    parser.feed(frame[3:], lambda m, n: got.append(m))
    assert len(got) == 2 and parser.buffered == 0


def test_parser_feed_error_after_messages_raises_and_sticks() -> None:
    parser = WebSocketParser()
    got: list[WSMessage] = []
    with pytest.raises(WebSocketError) as info:
        parser.feed(raw_frame(0x81, b"ok") + raw_frame(0x83, b""), lambda m, n: got.append(m))
    assert got == [(WSMsgType.TEXT, "ok", "")]
    with pytest.raises(WebSocketError) as again:
        parser.feed(raw_frame(0x81, b"x"), lambda m, n: got.append(m))
    assert again.value is info.value
    assert len(got) == 1 and parser.buffered == 0


def test_parser_large_frame_over_limit_refused_before_its_payload() -> None:
    parser = WebSocketParser(max_msg_size=1000, role="server")
    header = b"\x82\xfe" + struct.pack("!H", 1001) + MASK
    with pytest.raises(WebSocketError) as info:
        parser.feed(header, lambda m, n: None)
    assert info.value.code == 1009


# -- protocol errors -------------------------------------------------------------------------

PROTOCOL_ERRORS = [
    pytest.param(raw_frame(0xA1, b"x"), "RSV2/RSV3", id="rsv2"),
    pytest.param(raw_frame(0x91, b"x"), "RSV2/RSV3", id="rsv3"),
    pytest.param(raw_frame(0xC1, b"x"), "no extension", id="rsv1-not-negotiated"),
    pytest.param(raw_frame(0x83, b"x"), "Unknown opcode 0x3", id="opcode-3"),
    pytest.param(raw_frame(0x87, b"x"), "Unknown opcode 0x7", id="opcode-7"),
    pytest.param(raw_frame(0x8B, b"x"), "Unknown opcode 0xb", id="opcode-b"),
    pytest.param(raw_frame(0x8F, b"x"), "Unknown opcode 0xf", id="opcode-f"),
    pytest.param(raw_frame(0x09, b"x"), "Fragmented control", id="fragmented-ping"),
    pytest.param(raw_frame(0x08, b""), "Fragmented control", id="fragmented-close"),
    pytest.param(raw_frame(0x89, b"x" * 126), "longer than 125", id="long-ping"),
    pytest.param(raw_frame(0x88, b"\x03"), "one byte", id="close-one-byte"),
    pytest.param(raw_frame(0x80, b"x"), "without a message", id="lone-continuation"),
    pytest.param(
        raw_frame(0x01, b"a") + raw_frame(0x81, b"b"), "unfinished", id="text-during-fragments"
    ),
    pytest.param(
        raw_frame(0x02, b"a") + raw_frame(0x82, b"b"), "unfinished", id="binary-during-fragments"
    ),
    pytest.param(
        b"\x82\x7f" + struct.pack("!Q", 1 << 63) + b"x", "most significant", id="len64-top-bit"
    ),
]


@pytest.mark.parametrize(("data", "match"), PROTOCOL_ERRORS)
def test_parser_protocol_errors_are_1002(data: bytes, match: str) -> None:
    expect_error(data, 1002, match, compress=False)


@pytest.mark.parametrize("code", [0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535])
def test_parser_invalid_close_code_is_1002(code: int) -> None:
    expect_error(raw_frame(0x88, code.to_bytes(2, "big") + b"bye"), 1002, f"close code: {code}")


def test_parser_close_reason_invalid_utf8_is_1007() -> None:
    expect_error(raw_frame(0x88, b"\x03\xe8\xff"), 1007, "not valid UTF-8")


def test_parser_rsv1_on_continuation_and_control_with_deflate() -> None:
    expect_error(
        raw_frame(0x41, deflate_raw(b"a")) + raw_frame(0xC0, b"x"), 1002, "Continuation frame has"
    )
    expect_error(raw_frame(0xC9, b"x"), 1002, "Control frame has RSV1")


@pytest.mark.parametrize("payload", [b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"])
def test_parser_invalid_utf8_text_is_1007(payload: bytes) -> None:
    expect_error(raw_frame(0x81, b"ok" + payload), 1007, "not valid UTF-8")


def test_parser_invalid_utf8_fails_fast_in_first_fragment() -> None:
    parser = WebSocketParser()
    # the final fragment never arrives: the error must come from the first one
    with pytest.raises(WebSocketError) as info:
        parser.messages(raw_frame(0x01, b"abc\xff"))
    assert info.value.code == 1007


def test_parser_truncated_utf8_at_message_end_is_1007() -> None:
    data = raw_frame(0x01, "€".encode()[:2]) + raw_frame(0x80, b"")
    expect_error(data, 1007, "not valid UTF-8")


def test_parser_server_role_requires_mask() -> None:
    expect_error(raw_frame(0x81, b"x"), 1002, "unmasked frame", role="server")


def test_parser_client_role_refuses_mask() -> None:
    expect_error(raw_frame(0x81, b"x", mask_key=MASK), 1002, "masked frame", role="client")


def test_parser_error_is_sticky_and_earlier_messages_survive() -> None:
    parser = WebSocketParser()
    parser.feed_data(raw_frame(0x81, b"ok") + raw_frame(0x83, b"bad") + raw_frame(0x81, b"x"))
    assert parser.next_message() == (WSMsgType.TEXT, "ok", "")
    with pytest.raises(WebSocketError) as first:
        parser.next_message()
    parser.feed_data(raw_frame(0x81, b"more"))
    with pytest.raises(WebSocketError) as again:
        parser.next_message()
    assert again.value is first.value
    assert parser.buffered == 0


def test_parser_rejects_negative_limit() -> None:
    with pytest.raises(ValueError, match="max_msg_size"):
        WebSocketParser(max_msg_size=-1)


# -- size limits -----------------------------------------------------------------------------


def test_parser_huge_frame_refused_from_its_header_alone() -> None:
    parser = WebSocketParser(max_msg_size=1024 * 1024)
    header = b"\x82\x7f" + struct.pack("!Q", 1 << 40)
    parser.feed_data(header)  # no payload at all
    with pytest.raises(WebSocketError, match="exceeds limit") as info:
        parser.next_message()
    assert info.value.code == 1009
    assert parser.buffered == 0


def test_parser_masked_huge_frame_refused_before_the_key_is_complete() -> None:
    parser = WebSocketParser(max_msg_size=100)
    parser.feed_data(b"\x82\xfe\x01\x00")  # 256 bytes announced, mask key missing
    assert parser.next_message() is None
    parser.feed_data(MASK)
    with pytest.raises(WebSocketError) as info:
        parser.next_message()
    assert info.value.code == 1009


def test_parser_limit_is_inclusive() -> None:
    assert parse_all(raw_frame(0x82, b"x" * 100), max_msg_size=100) == [
        (WSMsgType.BINARY, b"x" * 100, "")
    ]
    expect_error(raw_frame(0x82, b"x" * 101), 1009, "exceeds limit", max_msg_size=100)


def test_parser_fragmented_message_refused_at_the_fragment_header() -> None:
    parser = WebSocketParser(max_msg_size=100)
    parser.feed_data(raw_frame(0x01, b"a" * 60))
    assert parser.next_message() is None
    parser.feed_data(b"\x80\x41")  # a 65-byte continuation: 125 > 100, payload not sent
    with pytest.raises(WebSocketError) as info:
        parser.next_message()
    assert info.value.code == 1009


def test_parser_huge_compressed_frame_refused_from_its_header_alone() -> None:
    parser = WebSocketParser(max_msg_size=64 * 1024)
    parser.feed_data(b"\xc2\x7f" + struct.pack("!Q", 10 * 1024 * 1024))
    with pytest.raises(WebSocketError) as info:
        parser.next_message()
    assert info.value.code == 1009


def test_parser_zero_limit_means_unlimited() -> None:
    parser = WebSocketParser(max_msg_size=0)
    parser.feed_data(b"\x82\x7f" + struct.pack("!Q", 1 << 40))
    assert parser.next_message() is None
    assert parse_all(raw_frame(0x82, b"x" * 70000), max_msg_size=0)[0].data == b"x" * 70000


def test_parser_control_frames_do_not_count_toward_the_limit() -> None:
    data = raw_frame(0x01, b"a" * 8) + raw_frame(0x89, b"p" * 100) + raw_frame(0x80, b"b" * 2)
    assert parse_all(data, max_msg_size=10)[-1] == (WSMsgType.TEXT, "a" * 8 + "bb", "")


# -- permessage-deflate ----------------------------------------------------------------------


def test_parser_inflates_compressed_text_and_binary() -> None:
    data = raw_frame(0xC1, deflate_raw("héllo".encode())) + raw_frame(
        0xC2, deflate_raw(b"\x00" * 1000)
    )
    assert parse_all(data) == [
        (WSMsgType.TEXT, "héllo", ""),
        (WSMsgType.BINARY, b"\x00" * 1000, ""),
    ]


def test_parser_inflates_fragmented_compressed_message() -> None:
    body = b"compress me " * 200
    comp = deflate_raw(body)
    third = len(comp) // 3
    data = (
        raw_frame(0x42, comp[:third])
        + raw_frame(0x89, b"ping")
        + raw_frame(0x00, comp[third : 2 * third])
        + raw_frame(0x80, comp[2 * third :])
    )
    assert parse_all(data) == [(WSMsgType.PING, b"ping", ""), (WSMsgType.BINARY, body, "")]


def test_parser_inflate_bounded_by_max_msg_size() -> None:
    bomb = deflate_raw(b"\x00" * (10 * 1024 * 1024))
    assert len(bomb) < 20_000
    decompressor_limit = 1024 * 1024
    err = expect_error(
        raw_frame(0xC2, bomb), 1009, "Decompressed message exceeds", max_msg_size=decompressor_limit
    )
    assert err.code == 1009


def test_decompressor_never_returns_more_than_the_limit() -> None:
    inflater = MessageDecompressor()
    with pytest.raises(WebSocketError):
        inflater.decompress(deflate_raw(b"a" * 5000), 4999)
    fresh = MessageDecompressor()
    assert fresh.decompress(deflate_raw(b"a" * 5000), 5000) == b"a" * 5000


def _bfinal(data: bytes) -> bytes:
    one_shot = zlib.compressobj(6, zlib.DEFLATED, -15)
    return one_shot.compress(data) + one_shot.flush(zlib.Z_FINISH)


def _inflate_outcome(step: str, payloads: list[bytes], limit: Optional[int]) -> list[object]:
    """What one inflater makes of ``payloads`` (one message each): the data, or the error."""
    inflater = MessageDecompressor()
    outcome: list[object] = []
    for payload in payloads:
        try:
            if step == "one pass":
                outcome.append(inflater.decompress_message(payload, limit))
            else:
                out = inflater.decompress(payload, limit)
                outcome.append(out + inflater.finish(None if limit is None else limit - len(out)))
        except WebSocketError as exc:
            outcome.append((exc.code, str(exc)))
            break
    return outcome


@pytest.mark.parametrize(
    ("payloads", "limit"),
    [
        ([deflate_raw(b"hello " * 50), deflate_raw(b"again")], None),
        ([deflate_raw(b"hello " * 50)], 300),  # exactly the limit
        ([deflate_raw(b"hello " * 50)], 299),  # one byte over
        ([deflate_raw(b"")], 0),
        ([_bfinal(b"first"), deflate_raw(b"second")], None),  # the stream ended: starts over
        ([_bfinal(b"first") + b"\x00"], None),  # data after the end of the stream
        ([_bfinal(b"first") + b"\x00\x00\xff\xff"], None),  # the tail sent explicitly
        ([_bfinal(b"x" * 500)], 100),
        ([b"\xff\xff\xff\xff"], None),  # not deflate
        ([deflate_raw(b"ok"), b"\x07"], 1000),
    ],
)
def test_decompress_message_is_decompress_then_finish(
    payloads: list[bytes], limit: Optional[int]
) -> None:
    """The one-pass inflation of a whole message has the results and errors of the two
    steps of a fragmented one."""
    expected = _inflate_outcome("two steps", payloads, limit)
    assert _inflate_outcome("one pass", payloads, limit) == expected


def test_decompress_message_after_a_fragment_ended_the_stream() -> None:
    """A whole message inflated after a fragment whose deflate stream ended (BFINAL) is
    refused as the fragment's continuation would be."""
    results = []
    for step in ("one pass", "two steps"):
        inflater = MessageDecompressor()
        assert inflater.decompress(_bfinal(b"first"), None) == b"first"
        if step == "one pass":
            assert inflater.decompress_message(b"", None) == b""
        else:
            assert inflater.decompress(b"", None) + inflater.finish(None) == b""
        inflater.decompress(_bfinal(b"again"), None)
        with pytest.raises(WebSocketError) as info:
            if step == "one pass":
                inflater.decompress_message(b"\x00", None)
            else:
                inflater.decompress(b"\x00", None)
        results.append((info.value.code, str(info.value)))
    assert results[0] == results[1]


@pytest.mark.parametrize("role", ["client", None])
def test_parser_short_frame_with_a_16_bit_length_field(role: Role) -> None:
    """A 7-bit length of 126 announces a 16-bit length, also in a frame small enough for
    the short path (a 124-byte payload in a 16-bit length field is not minimal, but valid
    to read)."""
    frame = struct.pack("!BBH", 0x82, 126, 124) + b"a" * 124
    assert parse_all(frame, role=role) == [(WSMsgType.BINARY, b"a" * 124, "")]
    frame = struct.pack("!BBQ", 0x81, 127, 119) + b"b" * 119
    assert parse_all(frame, role=role) == [(WSMsgType.TEXT, "b" * 119, "")]


def test_parser_compressed_fragments_bounded_across_frames() -> None:
    comp = deflate_raw(os.urandom(3000))
    data = raw_frame(0x42, comp[:1500]) + raw_frame(0x80, comp[1500:])
    expect_error(data, 1009, "exceeds", max_msg_size=2000)


def test_parser_invalid_deflate_data_is_1002() -> None:
    expect_error(raw_frame(0xC2, b"\xff\xff\xff\xff"), 1002, "Invalid compressed data")


def test_parser_deflate_context_carries_over_messages() -> None:
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    frames = b""
    for _ in range(3):
        out = comp.compress(b"repeated text " * 20) + comp.flush(zlib.Z_SYNC_FLUSH)
        frames += raw_frame(0xC1, out[:-4])
    messages = parse_all(frames)
    assert [m.data for m in messages] == ["repeated text " * 20] * 3


def test_parser_deflate_bfinal_block_then_next_message() -> None:
    one_shot = zlib.compressobj(6, zlib.DEFLATED, -15)
    final = one_shot.compress(b"first") + one_shot.flush(zlib.Z_FINISH)
    data = raw_frame(0xC1, final) + raw_frame(0xC1, deflate_raw(b"second"))
    assert [m.data for m in parse_all(data)] == ["first", "second"]


@pytest.mark.parametrize("notakeover", [False, True])
@pytest.mark.parametrize("wbits", [9, 12, 15])
def test_builder_deflate_round_trip_and_websockets_peer(wbits: int, notakeover: bool) -> None:
    builder = FrameBuilder(use_mask=True, compress=wbits, notakeover=notakeover)
    bodies = [b"hello hello hello", b"", os.urandom(300), b"hello hello hello" * 50]
    wire = b"".join(builder.message(body, 0x2) for body in bodies)
    assert rsv1_bits(wire, mask=True) == [True] * len(bodies)
    assert [m.data for m in parse_all(wire, role="server")] == bodies
    peer = PerMessageDeflate(
        remote_no_context_takeover=notakeover,
        local_no_context_takeover=False,
        remote_max_window_bits=wbits,
        local_max_window_bits=15,
    )
    assert [f.data for f in ws_frames(wire, mask=True, extensions=[peer])] == bodies


def test_builder_no_context_takeover_messages_stand_alone() -> None:
    builder = FrameBuilder(compress=15, notakeover=True)
    builder.message(b"abcdefgh" * 10, 0x2)
    second = builder.message(b"abcdefgh" * 10, 0x2)
    # a fresh decompressor (no history) must inflate the second message on its own
    assert parse_all(second) == [(WSMsgType.BINARY, b"abcdefgh" * 10, "")]


def test_builder_takeover_messages_refer_back() -> None:
    builder = FrameBuilder(compress=15)
    first = builder.message(b"abcdefgh" * 10, 0x2)
    second = builder.message(b"abcdefgh" * 10, 0x2)
    assert len(second) < len(first)
    assert [m.data for m in parse_all(first + second)] == [b"abcdefgh" * 10] * 2


def test_builder_per_message_window_override_keeps_peer_in_step() -> None:
    builder = FrameBuilder(compress=15)
    text = b"the quick brown fox jumps over the lazy dog " * 5
    wire = builder.message(text, 0x1)
    wire += builder.message(text, 0x1, compress=10)  # fresh compressor, other window
    wire += builder.message(text, 0x1)  # the shared context must have been reset
    wire += builder.message(text, 0x1, compress=0)  # uncompressed
    wire += builder.message(text, 0x1)
    assert rsv1_bits(wire, mask=False) == [True, True, True, False, True]
    peer = PerMessageDeflate(False, False, 15, 15)
    assert [f.data for f in ws_frames(wire, mask=False, extensions=[peer])] == [text] * 5
    assert [m.data for m in parse_all(wire)] == [text.decode()] * 5


def test_builder_never_compresses_control_frames_or_without_negotiation() -> None:
    assert FrameBuilder(compress=15).message(b"ping", 0x9) == b"\x89\x04ping"
    assert FrameBuilder().message(b"data", 0x2, compress=15) == b"\x82\x04data"


def test_builder_discarded_context_starts_over() -> None:
    builder = FrameBuilder(compress=15)
    lost = builder.compressor_for(0x2)
    assert lost is not None
    lost.compress(b"never sent " * 10)
    builder.discard_context()
    wire = builder.message(b"never sent " * 10, 0x2)
    assert parse_all(wire) == [(WSMsgType.BINARY, b"never sent " * 10, "")]


def test_compressor_rejects_window_bits_out_of_range() -> None:
    with pytest.raises(ValueError, match="window bits"):
        MessageCompressor(8)
    with pytest.raises(ValueError, match="window bits"):
        FrameBuilder(compress=15).message(b"x", 0x2, compress=16)


def test_websockets_compressed_frames_parse() -> None:
    peer = PerMessageDeflate(False, False, 15, 15)
    wire = b"".join(
        Frame(Opcode.TEXT, f"message {i} ".encode() * 30).serialize(mask=True, extensions=[peer])
        for i in range(3)
    )
    assert [m.data for m in parse_all(wire, role="server")] == [
        f"message {i} " * 30 for i in range(3)
    ]


# -- negotiation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((15, False, False), "permessage-deflate; client_max_window_bits"),
        (
            (10, False, True),
            "permessage-deflate; client_max_window_bits; server_max_window_bits=10; "
            "server_no_context_takeover",
        ),
        ((15, True, False), "permessage-deflate"),
        (
            (9, True, True),
            "permessage-deflate; server_max_window_bits=9; server_no_context_takeover",
        ),
    ],
)
def test_ws_ext_gen(args: tuple[int, bool, bool], expected: str) -> None:
    assert ws_ext_gen(*args) == expected


@pytest.mark.parametrize("wbits", [8, 16, 0])
def test_ws_ext_gen_rejects_bad_window(wbits: int) -> None:
    with pytest.raises(ValueError, match="window bits"):
        ws_ext_gen(wbits)


@pytest.mark.parametrize(
    ("offer", "expected"),
    [
        (None, (0, False)),
        ("", (0, False)),
        ("permessage-deflate", (15, False)),
        ("permessage-deflate; client_max_window_bits", (15, False)),
        ("permessage-deflate; client_max_window_bits=10", (15, False)),
        ("permessage-deflate; server_max_window_bits=10", (10, False)),
        ('permessage-deflate; server_max_window_bits="11"', (11, False)),
        ("Permessage-Deflate ; Server_No_Context_Takeover ", (15, True)),
        ("permessage-deflate; client_no_context_takeover", (15, False)),
        ("x-webkit-deflate-frame", (0, False)),
        ("permessage-deflate; server_max_window_bits=8", (0, False)),
        ("permessage-deflate; server_max_window_bits=8, permessage-deflate", (15, False)),
        (
            "permessage-deflate; unknown=1, permessage-deflate; server_max_window_bits=12",
            (12, False),
        ),
        ("permessage-deflate; server_no_context_takeover; server_no_context_takeover", (0, False)),
        ("permessage-deflate; server_max_window_bits", (0, False)),
        ("permessage-deflate; server_no_context_takeover=1", (0, False)),
        ("permessage-deflate; client_max_window_bits=99", (0, False)),
        ("permessage-deflate; ;", (0, False)),
        ("foo, permessage-deflate; server_no_context_takeover", (15, True)),
    ],
)
def test_ws_ext_parse_server_side(offer: Optional[str], expected: tuple[int, bool]) -> None:
    assert ws_ext_parse(offer, isserver=True) == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (None, (0, False)),
        ("permessage-deflate", (15, False)),
        ("permessage-deflate; client_max_window_bits=9", (9, False)),
        ("permessage-deflate; client_no_context_takeover", (15, True)),
        ("permessage-deflate; server_no_context_takeover; server_max_window_bits=8", (15, False)),
    ],
)
def test_ws_ext_parse_client_side(answer: Optional[str], expected: tuple[int, bool]) -> None:
    assert ws_ext_parse(answer) == expected


@pytest.mark.parametrize(
    "answer",
    [
        "x-other",
        "permessage-deflate, permessage-deflate",
        "permessage-deflate; client_max_window_bits",
        "permessage-deflate; client_max_window_bits=8",
        "permessage-deflate; server_max_window_bits=abc",
        "permessage-deflate; mystery",
        "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
    ],
)
def test_ws_ext_parse_client_rejects_unrequested_answers(answer: str) -> None:
    with pytest.raises(WSHandshakeError):
        ws_ext_parse(answer)


def test_negotiation_round_trip_through_both_helpers() -> None:
    offer = ws_ext_gen(11, isserver=False, server_notakeover=True)
    wbits, notakeover = ws_ext_parse(offer, isserver=True)
    assert (wbits, notakeover) == (11, True)
    answer = ws_ext_gen(wbits, isserver=True, server_notakeover=notakeover)
    assert ws_ext_parse(answer) == (15, False)


# -- splitting the input ---------------------------------------------------------------------


def _script() -> bytes:
    builder = FrameBuilder(use_mask=True, compress=15)
    return b"".join(
        [
            builder.message("héllo".encode(), 0x1),
            raw_frame(0x01, "fr€".encode()[:3], mask_key=MASK),
            raw_frame(0x89, b"ping", mask_key=MASK),
            raw_frame(0x80, "fr€".encode()[3:] + b"!", mask_key=MASK),
            builder.message(b"\x00\x01" * 70, 0x2),
            raw_frame(0x82, b"z" * 300, mask_key=MASK),
            builder.frame(b"", 0xA),
            builder.frame(encode_close_payload(1000, "bye ✓".encode()), 0x8),
        ]
    )


def test_parser_split_at_every_offset_gives_the_same_messages() -> None:
    script = _script()
    expected = parse_all(script, role="server")
    assert len(expected) == 7
    for cut in range(1, len(script)):
        parser = WebSocketParser(role="server")
        got = parser.messages(script[:cut]) + parser.messages(script[cut:])
        assert got == expected, cut


def test_parser_byte_by_byte_gives_the_same_messages() -> None:
    script = _script()
    parser = WebSocketParser(role="server")
    got: list[WSMessage] = []
    for i in range(len(script)):
        got += parser.messages(script[i : i + 1])
    assert got == parse_all(script, role="server")


@settings(max_examples=60, deadline=None)
@given(
    bodies=st.lists(
        st.one_of(st.text(max_size=300), st.binary(max_size=300)), min_size=1, max_size=6
    ),
    compress=st.sampled_from([0, 9, 15]),
    use_mask=st.booleans(),
    seed=st.integers(0, 2**32),
)
def test_builder_parser_round_trip_random_chunks(  # type: ignore[misc]  # given() is Callable[..., None]
    bodies: list[object], compress: int, use_mask: bool, seed: int
) -> None:
    builder = FrameBuilder(use_mask=use_mask, compress=compress)
    wire = b""
    for body in bodies:
        if isinstance(body, str):
            wire += builder.message(body.encode(), 0x1)
        else:
            assert isinstance(body, bytes)
            wire += builder.message(body, 0x2)
    role: Role = "server" if use_mask else "client"
    parser = WebSocketParser(role=role, compress=bool(compress))
    rnd = random.Random(seed)
    got: list[WSMessage] = []
    pos = 0
    while pos < len(wire):
        step = rnd.randint(1, 64)
        got += parser.messages(wire[pos : pos + step])
        pos += step
    assert [m.data for m in got] == bodies
