"""The pure-Python engine's fast path for response heads and its line caches.

A response head with CRLF line ends, a strict status line and plainly valid fields is
parsed through caches of the status and field lines seen before (``_h1_head``); anything
else goes the general way.  Both ways must give the same events and errors, whether the
caches are cold or warm.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from aiohttp._sansio import PyH1Engine, _h1_head as head
from aiohttp.http_exceptions import BadHttpMessage, BadStatusLine, InvalidHeader, LineTooLong

from ._helpers import END, body, resp, run

HEAD = (
    b"HTTP/1.1 200 OK\r\n"
    b"Server: fast-path\r\n"
    b"Content-Type: text/plain  \r\n"  # trailing OWS
    b"X-Empty:\r\n"
    b"X-Blank: \t \r\n"
    b"X-Obs:\t\xe9t\xe9 \xff\r\n"  # obs-text, not UTF-8
    b"Content-Length: 3\r\n"
    b"\r\n"
)
FIELDS = [
    ("Server", "fast-path"),
    ("Content-Type", "text/plain"),
    ("X-Empty", ""),
    ("X-Blank", ""),
    ("X-Obs", "\udce9t\udce9 \udcff"),
    ("Content-Length", "3"),
]
EXPECTED = [resp(200, "OK", FIELDS), body(b"abc"), END]


@pytest.fixture
def cold() -> Iterator[None]:
    """Empty caches before the test (and after it)."""
    head._FIELD_CACHE.clear()
    head._STATUS_CACHE.clear()
    yield
    head._FIELD_CACHE.clear()
    head._STATUS_CACHE.clear()


@pytest.mark.parametrize("lax", [True, False])
def test_cold_and_warm_caches_give_the_same_head(cold: None, lax: bool) -> None:
    first = run(PyH1Engine("client", lax=lax), [HEAD + b"abc"], eof=False)
    assert head._FIELD_CACHE and head._STATUS_CACHE
    second = run(PyH1Engine("client", lax=lax), [HEAD + b"abc"], eof=False)
    assert first == second == EXPECTED
    # the same engine, for a second response on the connection
    engine = PyH1Engine("client", lax=lax)
    assert run(engine, [HEAD + b"abc" + HEAD + b"abc"], eof=False) == EXPECTED * 2


@pytest.mark.parametrize("lax", [True, False])
def test_split_head_and_empty_reason(cold: None, lax: bool) -> None:
    data = b"HTTP/1.1 204 \r\nServer: x\r\n\r\n"
    for _ in range(2):
        engine = PyH1Engine("client", lax=lax)
        assert run(engine, [data[:9], data[9:]], eof=False) == [
            resp(204, "", [("Server", "x")]),
            END,
        ]
        assert run(PyH1Engine("client", lax=lax), [data], eof=False) == [
            resp(204, "", [("Server", "x")]),
            END,
        ]


def test_missing_reason_lax_and_strict(cold: None) -> None:
    data = b"HTTP/1.1 204\r\nServer: x\r\n\r\n"
    for _ in range(2):
        assert run(PyH1Engine("client", lax=True), [data], eof=False) == [
            resp(204, "", [("Server", "x")]),
            END,
        ]
        with pytest.raises(BadStatusLine):
            PyH1Engine("client").feed(data)
    assert not head._STATUS_CACHE  # only strict status lines are kept


def test_lax_bare_lf_head_before_a_crlf_blank_line_in_the_body(cold: None) -> None:
    # The first blank line (bare LF) ends the head; the CRLF CRLF in the body must not be
    # taken for the end of a head.
    data = b"HTTP/1.1 200 OK\nContent-Length: 9\n\nab\r\n\r\ncde"
    for _ in range(2):
        events = run(PyH1Engine("client", lax=True), [data], eof=False)
        assert events == [resp(200, "OK", [("Content-Length", "9")]), body(b"ab\r\n\r\ncde"), END]


def test_lax_obs_fold_goes_the_general_way(cold: None) -> None:
    data = b"HTTP/1.1 200 OK\r\nX-Fold: a\r\n  b\r\nContent-Length: 0\r\n\r\n"
    for _ in range(2):
        events = run(PyH1Engine("client", lax=True), [data], eof=False)
        assert events == [resp(200, "OK", [("X-Fold", "a b"), ("Content-Length", "0")]), END]
        with pytest.raises(InvalidHeader):
            PyH1Engine("client").feed(data)


@pytest.mark.parametrize("lax", [True, False])
def test_limits_apply_to_cached_lines(cold: None, lax: bool) -> None:
    data = b"HTTP/1.1 200 OK\r\nX-Long: " + b"v" * 40 + b"\r\nX-B: 1\r\nContent-Length: 0\r\n\r\n"
    assert len(run(PyH1Engine("client", lax=lax), [data], eof=False)) == 2
    with pytest.raises(LineTooLong):
        PyH1Engine("client", lax=lax, max_field_size=30).feed(data)
    with pytest.raises(BadHttpMessage, match="Too many headers"):
        PyH1Engine("client", lax=lax, max_headers=2).feed(data)
    with pytest.raises(LineTooLong):
        PyH1Engine("client", lax=lax, max_line_size=10).feed(data)


@pytest.mark.parametrize("lax", [True, False])
def test_invalid_field_after_valid_ones_is_refused(cold: None, lax: bool) -> None:
    good = b"HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 0\r\n\r\n"
    bad = b"HTTP/1.1 200 OK\r\nX-A: 1\r\nBad Name: 1\r\n\r\n"
    assert len(run(PyH1Engine("client", lax=lax), [good], eof=False)) == 2
    with pytest.raises(InvalidHeader):
        PyH1Engine("client", lax=lax).feed(bad)


@pytest.mark.parametrize("lax", [True, False])
def test_framing_error_of_a_cached_head_is_raised(cold: None, lax: bool) -> None:
    data = b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"
    for _ in range(2):
        with pytest.raises(BadHttpMessage, match="Conflicting Content-Length"):
            PyH1Engine("client", lax=lax).feed(data)


def test_caches_are_bounded(cold: None) -> None:
    engine = PyH1Engine("client", lax=True)
    for i in range(head._FIELD_CACHE_SIZE + 10):
        data = b"HTTP/1.1 200 OK\r\nX-N: %d\r\nContent-Length: 0\r\n\r\n" % i
        assert engine.feed(data)[0] == resp(200, "OK", [("X-N", str(i)), ("Content-Length", "0")])
    assert len(head._FIELD_CACHE) <= head._FIELD_CACHE_SIZE
    for i in range(head._STATUS_CACHE_SIZE + 10):
        engine.feed(b"HTTP/1.1 200 R%d\r\nContent-Length: 0\r\n\r\n" % i)
    assert len(head._STATUS_CACHE) <= head._STATUS_CACHE_SIZE
    long_value = b"v" * (head._FIELD_CACHE_LINE + 1)
    head._FIELD_CACHE.clear()
    events = engine.feed(b"HTTP/1.1 200 OK\r\nX-Long: " + long_value + b"\r\n\r\n")
    assert events[0] == resp(200, "OK", [("X-Long", long_value.decode())], close=True)
    assert not head._FIELD_CACHE
