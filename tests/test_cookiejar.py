"""Tests for ``aiohttp.cookiejar`` and its private modules (parser, store, file format)."""

from __future__ import annotations

import calendar
import json
import os
import pickle
import stat
import sys
from http.cookies import BaseCookie, CookieError, Morsel, SimpleCookie
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from yarl import URL

from aiohttp import _cookie_file, _cookie_store, cookiejar
from aiohttp._cookie_parse import (
    CookieMorsel,
    ParsedCookie,
    check_cookie_text,
    parse_cookie_date,
    parse_set_cookie,
)
from aiohttp._cookie_store import CookieStore, default_path, domain_match, path_match
from aiohttp.abc import AbstractCookieJar
from aiohttp.cookiejar import CookieJar, DummyCookieJar

START = 1_700_000_000.0  # 2023-11-14


class FakeClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(cookiejar, "_now", fake)
    return fake


def sent(jar: CookieJar, url: str) -> dict[str, str]:
    """Name -> value of what the jar sends to ``url``."""
    return {name: m.coded_value for name, m in jar.filter_cookies(URL(url)).items()}


def stored(jar: CookieJar) -> dict[str, Morsel[str]]:
    return {m.key: m for m in jar}


def gmt(year: int, month: int, day: int, h: int = 0, m: int = 0, s: int = 0) -> float:
    return float(calendar.timegm((year, month, day, h, m, s)))


# --- matching helpers (RFC 6265 5.1.3, 5.1.4) ------------------------------------------


@pytest.mark.parametrize(
    ("host", "domain", "expected"),
    [
        ("example.com", "example.com", True),
        ("www.example.com", "example.com", True),
        ("a.b.example.com", "example.com", True),
        ("badexample.com", "example.com", False),
        ("example.com", "www.example.com", False),
        ("example.com.evil", "example.com", False),
        ("10.0.0.1", "0.0.1", False),
        ("10.0.0.1", "10.0.0.1", True),
        ("", "", True),
    ],
)
def test_domain_match_table(host: str, domain: str, expected: bool) -> None:
    assert domain_match(host, domain) is expected


@pytest.mark.parametrize(
    ("request_path", "cookie_path", "expected"),
    [
        ("/", "/", True),
        ("/foo", "/", True),
        ("/foo", "/foo", True),
        ("/foo/", "/foo", True),
        ("/foo/bar", "/foo", True),
        ("/foo/bar", "/foo/", True),
        ("/foobar", "/foo", False),
        ("/fo", "/foo", False),
        ("/", "/foo", False),
        ("/Foo", "/foo", False),
    ],
)
def test_path_match_table(request_path: str, cookie_path: str, expected: bool) -> None:
    assert path_match(request_path, cookie_path) is expected


@pytest.mark.parametrize(
    ("request_path", "expected"),
    [
        ("", "/"),
        ("x", "/"),
        ("/", "/"),
        ("/a", "/"),
        ("/a/", "/a"),
        ("/a/b", "/a"),
        ("/a/b/c", "/a/b"),
    ],
)
def test_default_path_table(request_path: str, expected: str) -> None:
    assert default_path(request_path) == expected


# --- Set-Cookie parsing (RFC 6265 5.2) ------------------------------------------------


def test_parse_set_cookie_reads_every_attribute() -> None:
    c = parse_set_cookie(
        "sid=abc; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Max-Age=60; Domain=.Example.COM; "
        "Path=/app; Secure; HttpOnly; SameSite=Strict; Partitioned; Unknown=1"
    )
    assert c == ParsedCookie(
        "sid",
        "abc",
        "abc",
        domain="example.com",
        path="/app",
        max_age=60,
        expires=gmt(2015, 10, 21, 7, 28),
        raw_max_age="60",
        raw_expires="Wed, 21 Oct 2015 07:28:00 GMT",
        secure=True,
        httponly=True,
        samesite="Strict",
        partitioned=True,
    )


@pytest.mark.parametrize(
    ("header", "name", "value", "coded"),
    [
        ("a=1", "a", "1", "1"),
        ("  a = 1  ", "a", "1", "1"),
        ("a=", "a", "", ""),
        ("{a}=1", "{a}", "1", "1"),
        ("a/b=1", "a/b", "1", "1"),
        ("a={x:1}", "a", "{x:1}", "{x:1}"),
        ('a="quoted"', "a", "quoted", '"quoted"'),
        ('a="unbalanced', "a", '"unbalanced', '"unbalanced'),
        ('a=b"c', "a", 'b"c', 'b"c'),
        ("a=x,y", "a", "x,y", "x,y"),
        ("a=x y", "a", "x y", "x y"),
        ("a=x=y", "a", "x=y", "x=y"),
        ('a="x;y"', "a", '"x', '"x'),
        ("Path=1; Path=/", "Path", "1", "1"),
        ("a=\u00e9", "a", "\u00e9", "\u00e9"),
    ],
)
def test_parse_set_cookie_odd_values(header: str, name: str, value: str, coded: str) -> None:
    c = parse_set_cookie(header)
    assert c is not None
    assert (c.name, c.value, c.coded_value) == (name, value, coded)


def test_simple_cookie_rejects_what_the_parser_accepts() -> None:
    # The reason for a parser of our own: the stdlib raises on these or drops them.
    with pytest.raises(CookieError):
        SimpleCookie("{a}=1")
    for header in ('a="unbalanced', "a=x y", 'a=b"c'):
        assert not SimpleCookie(header)
        assert parse_set_cookie(header) is not None


@pytest.mark.parametrize(
    "header",
    [
        "",
        "novalue",
        "=1",
        " =1",
        "a=1\x00",
        "a\x01=1",
        "a=\x7f",
        "a=1\r\nInjected: yes",
        "a b=1",
        "a=" + "x" * 4096,
    ],
)
def test_parse_set_cookie_ignores_bad_headers(header: str) -> None:
    assert parse_set_cookie(header) is None


def test_parse_set_cookie_allows_tab_in_value() -> None:
    c = parse_set_cookie("a=x\ty")
    assert c is not None and c.value == "x\ty"


@pytest.mark.parametrize(
    ("attrs", "field", "expected"),
    [
        ("; Path=/a; Path=/b", "path", "/b"),
        ("; Path=/a; Path=rel", "path", None),
        ("; Path=", "path", None),
        ("; Domain=a.com; Domain=b.com", "domain", "b.com"),
        ("; Domain=a.com; Domain=", "domain", "a.com"),
        ("; Domain=..a.com", "domain", "a.com"),
        ("; Max-Age=5; Max-Age=7", "max_age", 7),
        ("; Max-Age=-3", "max_age", -3),
        ("; Max-Age=1.5", "max_age", None),
        ("; Max-Age=+5", "max_age", None),
        ("; Max-Age=", "max_age", None),
        ("; Max-Age=-", "max_age", None),
        ("; Max-Age=5; Max-Age=x", "max_age", 5),
        ("; Expires=nonsense", "expires", None),
        ("; SECURE", "secure", True),
        ("; secure=ignored-value", "secure", True),
        ("; httponly", "httponly", True),
        ("; samesite=lax", "samesite", "lax"),
        ("; Domain=" + "a" * 1025 + ".com", "domain", None),
    ],
)
def test_parse_set_cookie_attribute_rules(attrs: str, field: str, expected: object) -> None:
    c = parse_set_cookie("n=v" + attrs)
    assert c is not None
    assert getattr(c, field) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wed, 21 Oct 2015 07:28:00 GMT", gmt(2015, 10, 21, 7, 28)),
        ("Wednesday, 21-Oct-15 07:28:00 GMT", gmt(2015, 10, 21, 7, 28)),
        ("Wed Oct 21 07:28:00 2015", gmt(2015, 10, 21, 7, 28)),
        ("21 oct 2015 7:8:9", gmt(2015, 10, 21, 7, 8, 9)),
        ("1 Jan 70 00:00:00", 0.0),
        ("1 Jan 69 00:00:00", gmt(2069, 1, 1)),
        ("29 Feb 2024 00:00:00", gmt(2024, 2, 29)),
        ("31 Dec 9999 23:59:59", float(CookieJar.MAX_TIME)),
        ("1 January 2020 00:00:00 junk", gmt(2020, 1, 1)),
        ("29 Feb 2023 00:00:00", None),
        ("32 Jan 2015 00:00:00", None),
        ("0 Jan 2015 00:00:00", None),
        ("1 Jan 1600 00:00:00", None),
        ("1 Jan 2015 24:00:00", None),
        ("1 Jan 2015 00:60:00", None),
        ("1 Jan 2015", None),
        ("Jan 2015 00:00:00", None),
        ("1 Jan 00:00:00", None),
        ("", None),
        ("garbage", None),
    ],
)
def test_parse_cookie_date_table(text: str, expected: float | None) -> None:
    assert parse_cookie_date(text) == expected


def test_date_regexes_are_class_attributes() -> None:
    assert CookieJar.DATE_TOKENS_RE.findall("Wed, 21 Oct") == ["Wed", "21", "Oct"]
    assert CookieJar.DATE_HMS_TIME_RE.match("07:28:00")
    assert CookieJar.DATE_DAY_OF_MONTH_RE.match("21")
    assert CookieJar.DATE_MONTH_RE.match("OCTOBER")
    assert CookieJar.DATE_YEAR_RE.match("2015")
    assert CookieJar.SUB_MAX_TIME == CookieJar.MAX_TIME - 1


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60))
def test_parse_set_cookie_any_text_never_raises(header: str) -> None:  # type: ignore[misc]  # given() is Callable[..., None]
    c = parse_set_cookie(header)
    if c is not None:
        assert check_cookie_text(c.name, c.value, c.coded_value) is None


# --- host-only and domain cookies (RFC 6265 5.3) ---------------------------------------


def test_jar_host_only_cookie_is_sent_to_that_host_only(clock: FakeClock) -> None:
    jar = CookieJar()
    jar.update_cookies_from_headers(["a=1"], URL("http://example.com/"))
    assert sent(jar, "http://example.com/") == {"a": "1"}
    assert sent(jar, "http://www.example.com/") == {}
    assert sent(jar, "http://other.com/") == {}
    assert stored(jar)["a"]["domain"] == "example.com"


def test_jar_domain_cookie_is_sent_to_subdomains(clock: FakeClock) -> None:
    jar = CookieJar()
    jar.update_cookies_from_headers(["a=1; Domain=.Example.com"], URL("http://www.example.com/"))
    for url in ("http://example.com/", "http://www.example.com/", "http://a.b.example.com/"):
        assert sent(jar, url) == {"a": "1"}, url
    assert sent(jar, "http://badexample.com/") == {}


def test_jar_domain_equal_to_host_is_a_domain_cookie(clock: FakeClock) -> None:
    jar = CookieJar()
    jar.update_cookies_from_headers(["a=1; Domain=example.com"], URL("http://example.com/"))
    assert sent(jar, "http://sub.example.com/") == {"a": "1"}


@pytest.mark.parametrize(
    "header",
    [
        "a=1; Domain=other.com",
        "a=1; Domain=www.example.com.evil",
        "a=1; Domain=sub.www.example.com",
        "a=1; Domain=ample.com",
        "a=1; Domain=com",
        "a=1; Domain=.com",
    ],
)
def test_jar_rejects_foreign_and_tld_domains(clock: FakeClock, header: str) -> None:
    jar = CookieJar()
    jar.update_cookies_from_headers([header], URL("http://www.example.com/"))
    assert len(jar) == 0


def test_jar_single_label_domain_equal_to_host_is_host_only(clock: FakeClock) -> None:
    jar = CookieJar()
    jar.update_cookies_from_headers(["a=1; Domain=localhost"], URL("http://localhost:8080/"))
    assert sent(jar, "http://localhost/") == {"a": "1"}
    assert sent(jar, "http://x.localhost/") == {}


def test_jar_idna_domain_attribute_is_encoded(clock: FakeClock) -> None:
    jar = CookieJar()
    url = URL("http://www.b\u00fccher.example/")
    jar.update_cookies_from_headers(["a=1; Domain=b\u00fccher.example"], url)
    assert stored(jar)["a"]["domain"] == "xn--bcher-kva.example"
    assert sent(jar, "http://xn--bcher-kva.example/") == {"a": "1"}


def test_jar_unencodable_domain_attribute_is_rejected(clock: FakeClock) -> None:
    jar = CookieJar()
    bad = "\u00e9" * 70 + ".com"  # an IDNA label longer than 63 octets
    jar.update_cookies_from_headers([f"a=1; Domain={bad}"], URL("http://h.com/"))
    assert len(jar) == 0
    jar.update_cookies({"b": "1"}, URL("http://h.com/"))
    jar.clear_domain(bad)
    assert len(jar) == 1


def test_jar_same_name_for_different_domains_and_paths_is_kept(clock: FakeClock) -> None:
    jar = CookieJar()
    url = URL("http://www.example.com/x/y")
    jar.update_cookies_from_headers(["n=host", "n=dom; Domain=example.com", "n=p; Path=/a"], url)
    assert len(jar) == 3


def test_jar_replacing_cookie_keeps_identity_and_order(clock: FakeClock) -> None:
    jar = CookieJar()
    url = URL("http://example.com/")
    jar.update_cookies_from_headers(["a=1", "b=2", "a=3"], url)
    assert [(m.key, m.value) for m in jar] == [("a", "3"), ("b", "2")]


# --- paths -------------------------------------------------------------------------------


def test_jar_default_path_comes_from_response_url(clock: FakeClock) -> None:
    jar = CookieJar()
    jar.update_cookies_from_headers(["a=1", "b=2; Path=rel"], URL("http://h.com/dir/page"))
    assert {m["path"] for m in jar} == {"/dir"}
    assert sent(jar, "http://h.com/dir") == {"a": "1", "b": "2"}
    assert sent(jar, "http://h.com/dir/x/y") == {"a": "1", "b": "2"}
    assert sent(jar, "http://h.com/directory") == {}
    assert sent(jar, "http://h.com/") == {}


def test_jar_longest_path_first_and_wins_name_clash(clock: FakeClock) -> None:
    jar = CookieJar()
    url = URL("http://h.com/")
    jar.update_cookies_from_headers(["a=root; Path=/", "b=deep; Path=/x/y", "a=mid; Path=/x"], url)
    filtered = jar.filter_cookies(URL("http://h.com/x/y/z"))
    assert [(k, m.value) for k, m in filtered.items()] == [("b", "deep"), ("a", "mid")]


def test_jar_more_specific_domain_wins_name_clash(clock: FakeClock) -> None:
    jar = CookieJar()
    jar.update_cookies_from_headers(["a=dom; Domain=example.com"], URL("http://example.com/"))
    jar.update_cookies_from_headers(["a=host"], URL("http://www.example.com/"))
    assert sent(jar, "http://www.example.com/") == {"a": "host"}
    assert sent(jar, "http://example.com/") == {"a": "dom"}


def test_filter_cookies_morsels_are_bare(clock: FakeClock) -> None:
    jar = CookieJar()
    jar.update_cookies_from_headers(
        ["a=1; Path=/; HttpOnly; SameSite=Lax; Max-Age=99"], URL("https://h.com/")
    )
    filtered = jar.filter_cookies(URL("https://h.com/"))
    assert filtered.output(header="Cookie:") == "Cookie: a=1"
    assert isinstance(filtered, BaseCookie)


def test_filter_cookies_str_url_is_deprecated(clock: FakeClock) -> None:
    jar = CookieJar()
    jar.update_cookies({"a": "1"})
    with pytest.warns(DeprecationWarning, match="expects a yarl.URL, got str"):
        filtered = jar.filter_cookies("http://h.com/")  # type: ignore[arg-type]  # misuse
    assert list(filtered) == ["a"]


# --- IP hosts ---------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "[::1]"])
def test_jar_ip_host_ignored_without_unsafe(clock: FakeClock, host: str) -> None:
    jar = CookieJar()
    jar.update_cookies_from_headers(["a=1"], URL(f"http://{host}/"))
    jar.update_cookies({"b": "2"}, URL(f"http://{host}/"))
    assert len(jar) == 0


@pytest.mark.parametrize("host", ["127.0.0.1", "[::1]"])
def test_jar_ip_host_accepted_with_unsafe(clock: FakeClock, host: str) -> None:
    jar = CookieJar(unsafe=True)
    assert jar.unsafe
    jar.update_cookies_from_headers(["a=1"], URL(f"http://{host}:8080/"))
    assert sent(jar, f"http://{host}/") == {"a": "1"}
    assert sent(jar, "http://127.0.0.2/") == {}


def test_jar_ip_host_rejects_partial_ip_domain(clock: FakeClock) -> None:
    jar = CookieJar(unsafe=True)
    jar.update_cookies_from_headers(["a=1; Domain=0.0.1"], URL("http://10.0.0.1/"))
    jar.update_cookies_from_headers(["b=1; Domain=10.0.0.1"], URL("http://10.0.0.1/"))
    assert [m.key for m in jar] == ["b"]


def test_jar_ip_request_without_unsafe_gets_only_shared(clock: FakeClock) -> None:
    jar = CookieJar()
    jar.update_cookies({"shared": "1"})
    jar.update_cookies({"ipc": "2"}, URL("http://h.com/"))
    jar.update_cookies({"x": SimpleCookie("x=3; Domain=127.0.0.1")["x"]})
    assert sent(jar, "http://127.0.0.1/") == {"shared": "1"}
    assert sent(CookieJar(unsafe=True), "http://127.0.0.1/") == {}


def test_jar_hostname_ending_in_digit_is_not_an_ip(clock: FakeClock) -> None:
    jar = CookieJar()
    jar.update_cookies_from_headers(["a=1"], URL("http://host1/"))
    assert sent(jar, "http://host1/") == {"a": "1"}


# --- Secure -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://h.com/", {"s": "1", "p": "2"}),
        ("wss://h.com/", {"s": "1", "p": "2"}),
        ("http://h.com/", {"p": "2"}),
        ("ws://h.com/", {"p": "2"}),
    ],
)
def test_jar_secure_cookie_only_over_secure_schemes(
    clock: FakeClock, url: str, expected: dict[str, str]
) -> None:
    jar = CookieJar()
    jar.update_cookies_from_headers(["s=1; Secure", "p=2"], URL("https://h.com/"))
    assert sent(jar, url) == expected


@pytest.mark.parametrize(
    "origins",
    [
        "http://h.com:8080",
        URL("http://h.com:8080/ignored/path"),
        ["http://other.com", URL("http://h.com:8080")],
    ],
)
def test_jar_treat_as_secure_origin(clock: FakeClock, origins: str | URL | list[str | URL]) -> None:
    jar = CookieJar(treat_as_secure_origin=origins)
    jar.update_cookies_from_headers(["s=1; Secure"], URL("https://h.com/"))
    assert sent(jar, "http://h.com:8080/x") == {"s": "1"}
    assert sent(jar, "http://h.com/x") == {}
    assert sent(jar, "http://h.com:8081/x") == {}


def test_jar_treat_as_secure_origin_needs_absolute_url() -> None:
    with pytest.raises(ValueError, match="absolute"):
        CookieJar(treat_as_secure_origin="/relative")


# --- expiry -------------------------------------------------------------------------------


def test_jar_max_age_expires_lazily(clock: FakeClock) -> None:
    jar = CookieJar()
    jar.update_cookies_from_headers(["a=1; Max-Age=10", "b=2"], URL("http://h.com/"))
    clock.now += 9.5
    assert sent(jar, "http://h.com/") == {"a": "1", "b": "2"}
    clock.now += 0.5
    assert sent(jar, "http://h.com/") == {"b": "2"}
    assert len(jar) == 1


def test_jar_expires_attribute(clock: FakeClock) -> None:
    jar = CookieJar()
    jar.update_cookies_from_headers(
        ["a=1; Expires=Tue, 14 Nov 2023 22:14:00 GMT"], URL("http://h.com/")
    )
    assert len(jar) == 1
    clock.now = gmt(2023, 11, 14, 22, 14)
    assert len(jar) == 0


def test_jar_max_age_takes_precedence_over_expires(clock: FakeClock) -> None:
    jar = CookieJar()
    past = "Thu, 01 Jan 1970 00:00:01 GMT"
    jar.update_cookies_from_headers(
        [f"a=1; Max-Age=100; Expires={past}", f"b=1; Expires={past}; Max-Age=100"],
        URL("http://h.com/"),
    )
    assert len(jar) == 2
    clock.now += 100
    assert len(jar) == 0


@pytest.mark.parametrize(
    "deleter", ["a=x; Max-Age=0", "a=x; Max-Age=-1", "a=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT"]
)
def test_jar_expired_cookie_deletes_stored_one(clock: FakeClock, deleter: str) -> None:
    jar = CookieJar()
    url = URL("http://h.com/")
    jar.update_cookies_from_headers(["a=1", "b=2"], url)
    jar.update_cookies_from_headers([deleter], url)
    assert [m.key for m in jar] == ["b"]


def test_jar_deleting_an_absent_cookie_is_a_no_op(clock: FakeClock) -> None:
    jar = CookieJar()
    jar.update_cookies_from_headers(["a=1", "b=x; Max-Age=0"], URL("http://h.com/"))
    assert [m.key for m in jar] == ["a"]


def test_jar_invalid_expires_makes_a_session_cookie(clock: FakeClock) -> None:
    jar = CookieJar()
    jar.update_cookies_from_headers(["a=1; Expires=soon"], URL("http://h.com/"))
    clock.now += 10**9
    assert len(jar) == 1


def test_jar_huge_max_age_is_clamped(clock: FakeClock) -> None:
    jar = CookieJar()
    jar.update_cookies_from_headers(["a=1; Max-Age=" + "9" * 400], URL("http://h.com/"))
    entry = next(iter(jar._store))
    assert entry.expires_at == float(CookieJar.MAX_TIME)


def test_jar_renewing_cookie_cancels_old_expiry(clock: FakeClock) -> None:
    jar = CookieJar()
    url = URL("http://h.com/")
    jar.update_cookies_from_headers(["a=1; Max-Age=10"], url)
    jar.update_cookies_from_headers(["a=2; Max-Age=100"], url)
    clock.now += 50
    assert sent(jar, "http://h.com/") == {"a": "2"}
    jar.update_cookies_from_headers(["a=3"], url)  # now a session cookie
    clock.now += 1000
    assert sent(jar, "http://h.com/") == {"a": "3"}


def test_store_expiry_heap_stays_bounded() -> None:
    store = CookieStore()
    cookie = ParsedCookie("a", "1", "1", max_age=100)
    for i in range(2000):
        store.add(cookie, "h.com", "/", float(i))
    assert len(store) == 1
    assert len(store._expiry_heap) <= 2 * len(store) + 64


# --- size limits ------------------------------------------------------------------------


def test_store_evicts_oldest_in_a_full_domain() -> None:
    store = CookieStore(max_cookies=100, max_per_domain=3)
    for name in "abcd":
        store.add(ParsedCookie(name, "1", "1"), "h.com", "/", 0.0)
    store.add(ParsedCookie("z", "1", "1"), "other.com", "/", 0.0)
    assert [e.morsel.key for e in store] == ["b", "c", "d", "z"]


def test_store_evicts_expired_before_live_cookies() -> None:
    store = CookieStore(max_cookies=100, max_per_domain=2)
    store.add(ParsedCookie("a", "1", "1"), "h.com", "/", 0.0)
    store.add(ParsedCookie("b", "1", "1", max_age=5), "h.com", "/", 0.0)
    store.add(ParsedCookie("c", "1", "1"), "h.com", "/", 10.0)
    assert [e.morsel.key for e in store] == ["a", "c"]


def test_store_evicts_oldest_overall() -> None:
    store = CookieStore(max_cookies=3, max_per_domain=10)
    for i in range(5):
        store.add(ParsedCookie("n", "1", "1"), f"h{i}.com", "/", 0.0)
    assert [e.domain for e in store] == ["h2.com", "h3.com", "h4.com"]


def test_store_evicts_expired_before_live_cookies_overall() -> None:
    store = CookieStore(max_cookies=2, max_per_domain=10)
    store.add(ParsedCookie("a", "1", "1"), "a.com", "/", 0.0)
    store.add(ParsedCookie("b", "1", "1", max_age=5), "b.com", "/", 0.0)
    store.add(ParsedCookie("c", "1", "1"), "c.com", "/", 10.0)
    assert [e.domain for e in store] == ["a.com", "c.com"]


def test_jar_default_limit_per_domain(clock: FakeClock) -> None:
    jar = CookieJar()
    jar.update_cookies_from_headers([f"c{i}=1" for i in range(200)], URL("http://h.com/"))
    assert len(jar) == _cookie_store.MAX_COOKIES_PER_DOMAIN
    assert "c199" in stored(jar) and "c0" not in stored(jar)


# --- update_cookies (application-supplied cookies) ---------------------------------------


def test_update_cookies_shared_cookies_go_everywhere(clock: FakeClock) -> None:
    jar = CookieJar()
    jar.update_cookies({"a": "1"})
    jar.update_cookies([("b", "2")])
    assert sent(jar, "http://x.org/any/path") == {"a": "1", "b": "2"}
    assert sent(jar, "https://y.net/") == {"a": "1", "b": "2"}
    assert jar.filter_cookies() == jar.filter_cookies(URL("/relative"))
    assert set(jar.filter_cookies()) == {"a", "b"}


def test_update_cookies_with_response_url_is_host_only(clock: FakeClock) -> None:
    jar = CookieJar()
    jar.update_cookies({"a": "1"}, URL("http://h.com/dir/page"))
    assert sent(jar, "http://h.com/dir/x") == {"a": "1"}
    assert sent(jar, "http://h.com/") == {}
    assert sent(jar, "http://sub.h.com/dir/") == {}


def test_update_cookies_from_base_cookie_and_morsels(clock: FakeClock) -> None:
    jar = CookieJar()
    cookies = SimpleCookie()
    cookies["a"] = "1"
    cookies["a"]["domain"] = "example.com"
    cookies["a"]["path"] = "/p"
    cookies["a"]["secure"] = True
    cookies["b"] = "2"
    cookies["b"]["max-age"] = 5
    cookies["c"] = "3"
    cookies["c"]["expires"] = 7  # Morsel's "seconds from now" form
    jar.update_cookies(cookies, URL("https://www.example.com/"))
    assert sent(jar, "https://www.example.com/p") == {"a": "1", "b": "2", "c": "3"}
    assert sent(jar, "https://example.com/p") == {"a": "1"}
    assert sent(jar, "http://www.example.com/p") == {"b": "2", "c": "3"}
    clock.now += 6
    assert sent(jar, "https://www.example.com/p") == {"a": "1", "c": "3"}
    clock.now += 1
    assert sent(jar, "https://www.example.com/p") == {"a": "1"}


def test_update_cookies_nested_base_cookie_value(clock: FakeClock) -> None:
    jar = CookieJar()
    jar.update_cookies({"ignored": SimpleCookie("x=1; y=2")})
    assert sent(jar, "http://h.com/") == {"x": "1", "y": "2"}


def test_update_cookies_morsel_string_attributes(clock: FakeClock) -> None:
    morsel = SimpleCookie('a=1; Max-Age=9; Expires="Thu, 01 Jan 1970 00:00:00 GMT"')["a"]
    jar = CookieJar()
    jar.update_cookies({"a": morsel})
    assert len(jar) == 1  # Max-Age wins over the past Expires
    clock.now += 9
    assert len(jar) == 0


@pytest.mark.parametrize(
    "cookies",
    [
        {"a": "1", "": "x"},
        {"a": "1", "b c": "x"},
        {"a": "1", "b;": "x"},
        [("a", "1"), ("b\n", "x")],
    ],
)
def test_update_cookies_bad_name_raises_and_stores_nothing(
    clock: FakeClock, cookies: dict[str, str] | list[tuple[str, str]]
) -> None:
    jar = CookieJar()
    with pytest.raises(ValueError, match="cookie name"):
        jar.update_cookies(cookies)
    assert len(jar) == 0


def test_update_cookies_control_char_in_unquoted_value_raises(clock: FakeClock) -> None:
    morsel: Morsel[str] = Morsel()
    morsel.set("a", "x\r\nEvil: 1", "x\r\nEvil: 1")
    jar = CookieJar(quote_cookie=False)
    with pytest.raises(ValueError, match="control character"):
        jar.update_cookies({"a": morsel})
    assert len(jar) == 0


def test_update_cookies_from_headers_rejects_a_plain_str(clock: FakeClock) -> None:
    with pytest.raises(TypeError, match="not a str"):
        CookieJar().update_cookies_from_headers("a=1", URL("http://h.com/"))


def test_update_cookies_from_headers_skips_bad_keeps_good(clock: FakeClock) -> None:
    jar = CookieJar()
    jar.update_cookies_from_headers(["junk", "a=1", "=x", "b=\x00", "c=3"], URL("http://h.com/"))
    assert sent(jar, "http://h.com/") == {"a": "1", "c": "3"}


# --- quote_cookie -------------------------------------------------------------------------


def test_quote_cookie_on_sends_coded_values(clock: FakeClock) -> None:
    jar = CookieJar()
    assert jar.quote_cookie
    jar.update_cookies({"a": "x y", "b": "plain"})
    jar.update_cookies_from_headers(['c="q"'], URL("http://h.com/"))
    assert sent(jar, "http://h.com/") == {"a": '"x y"', "b": "plain", "c": '"q"'}


def test_quote_cookie_off_sends_raw_values(clock: FakeClock) -> None:
    jar = CookieJar(quote_cookie=False)
    assert not jar.quote_cookie
    jar.update_cookies({"a": "x y", "b": "plain"})
    jar.update_cookies_from_headers(['c="q"'], URL("http://h.com/"))
    assert sent(jar, "http://h.com/") == {"a": "x y", "b": "plain", "c": "q"}
    assert type(jar.filter_cookies(URL("http://h.com/"))) is BaseCookie


# --- iteration, clear, clear_domain --------------------------------------------------------


def test_jar_iterates_stored_morsels_with_attributes(clock: FakeClock) -> None:
    jar = CookieJar()
    jar.update_cookies_from_headers(
        ["a=1; SameSite=None; Partitioned; Secure; HttpOnly; Max-Age=5"], URL("https://h.com/p/")
    )
    (morsel,) = list(jar)
    assert isinstance(morsel, Morsel)
    assert morsel["samesite"] == "None"
    assert morsel["partitioned"] is True
    assert morsel["httponly"] is True
    assert morsel["path"] == "/p"
    assert morsel.OutputString() == (
        "a=1; Domain=h.com; HttpOnly; Max-Age=5; Partitioned; Path=/p; SameSite=None; Secure"
    )


def test_cookie_morsel_partitioned_on_this_python() -> None:
    morsel = CookieMorsel()
    morsel.set_raw("a", "1", "1")
    morsel["Partitioned"] = True
    assert morsel.OutputString() == "a=1; Partitioned"
    assert morsel == morsel.copy()
    if sys.version_info < (3, 14):
        with pytest.raises(Exception, match="Invalid attribute"):
            Morsel()["partitioned"] = True  # the stdlib one does not know it


def test_jar_iteration_is_a_snapshot(clock: FakeClock) -> None:
    jar = CookieJar()
    jar.update_cookies({"a": "1", "b": "2"})
    seen = []
    for morsel in jar:
        seen.append(morsel.key)
        jar.clear()
    assert seen == ["a", "b"]
    assert len(jar) == 0


def test_jar_clear_all_and_with_predicate(clock: FakeClock) -> None:
    jar = CookieJar()
    jar.update_cookies({"a": "1", "b": "2", "c": "3"})
    jar.clear(lambda m: m.value == "2")
    assert sorted(stored(jar)) == ["a", "c"]
    jar.clear()
    assert len(jar) == 0
    assert sent(jar, "http://h.com/") == {}


def test_jar_clear_domain_removes_domain_and_subdomains(clock: FakeClock) -> None:
    jar = CookieJar()
    jar.update_cookies({"shared": "1"})
    jar.update_cookies_from_headers(["a=1; Domain=example.com"], URL("http://example.com/"))
    jar.update_cookies_from_headers(["b=1"], URL("http://www.example.com/"))
    jar.update_cookies_from_headers(["c=1"], URL("http://notexample.com/"))
    jar.update_cookies_from_headers(["d=1"], URL("http://com.example.org/"))
    jar.clear_domain(".EXAMPLE.com")
    assert sorted(stored(jar)) == ["c", "d", "shared"]


# --- save / load ------------------------------------------------------------------------


def test_save_load_round_trip(clock: FakeClock, tmp_path: Path) -> None:
    jar = CookieJar()
    jar.update_cookies({"shared": "a b"})
    jar.update_cookies_from_headers(
        [
            "host=1; Max-Age=100; HttpOnly",
            "dom={x}; Domain=example.com; Path=/p; Secure; SameSite=Lax; Partitioned",
            "session=\u00e9",
        ],
        URL("https://www.example.com/"),
    )
    path = tmp_path / "jar.json"
    jar.save(path)
    restored = CookieJar()
    restored.update_cookies({"stale": "x"})
    restored.load(str(path))
    assert [(m.key, m.coded_value, dict(m)) for m in restored] == [
        (m.key, m.coded_value, dict(m)) for m in jar
    ]
    for url in ("https://www.example.com/p", "https://a.example.com/p", "http://x.com/"):
        assert sent(restored, url) == sent(jar, url), url
    clock.now += 100
    assert "host" not in stored(restored)


def test_save_skips_expired_and_load_skips_expired(clock: FakeClock, tmp_path: Path) -> None:
    jar = CookieJar()
    jar.update_cookies_from_headers(["a=1; Max-Age=5", "b=1; Max-Age=50"], URL("http://h.com/"))
    clock.now += 10
    path = tmp_path / "jar.json"
    jar.save(path)
    clock.now += 100
    jar.load(path)
    assert len(jar) == 0
    assert '"b"' in path.read_text() and '"a"' not in path.read_text()


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_save_creates_private_file(tmp_path: Path) -> None:
    path = tmp_path / "jar.json"
    CookieJar().save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_load_refuses_pickle(tmp_path: Path) -> None:
    path = tmp_path / "jar.pickle"
    path.write_bytes(pickle.dumps({("h.com", ""): SimpleCookie("a=1")}))
    jar = CookieJar()
    jar.update_cookies({"keep": "1"})
    with pytest.raises(ValueError, match="pickle"):
        jar.load(path)
    assert list(stored(jar)) == ["keep"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json", "not a cookie jar file"),
        (b"\xff\xfe", "not a cookie jar file"),
        (b"[]", "not a cookie jar file"),
        (b'{"format": "other", "cookies": []}', "not a cookie jar file"),
        (b'{"format": "aiohttp-cookiejar", "version": 99, "cookies": []}', "version"),
    ],
)
def test_load_refuses_foreign_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "jar.json"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        CookieJar().load(path)


GOOD = {"name": "a", "value": "1", "coded_value": "1", "domain": "h.com", "path": "/"}


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ("x", "not an object"),
        ({**GOOD, "value": 1}, "'value' must be a string"),
        ({**GOOD, "secure": "yes"}, "'secure' must be a boolean"),
        ({**GOOD, "expires_at": "soon"}, "'expires_at' must be a number"),
        ({**GOOD, "expires_at": True}, "'expires_at' must be a number"),
        ({**GOOD, "name": ""}, "empty cookie name"),
        ({**GOOD, "coded_value": "1\r\nX: y"}, "control character"),
        ({**GOOD, "samesite": "Lax\n"}, "control character"),
        ({**GOOD, "path": "rel"}, "'path' must start"),
        ({**GOOD, "domain": "a.com; x"}, "illegal 'domain'"),
    ],
)
def test_load_refuses_bad_records(tmp_path: Path, record: object, message: str) -> None:
    path = tmp_path / "jar.json"
    doc = {"format": "aiohttp-cookiejar", "version": 1, "cookies": [GOOD, record]}
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match=message):
        CookieJar().load(path)


def test_load_duplicate_records_last_wins(tmp_path: Path) -> None:
    path = tmp_path / "jar.json"
    doc = {"format": "aiohttp-cookiejar", "version": 1, "cookies": [GOOD, {**GOOD, "value": "2"}]}
    path.write_text(json.dumps(doc))
    jar = CookieJar()
    jar.load(path)
    assert [(m.key, m.value) for m in jar] == [("a", "2")]


def test_load_refuses_oversized_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_cookie_file, "MAX_FILE_SIZE", 10)
    path = tmp_path / "jar.json"
    path.write_bytes(b" " * 11)
    with pytest.raises(ValueError, match="larger than 10 bytes"):
        CookieJar().load(path)


def test_load_missing_file_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        CookieJar().load(tmp_path / "absent.json")


# --- DummyCookieJar and the protocol -------------------------------------------------------


def test_dummy_cookie_jar_stores_nothing() -> None:
    jar = DummyCookieJar()
    jar.update_cookies({"a": "1"})
    jar.update_cookies_from_headers(["b=2"], URL("http://h.com/"))
    assert len(jar) == 0
    assert list(jar) == []
    assert jar.quote_cookie is True
    assert not jar.filter_cookies(URL("http://h.com/"))
    jar.clear()
    jar.clear(lambda m: True)
    jar.clear_domain("h.com")


def test_jars_are_abstract_cookie_jars() -> None:
    assert isinstance(CookieJar(), AbstractCookieJar)
    assert isinstance(DummyCookieJar(), AbstractCookieJar)


async def test_jar_created_inside_a_running_loop_without_loop_argument() -> None:
    jar = CookieJar()
    jar.update_cookies({"a": "1"})
    assert len(jar) == 1
