"""Type checks for ``aiohttp.web_exceptions``: constructors, the hierarchy, redirects.

Checked by the main mypy run only; each misuse line carries the ``type: ignore`` code it
must produce.
"""

from __future__ import annotations

from typing import Optional

from typing_extensions import assert_type
from yarl import URL

from aiohttp import web
from aiohttp.web_exceptions import NotAppKeyWarning

# Every status class is an Exception and a Response.
not_found = web.HTTPNotFound(text="nope", reason="Gone Fishing", headers={"X-A": "1"})
assert_type(not_found.status, int)
assert_type(not_found.reason, str)
assert_type(not_found.text, Optional[str])
exc: Exception = not_found
resp: web.Response = not_found
client_error: web.HTTPClientError = not_found
error: web.HTTPError = not_found
assert_type(web.HTTPNotFound.status_code, int)
assert_type(web.HTTPNoContent.empty_body, bool)

web.HTTPBadRequest(content_type="application/json", text="{}")
web.HTTPBadRequest(text=b"bytes")  # type: ignore[arg-type]
web.HTTPBadRequest("positional")  # type: ignore[call-arg, arg-type]
web.HTTPBadRequest(status=400)  # type: ignore[call-arg]

# Redirects need a location, a str or a URL.
found = web.HTTPFound("/elsewhere")
web.HTTPSeeOther(URL("http://example.com/"))
moved: web.HTTPMove = web.HTTPPermanentRedirect(location="/new")
redirect: web.HTTPRedirection = found
web.HTTPFound()  # type: ignore[call-arg]
web.HTTPFound(42)  # type: ignore[arg-type]
not_modified: web.HTTPRedirection = web.HTTPNotModified()
not_a_move: web.HTTPMove = web.HTTPNotModified()  # type: ignore[assignment]

# The classes with extra constructor arguments.
not_allowed = web.HTTPMethodNotAllowed("PATCH", ["GET", "POST"])
assert_type(not_allowed.allowed_methods, set[str])
assert_type(not_allowed.method, str)
web.HTTPMethodNotAllowed("PATCH")  # type: ignore[call-arg]
too_large = web.HTTPRequestEntityTooLarge(max_size=10, actual_size=20, text="too big")
web.HTTPRequestEntityTooLarge(10, 20, reason="Too Big")
web.HTTPRequestEntityTooLarge(10, 20, status=500)  # type: ignore[call-arg]
legal = web.HTTPUnavailableForLegalReasons("https://example.com/why")
assert_type(legal.link, Optional[URL])
web.HTTPUnavailableForLegalReasons(link=None)

server_error: web.HTTPServerError = web.HTTPServiceUnavailable(headers={"Retry-After": "5"})
web.HTTPOk(headers=[("X-A", "1")])
web.HTTPOk(headers=42)  # type: ignore[arg-type]

warning: type[UserWarning] = NotAppKeyWarning
assert_type(web.NotAppKeyWarning, type[NotAppKeyWarning])
