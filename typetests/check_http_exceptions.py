"""Type checks for ``aiohttp.http_exceptions``: constructors and attributes.

Checked by the main mypy run only; each misuse line carries the ``type: ignore`` code it
must produce.
"""

from __future__ import annotations

from typing import Optional

from multidict import CIMultiDict
from typing_extensions import assert_type

from aiohttp.http_exceptions import (
    BadHttpMessage,
    BadStatusLine,
    ContentLengthError,
    HttpProcessingError,
    InvalidHeader,
    LineTooLong,
)

err = HttpProcessingError(code=400, message="bad", headers=CIMultiDict(a="b"))
assert_type(err.code, int)
assert_type(err.message, str)
assert_type(err.headers, Optional[CIMultiDict[str]])

bad = BadHttpMessage("no colon in header")
base: HttpProcessingError = bad
payload_error: BadHttpMessage = ContentLengthError("body cut short")
LineTooLong("request line", 8190, 9000)
InvalidHeader(b"X-Bad\x00")
InvalidHeader("X-Bad")
status_error = BadStatusLine("HTTP/9 200")
assert_type(status_error.line, str)

HttpProcessingError(400, "bad")  # type: ignore[call-arg]  # keyword-only
HttpProcessingError(code="400")  # type: ignore[arg-type]
BadHttpMessage()  # type: ignore[call-arg]
InvalidHeader(400)  # type: ignore[arg-type]
not_http: HttpProcessingError = ValueError("x")  # type: ignore[assignment]
