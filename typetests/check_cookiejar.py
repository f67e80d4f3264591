"""Type checks for ``aiohttp.cookiejar``: both jars satisfy ``AbstractCookieJar``.

Run with mypy only. Correct use is checked with ``assert_type``; each misuse line carries
the ``type: ignore`` code it must produce (``warn_unused_ignores`` turns a misuse that stops
failing into an error).
"""

from __future__ import annotations

from collections.abc import Iterator
from http.cookies import BaseCookie, Morsel, SimpleCookie

from typing_extensions import assert_type
from yarl import URL

from aiohttp.abc import AbstractCookieJar
from aiohttp.cookiejar import CookieJar, DummyCookieJar

jar: AbstractCookieJar = CookieJar()
dummy: AbstractCookieJar = DummyCookieJar()

real = CookieJar(unsafe=True, quote_cookie=False, treat_as_secure_origin="http://127.0.0.1")
CookieJar(treat_as_secure_origin=[URL("http://a.test"), "http://b.test"])
assert_type(real.quote_cookie, bool)
assert_type(real.unsafe, bool)
assert_type(len(real), int)
assert_type(iter(real), Iterator["Morsel[str]"])
assert_type(real.filter_cookies(URL("http://a.test/")), BaseCookie[str])
assert_type(dummy.filter_cookies(URL("http://a.test/")), BaseCookie[str])

real.update_cookies({"a": "1"})
real.update_cookies([("a", "1")], URL("http://a.test/"))
real.update_cookies(SimpleCookie("a=1"))
real.update_cookies_from_headers(["a=1; Path=/"], URL("http://a.test/"))
real.clear(lambda morsel: morsel.key == "a")
real.clear_domain("a.test")
real.save("cookies.json")
real.load("cookies.json")

# Misuse.
CookieJar(True)  # type: ignore[call-arg]  # options are keyword-only
CookieJar(unsafe="yes")  # type: ignore[arg-type]  # a bool, not a string
CookieJar(treat_as_secure_origin=42)  # type: ignore[arg-type]  # URLs only
real.filter_cookies("http://a.test/")  # type: ignore[arg-type]  # a URL, not a str
real.update_cookies({"a": 1})  # type: ignore[arg-type]  # values are str/Morsel/BaseCookie
real.clear(lambda morsel: morsel)  # type: ignore[arg-type, return-value]  # predicate returns bool
real.quote_cookie = False  # type: ignore[misc]  # read-only property
