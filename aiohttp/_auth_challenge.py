"""Parsing ``WWW-Authenticate`` challenges (RFC 9110 section 11.6.1).

A header value holds one or more challenges, each an auth scheme followed by either a
comma-separated list of ``name=value`` parameters (the value a token or a quoted string with
backslash escapes) or a single ``token68``. Commas separate both parameters and challenges, so
a new challenge is recognised by a token that is not followed by ``=``. Parameter names are
case-insensitive and returned lower-cased; scheme names are returned lower-cased too. The
parser is lenient about whitespace and empty list elements and never raises: malformed input
yields fewer parameters, and the caller decides whether what it needs is there.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple

_TOKEN: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_TOKEN68: Final = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
_OWS: Final = re.compile(r"[ \t]*")
_QUOTED: Final = re.compile(r'"((?:[^"\\]|\\.)*)"', re.DOTALL)
_ESCAPE: Final = re.compile(r"\\(.)", re.DOTALL)


class Challenge(NamedTuple):
    """One challenge: the lower-cased scheme, its parameters, and its token68 (or ``""``)."""

    scheme: str
    params: dict[str, str]
    token68: str


class _Scanner:
    __slots__ = ("pos", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def skip(self, pattern: re.Pattern[str] = _OWS) -> None:
        match = pattern.match(self.text, self.pos)
        if match is not None:
            self.pos = match.end()

    def skip_separators(self) -> None:
        while True:
            self.skip()
            if self.peek() != ",":
                return
            self.pos += 1

    def peek(self) -> str:
        return self.text[self.pos : self.pos + 1]

    def take(self, pattern: re.Pattern[str]) -> str | None:
        match = pattern.match(self.text, self.pos)
        if match is None:
            return None
        self.pos = match.end()
        return match.group(0)

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def skip_element(self) -> None:
        """Skip to the next top-level comma (a quoted string may hold commas)."""
        while not self.at_end():
            char = self.peek()
            if char == ",":
                return
            if char == '"':
                if self.take(_QUOTED) is None:
                    self.pos = len(self.text)
                continue
            self.pos += 1


def _param(scanner: _Scanner) -> tuple[str, str] | None:
    """``name = value`` at the scanner (consumed), or ``None`` with nothing consumed."""
    start = scanner.pos
    name = scanner.take(_TOKEN)
    if name is None:
        return None
    scanner.skip()
    if scanner.peek() != "=":
        scanner.pos = start
        return None
    scanner.pos += 1
    scanner.skip()
    quoted = scanner.take(_QUOTED)
    if quoted is not None:
        return name.lower(), _ESCAPE.sub(r"\1", quoted[1:-1])
    value = scanner.take(_TOKEN)
    if value is None:
        scanner.pos = start
        return None
    return name.lower(), value


def parse_challenges(header: str) -> list[Challenge]:
    """Every challenge in one ``WWW-Authenticate`` (or ``Proxy-Authenticate``) value."""
    scanner = _Scanner(header)
    challenges: list[Challenge] = []
    while True:
        scanner.skip_separators()
        if scanner.at_end():
            return challenges
        scheme = scanner.take(_TOKEN)
        if scheme is None:
            scanner.skip_element()
            continue
        params: dict[str, str] = {}
        token68 = ""
        scanner.skip()
        pair = _param(scanner)
        if pair is None and scanner.peek() not in ("", ","):
            start = scanner.pos
            candidate = scanner.take(_TOKEN68)
            scanner.skip()
            if candidate is not None and scanner.peek() in ("", ","):
                token68 = candidate
            else:
                scanner.pos = start
                scanner.skip_element()
        while pair is not None:
            params.setdefault(pair[0], pair[1])
            scanner.skip()
            if scanner.peek() not in ("", ","):
                scanner.skip_element()  # junk after a parameter: drop it
            if scanner.at_end():
                break
            scanner.skip_separators()
            pair = _param(scanner)
        challenges.append(Challenge(scheme.lower(), params, token68))


def find_challenge(headers: list[str], scheme: str) -> Challenge | None:
    """The first challenge for ``scheme`` (case-insensitive) in the header values."""
    wanted = scheme.lower()
    for value in headers:
        for challenge in parse_challenges(value):
            if challenge.scheme == wanted:
                return challenge
    return None
