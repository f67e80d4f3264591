"""Choosing and opening the file a ``FileResponse`` sends, and naming its media type.

:func:`open_variant` runs in a worker thread.  It prefers a pre-compressed sibling
(``name.br``, ``name.gz``) that the client's ``Accept-Encoding`` allows (quality values
honoured, ``q=0`` refusing), and reports whether any sibling exists at all, so the response
can carry ``Vary: Accept-Encoding`` whichever variant it sends.  Files are opened
non-blocking (a FIFO cannot stall the thread) and checked with ``fstat`` on the open
descriptor, so what is checked is what is sent; anything but a regular file is refused
with 403, a missing one with 404.

:func:`guess_content_type` names the media type from the file name; a compressed file
asked for by its own name (``archive.tar.gz``) is served as ``application/gzip``, not as a
``Content-Encoding`` of the inner type.
"""

from __future__ import annotations

import io
import mimetypes
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Optional

#: Pre-compressed siblings: content coding and file suffix, in order of preference.
ENCODING_EXTENSIONS: Final[tuple[tuple[str, str], ...]] = (("br", ".br"), ("gzip", ".gz"))
FALLBACK_CONTENT_TYPE: Final = "application/octet-stream"

_CONTENT_TYPES: Final = mimetypes.MimeTypes()
# Compressed formats served as themselves (mimetypes only knows them as encodings).
_COMPRESSED_TYPES: Final[dict[str, str]] = {
    "gzip": "application/gzip",
    "br": "application/x-brotli",
    "bzip2": "application/x-bzip2",
    "xz": "application/x-xz",
    "compress": "application/x-compress",
}

_OPEN_FLAGS: Final = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW: Final = getattr(os, "O_NOFOLLOW", 0)


class FileRefused(Exception):
    """The file cannot be sent; :attr:`status` is 404 (absent) or 403 (not allowed)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@dataclass(frozen=True)
class OpenedFile:
    """An open regular file and what the response needs to know about it."""

    fobj: io.FileIO
    size: int
    mtime: float
    mtime_ns: int
    #: The content coding of a pre-compressed sibling, or None for the file itself.
    encoding: Optional[str]
    #: Whether some pre-compressed sibling exists (the answer varies on Accept-Encoding).
    has_variants: bool


def accepted_codings(accept_encoding: str) -> list[str]:
    """The codings of :data:`ENCODING_EXTENSIONS` the client accepts, best first."""
    qualities: dict[str, float] = {}
    for item in accept_encoding.lower().split(","):
        coding, _, params = item.partition(";")
        coding = coding.strip()
        if not coding:
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = 0.0
        qualities[coding] = quality
    wildcard = qualities.get("*", 0.0)
    ranked = [
        (qualities.get(coding, wildcard), -rank, coding)
        for rank, (coding, _) in enumerate(ENCODING_EXTENSIONS)
    ]
    return [coding for quality, _, coding in sorted(ranked, reverse=True) if quality > 0]


def guess_content_type(path: Path) -> str:
    """The media type to send ``path`` as."""
    content_type, encoding = _CONTENT_TYPES.guess_type(path.name)
    if encoding is not None:
        return _COMPRESSED_TYPES.get(encoding, FALLBACK_CONTENT_TYPE)
    return content_type or FALLBACK_CONTENT_TYPE


def _open_regular(path: Path, flags: int) -> Optional[tuple[io.FileIO, os.stat_result]]:
    """Open ``path`` if it is a regular file; None if it is something else."""
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            return None
        return io.FileIO(fd, "rb", closefd=True), info
    except BaseException:
        os.close(fd)
        raise


def _is_regular(path: Path, nofollow: bool) -> bool:
    try:
        info = path.lstat() if nofollow else path.stat()
    except (OSError, ValueError):
        return False
    return stat.S_ISREG(info.st_mode)


def open_variant(path: Path, codings: Sequence[str], *, nofollow: bool = False) -> OpenedFile:
    """Open the best variant of ``path`` for a client accepting ``codings``.

    With ``nofollow`` no variant that is itself a symlink is opened (the static resource
    passes an already resolved ``path`` and must not be led outside its directory by a
    sibling).  Raises :class:`FileRefused`.
    """
    flags = _OPEN_FLAGS | (_NOFOLLOW if nofollow else 0)
    suffixes = dict(ENCODING_EXTENSIONS)
    for coding in codings:
        sibling = path.with_name(path.name + suffixes[coding])
        try:
            opened = _open_regular(sibling, flags)
        except (OSError, ValueError):
            continue
        if opened is not None:
            fobj, info = opened
            return OpenedFile(fobj, info.st_size, info.st_mtime, info.st_mtime_ns, coding, True)
    has_variants = any(
        _is_regular(path.with_name(path.name + suffix), nofollow)
        for coding, suffix in ENCODING_EXTENSIONS
        if coding not in codings
    )
    try:
        opened = _open_regular(path, flags)
    except (FileNotFoundError, NotADirectoryError, ValueError):
        raise FileRefused(404) from None
    except OSError:
        raise FileRefused(403) from None  # permission, symlink refused by O_NOFOLLOW ...
    if opened is None:
        raise FileRefused(403)
    fobj, info = opened
    return OpenedFile(fobj, info.st_size, info.st_mtime, info.st_mtime_ns, None, has_variants)


def read_at(fobj: io.FileIO, offset: int, size: int) -> bytes:
    """Read up to ``size`` bytes at ``offset`` (run in a worker thread)."""
    fobj.seek(offset)
    return fobj.read(size) or b""
