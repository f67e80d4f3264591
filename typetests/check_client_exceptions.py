"""Type checks for ``aiohttp.client_exceptions``: stdlib bases and attribute types.

Checked by the main mypy run only; each misuse line carries the ``type: ignore`` code it
must produce.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Optional

from multidict import MultiMapping
from typing_extensions import assert_type
from yarl import URL

from aiohttp.client_exceptions import (
    ClientConnectionResetError,
    ClientConnectorCertificateError,
    ClientConnectorError,
    ClientConnectorSSLError,
    ClientError,
    ClientOSError,
    ClientResponseError,
    ConnectionTimeoutError,
    InvalidURL,
    InvalidUrlRedirectClientError,
    RedirectClientError,
    ServerDisconnectedError,
    ServerFingerprintMismatch,
    ServerTimeoutError,
    SocketTimeoutError,
)

# Each client error is also the standard exception callers already catch.
as_os_error: OSError = ClientOSError()
as_reset: ConnectionResetError = ClientConnectionResetError()
as_timeout: asyncio.TimeoutError = ServerTimeoutError()
as_timeout = ConnectionTimeoutError()
as_timeout = SocketTimeoutError()
as_value_error: ValueError = InvalidURL("http:///")
as_redirect: RedirectClientError = InvalidUrlRedirectClientError(URL("ftp://a/"), "scheme")
as_client_error: ClientError = ServerDisconnectedError()
not_a_timeout: asyncio.TimeoutError = ServerDisconnectedError()  # type: ignore[assignment]


def inspect_response_error(err: ClientResponseError) -> None:
    assert_type(err.status, int)
    assert_type(err.message, str)
    assert_type(err.headers, Optional[MultiMapping[str]])
    err.code = 500  # type: ignore[deprecated]


def inspect_connector_error(err: ClientConnectorError) -> None:
    assert_type(err.host, str)
    assert_type(err.port, Optional[int])
    assert_type(err.os_error, OSError)
    assert_type(err.errno, Optional[int])
    err.host = "other"  # type: ignore[misc]  # read-only property


def inspect_tls_errors(err: ClientConnectorSSLError, cert: ClientConnectorCertificateError) -> None:
    as_ssl_error: ssl.SSLError = err
    as_cert_error: ssl.CertificateError = cert
    assert_type(cert.certificate_error, Exception)
    assert_type(cert.ssl, bool)


mismatch = ServerFingerprintMismatch(b"a", b"b", "example.com", 443)
assert_type(mismatch.expected, bytes)
assert_type(mismatch.port, int)
invalid = InvalidURL(URL("http:///"), "no host")
assert_type(invalid.description, Optional[str])
assert_type(ServerDisconnectedError("gone").message, str)

InvalidURL(42)  # type: ignore[arg-type]
ServerDisconnectedError(b"gone")  # type: ignore[arg-type]
ServerFingerprintMismatch(b"a", b"b", "example.com", "443")  # type: ignore[arg-type]
