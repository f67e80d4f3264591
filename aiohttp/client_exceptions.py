"""The client's error tree, rooted at :class:`ClientError`.

Every error the client raises for a failed request is a :class:`ClientError`.  Where a
standard exception already names the failure, the class also derives from it, so code that
catches the standard one keeps working: connection failures are :class:`OSError`, timeouts
:class:`asyncio.TimeoutError`, a bad URL a :class:`ValueError`, a reset connection a
:class:`ConnectionResetError`.
"""

from __future__ import annotations

import asyncio
import ssl
import warnings
from typing import TYPE_CHECKING, Optional, Protocol, Union

from multidict import MultiMapping
from typing_extensions import deprecated

from .typedefs import StrOrURL

if TYPE_CHECKING:
    from .client_reqrep import ClientResponse, Fingerprint, RequestInfo

__all__ = (
    "ClientError",
    "ClientConnectionError",
    "ClientConnectionResetError",
    "ClientOSError",
    "ClientConnectorError",
    "ClientProxyConnectionError",
    "ClientSSLError",
    "ClientConnectorDNSError",
    "ClientConnectorSSLError",
    "ClientConnectorCertificateError",
    "ConnectionTimeoutError",
    "SocketTimeoutError",
    "ServerConnectionError",
    "ServerTimeoutError",
    "ServerDisconnectedError",
    "ServerFingerprintMismatch",
    "ClientResponseError",
    "ClientHttpProxyError",
    "WSServerHandshakeError",
    "ContentTypeError",
    "ClientPayloadError",
    "InvalidURL",
    "InvalidUrlClientError",
    "RedirectClientError",
    "NonHttpUrlClientError",
    "InvalidUrlRedirectClientError",
    "NonHttpUrlRedirectClientError",
    "WSMessageTypeError",
)


class _ConnectionKey(Protocol):
    """What these errors read from :class:`aiohttp.connector.ConnectionKey`."""

    @property
    def host(self) -> str: ...

    @property
    def port(self) -> Optional[int]: ...

    @property
    def is_ssl(self) -> bool: ...

    @property
    def ssl(self) -> Union[ssl.SSLContext, bool, Fingerprint]: ...


class ClientError(Exception):
    """Base class of every client error."""


# ---- the response arrived, but it is an error ----------------------------------------


class ClientResponseError(ClientError):
    """The response says the request failed (``raise_for_status``) or cannot be used.

    :param request_info: the request the response answers.
    :param history: the redirect responses that led to it, oldest first.
    :param status: the HTTP status (``code`` is its deprecated spelling).
    :param message: the reason phrase or a description.
    :param headers: the response headers.
    """

    def __init__(
        self,
        request_info: RequestInfo,
        history: tuple[ClientResponse, ...],
        *,
        code: Optional[int] = None,
        status: Optional[int] = None,
        message: str = "",
        headers: Optional[MultiMapping[str]] = None,
    ) -> None:
        self.request_info = request_info
        if code is not None:
            if status is not None:
                raise ValueError(
                    "Both code and status arguments are provided; "
                    "code is deprecated, use status instead"
                )
            warnings.warn(
                "code argument is deprecated, use status instead", DeprecationWarning, stacklevel=2
            )
            status = code
        self.status: int = status if status is not None else 0
        self.message = message
        self.headers = headers
        self.history = history
        self.args = (request_info, history)

    def __str__(self) -> str:
        return f"{self.status}, message={self.message!r}, url={str(self.request_info.real_url)!r}"

    def __repr__(self) -> str:
        args = f"{self.request_info!r}, {self.history!r}"
        if self.status != 0:
            args += f", status={self.status!r}"
        if self.message != "":
            args += f", message={self.message!r}"
        if self.headers is not None:
            args += f", headers={self.headers!r}"
        return f"{type(self).__name__}({args})"

    @property
    @deprecated("code property is deprecated, use status instead")
    def code(self) -> int:
        """Deprecated alias of :attr:`status`."""
        return self.status

    @code.setter
    @deprecated("code property is deprecated, use status instead")
    def code(self, value: int) -> None:
        self.status = value


class ContentTypeError(ClientResponseError):
    """The response's ``Content-Type`` does not fit what was asked for (``json()``)."""


class WSServerHandshakeError(ClientResponseError):
    """The server did not accept the WebSocket handshake."""


class ClientHttpProxyError(ClientResponseError):
    """The proxy answered ``CONNECT`` with a status other than 200."""


class TooManyRedirects(ClientResponseError):
    """The response redirected more than ``max_redirects`` times."""


# ---- connecting and talking to the server failed -------------------------------------


class ClientConnectionError(ClientError):
    """A connection-level error."""


class ClientConnectionResetError(ClientConnectionError, ConnectionResetError):
    """The connection was reset or closed while writing."""


class ClientOSError(ClientConnectionError, OSError):
    """An operating-system error while connecting or talking to the server."""


class ClientConnectorError(ClientOSError):
    """Connecting to the server failed.

    ``errno`` and ``strerror`` are those of :attr:`os_error`, the underlying error.
    """

    def __init__(self, connection_key: _ConnectionKey, os_error: OSError) -> None:
        self._conn_key = connection_key
        self._os_error = os_error
        super().__init__(os_error.errno, os_error.strerror)
        self.args = (connection_key, os_error)

    @property
    def os_error(self) -> OSError:
        """The error the connection attempt failed with."""
        return self._os_error

    @property
    def host(self) -> str:
        """The host that could not be reached."""
        return self._conn_key.host

    @property
    def port(self) -> Optional[int]:
        """The port that could not be reached."""
        return self._conn_key.port

    @property
    def ssl(self) -> Union[ssl.SSLContext, bool, Fingerprint]:
        """The TLS setting of the attempt (``True`` means default verification)."""
        return self._conn_key.ssl

    def __str__(self) -> str:
        tls = "default" if self.ssl is True else self.ssl
        return f"Cannot connect to host {self.host}:{self.port} ssl:{tls} [{self.strerror}]"


class ClientConnectorDNSError(ClientConnectorError):
    """The server's host name could not be resolved."""


class ClientProxyConnectionError(ClientConnectorError):
    """Connecting to the proxy failed."""


class UnixClientConnectorError(ClientConnectorError):
    """Connecting to the server's Unix socket failed."""

    def __init__(self, path: str, connection_key: _ConnectionKey, os_error: OSError) -> None:
        self._path = path
        super().__init__(connection_key, os_error)
        self.args = (path, connection_key, os_error)

    @property
    def path(self) -> str:
        """The socket path that could not be reached."""
        return self._path

    def __str__(self) -> str:
        tls = "default" if self.ssl is True else self.ssl
        return f"Cannot connect to unix socket {self.path} ssl:{tls} [{self.strerror}]"


class ClientSSLError(ClientConnectorError):
    """The TLS handshake with the server failed."""


class ClientConnectorSSLError(ClientSSLError, ssl.SSLError):
    """The TLS handshake failed for a reason other than the certificate."""


class ClientConnectorCertificateError(ClientSSLError, ssl.CertificateError):
    """The server's certificate did not verify."""

    def __init__(self, connection_key: _ConnectionKey, certificate_error: Exception) -> None:
        self._conn_key = connection_key
        self._certificate_error = certificate_error
        self.args = (connection_key, certificate_error)

    @property
    def certificate_error(self) -> Exception:
        """The verification error."""
        return self._certificate_error

    @property
    def host(self) -> str:
        return self._conn_key.host

    @property
    def port(self) -> Optional[int]:
        return self._conn_key.port

    @property
    def ssl(self) -> bool:
        """Whether the connection used TLS."""
        return self._conn_key.is_ssl

    def __str__(self) -> str:
        err = self.certificate_error
        return (
            f"Cannot connect to host {self.host}:{self.port} ssl:{self.ssl} "
            f"[{type(err).__name__}: {err.args}]"
        )


class ServerConnectionError(ClientConnectionError):
    """The server misbehaved on an established connection."""


class ServerDisconnectedError(ServerConnectionError):
    """The server closed the connection before the response was complete."""

    def __init__(self, message: Optional[str] = None) -> None:
        if message is None:
            message = "Server disconnected"
        self.args = (message,)
        self.message = message


class ServerTimeoutError(ServerConnectionError, asyncio.TimeoutError):
    """A timeout expired while talking to the server."""


class ConnectionTimeoutError(ServerTimeoutError):
    """The connection could not be established in time (``connect``/``sock_connect``)."""


class SocketTimeoutError(ServerTimeoutError):
    """No data arrived from the server in time (``sock_read``)."""


class ServerFingerprintMismatch(ServerConnectionError):
    """The server's certificate does not have the pinned fingerprint."""

    def __init__(self, expected: bytes, got: bytes, host: str, port: int) -> None:
        self.expected = expected
        self.got = got
        self.host = host
        self.port = port
        self.args = (expected, got, host, port)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} expected={self.expected!r} got={self.got!r} "
            f"host={self.host!r} port={self.port!r}>"
        )


# ---- the response body ----------------------------------------------------------------


class ClientPayloadError(ClientError):
    """The response body could not be read completely (truncated or malformed)."""


# ---- the URL ---------------------------------------------------------------------------


class InvalidURL(ClientError, ValueError):
    """The URL cannot be requested (no host, malformed ...).

    :param url: the offending URL.
    :param description: why it was refused.
    """

    def __init__(self, url: StrOrURL, description: Optional[str] = None) -> None:
        self._url = url
        self._description = description
        if description:
            super().__init__(url, description)
        else:
            super().__init__(url)

    @property
    def url(self) -> StrOrURL:
        """The offending URL, as given."""
        return self._url

    @property
    def description(self) -> Optional[str]:
        """Why the URL was refused, if known."""
        return self._description

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self}>"

    def __str__(self) -> str:
        if self._description:
            return f"{self._url} - {self._description}"
        return str(self._url)


class InvalidUrlClientError(InvalidURL):
    """The URL of a request is invalid."""


class RedirectClientError(ClientError):
    """A redirect cannot be followed."""


class NonHttpUrlClientError(ClientError):
    """The URL's scheme is not one the client can request."""


class InvalidUrlRedirectClientError(InvalidUrlClientError, RedirectClientError):
    """A redirect points to an invalid URL."""


class NonHttpUrlRedirectClientError(NonHttpUrlClientError, RedirectClientError):
    """A redirect points to a URL whose scheme the client cannot request."""


class WSMessageTypeError(TypeError):
    """A WebSocket message is not of the type the caller asked for."""
