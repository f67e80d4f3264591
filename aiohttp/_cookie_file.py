"""The on-disk format of ``CookieJar.save`` / ``CookieJar.load``: versioned JSON.

aiohttp 3.13 pickles the jar. Unpickling runs code chosen by whoever wrote the file, so a
cookie file (often kept next to other state, sometimes shared) would be a code-execution
vector; this module writes and reads plain JSON instead and refuses pickle input with a
clear error. Loading validates every field, so a tampered file can neither crash the jar
later nor smuggle control characters into a ``Cookie`` header. Files are created with mode
0600 because they hold credentials.
"""

from __future__ import annotations

import json
import os
import pathlib
from collections.abc import Iterable
from typing import Final

from ._cookie_parse import CookieMorsel, ParsedCookie, check_cookie_text, has_control_char
from ._cookie_store import StoredCookie, stored_morsel

FORMAT_NAME: Final = "aiohttp-cookiejar"
FORMAT_VERSION: Final = 1
MAX_FILE_SIZE: Final = 32 * 1024 * 1024

_STR_FIELDS: Final = ("name", "value", "coded_value", "domain", "path")
_OPT_STR_FIELDS: Final = ("expires", "max_age", "samesite")
_BOOL_FIELDS: Final = ("host_only", "secure", "httponly", "partitioned")

JSONObject = dict[str, str | float | bool | None]


def _record(entry: StoredCookie) -> JSONObject:
    morsel = entry.morsel
    return {
        "name": morsel.key or "",
        "value": morsel.value or "",
        "coded_value": morsel.coded_value or "",
        "domain": entry.domain,
        "path": entry.path,
        "host_only": entry.host_only,
        "expires_at": entry.expires_at,
        "expires": str(morsel["expires"] or ""),
        "max_age": str(morsel["max-age"] or ""),
        "secure": bool(morsel["secure"]),
        "httponly": bool(morsel["httponly"]),
        "samesite": str(morsel["samesite"] or ""),
        "partitioned": bool(morsel["partitioned"]),
    }


def save(path: str | os.PathLike[str], entries: Iterable[StoredCookie]) -> None:
    """Write ``entries`` (oldest first) to ``path``, replacing the file."""
    document = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "cookies": [_record(e) for e in entries],
    }
    data = json.dumps(document, ensure_ascii=True, indent=1).encode("ascii")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "wb") as f:
        f.write(data)


def load(path: str | os.PathLike[str], now: float) -> list[StoredCookie]:
    """Read a file written by :func:`save`; cookies expired by ``now`` are left out.

    Raises ``ValueError`` for anything that is not such a file, including aiohttp's
    pickle format, and ``OSError`` when the file cannot be read.
    """
    with pathlib.Path(path).open("rb") as f:
        data = f.read(MAX_FILE_SIZE + 1)
    if len(data) > MAX_FILE_SIZE:
        raise ValueError(f"cookie file {path!r} is larger than {MAX_FILE_SIZE} bytes")
    if data[:1] == b"\x80":
        raise ValueError(
            f"{path!r} looks like a pickle (the aiohttp 3.13 cookie file format); it is "
            "not loaded because unpickling can run arbitrary code. Re-create the file "
            "with CookieJar.save(), which writes JSON."
        )
    try:
        document: object = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path!r} is not a cookie jar file: {exc}") from exc
    if (
        not isinstance(document, dict)
        or document.get("format") != FORMAT_NAME
        or not isinstance(document.get("cookies"), list)
    ):
        raise ValueError(f"{path!r} is not a cookie jar file")
    if document.get("version") != FORMAT_VERSION:
        raise ValueError(f"unsupported cookie jar file version {document.get('version')!r}")
    records: list[object] = document["cookies"]
    entries = []
    for index, record in enumerate(records):
        entry = _entry(record, index)
        if entry.expires_at is None or entry.expires_at > now:
            entries.append(entry)
    return entries


def _entry(record: object, index: int) -> StoredCookie:
    def bad(why: str) -> ValueError:
        return ValueError(f"cookie #{index} in the file: {why}")

    if not isinstance(record, dict):
        raise bad("not an object")
    for field in _STR_FIELDS + _OPT_STR_FIELDS:
        if not isinstance(record.get(field, ""), str):
            raise bad(f"{field!r} must be a string")
    for field in _BOOL_FIELDS:
        if not isinstance(record.get(field, False), bool):
            raise bad(f"{field!r} must be a boolean")
    expires_at = record.get("expires_at")
    if expires_at is not None and (
        isinstance(expires_at, bool) or not isinstance(expires_at, (int, float))
    ):
        raise bad("'expires_at' must be a number or null")
    text: dict[str, str] = {f: str(record.get(f, "")) for f in _STR_FIELDS + _OPT_STR_FIELDS}
    flags: dict[str, bool] = {f: bool(record.get(f, False)) for f in _BOOL_FIELDS}
    if (problem := check_cookie_text(text["name"], text["value"], text["coded_value"])) is not None:
        raise bad(problem)
    if any(has_control_char(t) for t in text.values()):
        raise bad("control character in a field")
    if not text["path"].startswith("/"):
        raise bad("'path' must start with '/'")
    if any(c.isspace() or c in ";," for c in text["domain"]):
        raise bad("illegal 'domain'")
    cookie = ParsedCookie(
        text["name"],
        text["value"],
        text["coded_value"],
        raw_expires=text["expires"],
        raw_max_age=text["max_age"],
        secure=flags["secure"],
        httponly=flags["httponly"],
        samesite=text["samesite"],
        partitioned=flags["partitioned"],
    )
    morsel: CookieMorsel = stored_morsel(cookie, text["domain"], text["path"])
    when = None if expires_at is None else float(expires_at)
    return StoredCookie(morsel, text["domain"], text["path"], flags["host_only"], when, 0)
