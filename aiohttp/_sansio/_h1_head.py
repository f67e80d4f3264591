"""Message heads: field sections, request targets and the head objects both engines emit.

``parse_fields`` turns a CRLF-terminated block of field lines into ``(name, value)`` byte
pairs with one regex pass (the common case) and falls back to the line validators of
:mod:`._h1_grammar` to raise the first error in line order.  ``scan_partial`` checks an
unfinished head as far as it has arrived, so limits and grammar errors surface before the
blank line does.  ``build_request`` / ``build_response`` decode the pieces, build the
``yarl.URL`` and apply :mod:`._h1_framing`; the httptools engine calls them too, which
keeps the two engines' heads identical.

Response heads have a faster way in: ``status_of`` and ``parse_fields_decoded`` parse a
status line and each field line once and keep the result (decoded, the name as an
``istr``) in small bounded caches keyed by the raw line, since a server repeats most of
its lines byte for byte; they only accept what the strict grammar accepts, and return
``None`` for anything else so the caller takes the general way (which names the error).
"""

from __future__ import annotations

import re
from typing import Final, Optional, Union

from multidict import CIMultiDict, CIMultiDictProxy, istr
from yarl import URL

from ..http_exceptions import BadHttpMessage, InvalidURLError
from . import _h1_grammar as g
from ._h1_framing import Semantics, request_semantics, response_semantics
from ._messages import HttpVersion, RawRequestMessage, RawResponseMessage

Pairs = list[tuple[bytes, bytes]]
Buffer = Union[bytes, bytearray]

_VERSIONS: Final = {b"1": HttpVersion(1, 1), b"0": HttpVersion(1, 0)}
_METHODS: Final = {
    m.encode(): m
    for m in ("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT", "TRACE")
}
_AUTHORITY_FORM: Final = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[^:/?#@\[\]]+):[0-9]+")
_ABSOLUTE_FORM: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")


def version_of(minor: bytes) -> HttpVersion:
    """The ``HttpVersion`` for ``HTTP/1.<minor>``."""
    return _VERSIONS.get(minor) or HttpVersion(1, int(minor))


def method_of(raw: bytes) -> str:
    """Decode a (validated token) method, sharing the common strings."""
    return _METHODS.get(raw) or raw.decode("ascii")


def parse_fields(
    buf: Buffer, start: int, end: int, max_fields: int, max_size: int, what: str = "header"
) -> Pairs:
    """Parse the field lines ``buf[start:end]`` (each ending in CRLF) of a strict head."""
    lines = buf.count(b"\n", start, end)
    if lines <= max_fields and (
        end - start <= max_size + 2 or _longest_line(buf, start, end) <= max_size
    ):
        pairs: Pairs = g.FIELD_LINES_TRIMMED.findall(buf, start, end)
        if len(pairs) == lines:
            return pairs
        # some line ends in OWS (or is invalid)
        pairs = g.FIELD_LINES.findall(buf, start, end)
        if len(pairs) == lines:
            return [(n, v.rstrip(b" \t")) for n, v in pairs]
    _check_lines(buf, start, end, max_fields, max_size, what)
    raise AssertionError("unreachable: fast field parse and line checks disagree")


TextPairs = list[tuple[str, str]]
_Field = tuple[tuple[bytes, bytes], tuple[str, str]]
# Field lines seen before, parsed and decoded: the responses of a server repeat most of
# their header lines byte for byte (Server, Content-Type, Connection ...).  Bounded: short
# lines only, and emptied when full.
_FIELD_CACHE: dict[bytes, _Field] = {}
_FIELD_CACHE_SIZE: Final = 512
_FIELD_CACHE_LINE: Final = 256


def parse_fields_decoded(
    buf: Buffer, start: int, end: int, max_fields: int, max_size: int
) -> Optional[tuple[Pairs, TextPairs]]:
    """:func:`parse_fields` of a header block, with the pairs decoded as ``decode_fields``
    would (the fast path of response heads); ``None`` when a line is not plainly valid or
    a limit is passed, for the caller to use :func:`parse_fields` (which names the error)."""
    lines = bytes(buf[start : end - 2]).split(b"\r\n")
    if len(lines) > max_fields:
        return None
    raw: Pairs = []
    text: TextPairs = []
    cache = _FIELD_CACHE
    for line in lines:
        size = len(line)
        if size > max_size:
            return None
        field = cache.get(line)
        if field is None:
            m = g.FIELD_LINE.fullmatch(line)
            if m is None:
                return None
            name: bytes = m.group(1)
            value: bytes = m.group(2)
            # The name as an istr (a token, so its decoding cannot fail): a CIMultiDict
            # takes its case-folded form instead of folding it again for every response.
            sname = istr(name.decode())
            try:
                decoded = (sname, value.decode())
            except UnicodeDecodeError:
                decoded = (sname, value.decode("utf-8", "surrogateescape"))
            field = ((name, value), decoded)
            if size <= _FIELD_CACHE_LINE:
                if len(cache) >= _FIELD_CACHE_SIZE:
                    cache.clear()
                cache[line] = field
        raw.append(field[0])
        text.append(field[1])
    return raw, text


_Status = tuple[HttpVersion, int, str]
# Status lines seen before (as the field lines above), parsed and decoded.
_STATUS_CACHE: dict[bytes, _Status] = {}
_STATUS_CACHE_SIZE: Final = 64


def status_of(line: bytes) -> Optional[_Status]:
    """The version, code and decoded reason of a strict status line (``reason`` present,
    perhaps empty), ``None`` when ``line`` is not one."""
    status = _STATUS_CACHE.get(line)
    if status is None:
        m = g.STATUS_LINE_FULL.fullmatch(line)
        if m is None:
            return None
        minor: bytes = m.group(1)
        code: bytes = m.group(2)
        reason: Optional[bytes] = m.group(3)
        if reason is None:
            return None
        status = (version_of(minor), int(code), reason.decode("utf-8", "surrogateescape"))
        if len(line) <= _FIELD_CACHE_LINE:
            if len(_STATUS_CACHE) >= _STATUS_CACHE_SIZE:
                _STATUS_CACHE.clear()
            _STATUS_CACHE[line] = status
    return status


def _longest_line(buf: Buffer, start: int, end: int) -> int:
    return max(map(len, bytes(buf[start:end]).split(b"\r\n")))


def _check_lines(
    buf: Buffer, start: int, end: int, max_fields: int, max_size: int, what: str
) -> int:
    """Validate the complete CRLF lines of ``buf[start:end]`` in order; return their count."""
    count = 0
    pos = start
    while True:
        eol = buf.find(b"\r\n", pos, end)
        if eol < 0:
            return count
        line = bytes(buf[pos:eol])
        if line[:1] in (b" ", b"\t"):
            raise g.obs_fold_error(line)
        g.check_field_line(line, True, max_size, what)
        count += 1
        if count > max_fields:
            raise g.too_many_fields(max_fields, what + "s")
        pos = eol + 2


def parse_fields_lax(lines: list[bytes], max_fields: int, max_size: int) -> Pairs:
    """Parse field lines already split on LF (a trailing CR removed), unfolding obs-fold."""
    pairs: Pairs = []
    for line in lines:
        if line[:1] in (b" ", b"\t"):
            if not pairs:
                raise g.obs_fold_error(line)
            g.check_field_line(b"x:" + line, True, max_size + 2)
            name, value = pairs[-1]
            pairs[-1] = (name, (value + b" " + line.strip(b" \t")).strip(b" \t"))
            continue
        g.check_field_line(line, True, max_size)
        name, _, value = line.partition(b":")
        pairs.append((name, value.strip(b" \t")))
        if len(pairs) > max_fields:
            raise g.too_many_fields(max_fields)
    return pairs


def scan_partial(
    buf: Buffer,
    start: int,
    end: int,
    progress: tuple[int, int],
    kind: str,
    max_line: int,
    max_field: int,
    max_fields: int,
    lax: bool,
) -> tuple[int, int]:
    """Check the unfinished head ``buf[start:end]``; return the new ``progress``.

    ``progress`` is ``(offset from start, field count)`` up to which earlier calls checked
    complete lines; only new complete lines and the trailing partial line are examined,
    so a head arriving one byte at a time costs linear work.  ``kind`` is ``"request"``,
    ``"response"`` or ``"trailer"`` (a section without a start line).
    """
    scanned, fields = progress
    pos = start + scanned
    sep = b"\n" if lax else b"\r\n"
    while True:
        eol = buf.find(sep, pos, end)
        if eol < 0:
            break
        line = bytes(buf[pos:eol])
        if lax and line.endswith(b"\r"):
            line = line[:-1]
        first = pos == start and kind != "trailer"
        _check_head_line(line, True, first, kind, max_line, max_field, lax)
        if not first and line[:1] not in (b" ", b"\t"):
            fields += 1
            if fields > max_fields:
                raise g.too_many_fields(max_fields, kind + "s" if kind == "trailer" else "headers")
        pos = eol + len(sep)
    tail = bytes(buf[pos:end])
    if tail.endswith(b"\r"):
        tail = tail[:-1]
    if tail:
        first = pos == start and kind != "trailer"
        _check_head_line(tail, False, first, kind, max_line, max_field, lax)
    if end - start > max_line + (max_fields + 1) * (max_field + 2) + 4:
        raise BadHttpMessage("Message head is too large")
    return pos - start, fields


def _check_head_line(
    line: bytes,
    complete: bool,
    first: bool,
    kind: str,
    max_line: int,
    max_field: int,
    lax: bool,
) -> None:
    what = "trailer" if kind == "trailer" else "header"
    if first:
        if kind == "request":
            g.check_request_line(line, complete, max_line)
        else:
            g.check_status_line(line, complete, max_line, lax)
    elif line[:1] in (b" ", b"\t"):
        if not lax:
            raise g.obs_fold_error(line)
        g.check_field_line(b"x:" + line, complete, max_field + 2, what)
    else:
        g.check_field_line(line, complete, max_field, what)


def decode_fields(pairs: Pairs) -> CIMultiDict[str]:
    """Field pairs as a ``CIMultiDict`` (names ASCII, values UTF-8 with surrogateescape)."""
    try:
        # names are validated tokens (ASCII), so UTF-8 decodes them alike; the argument-free
        # strict decode is the cheapest call, and only invalid UTF-8 needs the escape
        return CIMultiDict([(n.decode(), v.decode()) for n, v in pairs])
    except UnicodeDecodeError:
        return CIMultiDict(
            [(n.decode("ascii"), v.decode("utf-8", "surrogateescape")) for n, v in pairs]
        )


def _build_parts(scheme: str, netloc: str, path: str, query: str, fragment: str) -> URL:
    return URL.build(path=path, query_string=query, fragment=fragment, encoded=True)


try:  # yarl's own constructor behind URL.build(..., encoded=True), without its checks
    from yarl._url import from_parts_uncached as _from_parts
except ImportError:  # pragma: no cover - an older or newer yarl
    _from_parts = _build_parts

_URL_CACHE: dict[str, URL] = {}
_URL_CACHE_SIZE: Final = 256


def request_url(method: str, target: str) -> URL:
    """The ``yarl.URL`` of a request target, enforcing which form each method may use."""
    if target[0] == "/" and method != "CONNECT":
        url = _URL_CACHE.get(target)
        if url is None:
            try:
                url = _origin_form(target)
            except ValueError as exc:
                raise InvalidURLError(f"Invalid request target {target!r}") from exc
            if len(_URL_CACHE) >= _URL_CACHE_SIZE:
                _URL_CACHE.clear()
            _URL_CACHE[target] = url
        return url
    if method == "CONNECT":
        if _AUTHORITY_FORM.fullmatch(target) is None:
            raise InvalidURLError(f"CONNECT needs an authority-form target, got {target!r}")
        try:
            return URL.build(authority=target, encoded=True)
        except ValueError as exc:
            raise InvalidURLError(f"Invalid CONNECT target {target!r}") from exc
    if target == "*":
        if method != "OPTIONS":
            raise InvalidURLError(f"Asterisk-form target is only for OPTIONS, not {method}")
        return URL.build(path="*", encoded=True)
    if _ABSOLUTE_FORM.match(target) is not None:
        try:
            url = URL(target, encoded=True)
            if url.host:
                return url
        except ValueError:
            pass
    raise InvalidURLError(f"Invalid request target {target!r}")


def _origin_form(target: str) -> URL:
    if "#" in target:
        path, _, fragment = target.partition("#")
    else:
        path, fragment = target, ""
    if "?" in path:
        path, _, query = path.partition("?")
    else:
        query = ""
    return _from_parts("", "", path, query, fragment)


def build_request(
    method: str, target: bytes, version: HttpVersion, pairs: Pairs
) -> tuple[RawRequestMessage, Semantics]:
    """The request head for parsed pieces, with its framing decided."""
    # (decode_fields, request_url and _origin_form inlined: this runs once per request)
    try:
        headers = CIMultiDict([(n.decode(), v.decode()) for n, v in pairs])
    except UnicodeDecodeError:
        headers = decode_fields(pairs)
    path = target.decode()  # a validated target is printable ASCII
    if path[0] == "/" and method != "CONNECT":
        url = _URL_CACHE.get(path)
        if url is None:
            if "?" in path or "#" in path:
                url = _origin_form(path)
            else:
                url = _from_parts("", "", path, "", "")
            if len(_URL_CACHE) >= _URL_CACHE_SIZE:
                _URL_CACHE.clear()
            _URL_CACHE[path] = url
    else:
        url = request_url(method, path)
    sem = request_semantics(method, version, headers)
    # tuple.__new__ skips the NamedTuple's Python-level __new__ (hot path).
    msg: RawRequestMessage = tuple.__new__(
        RawRequestMessage,
        (
            method,
            path,
            version,
            CIMultiDictProxy(headers),
            tuple(pairs),
            sem.should_close,
            sem.compression,
            sem.upgrade,
            sem.chunked,
            url,
        ),
    )
    return msg, sem


def build_response(
    version: HttpVersion,
    code: int,
    reason: bytes,
    pairs: Pairs,
    request_method: str,
    text: Optional[TextPairs] = None,
) -> tuple[RawResponseMessage, Semantics]:
    """The response head for parsed pieces (answering ``request_method``), framing decided.

    ``text``: the pairs already decoded (see :func:`parse_fields_decoded`)."""
    if text is None:
        try:  # (decode_fields inlined)
            text = [(n.decode(), v.decode()) for n, v in pairs]
        except UnicodeDecodeError:
            text = [(n.decode("ascii"), v.decode("utf-8", "surrogateescape")) for n, v in pairs]
    return build_response_decoded(
        version, code, reason.decode("utf-8", "surrogateescape"), pairs, text, request_method
    )


def build_response_decoded(
    version: HttpVersion,
    code: int,
    reason: str,
    pairs: Pairs,
    text: TextPairs,
    request_method: str,
) -> tuple[RawResponseMessage, Semantics]:
    """:func:`build_response` with the reason and the pairs (as ``text``) decoded."""
    headers = CIMultiDict(text)
    sem = response_semantics(code, request_method, version, headers)
    msg: RawResponseMessage = tuple.__new__(
        RawResponseMessage,
        (
            version,
            code,
            reason,
            CIMultiDictProxy(headers),
            tuple(pairs),
            sem.should_close,
            sem.compression,
            sem.upgrade,
            sem.chunked,
        ),
    )
    return msg, sem


def trailers_of(pairs: Optional[Pairs]) -> Optional[CIMultiDictProxy[str]]:
    """The trailer section as a read-only multidict, ``None`` when there was none."""
    if not pairs:
        return None
    return CIMultiDictProxy(decode_fields(pairs))
