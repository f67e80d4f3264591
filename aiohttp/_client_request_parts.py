"""The pieces :class:`aiohttp.ClientRequest` builds a request from, as plain functions.

Each function checks or normalises one input of a request: the method (a token), the URL
(absolute, with a host, nothing in it that could break the request line), the ``Host`` header,
the ``Cookie`` header merged from a header and a cookie collection, credentials from a netrc
file, and the body :class:`~aiohttp.payload.Payload` made from ``data=``. Anything a caller
passes that would put CR, LF or NUL on the wire is refused here with :class:`ValueError` (or
:class:`~aiohttp.InvalidURL`), before a connection is even asked for.
"""

from __future__ import annotations

import netrc
import os
import re
from collections.abc import Iterable, Mapping
from http.cookies import BaseCookie, Morsel, SimpleCookie
from pathlib import Path
from typing import Final, Optional, Union

from yarl import URL

from . import payload
from ._cookie_parse import check_cookie_text
from .client_exceptions import InvalidUrlClientError
from .compression_utils import HAS_BROTLI
from .formdata import FormData
from .helpers import BasicAuth
from .http_writer import HttpVersion
from .multipart import MultipartWriter
from .typedefs import LooseCookies

#: Every URL scheme a connector of this package can open.
KNOWN_SCHEMES: Final = frozenset({"http", "https", "ws", "wss", "tcp", "unix", "npipe"})
#: Schemes whose connections are TLS.
SSL_SCHEMES: Final = frozenset({"https", "wss"})
#: Content codings ``compress=`` can apply.
COMPRESS_CODINGS: Final = frozenset(
    {"deflate", "gzip", "br"} if HAS_BROTLI else {"deflate", "gzip"}
)
#: The ``Accept-Encoding`` a request sends by default: the codings the response side decodes.
ACCEPT_ENCODING: Final = "gzip, deflate, br" if HAS_BROTLI else "gzip, deflate"

_NOT_TCHAR: Final = re.compile(r"[^-!#$%&'*+.^_`|~0-9A-Za-z]")
# Controls, space and DEL: none may appear raw in a request target or a host.
_NOT_IN_TARGET: Final = re.compile(r"[\x00-\x20\x7f]")


# Tokens already upper-case: check_method() returns them as they are, without a regex.
_PLAIN_METHODS: Final = frozenset(
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}
)


def check_method(method: str) -> str:
    """Return ``method`` upper-cased; :class:`ValueError` unless it is an RFC 9110 token."""
    if type(method) is str and method in _PLAIN_METHODS:
        return method
    if not isinstance(method, str):
        raise TypeError(f"method must be a str, not {type(method).__name__}")
    found = _NOT_TCHAR.search(method)
    if not method or found is not None:
        what = "is empty" if not method else f"contains {found.group()!r}" if found else ""
        raise ValueError(f"Method must be an HTTP token: {method!r} {what}")
    return method.upper()


def check_url(url: URL) -> None:
    """Refuse a URL a request cannot be sent to: not absolute, no host, a scheme no
    connector knows, or a host, path or query holding a control character or space."""
    if not isinstance(url, URL):
        raise TypeError(f"url must be a yarl.URL, not {type(url).__name__}")
    host = url.raw_host
    if not url.absolute or not host:
        raise InvalidUrlClientError(url, "the URL must be absolute, with a host")
    if url.scheme not in KNOWN_SCHEMES:
        raise InvalidUrlClientError(url, f"unsupported URL scheme {url.scheme!r}")
    # One search over path and query together (the request target, which is sent anyway).
    search = _NOT_IN_TARGET.search
    if search(host) is None and search(url.raw_path_qs) is None:
        return
    for part, text in (
        ("host", host),
        ("path", url.raw_path),
        ("query", url.raw_query_string),
    ):
        found = _NOT_IN_TARGET.search(text)
        if found is not None:
            raise InvalidUrlClientError(
                url, f"the {part} contains the forbidden character {found.group()!r}"
            )


def host_header(url: URL) -> str:
    """The ``Host`` value for ``url``: IDNA-encoded host, IPv6 in brackets, the port only
    when it is not the scheme's default."""
    value = url.host_port_subcomponent
    if value is None:  # pragma: no cover - check_url() rejected URLs without a host
        raise InvalidUrlClientError(url, "the URL has no host")
    return value


def strip_credentials(url: URL) -> tuple[URL, Optional[BasicAuth]]:
    """``url`` without its user-info part, and the credentials that part held."""
    if url.raw_user is None and url.raw_password is None:
        return url, None
    return url.with_user(None), BasicAuth(url.user or "", url.password or "")


def parse_version(version: Union[HttpVersion, str]) -> HttpVersion:
    """An :class:`HttpVersion` from itself or from text such as ``"1.1"``."""
    if isinstance(version, str):
        major, _, minor = version.partition(".")
        try:
            return HttpVersion(int(major.strip()), int(minor.strip()))
        except ValueError:
            raise ValueError(f"Can not parse http version number: {version}") from None
    return version


def _cookie_items(cookies: LooseCookies) -> Iterable[tuple[str, object]]:
    if isinstance(cookies, Mapping):
        return cookies.items()
    return cookies


def _coded(name: str, value: object) -> str:
    coded: str
    if isinstance(value, Morsel):
        coded = str(value.coded_value or "")
    elif isinstance(value, BaseCookie):
        morsel = value.get(name)
        coded = morsel.coded_value if morsel is not None else ""
    else:
        coded = str(SimpleCookie().value_encode(str(value))[1])
    problem = check_cookie_text(name, coded, coded)
    if problem is not None or ";" in coded:
        raise ValueError(f"Cannot send cookie {name!r}: {problem or 'a ; in its value'}")
    return coded


def cookie_header(existing: Optional[str], cookies: LooseCookies) -> str:
    """The ``Cookie`` value: the pairs of ``existing`` (a header the caller set), then
    ``cookies`` (a later name replaces an earlier one), as ``name=value; name2=value2``.

    Plain string values are quoted the way :class:`~http.cookies.SimpleCookie` quotes them;
    a :class:`~http.cookies.Morsel` is sent with its coded value.

    :raises ValueError: a name is empty or holds a control character, ``=``, ``;`` or
        whitespace, or a value would break the header.
    """
    pairs: dict[str, str] = {}
    if existing:
        for part in existing.split(";"):
            name, _, value = part.strip().partition("=")
            if name:
                pairs[name] = value
    for cookie_name, cookie_value in _cookie_items(cookies):
        pairs[cookie_name] = _coded(cookie_name, cookie_value)
    return "; ".join(f"{name}={value}" for name, value in pairs.items())


def netrc_auth(host: str) -> Optional[BasicAuth]:
    """Credentials for ``host`` from the netrc file (``$NETRC``, else ``~/.netrc``);
    ``None`` when there is no such file, it does not parse, or it has no entry for it."""
    path = os.environ.get("NETRC")
    if not path:
        try:
            home = Path.home()
        except RuntimeError:  # no home directory to be found
            return None
        path = str(home / ("_netrc" if os.name == "nt" else ".netrc"))
    try:
        entries = netrc.netrc(path)
    except (OSError, netrc.NetrcParseError):
        return None
    found = entries.authenticators(host)
    if found is None:
        return None
    login, account, password = found
    username = login if (login or account is None) else account
    return BasicAuth(username or "", password or "")


def body_payload(data: object) -> payload.Payload:
    """The payload for ``data=``: a :class:`~aiohttp.FormData` or a mapping / sequence of
    pairs becomes a form; anything :data:`~aiohttp.payload.PAYLOAD_REGISTRY` knows (bytes,
    text, file objects, async iterables, payloads) is wrapped by its factory.

    :raises TypeError: ``data`` is none of these.
    :raises ValueError: a multipart part's headers hold CR, LF or NUL (checked here, not
        once the request head is sent, since a part's headers may change after it is added).
    """
    if isinstance(data, FormData):
        body = data()
    else:
        try:
            body = payload.get_payload(data, disposition=None)
        except payload.LookupError:
            if not isinstance(data, Iterable):
                raise TypeError(f"Can not send a body of type {type(data).__name__}") from None
            body = FormData(data)()
    if isinstance(body, MultipartWriter):
        body._checked_heads()
    return body
