"""Type checks for ``aiohttp.hdrs``: header names are ``istr`` constants, methods ``str``.

Checked by the main mypy run only; each misuse line carries the ``type: ignore`` code it
must produce.
"""

from __future__ import annotations

from multidict import CIMultiDict, istr
from typing_extensions import assert_type

from aiohttp import hdrs

assert_type(hdrs.CONTENT_TYPE, istr)
assert_type(hdrs.SET_COOKIE, istr)
assert_type(hdrs.METH_GET, str)
assert_type(hdrs.METH_ALL, set[str])

headers: CIMultiDict[str] = CIMultiDict()
headers[hdrs.CONTENT_TYPE] = "text/plain"
assert_type(headers.get(hdrs.CONTENT_LENGTH), str | None)
is_known_method: bool = "GET" in hdrs.METH_ALL

hdrs.CONTENT_TYPE = istr("Content-Type")  # type: ignore[misc]  # Final
hdrs.METH_GET = "get"  # type: ignore[misc]  # Final
hdrs.CONTENT_TYPO  # type: ignore[attr-defined]
headers[hdrs.METH_GET] = 1  # type: ignore[assignment]
