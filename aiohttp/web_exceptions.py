"""HTTP status exceptions of ``aiohttp.web``: one class per status, raisable and returnable.

Each class is both an :class:`Exception` and a :class:`~aiohttp.web.Response` (the aiohttp 3.13
layout), so a handler may ``raise web.HTTPNotFound()`` or ``return web.HTTPNotFound()``; the
server sends it as the answer either way.  Without an explicit ``text``/``body`` the answer is
``"<status>: <reason>"`` as ``text/plain``, except for the statuses whose body must be empty
(204, 205, 304: :attr:`HTTPException.empty_body`).  Redirections carry a ``Location`` header
(refusing CR, LF and NUL in it); 405 carries ``Allow``; 451 may carry a ``Link``.

The hierarchy groups the classes by status class: :class:`HTTPSuccessful` (2xx),
:class:`HTTPRedirection` (3xx, with :class:`HTTPMove` for those that need a location),
:class:`HTTPError` with :class:`HTTPClientError` (4xx) and :class:`HTTPServerError` (5xx).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import ClassVar, Optional, TypedDict

from typing_extensions import Unpack
from yarl import URL

from . import hdrs
from .typedefs import LooseHeaders, StrOrURL
from .web_response import Response, _ResponseBody

__all__ = (
    "HTTPException",
    "HTTPError",
    "HTTPRedirection",
    "HTTPSuccessful",
    "HTTPOk",
    "HTTPCreated",
    "HTTPAccepted",
    "HTTPNonAuthoritativeInformation",
    "HTTPNoContent",
    "HTTPResetContent",
    "HTTPPartialContent",
    "HTTPMove",
    "HTTPMultipleChoices",
    "HTTPMovedPermanently",
    "HTTPFound",
    "HTTPSeeOther",
    "HTTPNotModified",
    "HTTPUseProxy",
    "HTTPTemporaryRedirect",
    "HTTPPermanentRedirect",
    "HTTPClientError",
    "HTTPBadRequest",
    "HTTPUnauthorized",
    "HTTPPaymentRequired",
    "HTTPForbidden",
    "HTTPNotFound",
    "HTTPMethodNotAllowed",
    "HTTPNotAcceptable",
    "HTTPProxyAuthenticationRequired",
    "HTTPRequestTimeout",
    "HTTPConflict",
    "HTTPGone",
    "HTTPLengthRequired",
    "HTTPPreconditionFailed",
    "HTTPRequestEntityTooLarge",
    "HTTPRequestURITooLong",
    "HTTPUnsupportedMediaType",
    "HTTPRequestRangeNotSatisfiable",
    "HTTPExpectationFailed",
    "HTTPMisdirectedRequest",
    "HTTPUnprocessableEntity",
    "HTTPFailedDependency",
    "HTTPUpgradeRequired",
    "HTTPPreconditionRequired",
    "HTTPTooManyRequests",
    "HTTPRequestHeaderFieldsTooLarge",
    "HTTPUnavailableForLegalReasons",
    "HTTPServerError",
    "HTTPInternalServerError",
    "HTTPNotImplemented",
    "HTTPBadGateway",
    "HTTPServiceUnavailable",
    "HTTPGatewayTimeout",
    "HTTPVersionNotSupported",
    "HTTPVariantAlsoNegotiates",
    "HTTPInsufficientStorage",
    "HTTPNotExtended",
    "HTTPNetworkAuthenticationRequired",
)


class NotAppKeyWarning(UserWarning):
    """Application state was stored under a ``str`` key rather than a :class:`web.AppKey`."""


class _ExceptionOptions(TypedDict, total=False):
    """The keywords every :class:`HTTPException` takes (for ``**kwargs`` signatures)."""

    headers: Optional[LooseHeaders]
    reason: Optional[str]
    body: _ResponseBody
    text: Optional[str]
    content_type: Optional[str]


_FORBIDDEN_IN_HEADER = frozenset("\r\n\x00")


def _refuse_control(name: str, value: str) -> None:
    # yarl silently drops CR/LF from a URL; refuse instead, so a tainted location is loud.
    if not _FORBIDDEN_IN_HEADER.isdisjoint(value):
        raise ValueError(f"{name} must not contain CR, LF or NUL: {value!r}")


# --- the hierarchy and 2xx ---------------------------------------------------------------


class HTTPException(Response, Exception):
    """Base of every HTTP status exception; also a :class:`~aiohttp.web.Response`.

    Subclasses set :attr:`status_code`.  ``body`` is accepted for compatibility but
    deprecated (use ``text``); with neither, the body is ``"<status>: <reason>"``.
    """

    # The status the class answers with; -1 on the abstract classes of the hierarchy.
    status_code: ClassVar[int] = -1
    # Whether the status forbids a body (204, 205, 304): no default text is set then.
    empty_body: ClassVar[bool] = False
    # 3.13's marker: the server warns when a handler returns (not raises) one of these.
    __http_exception__: ClassVar[bool] = True

    def __init__(
        self,
        *,
        headers: Optional[LooseHeaders] = None,
        reason: Optional[str] = None,
        body: _ResponseBody = None,
        text: Optional[str] = None,
        content_type: Optional[str] = None,
    ) -> None:
        if self.status_code == -1:
            raise TypeError(
                f"{type(self).__name__} is a base class; raise a class with a status_code"
            )
        if body is not None:
            warnings.warn(
                "body argument is deprecated for http web exceptions",
                DeprecationWarning,
                stacklevel=2,
            )
        Response.__init__(
            self,
            headers=headers,
            status=self.status_code,
            reason=reason,
            body=body,
            text=text,
            content_type=content_type,
        )
        Exception.__init__(self, self.reason)
        if self.body is None and not self.empty_body:
            self.text = f"{self.status}: {self.reason}"

    def __str__(self) -> str:
        return self.reason


class HTTPError(HTTPException):
    """Base class for 4xx and 5xx answers."""


class HTTPRedirection(HTTPException):
    """Base class for 3xx answers."""


class HTTPSuccessful(HTTPException):
    """Base class for 2xx answers."""


class HTTPOk(HTTPSuccessful):
    """200 OK."""

    status_code = 200


class HTTPCreated(HTTPSuccessful):
    """201 Created."""

    status_code = 201


class HTTPAccepted(HTTPSuccessful):
    """202 Accepted."""

    status_code = 202


class HTTPNonAuthoritativeInformation(HTTPSuccessful):
    """203 Non-Authoritative Information."""

    status_code = 203


class HTTPNoContent(HTTPSuccessful):
    """204 No Content (sent without a body)."""

    status_code = 204
    empty_body = True


class HTTPResetContent(HTTPSuccessful):
    """205 Reset Content (sent without a body)."""

    status_code = 205
    empty_body = True


class HTTPPartialContent(HTTPSuccessful):
    """206 Partial Content."""

    status_code = 206


# --- 3xx: look elsewhere ---------------------------------------------------------------------


class HTTPMove(HTTPRedirection):
    """Base class for the redirections that point somewhere: sets the ``Location`` header.

    Raises :class:`ValueError` for an empty location or one holding CR, LF or NUL.
    """

    def __init__(
        self,
        location: StrOrURL,
        *,
        headers: Optional[LooseHeaders] = None,
        reason: Optional[str] = None,
        body: _ResponseBody = None,
        text: Optional[str] = None,
        content_type: Optional[str] = None,
    ) -> None:
        if not location:
            raise ValueError("HTTP redirects need a location to redirect to.")
        _refuse_control("Redirect location", str(location))
        super().__init__(
            headers=headers, reason=reason, body=body, text=text, content_type=content_type
        )
        self.headers[hdrs.LOCATION] = str(URL(location))
        self.location = location


class HTTPMultipleChoices(HTTPMove):
    """300 Multiple Choices."""

    status_code = 300


class HTTPMovedPermanently(HTTPMove):
    """301 Moved Permanently."""

    status_code = 301


class HTTPFound(HTTPMove):
    """302 Found."""

    status_code = 302


class HTTPSeeOther(HTTPMove):
    """303 See Other: answer a POST by pointing the client at a resource to GET."""

    status_code = 303


class HTTPNotModified(HTTPRedirection):
    """304 Not Modified (sent without a body); not an :class:`HTTPMove`: it has no location."""

    status_code = 304
    empty_body = True


class HTTPUseProxy(HTTPMove):
    """305 Use Proxy."""

    status_code = 305


class HTTPTemporaryRedirect(HTTPMove):
    """307 Temporary Redirect: repeat the same method at the new location."""

    status_code = 307


class HTTPPermanentRedirect(HTTPMove):
    """308 Permanent Redirect: repeat the same method at the new location, from now on."""

    status_code = 308


# --- 4xx: the client erred -----------------------------------------------------------------


class HTTPClientError(HTTPError):
    """Base class for 4xx answers."""


class HTTPBadRequest(HTTPClientError):
    """400 Bad Request."""

    status_code = 400


class HTTPUnauthorized(HTTPClientError):
    """401 Unauthorized."""

    status_code = 401


class HTTPPaymentRequired(HTTPClientError):
    """402 Payment Required."""

    status_code = 402


class HTTPForbidden(HTTPClientError):
    """403 Forbidden."""

    status_code = 403


class HTTPNotFound(HTTPClientError):
    """404 Not Found."""

    status_code = 404


class HTTPMethodNotAllowed(HTTPClientError):
    """405 Method Not Allowed: the ``Allow`` header lists ``allowed_methods``, sorted.

    :attr:`method` is the refused method, upper-cased; :attr:`allowed_methods` a set.
    """

    status_code = 405

    def __init__(
        self,
        method: str,
        allowed_methods: Iterable[str],
        *,
        headers: Optional[LooseHeaders] = None,
        reason: Optional[str] = None,
        body: _ResponseBody = None,
        text: Optional[str] = None,
        content_type: Optional[str] = None,
    ) -> None:
        allowed = set(allowed_methods)
        allow = ",".join(sorted(allowed))
        _refuse_control("Allowed methods", allow)
        super().__init__(
            headers=headers, reason=reason, body=body, text=text, content_type=content_type
        )
        self.headers[hdrs.ALLOW] = allow
        self.allowed_methods: set[str] = allowed
        self.method = method.upper()


class HTTPNotAcceptable(HTTPClientError):
    """406 Not Acceptable."""

    status_code = 406


class HTTPProxyAuthenticationRequired(HTTPClientError):
    """407 Proxy Authentication Required."""

    status_code = 407


class HTTPRequestTimeout(HTTPClientError):
    """408 Request Timeout."""

    status_code = 408


class HTTPConflict(HTTPClientError):
    """409 Conflict."""

    status_code = 409


class HTTPGone(HTTPClientError):
    """410 Gone."""

    status_code = 410


class HTTPLengthRequired(HTTPClientError):
    """411 Length Required."""

    status_code = 411


class HTTPPreconditionFailed(HTTPClientError):
    """412 Precondition Failed."""

    status_code = 412


class HTTPRequestEntityTooLarge(HTTPClientError):
    """413: the request body is larger than the server accepts.

    The default text names both sizes; the other keywords are those of :class:`HTTPException`.
    """

    status_code = 413

    def __init__(
        self, max_size: float, actual_size: float, **kwargs: Unpack[_ExceptionOptions]
    ) -> None:
        kwargs.setdefault(
            "text",
            f"Maximum request body size {max_size} exceeded, actual body size {actual_size}",
        )
        super().__init__(**kwargs)


class HTTPRequestURITooLong(HTTPClientError):
    """414 Request-URI Too Long."""

    status_code = 414


class HTTPUnsupportedMediaType(HTTPClientError):
    """415 Unsupported Media Type."""

    status_code = 415


class HTTPRequestRangeNotSatisfiable(HTTPClientError):
    """416 Requested Range Not Satisfiable."""

    status_code = 416


class HTTPExpectationFailed(HTTPClientError):
    """417 Expectation Failed."""

    status_code = 417


class HTTPMisdirectedRequest(HTTPClientError):
    """421 Misdirected Request."""

    status_code = 421


class HTTPUnprocessableEntity(HTTPClientError):
    """422 Unprocessable Entity."""

    status_code = 422


class HTTPFailedDependency(HTTPClientError):
    """424 Failed Dependency."""

    status_code = 424


class HTTPUpgradeRequired(HTTPClientError):
    """426 Upgrade Required."""

    status_code = 426


class HTTPPreconditionRequired(HTTPClientError):
    """428 Precondition Required."""

    status_code = 428


class HTTPTooManyRequests(HTTPClientError):
    """429 Too Many Requests."""

    status_code = 429


class HTTPRequestHeaderFieldsTooLarge(HTTPClientError):
    """431 Request Header Fields Too Large."""

    status_code = 431


class HTTPUnavailableForLegalReasons(HTTPClientError):
    """451 Unavailable For Legal Reasons; ``link`` (if any) is sent as ``Link: <...>;
    rel="blocked-by"`` and kept as a :class:`~yarl.URL` in :attr:`link`."""

    status_code = 451

    def __init__(
        self,
        link: Optional[StrOrURL],
        *,
        headers: Optional[LooseHeaders] = None,
        reason: Optional[str] = None,
        body: _ResponseBody = None,
        text: Optional[str] = None,
        content_type: Optional[str] = None,
    ) -> None:
        if link:
            _refuse_control("Link", str(link))
        super().__init__(
            headers=headers, reason=reason, body=body, text=text, content_type=content_type
        )
        self._link: Optional[URL] = None
        if link:
            self._link = URL(link)
            self.headers[hdrs.LINK] = f'<{self._link}>; rel="blocked-by"'

    @property
    def link(self) -> Optional[URL]:
        """The URL of the authority that demanded the block, or ``None``."""
        return self._link


# --- 5xx: the server failed ----------------------------------------------------------------


class HTTPServerError(HTTPError):
    """Base class for 5xx answers."""


class HTTPInternalServerError(HTTPServerError):
    """500 Internal Server Error."""

    status_code = 500


class HTTPNotImplemented(HTTPServerError):
    """501 Not Implemented."""

    status_code = 501


class HTTPBadGateway(HTTPServerError):
    """502 Bad Gateway."""

    status_code = 502


class HTTPServiceUnavailable(HTTPServerError):
    """503 Service Unavailable."""

    status_code = 503


class HTTPGatewayTimeout(HTTPServerError):
    """504 Gateway Timeout."""

    status_code = 504


class HTTPVersionNotSupported(HTTPServerError):
    """505 HTTP Version Not Supported."""

    status_code = 505


class HTTPVariantAlsoNegotiates(HTTPServerError):
    """506 Variant Also Negotiates."""

    status_code = 506


class HTTPInsufficientStorage(HTTPServerError):
    """507 Insufficient Storage."""

    status_code = 507


class HTTPNotExtended(HTTPServerError):
    """510 Not Extended."""

    status_code = 510


class HTTPNetworkAuthenticationRequired(HTTPServerError):
    """511 Network Authentication Required."""

    status_code = 511
