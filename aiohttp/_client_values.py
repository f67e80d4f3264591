"""The small value types of a client request and response: :class:`RequestInfo`,
:class:`Fingerprint`, :class:`ConnectionKey` and :class:`ContentDisposition`.

Their public home is :mod:`aiohttp.client_reqrep`, which re-exports them (and sets their
``__module__``); they live here so the request and response modules can share them without
importing each other.
"""

from __future__ import annotations

import asyncio
from hashlib import sha256
from types import MappingProxyType
from typing import TYPE_CHECKING, Callable, ClassVar, NamedTuple, Optional, Union

import attr
from multidict import CIMultiDictProxy
from typing_extensions import Self
from yarl import URL

from .client_exceptions import ServerFingerprintMismatch
from .helpers import _SENTINEL, BasicAuth, sentinel

if TYPE_CHECKING:
    from ssl import SSLContext


@attr.s(auto_attribs=True, frozen=True, slots=True)
class ContentDisposition:
    """A parsed ``Content-Disposition`` response header."""

    type: Optional[str]
    parameters: MappingProxyType[str, str]
    filename: Optional[str]


class _RequestInfo(NamedTuple):
    url: URL
    method: str
    headers: CIMultiDictProxy[str]
    real_url: URL


class RequestInfo(_RequestInfo):
    """What was asked: the request URL (without fragment), method and headers, and
    ``real_url`` (the URL as given, fragment included; defaults to ``url``)."""

    def __new__(
        cls,
        url: URL,
        method: str,
        headers: CIMultiDictProxy[str],
        real_url: Union[URL, _SENTINEL] = sentinel,
    ) -> Self:
        return super().__new__(cls, url, method, headers, url if real_url is sentinel else real_url)


class Fingerprint:
    """A pinned server certificate: the SHA-256 digest of its DER encoding.

    MD5 and SHA-1 digests (16 and 20 bytes) are refused as insecure and any other length
    is invalid; both raise :class:`ValueError`. Fingerprints with equal digests are equal.
    """

    HASHFUNC_BY_DIGESTLEN: ClassVar[dict[int, Callable[[bytes], object]]] = {32: sha256}

    def __init__(self, fingerprint: bytes) -> None:
        length = len(fingerprint)
        if length in (16, 20):
            raise ValueError("md5 and sha1 are insecure and not supported. Use sha256.")
        if length != 32:
            raise ValueError("fingerprint has invalid length")
        self._fingerprint = bytes(fingerprint)

    @property
    def fingerprint(self) -> bytes:
        """The expected digest."""
        return self._fingerprint

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Fingerprint):
            return NotImplemented
        return self._fingerprint == other._fingerprint

    def __hash__(self) -> int:
        return hash(self._fingerprint)

    def __repr__(self) -> str:
        return f"<Fingerprint {self._fingerprint.hex()}>"

    def check(self, transport: asyncio.Transport) -> None:
        """Compare the peer certificate of a TLS ``transport`` with the pinned digest
        (a transport without TLS passes).

        :raises ServerFingerprintMismatch: the certificate is a different one.
        """
        if not transport.get_extra_info("sslcontext"):
            return
        ssl_object = transport.get_extra_info("ssl_object")
        cert: Optional[bytes] = ssl_object.getpeercert(binary_form=True)
        got = sha256(cert or b"").digest()
        if got != self._fingerprint:
            peer = transport.get_extra_info("peername") or ("", 0)
            raise ServerFingerprintMismatch(self._fingerprint, got, peer[0], peer[1])


#: What ``ssl=`` takes: a context, ``True`` (verify), ``False`` (don't) or a fingerprint.
SSLParam = Union["SSLContext", bool, Fingerprint]


class ConnectionKey(NamedTuple):
    """Which pooled connections a request may use: the same host, port, TLS settings and
    proxy (``proxy_headers_hash`` stands for the proxy headers)."""

    host: str
    port: Optional[int]
    is_ssl: bool
    ssl: SSLParam
    proxy: Optional[URL]
    proxy_auth: Optional[BasicAuth]
    proxy_headers_hash: Optional[int]
