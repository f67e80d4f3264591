"""Proxies: the environment rules (``*_PROXY``, ``NO_PROXY``, netrc credentials) and requests
through a scripted HTTP proxy, explicit or taken from the environment with ``trust_env``."""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from yarl import URL

from aiohttp._client_proxy_env import (
    env_proxy_urls,
    get_env_proxy_for_url,
    proxies_from_env,
    proxy_bypass,
)
from aiohttp.client import ClientSession, InvalidURL
from aiohttp.helpers import BasicAuth
from tests._raw_server import Request
from tests._session_helpers import base, reply, requests_of, serve


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No proxy variable from the machine, and an empty netrc."""
    for name in list(os.environ):
        if name.lower().endswith("_proxy") or name in ("REQUEST_METHOD", "NETRC"):
            monkeypatch.delenv(name)
    empty = tmp_path / "empty-netrc"
    empty.write_text("")
    monkeypatch.setenv("NETRC", str(empty))
    yield


def _basic(login: str, password: str) -> bytes:
    return b"Basic " + base64.b64encode(f"{login}:{password}".encode())


# -- the environment rules -------------------------------------------------------------------


def test_env_proxy_urls_lower_case_wins_and_empty_unsets() -> None:
    env = {
        "HTTP_PROXY": "http://upper:1",
        "http_proxy": "http://lower:2",
        "HTTPS_PROXY": "http://s:3",
        "https_proxy": "",
        "WS_PROXY": "http://w:4",
        "NO_PROXY": "x",
        "OTHER": "y",
    }
    assert env_proxy_urls(env) == {"http": "http://lower:2", "ws": "http://w:4", "no": "x"}


def test_env_proxy_urls_ignores_upper_http_proxy_under_cgi() -> None:
    env = {"HTTP_PROXY": "http://injected:1", "REQUEST_METHOD": "GET"}
    assert env_proxy_urls(env) == {}
    assert env_proxy_urls({**env, "http_proxy": "http://mine:1"}) == {"http": "http://mine:1"}


@pytest.mark.parametrize(
    ("no_proxy", "host", "port", "bypassed"),
    [
        ("*", "anything.example", 80, True),
        ("example.com", "example.com", 80, True),
        ("example.com", "api.example.com", 80, True),
        (".example.com", "api.example.com", 80, True),
        (".example.com", "example.com", 80, True),
        ("example.com", "badexample.com", 80, False),
        ("EXAMPLE.com", "Api.Example.COM", 80, True),
        ("other.org, example.com ,", "example.com", 80, True),
        ("example.com:8080", "example.com", 8080, True),
        ("example.com:8080", "example.com", 80, False),
        ("10.0.0.0/8", "10.1.2.3", 80, True),
        ("10.0.0.0/8", "11.1.2.3", 80, False),
        ("10.0.0.0/8", "ten.example", 80, False),
        ("::1", "::1", 80, True),
        ("[::1]:8080", "::1", 8080, True),
        ("[::1]:8080", "[::1]", 81, False),
        ("", "example.com", 80, False),
        ("example.com:notaport", "example.com", 80, False),
    ],
)
def test_no_proxy_rules(no_proxy: str, host: str, port: int, bypassed: bool) -> None:
    assert proxy_bypass(host, port, {"no_proxy": no_proxy}) is bypassed


def test_proxies_from_env_credentials_and_unsupported_schemes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    env = {
        "http_proxy": "http://user:pw@proxy.local:3128",
        "https_proxy": "https://tls-proxy.local:443",
        "ws_proxy": "http://ws.local:1",
        "ftp_proxy": "http://ignored.local:2",
    }
    with caplog.at_level(logging.WARNING, logger="aiohttp.client"):
        found = proxies_from_env(env)
    assert set(found) == {"http", "ws"}
    assert found["http"].proxy == URL("http://proxy.local:3128")
    assert found["http"].proxy_auth == BasicAuth("user", "pw")
    assert found["ws"].proxy_auth is None
    assert "HTTPS proxies" in caplog.text


def test_proxy_credentials_from_netrc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine proxy.local login nu password npw\n")
    monkeypatch.setenv("NETRC", str(netrc))
    found = proxies_from_env({"http_proxy": "http://proxy.local:3128"})
    assert found["http"].proxy_auth == BasicAuth("nu", "npw")
    explicit = proxies_from_env({"http_proxy": "http://u:p@proxy.local:3128"})
    assert explicit["http"].proxy_auth == BasicAuth("u", "p")


def test_get_env_proxy_for_url() -> None:
    env = {"http_proxy": "http://proxy.local:1", "no_proxy": "direct.example"}
    assert get_env_proxy_for_url(URL("http://a.example/"), env) == (
        URL("http://proxy.local:1"),
        None,
    )
    with pytest.raises(LookupError, match="disallowed"):
        get_env_proxy_for_url(URL("http://direct.example/"), env)
    with pytest.raises(LookupError, match="No proxies"):
        get_env_proxy_for_url(URL("https://a.example/"), env)


# -- requests through a scripted proxy --------------------------------------------------------


def proxy_ok(request: Request) -> bytes:
    return reply(200, b"via proxy")


async def test_explicit_proxy_gets_absolute_form_and_credentials() -> None:
    async with (
        serve(proxy_ok) as proxy,
        ClientSession() as session,
        session.get(
            "http://target.invalid/path?q=1",
            proxy=base(proxy),
            proxy_auth=BasicAuth("pu", "ppw"),
            proxy_headers={"X-Proxy-Note": "1"},
        ) as resp,
    ):
        assert await resp.read() == b"via proxy"
    req = requests_of(proxy)[0]
    assert req.request_line == b"GET http://target.invalid/path?q=1 HTTP/1.1"
    assert req.header("host") == b"target.invalid"
    assert req.header("proxy-authorization") == _basic("pu", "ppw")
    assert req.header("x-proxy-note") == b"1"


async def test_session_default_proxy() -> None:
    async with (
        serve(proxy_ok) as proxy,
        ClientSession(proxy=base(proxy)) as session,
        session.get("http://target.invalid/") as resp,
    ):
        assert resp.status == 200
    assert requests_of(proxy)[0].request_line == b"GET http://target.invalid/ HTTP/1.1"


async def test_invalid_proxy_url_rejected() -> None:
    async with ClientSession() as session:
        with pytest.raises(InvalidURL):
            await session.get("http://target.invalid/", proxy="http://[bad")


async def test_trust_env_takes_the_proxy_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with serve(proxy_ok) as proxy:
        monkeypatch.setenv("HTTP_PROXY", f"http://eu:epw@127.0.0.1:{proxy.port}")
        async with (
            ClientSession(trust_env=True) as session,
            session.get("http://target.invalid/env") as resp,
        ):
            assert await resp.read() == b"via proxy"
    req = requests_of(proxy)[0]
    assert req.request_line == b"GET http://target.invalid/env HTTP/1.1"
    assert req.header("proxy-authorization") == _basic("eu", "epw")


async def test_no_proxy_and_trust_env_false_go_direct(monkeypatch: pytest.MonkeyPatch) -> None:
    async with serve(proxy_ok) as proxy, serve(lambda r: reply(200, b"direct")) as origin:
        monkeypatch.setenv("http_proxy", base(proxy))
        monkeypatch.setenv("no_proxy", "127.0.0.1")
        async with (
            ClientSession(trust_env=True) as session,
            session.get(base(origin)) as resp,
        ):
            assert await resp.read() == b"direct"
        monkeypatch.delenv("no_proxy")
        async with (
            ClientSession() as session,
            session.get(base(origin)) as resp,
        ):
            assert await resp.read() == b"direct"
    assert requests_of(proxy) == []
    assert len(requests_of(origin)) == 2


async def test_trust_env_reads_target_credentials_from_netrc(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login nu password npw\n")
    monkeypatch.setenv("NETRC", str(netrc))
    async with serve(lambda r: reply(200)) as srv:
        async with ClientSession(trust_env=True) as session, session.get(base(srv)) as resp:
            await resp.read()
        async with ClientSession() as session, session.get(base(srv)) as resp:
            await resp.read()
    first, second = requests_of(srv)
    assert first.header("authorization") == _basic("nu", "npw")
    assert second.header("authorization") is None
