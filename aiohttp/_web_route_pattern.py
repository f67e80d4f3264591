"""Route path templates: parsing, matching and URL building for the URL dispatcher.

A route path such as ``/users/{name}/posts/{id:\\d+}`` is split once, when the route is
added, into literal pieces and variables.  Matching runs against a request path in the form
:attr:`yarl.URL.path_safe` gives (every escape decoded except ``%2F`` and ``%25``), so a
variable never spans an encoded slash unless its regex allows ``/``; matched values are then
fully unquoted.  Literal pieces of the template are normalised to that same form, so a route
written with ``%20`` or with a space, with ``%C3%BC`` or with ``ü``, matches the same
requests.  URLs are built from a formatter whose literal parts are percent-encoded.

This module also owns the checks on route names and paths, and the key under which the
dispatcher indexes a resource (its literal prefix, cut at a ``/``).
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from typing import Final, Union
from urllib.parse import quote, unquote

from yarl import URL

#: ``{name}``: a variable matching one path segment.
VAR_RE: Final = re.compile(r"\{(?P<var>[_a-zA-Z][_a-zA-Z0-9]*)\}")
#: ``{name:regex}``: a variable matching ``regex``.
VAR_WITH_RE_RE: Final = re.compile(r"\{(?P<var>[_a-zA-Z][_a-zA-Z0-9]*):(?P<re>.+)\}")
#: What ``{name}`` matches: one non-empty segment.
DEFAULT_VAR_PATTERN: Final = "[^{}/]+"
#: Separators of the parts of a route name (``api.users:list-all``).
NAME_SPLIT_RE: Final = re.compile(r"[.:-]")

# Characters kept as they are when a literal piece or a variable value is put into a URL
# path: RFC 3986 sub-delims plus ":" "@" "/" (unreserved characters are always kept).
_PATH_SAFE: Final = "/:@!$&'()*+,;="
# The escapes yarl's path_safe keeps encoded, so that they stay distinguishable.
_KEPT_ESCAPES_RE: Final = re.compile(r"(%2[Ff]|%25)")

#: One piece of a template: literal text, or a variable ``(name, regex)``.
Token = Union[str, tuple[str, str]]


def decode_path(path: str) -> str:
    """Put a route path written by a user into the form requests are matched in.

    Percent-escapes are decoded (as UTF-8) except ``%2F`` and ``%25``, which are kept
    (upper-cased) exactly as :attr:`yarl.URL.path_safe` keeps them.
    """
    if "%" not in path:
        return path
    pieces = _KEPT_ESCAPES_RE.split(path)
    return "".join(p.upper() if i % 2 else unquote(p) for i, p in enumerate(pieces))


def encode_path(decoded: str) -> str:
    """Percent-encode a path in :func:`decode_path` form for use in a URL (``%`` is kept,
    as the only escapes left in that form are ``%2F`` and ``%25``)."""
    return quote(decoded, safe=_PATH_SAFE + "%")


def quote_part(value: str) -> str:
    """Percent-encode a value given to ``url_for()`` for a variable (``/`` is kept, so that
    values of ``{tail:.*}``-style variables can hold several segments)."""
    return quote(value, safe=_PATH_SAFE)


def check_route_name(name: str) -> None:
    """Raise :class:`ValueError` unless ``name`` is identifiers joined by ``.``, ``:``
    or ``-`` (none a Python keyword)."""
    for part in NAME_SPLIT_RE.split(name):
        if not part.isidentifier():
            raise ValueError(
                f"Incorrect route name {name!r}, the name should be a sequence of python "
                "identifiers separated by dash, dot or column"
            )
        if keyword.iskeyword(part):
            raise ValueError(
                f"Incorrect route name {name!r}, python keywords cannot be used for route name"
            )


def check_path(path: str) -> None:
    """Raise :class:`ValueError` unless ``path`` is empty or starts with ``/``."""
    if path and not path.startswith("/"):
        raise ValueError("path should be started with / or be empty")


def is_template(path: str) -> bool:
    """True when ``path`` holds a ``{variable}`` (or a stray brace, which parsing refuses)."""
    return "{" in path or "}" in path


def tokenize(path: str) -> tuple[Token, ...]:
    """Split a route template into literal text and ``(name, regex)`` variables.

    Braces inside a variable's regex nest (``{id:\\d{2,4}}``) and may be escaped with a
    backslash.  Unbalanced braces and variables without a valid name raise
    :class:`ValueError`.
    """
    tokens: list[Token] = []
    pos = 0
    size = len(path)
    while pos < size:
        start = path.find("{", pos)
        close = path.find("}", pos)
        if close != -1 and (start == -1 or close < start):
            raise ValueError(f"Invalid path {path!r}: unbalanced '}}' at {close}")
        if start == -1:
            tokens.append(path[pos:])
            break
        if start > pos:
            tokens.append(path[pos:start])
        end = _closing_brace(path, start)
        body = path[start : end + 1]
        match = VAR_RE.fullmatch(body) or VAR_WITH_RE_RE.fullmatch(body)
        if match is None:
            raise ValueError(f"Invalid path {path!r}: bad variable {body!r}")
        regex = match.groupdict().get("re") or DEFAULT_VAR_PATTERN
        tokens.append((match["var"], regex))
        pos = end + 1
    return tuple(tokens)


def _closing_brace(path: str, start: int) -> int:
    depth = 0
    pos = start
    while pos < len(path):
        char = path[pos]
        if char == "\\":
            pos += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return pos
        pos += 1
    raise ValueError(f"Invalid path {path!r}: unbalanced '{{' at {start}")


@dataclass(frozen=True)
class RoutePattern:
    """A compiled route template (see the module docstring)."""

    tokens: tuple[Token, ...]
    #: Matches a whole request path in ``path_safe`` form.
    regex: re.Pattern[str]
    #: The URL-encoded template with ``{name}`` slots (``DynamicResource`` ``formatter``).
    formatter: str
    #: The dispatcher's index key: the literal prefix, cut at its last ``/``.
    index_key: str

    @classmethod
    def compile(cls, tokens: tuple[Token, ...]) -> RoutePattern:
        """Build a pattern; a regex that does not compile raises :class:`ValueError`."""
        regex_parts: list[str] = []
        formatter_parts: list[str] = []
        for token in tokens:
            if isinstance(token, str):
                decoded = decode_path(token)
                regex_parts.append(re.escape(decoded))
                formatter_parts.append(encode_path(decoded))
            else:
                name, regex = token
                regex_parts.append(f"(?P<{name}>{regex})")
                formatter_parts.append("{" + name + "}")
        pattern = "".join(regex_parts)
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"Bad pattern {pattern!r}: {exc}") from None
        literal = ""
        for token in tokens:
            if not isinstance(token, str):
                break
            literal += token
        key = decode_path(literal).rpartition("/")[0] or "/"
        return cls(tokens, compiled, "".join(formatter_parts), key)

    def with_prefix(self, prefix: str) -> RoutePattern:
        """The same template under the literal path ``prefix``."""
        return RoutePattern.compile((prefix, *self.tokens))

    def match(self, path: str) -> dict[str, str] | None:
        """The unquoted variable values if ``path`` (``path_safe`` form) matches, else None."""
        found = self.regex.fullmatch(path)
        if found is None:
            return None
        return {name: unquote(value) for name, value in found.groupdict().items()}

    def url_for(self, parts: dict[str, str]) -> URL:
        """Fill the template with ``parts`` (percent-encoded); a missing one raises
        :class:`KeyError`."""
        quoted = {name: quote_part(value) for name, value in parts.items()}
        return URL.build(path=self.formatter.format_map(quoted), encoded=True)


def check_prefix(prefix: str) -> None:
    """Raise :class:`ValueError` unless ``prefix`` can be put in front of route paths."""
    if not prefix.startswith("/") or prefix.endswith("/") or len(prefix) < 2:
        raise ValueError(f"Invalid prefix {prefix!r}: it must start with '/' and not end with it")
