"""Proxy settings from the environment, for sessions made with ``trust_env=True``.

``HTTP_PROXY``, ``HTTPS_PROXY``, ``WS_PROXY`` and ``WSS_PROXY`` (either case; the lower-case
variable wins, an empty one unsets; ``HTTP_PROXY`` in upper case is ignored under CGI, where
``REQUEST_METHOD`` is set and the client could set it) name the proxy per URL scheme.
``NO_PROXY`` lists hosts that are reached directly: ``*`` for all, else comma-separated
entries matching a host exactly or as a domain suffix (a leading dot is optional:
``example.com`` and ``.example.com`` both match ``api.example.com``), optionally with a
``:port`` that must match too, or an IP network (``10.0.0.0/8``) matching IP-address hosts.
Proxy credentials come from the proxy URL, else from the netrc file (``$NETRC`` or
``~/.netrc``) entry of the proxy host. Proxies reached over TLS (``https://`` proxy URLs) are
not supported and are ignored with a warning, as aiohttp 3.13 does.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from typing import NamedTuple, Optional

from yarl import URL

from ._client_request_parts import netrc_auth, strip_credentials
from .helpers import BasicAuth
from .log import client_logger

_SCHEMES = frozenset({"http", "https", "ws", "wss"})
_SUFFIX = "_proxy"


class ProxyInfo(NamedTuple):
    """A proxy URL (without credentials) and the credentials to give it."""

    proxy: URL
    proxy_auth: Optional[BasicAuth]


def env_proxy_urls(environ: Optional[Mapping[str, str]] = None) -> dict[str, str]:
    """The ``<scheme>_proxy`` variables (every scheme, ``no`` included), keyed by lower-case
    scheme, resolved as :func:`urllib.request.getproxies_environment` does."""
    env = os.environ if environ is None else environ
    found: dict[str, str] = {}
    for name, value in env.items():
        key = name.lower()
        if value and key.endswith(_SUFFIX):
            found[key[: -len(_SUFFIX)]] = value
    if "REQUEST_METHOD" in env:
        found.pop("http", None)  # CGI: HTTP_PROXY may come from a request's "Proxy:" header
    for name, value in env.items():
        if name.endswith(_SUFFIX):  # the lower-case spelling has the last word
            key = name[: -len(_SUFFIX)].lower()
            if value:
                found[key] = value
            else:
                found.pop(key, None)
    return found


def _host_matches(entry: str, host: str, port: Optional[int]) -> bool:
    entry = entry.strip().lower()
    if not entry:
        return False
    if "/" in entry:
        try:
            network = ipaddress.ip_network(entry, strict=False)
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return address in network
    entry_port: Optional[int] = None
    if entry.startswith("["):  # [v6]:port or [v6]
        closing = entry.find("]")
        if closing < 0:
            return False
        tail = entry[closing + 1 :]
        entry = entry[1:closing]
        if tail.startswith(":") and tail[1:].isdigit():
            entry_port = int(tail[1:])
    elif entry.count(":") == 1:
        name, _, tail = entry.partition(":")
        if not tail.isdigit():
            return False
        entry, entry_port = name, int(tail)
    if entry_port is not None and entry_port != port:
        return False
    entry = entry.lstrip(".")
    if not entry:
        return False
    return host == entry or host.endswith("." + entry)


def proxy_bypass(
    host: str, port: Optional[int] = None, environ: Optional[Mapping[str, str]] = None
) -> bool:
    """True when ``NO_PROXY`` says ``host`` (on ``port``) is reached without a proxy."""
    no_proxy = env_proxy_urls(environ).get("no")
    if not no_proxy:
        return False
    if no_proxy.strip() == "*":
        return True
    host = host.lower().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return any(_host_matches(entry, host, port) for entry in no_proxy.split(","))


def proxies_from_env(environ: Optional[Mapping[str, str]] = None) -> dict[str, ProxyInfo]:
    """The usable proxies per scheme (``http``, ``https``, ``ws``, ``wss``), with their
    credentials (from the URL, else the netrc file)."""
    result: dict[str, ProxyInfo] = {}
    for scheme, raw in env_proxy_urls(environ).items():
        if scheme not in _SCHEMES:
            continue
        try:
            url = URL(raw)
        except ValueError:
            client_logger.warning("Ignoring the invalid %s proxy URL %r", scheme, raw)
            continue
        if url.scheme in ("https", "wss"):
            client_logger.warning(
                "%s proxies %s are not supported, ignoring", url.scheme.upper(), url
            )
            continue
        if not url.host:
            client_logger.warning("Ignoring the %s proxy URL %r: it has no host", scheme, raw)
            continue
        proxy, auth = strip_credentials(url)
        if auth is None:
            auth = netrc_auth(url.host)
        result[scheme] = ProxyInfo(proxy, auth)
    return result


def get_env_proxy_for_url(
    url: URL, environ: Optional[Mapping[str, str]] = None
) -> tuple[URL, Optional[BasicAuth]]:
    """The proxy (and its credentials) to reach ``url`` through, from the environment.

    :raises LookupError: ``NO_PROXY`` excludes the host, or no proxy is set for the scheme.
    """
    if url.host is not None and proxy_bypass(url.host, url.port, environ):
        raise LookupError(f"Proxying is disallowed for {url.host!r}")
    info = proxies_from_env(environ).get(url.scheme)
    if info is None:
        raise LookupError(f"No proxies found for {url!s} in the env")
    return info.proxy, info.proxy_auth
