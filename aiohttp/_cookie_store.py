"""The cookie storage model of RFC 6265 section 5.3 and the matching of section 5.4.

:class:`CookieStore` decides whether a :class:`~aiohttp._cookie_parse.ParsedCookie` is
accepted for a response host (domain matching, host-only versus domain cookies, the bare-TLD
rule that stands in for a public-suffix list), stores it, and answers which cookies match a
request host and path. It takes the current time as an argument and never reads a clock.

Expiry is lazy: every cookie with an expiry time also sits in a min-heap, and each operation
first pops the entries that are due, so the cost is O(log n) per expired cookie and nothing
runs when the jar is idle (no event-loop timers, so a jar works without a running loop).
Heap entries for replaced or deleted cookies are skipped when popped, and the heap is rebuilt
once it holds more than twice as many entries as the store, which keeps it O(n).

Size is bounded the way browsers bound it: at most ``max_per_domain`` cookies per domain key
and ``max_cookies`` overall; past either limit the oldest cookie (by creation) is evicted.
Entries are kept in insertion-ordered dicts, and replacing a cookie keeps its position and
creation number, so "oldest" is the first key and costs O(1).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final

from ._cookie_parse import MAX_TIME, CookieMorsel, ParsedCookie
from .helpers import is_ip_address

# (domain, path, name): the identity of a stored cookie (RFC 6265 5.3 step 11).
CookieKey = tuple[str, str, str]

MAX_COOKIES: Final = 3000
MAX_COOKIES_PER_DOMAIN: Final = 180
_HEAP_SLACK: Final = 64


@dataclass(slots=True)
class StoredCookie:
    """A cookie in the store: the morsel users see plus the storage-model fields."""

    morsel: CookieMorsel
    domain: str  # "" for a shared cookie (stored without a response URL)
    path: str
    host_only: bool
    expires_at: float | None  # POSIX time; None for a session cookie
    created: int

    @property
    def key(self) -> CookieKey:
        return (self.domain, self.path, self.morsel.key or "")


def domain_match(host: str, domain: str) -> bool:
    """RFC 6265 5.1.3: ``host`` equals ``domain`` or is a subdomain of it (not for IPs)."""
    if host == domain:
        return True
    return host.endswith(domain) and host[-len(domain) - 1] == "." and not is_ip_address(host)


def default_path(request_path: str) -> str:
    """RFC 6265 5.1.4: the directory of the request path."""
    if not request_path.startswith("/"):
        return "/"
    cut = request_path.rfind("/")
    return request_path[:cut] if cut > 0 else "/"


def path_match(request_path: str, cookie_path: str) -> bool:
    """RFC 6265 5.1.4: ``cookie_path`` is ``request_path`` or a directory prefix of it."""
    if not request_path.startswith(cookie_path):
        return False
    return (
        len(request_path) == len(cookie_path)
        or cookie_path.endswith("/")
        or request_path[len(cookie_path)] == "/"
    )


def canonical_domain(domain: str) -> str | None:
    """Lowercase, no leading dot, IDNA for non-ASCII labels; None if it cannot be encoded."""
    domain = domain.lstrip(".").lower()
    if domain.isascii():
        return domain
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None


def _candidate_domains(host: str) -> list[str]:
    # The host and every parent domain: the only keys whose cookies can match the host.
    if is_ip_address(host):
        return [host]
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels))]


class CookieStore:
    """Cookies by (domain, path, name), with lazy expiry and size limits."""

    def __init__(
        self, *, max_cookies: int = MAX_COOKIES, max_per_domain: int = MAX_COOKIES_PER_DOMAIN
    ) -> None:
        self._max_cookies = max_cookies
        self._max_per_domain = max_per_domain
        self._all: dict[CookieKey, StoredCookie] = {}
        self._by_domain: dict[str, dict[CookieKey, StoredCookie]] = {}
        self._expiry_heap: list[tuple[float, CookieKey]] = []
        self._next_created = 0

    def __len__(self) -> int:
        return len(self._all)

    def __iter__(self) -> Iterator[StoredCookie]:
        return iter(list(self._all.values()))

    def add(self, cookie: ParsedCookie, host: str | None, request_path: str, now: float) -> bool:
        """Apply RFC 6265 5.3 to a cookie received from ``host``; True if it was stored.

        ``host`` is None for cookies the application sets itself: those may name any Domain
        and, without one, become shared cookies sent to every host. A cookie that arrives
        already expired deletes the stored cookie with the same identity.
        """
        placed = self._place(cookie, host)
        if placed is None:
            return False
        domain, host_only = placed
        path = cookie.path if cookie.path is not None else default_path(request_path)
        key = (domain, path, cookie.name)
        expires_at: float | None = None
        if cookie.max_age is not None:
            # Clamped first: an int too large for a float would raise OverflowError.
            expires_at = now + min(cookie.max_age, MAX_TIME) if cookie.max_age > 0 else now
        elif cookie.expires is not None:
            expires_at = cookie.expires
        if expires_at is not None:
            if expires_at <= now:
                self._remove(key)
                return False
            expires_at = min(expires_at, float(MAX_TIME))
        old = self._all.get(key)
        if old is None:
            self._make_room(domain, now)
            created = self._next_created
            self._next_created += 1
        else:
            created = old.created
        morsel = stored_morsel(cookie, domain, path)
        self._put(StoredCookie(morsel, domain, path, host_only, expires_at, created))
        return True

    def _place(self, cookie: ParsedCookie, host: str | None) -> tuple[str, bool] | None:
        # RFC 6265 5.3 steps 5-6: the domain key and host-only flag, or None to reject.
        domain = canonical_domain(cookie.domain) if cookie.domain is not None else ""
        if domain is None:
            return None
        if host is None:
            return (domain, False)
        if not domain:
            return (host, True)
        if "." not in domain:
            # No public-suffix list: a single label (a TLD such as "com") may only name
            # the host itself, and then the cookie becomes host-only (5.3 step 5).
            return (host, True) if domain == host else None
        if not domain_match(host, domain):
            return None
        return (domain, False)

    def _put(self, entry: StoredCookie) -> None:
        key = entry.key
        self._all[key] = entry
        self._by_domain.setdefault(entry.domain, {})[key] = entry
        if entry.expires_at is not None:
            heapq.heappush(self._expiry_heap, (entry.expires_at, key))
            if len(self._expiry_heap) > 2 * len(self._all) + _HEAP_SLACK:
                self._rebuild_heap()

    def _make_room(self, domain: str, now: float) -> None:
        in_domain = self._by_domain.get(domain)
        if in_domain is not None and len(in_domain) >= self._max_per_domain:
            self.expire(now)
            if len(in_domain) >= self._max_per_domain:
                self._remove(next(iter(in_domain)))
        if len(self._all) >= self._max_cookies:
            self.expire(now)
            if len(self._all) >= self._max_cookies:
                self._remove(next(iter(self._all)))

    def _remove(self, key: CookieKey) -> None:
        if self._all.pop(key, None) is None:
            return
        in_domain = self._by_domain[key[0]]
        del in_domain[key]
        if not in_domain:
            del self._by_domain[key[0]]

    def _rebuild_heap(self) -> None:
        self._expiry_heap = [
            (e.expires_at, k) for k, e in self._all.items() if e.expires_at is not None
        ]
        heapq.heapify(self._expiry_heap)

    def expire(self, now: float) -> None:
        """Drop every cookie whose expiry time is at or before ``now``."""
        heap = self._expiry_heap
        while heap and heap[0][0] <= now:
            when, key = heapq.heappop(heap)
            entry = self._all.get(key)
            # A stale heap entry belongs to a cookie since replaced or deleted.
            if entry is not None and entry.expires_at == when:
                self._remove(key)

    def matching(self, host: str | None, request_path: str, secure: bool) -> list[StoredCookie]:
        """Cookies to send to ``host`` for ``request_path``, in RFC 6265 5.4 order.

        Longer paths come first, then longer (more specific) domains, then older cookies.
        With ``host`` None only shared cookies are considered. Secure cookies are left out
        unless ``secure``.
        """
        domains = [""] if host is None else ["", *_candidate_domains(host)]
        found: list[StoredCookie] = []
        for domain in domains:
            for entry in self._by_domain.get(domain, {}).values():
                if entry.host_only and entry.domain != host:
                    continue
                if entry.morsel["secure"] and not secure:
                    continue
                if path_match(request_path, entry.path):
                    found.append(entry)
        found.sort(key=lambda e: (-len(e.path), -len(e.domain), e.created))
        return found

    def remove_where(self, predicate: Callable[[StoredCookie], bool]) -> None:
        """Delete every stored cookie for which ``predicate`` is true."""
        for key in [k for k, e in self._all.items() if predicate(e)]:
            self._remove(key)

    def clear(self) -> None:
        """Delete everything."""
        self._all.clear()
        self._by_domain.clear()
        self._expiry_heap.clear()

    def restore(self, entry: StoredCookie) -> None:
        """Insert a cookie loaded from a file, as the newest one, within the size limits."""
        old = self._all.get(entry.key)
        if old is None:
            self._make_room(entry.domain, float("-inf"))
            entry.created = self._next_created
            self._next_created += 1
        else:
            entry.created = old.created
        self._put(entry)


def stored_morsel(cookie: ParsedCookie, domain: str, path: str) -> CookieMorsel:
    morsel = CookieMorsel()
    morsel.set_raw(cookie.name, cookie.value, cookie.coded_value)
    morsel["domain"] = domain
    morsel["path"] = path
    if cookie.raw_expires:
        morsel["expires"] = cookie.raw_expires
    if cookie.raw_max_age:
        morsel["max-age"] = cookie.raw_max_age
    if cookie.samesite:
        morsel["samesite"] = cookie.samesite
    for flag, on in (
        ("secure", cookie.secure),
        ("httponly", cookie.httponly),
        ("partitioned", cookie.partitioned),
    ):
        if on:
            morsel[flag] = True
    return morsel
