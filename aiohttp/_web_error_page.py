"""The error pages the server answers with when a request cannot be served normally.

A page shows the status line and, for client errors, the protocol error's own one-line
message (cut to :data:`MAX_MESSAGE` characters); a 500 page shows the generic description,
or the traceback when the server runs with ``debug=True``.  Nothing else of the exception
(its type, its arguments, the request) reaches the peer.  HTML is sent when the request's
``Accept`` asks for it, with every interpolated text HTML-escaped; plain text otherwise.
"""

from __future__ import annotations

from html import escape
from http import HTTPStatus
from typing import Final, Optional

from .web_response import Response

#: Longest message shown on a page; a peer's bad input can make parser messages long.
MAX_MESSAGE: Final = 512


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_page(
    status: int, message: Optional[str], traceback: Optional[str], accept: str
) -> Response:
    """The response for an error ``status`` (see the module docstring); it closes the
    connection after it is sent."""
    title = f"{status} {_phrase(status)}"
    if status == HTTPStatus.INTERNAL_SERVER_ERROR:
        text = traceback or HTTPStatus.INTERNAL_SERVER_ERROR.description
    else:
        text = message or ""
        if len(text) > MAX_MESSAGE:
            text = text[: MAX_MESSAGE - 3] + "..."
    if "text/html" in accept:
        body = f"<h2>Traceback:</h2>\n<pre>{escape(text)}</pre>" if traceback else escape(text)
        page = (
            f"<html><head><title>{title}</title></head><body>\n"
            f"<h1>{title}</h1>\n{body}\n</body></html>\n"
        )
        resp = Response(status=status, text=page, content_type="text/html")
    else:
        resp = Response(status=status, text=f"{title}\n\n{text}" if text else title)
    resp.force_close()
    return resp
