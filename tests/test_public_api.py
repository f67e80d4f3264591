"""Each module's public names, and its ``__all__``, match aiohttp 3.13.

The reference is embedded below (the names are a fact about the 3.13 interface), one entry
per module, so the test runs from a clean checkout.  To cover another module, add an entry
to ``REFERENCE``: ``has_all`` says whether 3.13 defines ``__all__`` there; ``names`` is then
that ``__all__``, otherwise the module's public names.
"""

from __future__ import annotations
import __future__

import collections.abc
import importlib
import inspect
import typing
from dataclasses import dataclass
from types import ModuleType

import pytest
import typing_extensions


@dataclass(frozen=True)
class ModuleRef:
    has_all: bool
    names: frozenset[str]


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


REFERENCE: dict[str, ModuleRef] = {
    "aiohttp.abc": ModuleRef(
        has_all=False,
        names=_names(
            """
            AbstractAccessLogger AbstractCookieJar AbstractMatchInfo AbstractResolver
            AbstractRouter AbstractStreamWriter AbstractView ClearCookiePredicate IterableBase
            LooseCookies ResolveResult
            """
        ),
    ),
    "aiohttp.client_exceptions": ModuleRef(
        has_all=True,
        names=_names(
            """
            ClientConnectionError ClientConnectionResetError ClientConnectorCertificateError
            ClientConnectorDNSError ClientConnectorError ClientConnectorSSLError ClientError
            ClientHttpProxyError ClientOSError ClientPayloadError ClientProxyConnectionError
            ClientResponseError ClientSSLError ConnectionTimeoutError ContentTypeError InvalidURL
            InvalidUrlClientError InvalidUrlRedirectClientError NonHttpUrlClientError
            NonHttpUrlRedirectClientError RedirectClientError ServerConnectionError
            ServerDisconnectedError ServerFingerprintMismatch ServerTimeoutError
            SocketTimeoutError WSMessageTypeError WSServerHandshakeError
            """
        ),
    ),
    "aiohttp.hdrs": ModuleRef(
        has_all=False,
        names=_names(
            """
            ACCEPT ACCEPT_CHARSET ACCEPT_ENCODING ACCEPT_LANGUAGE ACCEPT_RANGES
            ACCESS_CONTROL_ALLOW_CREDENTIALS ACCESS_CONTROL_ALLOW_HEADERS
            ACCESS_CONTROL_ALLOW_METHODS ACCESS_CONTROL_ALLOW_ORIGIN ACCESS_CONTROL_EXPOSE_HEADERS
            ACCESS_CONTROL_MAX_AGE ACCESS_CONTROL_REQUEST_HEADERS ACCESS_CONTROL_REQUEST_METHOD
            AGE ALLOW AUTHORIZATION CACHE_CONTROL CONNECTION CONTENT_DISPOSITION CONTENT_ENCODING
            CONTENT_LANGUAGE CONTENT_LENGTH CONTENT_LOCATION CONTENT_MD5 CONTENT_RANGE
            CONTENT_TRANSFER_ENCODING CONTENT_TYPE COOKIE DATE DESTINATION DIGEST ETAG EXPECT
            EXPIRES FORWARDED FROM HOST HOST_ALL IF_MATCH IF_MODIFIED_SINCE IF_NONE_MATCH IF_RANGE
            IF_UNMODIFIED_SINCE KEEP_ALIVE LAST_EVENT_ID LAST_MODIFIED LINK LOCATION MAX_FORWARDS
            METH_ALL METH_ANY METH_CONNECT METH_CONNECT_ALL METH_DELETE METH_GET METH_HEAD
            METH_HEAD_ALL METH_OPTIONS METH_PATCH METH_POST METH_PUT METH_TRACE ORIGIN PRAGMA
            PROXY_AUTHENTICATE PROXY_AUTHORIZATION RANGE REFERER RETRY_AFTER SEC_WEBSOCKET_ACCEPT
            SEC_WEBSOCKET_EXTENSIONS SEC_WEBSOCKET_KEY SEC_WEBSOCKET_KEY1 SEC_WEBSOCKET_PROTOCOL
            SEC_WEBSOCKET_VERSION SERVER SET_COOKIE TE TRAILER TRANSFER_ENCODING UPGRADE URI
            USER_AGENT VARY VIA WANT_DIGEST WARNING WWW_AUTHENTICATE X_FORWARDED_FOR
            X_FORWARDED_HOST X_FORWARDED_PROTO
            """
        ),
    ),
    "aiohttp.helpers": ModuleRef(
        has_all=True,
        names=_names("BasicAuth ChainMapProxy ETag reify"),
    ),
    "aiohttp.http_exceptions": ModuleRef(
        has_all=True,
        names=_names("HttpProcessingError"),
    ),
    "aiohttp.payload": ModuleRef(
        has_all=True,
        names=_names(
            """
            AsyncIterablePayload BufferedReaderPayload BytesIOPayload BytesPayload IOBasePayload
            JsonPayload PAYLOAD_REGISTRY Payload StringIOPayload StringPayload TextIOPayload
            get_payload payload_type
            """
        ),
    ),
    "aiohttp.streams": ModuleRef(
        has_all=True,
        names=_names("DataQueue EMPTY_PAYLOAD EofStream StreamReader"),
    ),
    "aiohttp.typedefs": ModuleRef(
        has_all=False,
        names=_names(
            """
            Byteish Handler JSONDecoder JSONEncoder LooseCookies LooseCookiesIterables
            LooseCookiesMappings LooseHeaders Middleware PathLike Query RawHeaders StrOrURL
            """
        ),
    ),
}

# Names outside 3.13's ``__all__`` that 3.13 code imports from these modules all the same.
ALSO_IMPORTABLE: dict[str, frozenset[str]] = {
    "aiohttp.http_exceptions": _names(
        """
        BadHttpMessage HttpBadRequest PayloadEncodingError ContentEncodingError
        TransferEncodingError ContentLengthError LineTooLong InvalidHeader BadStatusLine
        BadHttpMethod InvalidURLError
        """
    ),
    "aiohttp.streams": _names(
        "EmptyStreamReader AsyncStreamIterator ChunkTupleAsyncStreamIterator AsyncStreamReaderMixin"
    ),
    "aiohttp.helpers": _names("AppKey sentinel parse_mimetype MimeType"),
}

# New public names our modules add on purpose (DESIGN.md section 4: the new protocols).
ADDED: dict[str, frozenset[str]] = {
    "aiohttp.abc": _names(
        """
        AbstractConnector AbstractClientSession AbstractClientMiddleware AbstractTraceCallback
        AbstractMiddleware AbstractWebSocket
        """
    ),
}

# 3.13 names that land with a later layer.  The test below fails once one exists, so the
# entry gets deleted then.
PENDING: dict[str, frozenset[str]] = {}

MODULES = sorted(REFERENCE)


def _public_names(mod: ModuleType) -> set[str]:
    """Names a module without ``__all__`` exposes: what it defines, not what it imports.

    Imported modules, classes and functions defined elsewhere, ``typing`` constructs and the
    type aliases of :mod:`aiohttp.typedefs` reused by other modules do not count.
    """
    typedefs = importlib.import_module("aiohttp.typedefs")
    reused = [] if mod is typedefs else [v for k, v in vars(typedefs).items() if k[0] != "_"]
    names = set()
    for name, value in vars(mod).items():
        if name.startswith("_") or inspect.ismodule(value):
            continue
        if isinstance(value, __future__._Feature):
            continue
        if (inspect.isclass(value) or inspect.isfunction(value)) and (
            value.__module__ != mod.__name__
        ):
            continue
        if any(
            getattr(lib, name, None) is value
            for lib in (typing, typing_extensions, collections.abc)
        ):
            continue
        if any(value is v for v in reused):
            continue
        names.add(name)
    return names


@pytest.mark.parametrize("module", MODULES)
def test_module_has_every_3_13_name(module: str) -> None:
    mod = importlib.import_module(module)
    pending = PENDING.get(module, frozenset())
    expected = (REFERENCE[module].names | ALSO_IMPORTABLE.get(module, frozenset())) - pending
    missing = sorted(name for name in expected if not hasattr(mod, name))
    assert missing == [], f"{module} lacks 3.13 names {missing}"


@pytest.mark.parametrize("module", MODULES)
def test_module_all_equals_3_13(module: str) -> None:
    mod = importlib.import_module(module)
    ref = REFERENCE[module]
    if not ref.has_all:
        assert not hasattr(mod, "__all__"), f"3.13's {module} has no __all__"
        return
    exported = list(mod.__all__)
    assert len(exported) == len(set(exported)), f"{module}.__all__ has duplicates"
    assert set(exported) == ref.names
    assert all(hasattr(mod, name) for name in exported)


@pytest.mark.parametrize("module", [m for m in MODULES if not REFERENCE[m].has_all])
def test_module_without_all_adds_no_public_names(module: str) -> None:
    mod = importlib.import_module(module)
    extra = _public_names(mod) - REFERENCE[module].names - ADDED.get(module, frozenset())
    assert extra == set(), (
        f"{module} defines public names 3.13 does not have: {sorted(extra)}; "
        "make them private (leading underscore) or list them in ADDED"
    )


@pytest.mark.parametrize("module", sorted(PENDING))
def test_pending_names_are_still_missing(module: str) -> None:
    mod = importlib.import_module(module)
    landed = sorted(name for name in PENDING[module] if hasattr(mod, name))
    assert landed == [], f"{module} now has {landed}: remove them from PENDING"


@pytest.mark.parametrize("module", sorted(ADDED))
def test_added_names_exist(module: str) -> None:
    mod = importlib.import_module(module)
    assert all(hasattr(mod, name) for name in ADDED[module])
