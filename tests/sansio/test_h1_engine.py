"""Engine behaviour beyond single scripts: upgrade mode, input types, replay, bounds."""

from __future__ import annotations

import gc

import pytest

from aiohttp._sansio import HttptoolsH1Engine, PyH1Engine
from aiohttp._sansio._httptools import HTTPTOOLS_AVAILABLE
from aiohttp._sansio._messages import BodyChunk, Upgraded
from aiohttp.http_exceptions import BadHttpMessage, LineTooLong, TransferEncodingError

from ._helpers import BOUNDARY, END, EngineFactory, body, merge, req, resp, run

CHUNKED_POST = b"POST /u HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
TE = [("Transfer-Encoding", "chunked")]


def test_engine_upgraded_mode_returns_raw_bytes(make_engine: EngineFactory) -> None:
    engine = make_engine("server")
    head = b"GET /ws HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n"
    before = engine.upgraded
    events = engine.feed(head)
    assert (before, engine.upgraded) == (False, True)
    assert events[1:] == [END]
    assert engine.feed(b"GET / HTTP/1.1\r\n\r\n") == [Upgraded(b"GET / HTTP/1.1\r\n\r\n")]
    assert engine.feed(b"") == []
    assert engine.feed_eof() == []


def test_engine_accepts_bytearray_and_memoryview(make_engine: EngineFactory) -> None:
    engine = make_engine("server")
    data = b"POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd"
    events = engine.feed(bytearray(data[:20])) + engine.feed(memoryview(data)[20:])
    assert merge(events) == [req("POST", "/", [("Content-Length", "4")]), body(b"abcd"), END]
    assert all(type(e.data) is bytes for e in events if isinstance(e, BodyChunk))


def test_engine_role_must_be_known(engine_kind: str) -> None:
    cls = PyH1Engine if engine_kind == "python" else HttptoolsH1Engine
    with pytest.raises(ValueError, match="role"):
        cls("proxy")  # type: ignore[arg-type]


def test_engine_pipelined_after_chunked_same_feed(make_engine: EngineFactory) -> None:
    # A custom method makes llhttp give up: the httptools engine must find where the
    # second request starts behind a chunked body to replay it in Python.
    data = CHUNKED_POST + b"3;x\r\nabc\r\n0\r\nT: 1\r\n\r\nFOO-BAR /x HTTP/1.1\r\n\r\n"
    events = run(make_engine("server"), [data], eof=True)
    assert events[-2:] == [req("FOO-BAR", "/x"), END]


def test_engine_pipelined_after_large_length_body(make_engine: EngineFactory) -> None:
    big = b"x" * 300_000
    data = b"POST / HTTP/1.1\r\nContent-Length: 300000\r\n\r\n" + big + b"Q-Q / HTTP/1.1\r\n\r\n"
    parts = [data[i : i + 65536] for i in range(0, len(data), 65536)]
    events = run(make_engine("server"), parts, eof=True)
    assert events == [
        req("POST", "/", [("Content-Length", "300000")]),
        body(big),
        END,
        req("Q-Q", "/"),
        END,
    ]


def test_engine_large_chunked_body_many_feeds(make_engine: EngineFactory) -> None:
    chunk = b"y" * 4096
    data = CHUNKED_POST + (b"1000\r\n" + chunk + b"\r\n") * 100 + b"0\r\n\r\n"
    parts = [data[i : i + 1000] for i in range(0, len(data), 1000)]
    events = run(make_engine("server"), parts, eof=True)
    assert events[0] == req("POST", "/u", TE, chunked=True)
    assert events[1:-1] == [body(chunk), BOUNDARY] * 100
    assert events[-1] == END


def test_engine_expect_head_mid_response(make_engine: EngineFactory) -> None:
    engine = make_engine("client")
    first = b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab"
    events = engine.feed(first)
    engine.expect_response("HEAD")
    events += engine.feed(b"cdHTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n")
    assert merge(events) == [
        resp(200, "OK", [("Content-Length", "4")]),
        body(b"abcd"),
        END,
        resp(200, "OK", [("Content-Length", "9")]),
        END,
    ]


def test_engine_unterminated_header_is_bounded(make_engine: EngineFactory) -> None:
    engine = make_engine("server", max_field_size=1000)
    engine.feed(b"GET / HTTP/1.1\r\nX: ")
    with pytest.raises(LineTooLong):
        for _ in range(100):
            engine.feed(b"a" * 100)


def test_engine_endless_leading_crlf_is_skipped(make_engine: EngineFactory) -> None:
    engine = make_engine("server")
    for _ in range(100):
        assert engine.feed(b"\r\n" * 50) == []
    assert engine.feed(b"GET / HTTP/1.1\r\n\r\n") == [req("GET", "/"), END]


def test_engine_chunk_line_bounded_in_python() -> None:
    engine = PyH1Engine("server", max_line_size=100)
    engine.feed(CHUNKED_POST)
    with pytest.raises(TransferEncodingError):
        for _ in range(10):
            engine.feed(b"1;" + b"a" * 50)


def test_engine_many_headers_rejected(make_engine: EngineFactory) -> None:
    engine = make_engine("server", max_headers=10)
    with pytest.raises(BadHttpMessage, match="Too many headers"):
        engine.feed(b"GET / HTTP/1.1\r\n" + b"A: b\r\n" * 11 + b"\r\n")


def test_engine_lax_ignored_for_server_role(make_engine: EngineFactory) -> None:
    engine = make_engine("server", lax=True)
    with pytest.raises(BadHttpMessage):
        engine.feed(b"GET / HTTP/1.1\nA: b\n\n")


@pytest.mark.skipif(not HTTPTOOLS_AVAILABLE, reason="httptools is not installed")
def test_httptools_engine_unavailable_raises_on_use(monkeypatch: pytest.MonkeyPatch) -> None:
    from aiohttp._sansio import _httptools

    monkeypatch.setattr(_httptools, "HTTPTOOLS_AVAILABLE", False)
    with pytest.raises(ImportError, match="httptools"):
        HttptoolsH1Engine("server")


@pytest.mark.parametrize(
    "line",
    [
        b"GET  / HTTP/1.1",  # two SPs after the method
        b"GET /  HTTP/1.1",  # two SPs before the version
        b"GET / RTSP/1.0",  # another protocol of the same length
        b"GET /HTTP/1. HTTP/1.1x",  # the version text inside the target
    ],
)
def test_engine_request_line_checked_on_raw_bytes(make_engine: EngineFactory, line: bytes) -> None:
    # llhttp accepts some of these; the raw start line must be judged by our grammar,
    # also for a request behind another one in the same feed.
    for data in (line + b"\r\n\r\n", b"GET /a HTTP/1.1\r\n\r\n" + line + b"\r\n\r\n"):
        with pytest.raises(BadHttpMessage):
            run(make_engine("server"), [data], eof=True)


def test_engine_trailing_ows_trimmed_in_raw_and_decoded(make_engine: EngineFactory) -> None:
    data = b"GET / HTTP/1.1\r\nA: x \t\r\nB:\ty\r\nC:  \r\n\r\n"
    events = run(make_engine("server"), [data], eof=True)
    assert events == [req("GET", "/", [("A", "x"), ("B", "y"), ("C", "")]), END]


def test_engine_lax_head_with_bare_lf_before_crlf_end(make_engine: EngineFactory) -> None:
    # Ends in CRLF CRLF, so the strict parser is tried first; the bare LF sends it to the
    # lax rules, which accept it.
    data = b"HTTP/1.1 200 OK\nA: 1\r\nB: 2\r\nContent-Length: 1\r\n\r\nx"
    events = run(make_engine("client", lax=True), [data], eof=True)
    assert events == [
        resp(200, "OK", [("A", "1"), ("B", "2"), ("Content-Length", "1")]),
        body(b"x"),
        END,
    ]


def test_engine_lax_head_ends_at_first_blank_line(make_engine: EngineFactory) -> None:
    # a bare-LF blank line ends the head before a later CRLF CRLF
    data = b"HTTP/1.1 200 OK\r\nContent-Length: 6\n\nab\r\n\r\n"
    events = run(make_engine("client", lax=True), [data], eof=True)
    assert events == [resp(200, "OK", [("Content-Length", "6")]), body(b"ab\r\n\r\n"), END]


def test_engine_non_utf8_field_value_escaped(make_engine: EngineFactory) -> None:
    data = b"GET / HTTP/1.1\r\nX: caf\xe9\r\n\r\n"
    events = run(make_engine("server"), [data], eof=True)
    assert events == [req("GET", "/", [("X", "caf\udce9")]), END]


@pytest.mark.parametrize("role", ["server", "client"])
def test_engine_is_freed_without_the_garbage_collector(engine_kind: str, role: str) -> None:
    """An engine that parsed messages leaves no reference cycle behind (a server drops one
    per connection: a cycle would keep each alive until the next collection)."""
    cls = PyH1Engine if engine_kind == "python" else HttptoolsH1Engine
    engine = cls(role)  # type: ignore[arg-type]  # role is one of the two literals
    if role == "server":
        data = b"GET / HTTP/1.1\r\nHost: a\r\n\r\nPOST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nx"
    else:
        engine.expect_response("GET")
        data = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    assert engine.feed(data)
    gc.collect()
    gc.disable()
    try:
        del engine
        assert gc.collect() == 0  # nothing was left for the collector to find
    finally:
        gc.enable()
