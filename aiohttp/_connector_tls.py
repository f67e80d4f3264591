"""TLS settings of :class:`aiohttp.TCPConnector` and the translation of connect errors.

``ssl=`` (on the connector and on each request) is ``True`` (verify with the system's CAs),
``False`` (no verification), an :class:`ssl.SSLContext`, or a
:class:`~aiohttp.Fingerprint` (no CA verification; the certificate's digest is pinned and
checked after the handshake). The request's context wins over the connector's unless it is
the default ``True``; a fingerprint set on either is checked. The two stock contexts are made
once per process, on first use.

:func:`merge_ssl_params` folds the deprecated ``verify_ssl``/``ssl_context``/``fingerprint``
arguments into ``ssl``. :func:`connect_error` is the one place a failed connection attempt
becomes a client error: certificate errors, other TLS errors, then any other ``OSError``.
:class:`TransportReaper` implements ``enable_cleanup_closed``; :func:`shutdown_timeout_param`
checks the deprecated ``ssl_shutdown_timeout``.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import sys
import warnings
from typing import Final, Optional, Union

from ._client_values import ConnectionKey, Fingerprint, SSLParam
from .client_exceptions import (
    ClientConnectorCertificateError,
    ClientConnectorError,
    ClientConnectorSSLError,
)
from .helpers import _SENTINEL

# CPython could leak TLS transports closed before their shutdown finished, which
# ``enable_cleanup_closed`` works around; gh-118960 fixed it in 3.12.7 and 3.13.1.
CLEANUP_CLOSED_FIXED: Final = sys.version_info >= (3, 13, 1) or (
    (3, 12, 7) <= sys.version_info < (3, 13)
)

_EXCLUSIVE = "verify_ssl, ssl_context, fingerprint and ssl parameters are mutually exclusive"


def merge_ssl_params(
    ssl_param: object,
    verify_ssl: bool,
    ssl_context: Optional[ssl.SSLContext],
    fingerprint: Optional[bytes],
) -> SSLParam:
    """The ``ssl=`` value the deprecated arguments stand for (each one warns).

    :raises ValueError: a deprecated argument was combined with a non-default ``ssl``.
    :raises TypeError: ``ssl`` is not a bool, context or fingerprint.
    """
    if ssl_param is None:
        ssl_param = True
    if not verify_ssl:
        warnings.warn(
            "verify_ssl is deprecated, use ssl=False instead", DeprecationWarning, stacklevel=3
        )
        if ssl_param is not True:
            raise ValueError(_EXCLUSIVE)
        ssl_param = False
    if ssl_context is not None:
        warnings.warn(
            "ssl_context is deprecated, use ssl=context instead", DeprecationWarning, stacklevel=3
        )
        if ssl_param is not True:
            raise ValueError(_EXCLUSIVE)
        ssl_param = ssl_context
    if fingerprint is not None:
        warnings.warn(
            "fingerprint is deprecated, use ssl=Fingerprint(fingerprint) instead",
            DeprecationWarning,
            stacklevel=3,
        )
        if ssl_param is not True:
            raise ValueError(_EXCLUSIVE)
        ssl_param = Fingerprint(fingerprint)
    if not isinstance(ssl_param, (bool, ssl.SSLContext, Fingerprint)):
        raise TypeError(
            f"ssl should be SSLContext, Fingerprint, or bool, got {ssl_param!r} instead."
        )
    return ssl_param


@functools.cache
def verified_context() -> ssl.SSLContext:
    """The shared context for ``ssl=True``: the system's CAs, hostname checking."""
    context = ssl.create_default_context()
    context.set_alpn_protocols(("http/1.1",))
    return context


@functools.cache
def unverified_context() -> ssl.SSLContext:
    """The shared context for ``ssl=False`` and fingerprints: no certificate checks."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.options |= ssl.OP_NO_COMPRESSION
    context.set_default_verify_paths()
    context.set_alpn_protocols(("http/1.1",))
    return context


def _context_for(value: SSLParam) -> Optional[ssl.SSLContext]:
    if isinstance(value, ssl.SSLContext):
        return value
    if value is True:
        return None  # undecided: the default
    return unverified_context()


def choose_context(request_ssl: SSLParam, connector_ssl: SSLParam) -> ssl.SSLContext:
    """The context a TLS connection uses (see the module docstring)."""
    return _context_for(request_ssl) or _context_for(connector_ssl) or verified_context()


def choose_fingerprint(request_ssl: SSLParam, connector_ssl: SSLParam) -> Optional[Fingerprint]:
    """The pinned certificate digest to check after the handshake, if any."""
    if isinstance(request_ssl, Fingerprint):
        return request_ssl
    if isinstance(connector_ssl, Fingerprint):
        return connector_ssl
    return None


def connect_error(
    exc: OSError,
    key: ConnectionKey,
    client_error: type[ClientConnectorError] = ClientConnectorError,
) -> Optional[ClientConnectorError]:
    """The client error for a failed connection attempt to ``key``; ``None`` for a timeout
    (an ``OSError`` too since Python 3.11), which the caller lets through."""
    if isinstance(exc, ssl.CertificateError):
        return ClientConnectorCertificateError(key, exc)
    if isinstance(exc, ssl.SSLError):
        return ClientConnectorSSLError(key, exc)
    if exc.errno is None and isinstance(exc, asyncio.TimeoutError):
        return None
    return client_error(key, exc)


def shutdown_timeout_param(value: Union[_SENTINEL, float, None]) -> Optional[float]:
    """The deprecated ``ssl_shutdown_timeout``: ``None`` when not given (asyncio's
    default), else the value, with a :class:`DeprecationWarning` (and a
    :class:`RuntimeWarning` for a non-zero value Python < 3.11 cannot honour)."""
    if isinstance(value, _SENTINEL):
        return None
    warnings.warn(
        "The ssl_shutdown_timeout parameter is deprecated and will be removed in aiohttp 4.0",
        DeprecationWarning,
        stacklevel=3,
    )
    if value and sys.version_info < (3, 11):
        warnings.warn(
            f"ssl_shutdown_timeout={value} is ignored on Python < 3.11; "
            "only ssl_shutdown_timeout=0 is supported",
            RuntimeWarning,
            stacklevel=3,
        )
    return value


class TransportReaper:
    """``enable_cleanup_closed``: TLS transports the connector closed are aborted at the
    next run (every :attr:`PERIOD` seconds), in case their TLS shutdown never finishes.
    Where CPython is fixed the option is ignored with a :class:`DeprecationWarning`."""

    PERIOD: Final = 2.0

    def __init__(self, loop: asyncio.AbstractEventLoop, *, enabled: bool) -> None:
        if enabled and CLEANUP_CLOSED_FIXED:
            warnings.warn(
                "enable_cleanup_closed is ignored: the CPython TLS transport leak it works "
                f"around (gh-118960) is fixed in Python {sys.version_info[:3]}",
                DeprecationWarning,
                stacklevel=4,
            )
            enabled = False
        self._loop = loop
        self.enabled = enabled
        self._transports: list[asyncio.Transport] = []
        self._handle: Optional[asyncio.TimerHandle] = None
        if enabled:
            self._schedule()

    @property
    def pending(self) -> int:
        """Transports waiting to be aborted."""
        return len(self._transports)

    def add(self, transport: asyncio.Transport) -> None:
        """Abort ``transport`` (just closed) at the next run if it is a TLS transport."""
        if self.enabled and transport.get_extra_info("sslcontext"):
            self._transports.append(transport)

    def _schedule(self) -> None:
        self._handle = self._loop.call_at(self._loop.time() + self.PERIOD, self.run)

    def run(self) -> None:
        """Abort the collected transports (and re-arm the timer)."""
        transports, self._transports = self._transports, []
        for transport in transports:
            transport.abort()
        if self.enabled:
            self._schedule()

    def close(self) -> None:
        """Abort what is collected and stop."""
        self.enabled = False
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self.run()
