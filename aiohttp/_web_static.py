"""The file-system side of ``StaticResource``: where a request may lead, never outside.

:func:`locate` maps the ``filename`` matched under a static prefix to a path inside the
resource's directory, or refuses it.  It runs in a worker thread (it touches the disk) and
trusts nothing in the name: NUL bytes, backslashes and ``..`` segments are refused outright
(whatever their original percent-encoding was, the name arrives decoded), and unless the
resource was created with ``follow_symlinks=True`` the fully resolved target must still lie
inside the resolved directory, so a symlink pointing out is answered like a missing file.

It also renders the directory listing for ``show_index=True`` (names HTML-escaped, links
percent-encoded) and computes the content hash ``append_version=True`` puts in URLs.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import html
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

# Reading a file to hash it for ``?v=``: large blocks, and a bounded cache keyed by the
# file's identity so url_for() does not re-read an unchanged file on every page render.
_HASH_BLOCK: Final = 1 << 20
_VERSION_CACHE_SIZE: Final = 1024
_version_cache: dict[tuple[str, int, int, int], str] = {}


class Kind(enum.Enum):
    """What a static ``filename`` led to."""

    FILE = "file"
    DIRECTORY = "directory"
    MISSING = "missing"


@dataclass(frozen=True)
class Located:
    """The outcome of :func:`locate`: the kind and, unless missing, the path to use."""

    kind: Kind
    path: Path


def _split_safe(filename: str) -> list[str] | None:
    """The name's path segments, or None if any of them could escape the directory."""
    if "\x00" in filename or "\\" in filename:
        return None
    parts = [part for part in filename.split("/") if part not in ("", ".")]
    if any(part == ".." for part in parts):
        return None
    if os.name == "nt" and any(":" in part for part in parts):  # pragma: no cover
        return None  # a drive letter or an alternate data stream
    return parts


def locate(directory: Path, filename: str, *, follow_symlinks: bool) -> Located:
    """Find what ``filename`` names under ``directory`` (an already resolved path).

    Returns ``MISSING`` for anything unsafe, absent or unreadable as well as for targets
    outside the directory (a symlink out, unless ``follow_symlinks``); the caller answers
    all of them with 404 so a probe learns nothing.  The returned path of a target reached
    without ``follow_symlinks`` is fully resolved, so opening it follows no symlink.
    """
    parts = _split_safe(filename)
    if parts is None:
        return Located(Kind.MISSING, directory)
    candidate = directory.joinpath(*parts)
    try:
        if follow_symlinks:
            target = candidate
            info = candidate.stat()
        else:
            target = candidate.resolve(strict=True)
            if target != directory and directory not in target.parents:
                return Located(Kind.MISSING, directory)
            info = target.stat()
    except (OSError, ValueError, RuntimeError):
        # ValueError: a name the OS cannot represent; RuntimeError: a symlink loop on 3.10.
        return Located(Kind.MISSING, directory)
    if stat.S_ISDIR(info.st_mode):
        return Located(Kind.DIRECTORY, target)
    if stat.S_ISREG(info.st_mode) and not filename.endswith("/"):
        return Located(Kind.FILE, target)
    return Located(Kind.MISSING, directory)  # a device, FIFO or socket is never served


def render_index(
    directory: Path, root: Path, url_for: Callable[[str], str], *, follow_symlinks: bool
) -> str:
    """The HTML listing of ``directory`` (inside ``root``) for ``show_index=True``.

    ``url_for`` turns a path relative to ``root`` into the (percent-encoded) URL to link.
    Entries are sorted by name; sub-directories end with ``/``.  Without
    ``follow_symlinks``, symlinks leading out of ``root`` are left out.
    """
    relative = directory.relative_to(root).as_posix()
    title = "/" if relative == "." else "/" + relative
    items: list[str] = []
    for entry in sorted(directory.iterdir(), key=lambda p: p.name):
        try:
            if not follow_symlinks:
                real = entry.resolve(strict=True)
                if real != root and root not in real.parents:
                    continue
            is_dir = entry.is_dir()
        except (OSError, RuntimeError):
            continue
        rel = entry.relative_to(root).as_posix()
        href = html.escape(url_for(rel), quote=True)
        label = html.escape(entry.name + ("/" if is_dir else ""))
        items.append(f'<li><a href="{href}">{label}</a></li>')
    heading = html.escape(f"Index of {title}")
    return (
        f"<html>\n<head>\n<title>{heading}</title>\n</head>\n<body>\n<h1>{heading}</h1>\n"
        "<ul>\n" + "\n".join(items) + ("\n" if items else "") + "</ul>\n</body>\n</html>\n"
    )


def file_version(path: Path) -> str | None:
    """The URL-safe base64 SHA-256 of the file's content, or None if it cannot be read."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return None
        key = (str(path), info.st_mtime_ns, info.st_size, info.st_ino)
        cached = _version_cache.get(key)
        if cached is not None:
            return cached
        digest = hashlib.sha256()
        with path.open("rb") as fobj:
            while block := fobj.read(_HASH_BLOCK):
                digest.update(block)
    except (OSError, ValueError):
        return None
    version = base64.urlsafe_b64encode(digest.digest()).decode("ascii")
    if len(_version_cache) >= _VERSION_CACHE_SIZE:
        _version_cache.clear()
    _version_cache[key] = version
    return version
