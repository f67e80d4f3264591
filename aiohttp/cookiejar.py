"""Client cookie storage: :class:`CookieJar` (RFC 6265) and :class:`DummyCookieJar`.

This module is the public face of the jar: option handling (``unsafe``, ``quote_cookie``,
``treat_as_secure_origin``), turning the loose inputs of ``update_cookies`` into parsed
cookies, building the ``BaseCookie`` that ``filter_cookies`` returns, and file persistence.
The rules live in private modules: ``_cookie_parse`` (Set-Cookie and date syntax),
``_cookie_store`` (the storage model, matching, expiry and size limits) and ``_cookie_file``
(the JSON file format).
"""

from __future__ import annotations

import asyncio
import re
import time
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from http.cookies import BaseCookie, Morsel, SimpleCookie
from typing import ClassVar, Optional, Union

from yarl import URL

from . import _cookie_file, _cookie_parse
from ._cookie_parse import (
    CookieMorsel,
    ParsedCookie,
    check_cookie_text,
    cookie_from_morsel,
    cookie_from_value,
    parse_set_cookie,
)
from ._cookie_store import CookieStore, canonical_domain, domain_match
from .abc import AbstractCookieJar, ClearCookiePredicate
from .helpers import is_ip_address
from .typedefs import LooseCookies, PathLike, StrOrURL

__all__ = ("CookieJar", "DummyCookieJar")

# The wall clock, read through this name so tests can substitute a controllable one.
# Wall time (not the loop's monotonic time) because Expires is an absolute date.
_now = time.time

_SECURE_SCHEMES = frozenset(("https", "wss"))
_EMPTY_URL = URL()  # immutable, so a shared default is safe


class CookieJar(AbstractCookieJar):
    """Cookie storage that follows RFC 6265 (section 5: the user-agent rules).

    :param unsafe: accept and send cookies for hosts that are IP addresses.
    :param quote_cookie: send values as received or as ``SimpleCookie`` quotes them
        (``True``), or send the unquoted value (``False``, for servers that do not
        understand quoted values).
    :param treat_as_secure_origin: origins (``str``, ``URL`` or a list of them) that get
        ``Secure`` cookies even over plain ``http``/``ws``, e.g. ``http://127.0.0.1:8080``.
    :param loop: accepted for compatibility; the jar needs no event loop.

    Expired cookies are dropped lazily, on the next use of the jar, rather than by
    event-loop timers. At most 180 cookies are kept per domain and 3000 overall; past that
    the oldest is evicted. :meth:`save` writes JSON, not the pickle of aiohttp 3.13.
    """

    # The RFC 6265 5.1.1 date grammar, exposed under the names aiohttp 3.13 used.
    DATE_TOKENS_RE: ClassVar[re.Pattern[str]] = _cookie_parse.DATE_TOKENS_RE
    DATE_HMS_TIME_RE: ClassVar[re.Pattern[str]] = _cookie_parse.DATE_HMS_TIME_RE
    DATE_DAY_OF_MONTH_RE: ClassVar[re.Pattern[str]] = _cookie_parse.DATE_DAY_OF_MONTH_RE
    DATE_MONTH_RE: ClassVar[re.Pattern[str]] = _cookie_parse.DATE_MONTH_RE
    DATE_YEAR_RE: ClassVar[re.Pattern[str]] = _cookie_parse.DATE_YEAR_RE
    #: The latest expiry time (POSIX seconds) a cookie can have: 9999-12-31T23:59:59Z.
    MAX_TIME: ClassVar[int] = _cookie_parse.MAX_TIME
    SUB_MAX_TIME: ClassVar[int] = _cookie_parse.MAX_TIME - 1

    def __init__(
        self,
        *,
        unsafe: bool = False,
        quote_cookie: bool = True,
        treat_as_secure_origin: Union[StrOrURL, list[StrOrURL], None] = None,
        loop: Optional[asyncio.AbstractEventLoop] = None,
    ) -> None:
        super().__init__(loop=loop)
        self._unsafe = unsafe
        self._quote_cookie = quote_cookie
        self._secure_origins = _normalise_origins(treat_as_secure_origin)
        self._store = CookieStore()

    @property
    def unsafe(self) -> bool:
        """Whether cookies of IP-address hosts are accepted and sent."""
        return self._unsafe

    @property
    def quote_cookie(self) -> bool:
        """Whether :meth:`filter_cookies` sends quoted (coded) values."""
        return self._quote_cookie

    def __iter__(self) -> Iterator[Morsel[str]]:
        """Every stored, unexpired cookie, oldest first (a snapshot)."""
        self._store.expire(_now())
        return iter([entry.morsel for entry in self._store])

    def __len__(self) -> int:
        """The number of stored, unexpired cookies."""
        self._store.expire(_now())
        return len(self._store)

    def clear(self, predicate: Optional[ClearCookiePredicate] = None) -> None:
        """Remove every cookie, or those whose morsel ``predicate`` returns true for."""
        if predicate is None:
            self._store.clear()
            return
        self._store.expire(_now())
        self._store.remove_where(lambda entry: predicate(entry.morsel))

    def clear_domain(self, domain: str) -> None:
        """Remove the cookies stored for ``domain`` and for its subdomains."""
        canonical = canonical_domain(domain)
        if canonical is not None:
            self._store.remove_where(lambda entry: domain_match(entry.domain, canonical))

    def _response_host(self, response_url: URL) -> tuple[bool, str | None]:
        # (accepted, host): cookies from IP hosts are refused unless the jar is unsafe.
        host = response_url.raw_host
        if host is not None and not self._unsafe and is_ip_address(host):
            return (False, None)
        return (True, host)

    def update_cookies(self, cookies: LooseCookies, response_url: URL = _EMPTY_URL) -> None:
        """Store ``cookies`` as if received in a response from ``response_url``.

        Values may be strings, ``Morsel`` objects (whose attributes count like Set-Cookie
        attributes) or ``BaseCookie`` objects (all their morsels are added). Without a
        ``response_url`` (the default) a cookie without a Domain attribute is *shared*:
        sent to every host. Cookies the RFC 6265 rules refuse for ``response_url`` are
        dropped silently; a name or value that could not be sent in a ``Cookie`` header
        (empty name, control characters) raises ``ValueError`` and stores nothing.
        """
        accepted, host = self._response_host(response_url)
        if not accepted:
            return
        now = _now()
        parsed = [_to_parsed(name, value, now) for name, value in _flatten(cookies)]
        for cookie in parsed:
            problem = check_cookie_text(cookie.name, cookie.value, cookie.coded_value)
            if problem is not None:
                raise ValueError(problem)
        self._store.expire(now)
        for cookie in parsed:
            self._store.add(cookie, host, response_url.raw_path, now)

    def update_cookies_from_headers(self, headers: Sequence[str], response_url: URL) -> None:
        """Store the cookies of raw ``Set-Cookie`` values received from ``response_url``.

        Each value is parsed with the lenient algorithm of RFC 6265 section 5.2, which
        accepts what browsers accept; a value that yields no cookie is skipped. Passing a
        single ``str`` instead of a sequence raises ``TypeError``.
        """
        if isinstance(headers, str):  # a str is a Sequence[str] of one-character "headers"
            raise TypeError("headers must be a sequence of Set-Cookie values, not a str")
        if not headers:
            return  # nothing to store (expiring is left to whoever reads the jar next)
        accepted, host = self._response_host(response_url)
        if not accepted:
            return
        now = _now()
        self._store.expire(now)
        for header in headers:
            if (cookie := parse_set_cookie(header)) is not None:
                self._store.add(cookie, host, response_url.raw_path, now)

    def _is_empty(self) -> bool:
        """True when the jar holds no cookie at all (expired ones included)."""
        return not self._store._all  # len(self._store) without its Python-level call

    def filter_cookies(self, request_url: URL = _EMPTY_URL) -> BaseCookie[str]:
        """The cookies to send with a request to ``request_url``, as bare morsels.

        Domain, path and ``Secure`` rules apply; shared cookies go to every host. If two
        matching cookies share a name the one with the longer path (then the more specific
        domain, then the older one) wins, and the order is RFC 6265 5.4's: longest path
        first. The morsels carry no attributes, so ``output()`` renders a ``Cookie`` value.
        A ``str`` is still accepted at run time, with a ``DeprecationWarning``, as in 3.13.
        """
        given: object = request_url
        if not isinstance(given, URL):
            warnings.warn(
                f"filter_cookies() expects a yarl.URL, got {type(given).__name__}",
                DeprecationWarning,
                stacklevel=2,
            )
            request_url = URL(str(given))
        filtered: BaseCookie[str] = SimpleCookie() if self._quote_cookie else BaseCookie()
        store = self._store
        if not len(store):
            return filtered  # an empty jar has nothing to expire either
        store.expire(_now())
        if not len(store):
            return filtered
        host = request_url.raw_host
        if host is not None and not self._unsafe and is_ip_address(host):
            host = None  # only shared cookies for an IP host
        path = request_url.raw_path if request_url.raw_path.startswith("/") else "/"
        for entry in self._store.matching(host, path, self._is_secure(request_url)):
            name = entry.morsel.key or ""
            if name in filtered:
                continue
            value = entry.morsel.value or ""
            coded = (entry.morsel.coded_value or "") if self._quote_cookie else value
            morsel = CookieMorsel()
            morsel.set_raw(name, value, coded)
            filtered[name] = morsel
        return filtered

    def _is_secure(self, request_url: URL) -> bool:
        if request_url.scheme in _SECURE_SCHEMES:
            return True
        if not self._secure_origins or not request_url.absolute:
            return False
        return request_url.origin() in self._secure_origins

    def save(self, file_path: PathLike) -> None:
        """Write the unexpired cookies to ``file_path`` as JSON (mode 0600).

        aiohttp 3.13 writes a pickle; JSON is used instead because loading a pickle runs
        code chosen by whoever wrote the file.
        """
        self._store.expire(_now())
        _cookie_file.save(file_path, self._store)

    def load(self, file_path: PathLike) -> None:
        """Replace the jar's content with the cookies saved in ``file_path``.

        Raises ``ValueError`` if the file is not one :meth:`save` wrote (a 3.13 pickle is
        refused, with a message saying so) and ``OSError`` if it cannot be read; the jar is
        unchanged then. Cookies that expired since saving are skipped.
        """
        entries = _cookie_file.load(file_path, _now())
        self._store.clear()
        for entry in entries:
            self._store.restore(entry)


class DummyCookieJar(AbstractCookieJar):
    """A jar that stores nothing: a session using it sends no cookies it was given."""

    def __init__(self, *, loop: Optional[asyncio.AbstractEventLoop] = None) -> None:
        super().__init__(loop=loop)

    def __iter__(self) -> Iterator[Morsel[str]]:
        return iter(())

    def __len__(self) -> int:
        return 0

    @property
    def quote_cookie(self) -> bool:
        """Always true, like aiohttp 3.13's dummy jar."""
        return True

    def clear(self, predicate: Optional[ClearCookiePredicate] = None) -> None:
        """Nothing to remove."""

    def clear_domain(self, domain: str) -> None:
        """Nothing to remove."""

    def update_cookies(self, cookies: LooseCookies, response_url: URL = _EMPTY_URL) -> None:
        """Discard ``cookies``."""

    def update_cookies_from_headers(self, headers: Sequence[str], response_url: URL) -> None:
        """Discard the headers' cookies."""

    def filter_cookies(self, request_url: URL) -> BaseCookie[str]:
        """An empty cookie set."""
        return SimpleCookie()


def _normalise_origins(value: Union[StrOrURL, list[StrOrURL], None]) -> frozenset[URL]:
    if value is None:
        return frozenset()
    items: list[StrOrURL] = [value] if isinstance(value, (str, URL)) else list(value)
    origins = set()
    for item in items:
        url = URL(item) if isinstance(item, str) else item
        if not url.absolute or url.raw_host is None:
            raise ValueError(f"treat_as_secure_origin needs absolute URLs, got {item!r}")
        origins.add(url.origin())
    return frozenset(origins)


def _flatten(
    cookies: LooseCookies,
) -> Iterator[tuple[str, Union[str, Morsel[str]]]]:
    items: Iterable[tuple[str, Union[str, BaseCookie[str], Morsel[str]]]] = (
        cookies.items() if isinstance(cookies, Mapping) else cookies
    )
    for name, value in items:
        if isinstance(value, BaseCookie):
            yield from value.items()
        else:
            yield (name, value)


def _to_parsed(name: str, value: Union[str, Morsel[str]], now: float) -> ParsedCookie:
    if isinstance(value, Morsel):
        return cookie_from_morsel(name, value, now)
    return cookie_from_value(name, value)
