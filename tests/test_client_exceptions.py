"""The client error tree: constructors, attributes, str/repr, stdlib bases and pickling."""

from __future__ import annotations

import asyncio
import errno
import pickle
import ssl
from typing import NamedTuple, Optional, Union

import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from aiohttp import client_exceptions as ce
from aiohttp.client_reqrep import RequestInfo


class _Key(NamedTuple):
    """Stands in for ``aiohttp.connector.ConnectionKey`` (same field names)."""

    host: str
    port: Optional[int]
    is_ssl: bool
    ssl: Union[ssl.SSLContext, bool]
    proxy: Optional[URL] = None
    proxy_auth: None = None
    proxy_headers_hash: Optional[int] = None


INFO = RequestInfo(
    URL("http://example.com/a"),
    "GET",
    CIMultiDictProxy(CIMultiDict()),
    URL("http://example.com/a#frag"),
)
# A proxy does not pickle; pickling uses a RequestInfo holding a plain CIMultiDict, which
# is what a user may build by hand (the field is read-only but not checked at run time).
PICKLABLE_INFO = INFO._replace(headers=CIMultiDict(host="example.com"))  # type: ignore[arg-type]  # see above
KEY = _Key("example.com", 443, True, True)


def _refused() -> OSError:
    return OSError(errno.ECONNREFUSED, "Connection refused")


# ---- ClientResponseError ------------------------------------------------------------


def test_response_error_attributes_are_stored() -> None:
    headers = CIMultiDict(a="b")
    err = ce.ClientResponseError(INFO, (), status=404, message="Not Found", headers=headers)
    assert err.request_info is INFO
    assert err.history == ()
    assert err.status == 404
    assert err.message == "Not Found"
    assert err.headers is headers
    assert err.args == (INFO, ())
    assert isinstance(err, ce.ClientError)


def test_response_error_status_defaults_to_zero() -> None:
    err = ce.ClientResponseError(INFO, ())
    assert err.status == 0
    assert err.message == ""
    assert err.headers is None


def test_response_error_str_names_status_message_and_real_url() -> None:
    err = ce.ClientResponseError(INFO, (), status=500, message="Boom")
    assert str(err) == "500, message='Boom', url='http://example.com/a#frag'"


def test_response_error_repr_lists_only_set_fields() -> None:
    bare = ce.ClientResponseError(INFO, ())
    assert repr(bare) == f"ClientResponseError({INFO!r}, ())"
    full = ce.ClientResponseError(INFO, (), status=400, message="Bad", headers=CIMultiDict(x="1"))
    assert repr(full) == (
        f"ClientResponseError({INFO!r}, (), status=400, message='Bad', "
        f"headers={CIMultiDict(x='1')!r})"
    )


def test_response_error_code_argument_is_deprecated_alias_of_status() -> None:
    with pytest.warns(DeprecationWarning, match="code argument is deprecated"):
        err = ce.ClientResponseError(INFO, (), code=418)
    assert err.status == 418
    with pytest.warns(DeprecationWarning, match="code property is deprecated"):
        assert err.code == 418
    with pytest.warns(DeprecationWarning, match="code property is deprecated"):
        err.code = 419  # type: ignore[deprecated]  # the deprecated spelling is under test
    assert err.status == 419


def test_response_error_code_and_status_together_is_value_error() -> None:
    with pytest.raises(ValueError, match="Both code and status"):
        ce.ClientResponseError(INFO, (), code=400, status=400)


@pytest.mark.parametrize(
    "cls",
    [
        ce.ClientResponseError,
        ce.ContentTypeError,
        ce.WSServerHandshakeError,
        ce.ClientHttpProxyError,
        ce.TooManyRedirects,
    ],
)
def test_response_error_pickles_with_its_fields(cls: type[ce.ClientResponseError]) -> None:
    err = cls(PICKLABLE_INFO, (), status=502, message="Bad Gateway", headers=CIMultiDict(a="1"))
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is cls
    assert back.request_info == PICKLABLE_INFO
    assert (back.status, back.message, back.headers) == (502, "Bad Gateway", err.headers)
    assert str(back) == str(err)


# ---- connector errors ---------------------------------------------------------------


def test_connector_error_exposes_key_and_os_error() -> None:
    os_error = _refused()
    err = ce.ClientConnectorError(KEY, os_error)
    assert (err.host, err.port, err.ssl) == ("example.com", 443, True)
    assert err.os_error is os_error
    assert err.errno == errno.ECONNREFUSED
    assert err.strerror == "Connection refused"
    assert err.args == (KEY, os_error)


def test_connector_error_is_os_error_and_connection_error() -> None:
    err = ce.ClientConnectorError(KEY, _refused())
    assert isinstance(err, OSError)
    assert isinstance(err, ce.ClientOSError)
    assert isinstance(err, ce.ClientConnectionError)
    with pytest.raises(OSError):
        raise err


def test_connector_error_str_says_default_for_verified_tls() -> None:
    err = ce.ClientConnectorError(KEY, _refused())
    assert str(err) == "Cannot connect to host example.com:443 ssl:default [Connection refused]"


def test_connector_error_str_shows_other_tls_settings() -> None:
    err = ce.ClientConnectorError(_Key("h", 80, False, False), _refused())
    assert str(err) == "Cannot connect to host h:80 ssl:False [Connection refused]"


@pytest.mark.parametrize(
    "cls",
    [
        ce.ClientConnectorError,
        ce.ClientConnectorDNSError,
        ce.ClientProxyConnectionError,
        ce.ClientSSLError,
        ce.ClientConnectorSSLError,
    ],
)
def test_connector_error_pickles(cls: type[ce.ClientConnectorError]) -> None:
    err = cls(KEY, _refused())
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is cls
    assert (back.host, back.port, back.errno, back.strerror) == (
        "example.com",
        443,
        errno.ECONNREFUSED,
        err.strerror,
    )
    assert str(back) == str(err)


def test_dns_error_is_a_connector_error() -> None:
    err = ce.ClientConnectorDNSError(KEY, OSError(-2, "Name or service not known"))
    assert isinstance(err, ce.ClientConnectorError)
    assert "Name or service not known" in str(err)


def test_ssl_error_is_stdlib_ssl_error() -> None:
    err = ce.ClientConnectorSSLError(KEY, ssl.SSLError(1, "handshake failure"))
    assert isinstance(err, ssl.SSLError)
    assert isinstance(err, ce.ClientSSLError)
    assert isinstance(err, ce.ClientConnectorError)


def test_certificate_error_is_stdlib_certificate_error_and_value_error() -> None:
    cert_error = ssl.CertificateError("hostname mismatch")
    err = ce.ClientConnectorCertificateError(KEY, cert_error)
    assert isinstance(err, ssl.CertificateError)
    assert isinstance(err, ValueError)
    assert isinstance(err, ce.ClientSSLError)
    assert err.certificate_error is cert_error
    assert (err.host, err.port, err.ssl) == ("example.com", 443, True)
    assert err.args == (KEY, cert_error)
    assert str(err) == (
        "Cannot connect to host example.com:443 ssl:True "
        "[SSLCertVerificationError: ('hostname mismatch',)]"
    )


def test_certificate_error_ssl_reports_whether_tls_was_used() -> None:
    key = _Key("h", 443, True, ssl.create_default_context())
    assert ce.ClientConnectorCertificateError(key, ValueError("x")).ssl is True


def test_certificate_error_pickles() -> None:
    err = ce.ClientConnectorCertificateError(KEY, ssl.CertificateError("bad"))
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is ce.ClientConnectorCertificateError
    assert str(back) == str(err)


def test_unix_connector_error_names_the_path() -> None:
    err = ce.UnixClientConnectorError("/run/app.sock", KEY, _refused())
    assert err.path == "/run/app.sock"
    assert (
        str(err) == "Cannot connect to unix socket /run/app.sock ssl:default [Connection refused]"
    )
    assert isinstance(err, ce.ClientConnectorError)


# ---- server errors ------------------------------------------------------------------


def test_server_disconnected_default_message() -> None:
    err = ce.ServerDisconnectedError()
    assert err.message == "Server disconnected"
    assert err.args == ("Server disconnected",)
    assert str(err) == "Server disconnected"


def test_server_disconnected_custom_message_pickles() -> None:
    err = ce.ServerDisconnectedError("peer went away")
    back = pickle.loads(pickle.dumps(err))
    assert back.message == "peer went away"
    assert isinstance(back, ce.ServerConnectionError)


@pytest.mark.parametrize(
    "cls", [ce.ServerTimeoutError, ce.ConnectionTimeoutError, ce.SocketTimeoutError]
)
def test_timeouts_are_asyncio_timeout_errors(cls: type[ce.ServerTimeoutError]) -> None:
    with pytest.raises(asyncio.TimeoutError):
        raise cls("timed out")
    assert issubclass(cls, ce.ServerConnectionError)
    assert issubclass(cls, ce.ClientConnectionError)


def test_timeout_subclasses_are_distinct() -> None:
    assert not issubclass(ce.ConnectionTimeoutError, ce.SocketTimeoutError)
    assert not issubclass(ce.SocketTimeoutError, ce.ConnectionTimeoutError)


def test_fingerprint_mismatch_attributes_repr_and_pickle() -> None:
    err = ce.ServerFingerprintMismatch(b"\x01", b"\x02", "example.com", 443)
    assert (err.expected, err.got, err.host, err.port) == (b"\x01", b"\x02", "example.com", 443)
    assert repr(err) == (
        "<ServerFingerprintMismatch expected=b'\\x01' got=b'\\x02' host='example.com' port=443>"
    )
    back = pickle.loads(pickle.dumps(err))
    assert repr(back) == repr(err)


def test_connection_reset_error_is_stdlib_connection_reset() -> None:
    err = ce.ClientConnectionResetError("Cannot write to closing transport")
    assert isinstance(err, ConnectionResetError)
    assert isinstance(err, ce.ClientConnectionError)


def test_client_os_error_is_os_error() -> None:
    err = ce.ClientOSError(errno.EPIPE, "Broken pipe")
    assert isinstance(err, OSError)
    assert err.errno == errno.EPIPE


# ---- URL errors ---------------------------------------------------------------------


def test_invalid_url_without_description() -> None:
    err = ce.InvalidURL("http:///")
    assert err.url == "http:///"
    assert err.description is None
    assert str(err) == "http:///"
    assert repr(err) == "<InvalidURL http:///>"
    assert err.args == ("http:///",)
    assert isinstance(err, ValueError)


def test_invalid_url_with_description_and_url_object() -> None:
    url = URL("ftp://example.com/")
    err = ce.InvalidUrlClientError(url, "unsupported scheme")
    assert err.url is url
    assert err.description == "unsupported scheme"
    assert str(err) == "ftp://example.com/ - unsupported scheme"
    assert repr(err) == "<InvalidUrlClientError ftp://example.com/ - unsupported scheme>"


@pytest.mark.parametrize("cls", [ce.InvalidURL, ce.InvalidUrlRedirectClientError])
def test_invalid_url_pickles(cls: type[ce.InvalidURL]) -> None:
    err = cls("http://x:bad/", "bad port")
    back = pickle.loads(pickle.dumps(err))
    assert (type(back), back.url, back.description) == (cls, "http://x:bad/", "bad port")


def test_redirect_errors_belong_to_both_branches() -> None:
    assert issubclass(ce.InvalidUrlRedirectClientError, ce.InvalidUrlClientError)
    assert issubclass(ce.InvalidUrlRedirectClientError, ce.RedirectClientError)
    assert issubclass(ce.InvalidUrlRedirectClientError, ValueError)
    assert issubclass(ce.NonHttpUrlRedirectClientError, ce.NonHttpUrlClientError)
    assert issubclass(ce.NonHttpUrlRedirectClientError, ce.RedirectClientError)
    assert not issubclass(ce.NonHttpUrlClientError, ValueError)


def test_ws_message_type_error_is_type_error_not_client_error() -> None:
    assert issubclass(ce.WSMessageTypeError, TypeError)
    assert not issubclass(ce.WSMessageTypeError, ce.ClientError)


def test_every_exported_error_is_an_exception_of_this_module() -> None:
    for name in ce.__all__:
        obj = getattr(ce, name)
        assert issubclass(obj, Exception), name
        assert obj.__module__ == "aiohttp.client_exceptions", name
