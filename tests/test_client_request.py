"""ClientRequest construction: URL and method checks, headers, auth, cookies, body kinds and
framing decisions, and the value types (RequestInfo, ConnectionKey, Fingerprint). Nothing here
touches the network; tests/test_client_request_wire.py sends requests to a scripted server."""

from __future__ import annotations

import asyncio
import io
import ssl
from collections.abc import AsyncIterator
from http.cookies import Morsel, SimpleCookie
from pathlib import Path

import pytest
from multidict import CIMultiDict, CIMultiDictProxy, MultiDict
from yarl import URL

from aiohttp import hdrs
from aiohttp.client_exceptions import InvalidURL, ServerFingerprintMismatch
from aiohttp.client_reqrep import (
    ClientRequest,
    ClientResponse,
    ConnectionKey,
    ContentDisposition,
    Fingerprint,
    RequestInfo,
)
from aiohttp.formdata import FormData
from aiohttp.helpers import BasicAuth
from aiohttp.http_writer import HttpVersion10, HttpVersion11
from aiohttp.payload import BytesPayload, StringPayload

URL_ = URL("http://example.com/path")


def make(method: str = "GET", url: URL = URL_, **kwargs: object) -> ClientRequest:
    return ClientRequest(method, url, **kwargs)  # type: ignore[arg-type]  # test shorthand


# --- public home -----------------------------------------------------------------------------


def test_classes_module_is_client_reqrep() -> None:
    for cls in (ClientRequest, ClientResponse, RequestInfo, Fingerprint, ConnectionKey):
        assert cls.__module__ == "aiohttp.client_reqrep"


# --- method and URL --------------------------------------------------------------------------


async def test_method_upper_cased() -> None:
    assert make("get").method == "GET"
    assert make("PROPFIND").method == "PROPFIND"


@pytest.mark.parametrize("method", ["GET\r\nX: y", "GE T", "GET\x00", "", "GET\n", "G(T"])
async def test_method_not_a_token_refused(method: str) -> None:
    with pytest.raises(ValueError, match="token"):
        make(method)


@pytest.mark.parametrize(
    "url",
    [
        URL("/relative"),
        URL("http:///nohost"),
        URL("ftp://example.com/"),
        URL("http://h/p q", encoded=True),
        URL("http://h/p\x00", encoded=True),
        URL("http://h/?a=\x7f", encoded=True),
        URL.build(scheme="http", host="a b", encoded=True),
    ],
)
async def test_url_unsendable_refused(url: URL) -> None:
    with pytest.raises(InvalidURL):
        make(url=url)


async def test_url_not_yarl_refused() -> None:
    with pytest.raises(TypeError):
        make(url="http://example.com/")  # type: ignore[arg-type]


async def test_url_ws_and_wss_accepted() -> None:
    assert make(url=URL("ws://h/")).port == 80
    req = make(url=URL("wss://h/"))
    assert req.is_ssl() and req.port == 443


async def test_url_fragment_dropped_but_kept_as_real_url() -> None:
    req = make(url=URL("http://h/p#frag"))
    assert req.url == URL("http://h/p")
    assert req.original_url == URL("http://h/p#frag")
    assert req.request_info.real_url == URL("http://h/p#frag")


async def test_url_credentials_become_auth_and_are_stripped() -> None:
    req = make(url=URL("http://user:pass@h/p"))
    assert req.auth == BasicAuth("user", "pass")
    assert req.headers[hdrs.AUTHORIZATION] == BasicAuth("user", "pass").encode()
    assert req.url == URL("http://h/p")
    assert "pass" not in str(req.request_info)


async def test_explicit_auth_wins_over_url_credentials() -> None:
    req = make(url=URL("http://user:pass@h/"), auth=BasicAuth("other", "pw"))
    assert req.headers[hdrs.AUTHORIZATION] == BasicAuth("other", "pw").encode()


async def test_auth_not_basic_auth_refused() -> None:
    with pytest.raises(TypeError):
        make(auth=("user", "pass"))


async def test_auth_from_netrc_with_trust_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine example.com login bob password secret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    assert make(trust_env=True).headers[hdrs.AUTHORIZATION] == BasicAuth("bob", "secret").encode()
    assert hdrs.AUTHORIZATION not in make(trust_env=False).headers


async def test_params_merged_with_url_query() -> None:
    url = URL("http://h/p?a=1")
    assert make(url=url, params={"b": "2"}).url.raw_query_string == "a=1&b=2"
    assert make(url=url, params=[("a", "2")]).url.raw_query_string == "a=1&a=2"
    assert make(url=url, params=MultiDict([("c", "3"), ("c", "4")])).url.query.getall("c") == [
        "3",
        "4",
    ]
    assert make(url=url, params="d=5").url.raw_query_string == "a=1&d=5"


async def test_params_special_chars_quoted() -> None:
    assert make(params={"q": "a b&c"}).url.raw_query_string == "q=a+b%26c"


# --- headers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://example.com/", "example.com"),
        ("http://example.com:80/", "example.com"),
        ("http://example.com:8080/", "example.com:8080"),
        ("https://example.com:443/", "example.com"),
        ("https://example.com:80/", "example.com:80"),
        ("http://[::1]/", "[::1]"),
        ("http://[::1]:8080/", "[::1]:8080"),
        ("http://пример.рф/", "xn--e1afmkfd.xn--p1ai"),
        ("http://EXAMPLE.com/", "example.com"),
    ],
)
async def test_host_header(url: str, host: str) -> None:
    assert make(url=URL(url)).headers[hdrs.HOST] == host


async def test_host_header_given_replaces_ours() -> None:
    req = make(headers={"Host": "other.example"})
    assert req.headers.getall(hdrs.HOST) == ["other.example"]


async def test_default_headers() -> None:
    headers = make().headers
    assert headers[hdrs.ACCEPT] == "*/*"
    assert headers[hdrs.ACCEPT_ENCODING].startswith("gzip, deflate")
    assert headers[hdrs.USER_AGENT].startswith("Python/")
    assert "aiohttp/" in headers[hdrs.USER_AGENT]


async def test_accept_encoding_advertises_brotli_when_installed() -> None:
    from aiohttp.compression_utils import HAS_BROTLI

    encodings = make().headers[hdrs.ACCEPT_ENCODING].split(", ")
    assert ("br" in encodings) is HAS_BROTLI


async def test_given_headers_win_over_defaults_and_repeat() -> None:
    req = make(headers=[("Accept", "text/html"), ("X-A", "1"), ("X-A", "2")])
    assert req.headers.getall(hdrs.ACCEPT) == ["text/html"]
    assert req.headers.getall("X-A") == ["1", "2"]


async def test_headers_from_multidict_proxy() -> None:
    source = CIMultiDictProxy(CIMultiDict([("X-A", "1"), ("X-A", "2")]))
    assert make(headers=source).headers.getall("x-a") == ["1", "2"]


async def test_skip_auto_headers() -> None:
    req = make(skip_auto_headers=["user-agent", "Accept-Encoding"])
    assert hdrs.USER_AGENT not in req.headers
    assert hdrs.ACCEPT_ENCODING not in req.headers
    assert hdrs.ACCEPT in req.headers
    assert set(req.skip_auto_headers) == {"Accept-Encoding", "user-agent"}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("X-Inject", "a\r\nEvil: 1"),
        ("X-Inject", "a\nb"),
        ("X-Inject", "a\rb"),
        ("X-Inject", "a\x00b"),
        ("X Bad", "v"),
        ("X:Bad", "v"),
        ("X-Bad\r\n", "v"),
        ("", "v"),
    ],
)
async def test_header_injection_refused(name: str, value: str) -> None:
    with pytest.raises(ValueError):
        make(headers={name: value})


async def test_header_value_not_str_refused() -> None:
    with pytest.raises(TypeError):
        make(headers={"X-Num": 1})


async def test_server_hostname_with_line_break_refused() -> None:
    with pytest.raises(ValueError):
        make(server_hostname="a\r\nb")


async def test_proxy_headers_injection_refused() -> None:
    with pytest.raises(ValueError):
        make(proxy=URL("http://proxy:3128"), proxy_headers={"X": "a\r\nb"})


# --- cookies ---------------------------------------------------------------------------------


async def test_cookies_header() -> None:
    req = make(cookies={"a": "1", "b": "two words"})
    assert req.headers[hdrs.COOKIE] == 'a=1; b="two words"'


async def test_cookies_merged_with_cookie_header() -> None:
    req = make(headers={"Cookie": "x=0; a=old"}, cookies=[("a", "1")])
    assert req.headers[hdrs.COOKIE] == "x=0; a=1"


async def test_cookies_from_morsel_and_simple_cookie() -> None:
    jar = SimpleCookie()
    jar["s"] = "v"
    morsel: Morsel[str] = Morsel()
    morsel.set("m", "val", "coded")
    assert make(cookies=jar).headers[hdrs.COOKIE] == "s=v"
    assert make(cookies={"m": morsel}).headers[hdrs.COOKIE] == "m=coded"


@pytest.mark.parametrize("name", ["a;b", "a=b", "a b", "a\r\n", ""])
async def test_cookie_bad_name_refused(name: str) -> None:
    with pytest.raises(ValueError):
        make(cookies={name: "v"})


async def test_cookie_value_with_line_break_is_quoted_not_injected() -> None:
    value = make(cookies={"a": "x\r\nEvil: 1"}).headers[hdrs.COOKIE]
    assert "\r" not in value and "\n" not in value


# --- body ------------------------------------------------------------------------------------


async def test_no_body_get_has_no_length() -> None:
    req = make()
    assert hdrs.CONTENT_LENGTH not in req.headers
    assert isinstance(req.body, BytesPayload) and req.body.size == 0


async def test_no_body_post_has_zero_length() -> None:
    assert make("POST").headers[hdrs.CONTENT_LENGTH] == "0"


async def test_bytes_body() -> None:
    req = make("POST", data=b"abc")
    assert req.headers[hdrs.CONTENT_LENGTH] == "3"
    assert req.headers[hdrs.CONTENT_TYPE] == "application/octet-stream"
    assert isinstance(req.body, BytesPayload)


async def test_str_body() -> None:
    req = make("POST", data="žluť")
    assert req.headers[hdrs.CONTENT_LENGTH] == str(len("žluť".encode()))
    assert req.headers[hdrs.CONTENT_TYPE] == "text/plain; charset=utf-8"
    assert isinstance(req.body, StringPayload)


async def test_form_dict_body_urlencoded() -> None:
    req = make("POST", data={"a": "1 2", "b": "&"})
    assert req.headers[hdrs.CONTENT_TYPE] == "application/x-www-form-urlencoded"
    assert await req.body.as_bytes() == b"a=1+2&b=%26"


async def test_form_pairs_body_urlencoded() -> None:
    req = make("POST", data=[("a", "1"), ("a", "2")])
    assert await req.body.as_bytes() == b"a=1&a=2"


async def test_formdata_multipart_body() -> None:
    form = FormData()
    form.add_field("f", io.BytesIO(b"data"), filename="f.bin")
    req = make("POST", data=form)
    assert req.headers[hdrs.CONTENT_TYPE].startswith("multipart/form-data; boundary=")


async def test_file_body_size_known(tmp_path: Path) -> None:
    path = tmp_path / "body.bin"
    path.write_bytes(b"x" * 100)
    with path.open("rb") as f:
        req = make("PUT", data=f)
        assert req.headers[hdrs.CONTENT_LENGTH] == "100"
        await req.body.close()


async def test_async_iterable_body_is_chunked() -> None:
    async def gen() -> AsyncIterator[bytes]:
        yield b"a"

    req = make("POST", data=gen())
    assert req.chunked is True
    assert req.headers[hdrs.TRANSFER_ENCODING] == "chunked"
    assert hdrs.CONTENT_LENGTH not in req.headers


async def test_payload_body_used_as_is() -> None:
    body = BytesPayload(b"xyz", content_type="image/png")
    req = make("POST", data=body)
    assert req.body is body
    assert req.headers[hdrs.CONTENT_TYPE] == "image/png"


async def test_body_of_unknown_type_refused() -> None:
    with pytest.raises(TypeError):
        make("POST", data=12345)


async def test_given_content_type_kept() -> None:
    req = make("POST", data=b"{}", headers={"Content-Type": "application/json"})
    assert req.headers.getall(hdrs.CONTENT_TYPE) == ["application/json"]


async def test_skipped_content_type_not_added() -> None:
    req = make("POST", data=b"x", skip_auto_headers=["Content-Type"])
    assert hdrs.CONTENT_TYPE not in req.headers


async def test_chunked_with_content_length_refused() -> None:
    with pytest.raises(ValueError, match="Content-Length"):
        make("POST", data=b"x", chunked=True, headers={"Content-Length": "1"})


async def test_chunked_with_transfer_encoding_header_refused() -> None:
    with pytest.raises(ValueError, match="Transfer-Encoding"):
        make("POST", data=b"x", chunked=True, headers={"Transfer-Encoding": "chunked"})


async def test_chunked_explicit() -> None:
    req = make("POST", data=b"abc", chunked=True)
    assert req.headers[hdrs.TRANSFER_ENCODING] == "chunked"
    assert hdrs.CONTENT_LENGTH not in req.headers


async def test_compress_sets_encoding_and_chunked() -> None:
    req = make("POST", data=b"abc", compress=True)
    assert req.compress == "deflate"
    assert req.headers[hdrs.CONTENT_ENCODING] == "deflate"
    assert req.headers[hdrs.TRANSFER_ENCODING] == "chunked"
    assert hdrs.CONTENT_LENGTH not in req.headers
    assert make("POST", data=b"abc", compress="gzip").headers[hdrs.CONTENT_ENCODING] == "gzip"


async def test_compress_with_content_encoding_header_refused() -> None:
    with pytest.raises(ValueError, match="Content-Encoding"):
        make("POST", data=b"x", compress="gzip", headers={"Content-Encoding": "br"})


async def test_compress_unknown_coding_refused() -> None:
    with pytest.raises(ValueError, match="compress"):
        make("POST", data=b"x", compress="lzma")


async def test_compress_without_body_ignored() -> None:
    req = make("GET", compress=True)
    assert req.compress is None and hdrs.CONTENT_ENCODING not in req.headers


async def test_update_body_recomputes_headers() -> None:
    req = make("POST", data=b"abc")
    await req.update_body("text body")
    assert req.headers[hdrs.CONTENT_LENGTH] == "9"
    assert req.headers[hdrs.CONTENT_TYPE] == "text/plain; charset=utf-8"
    await req.update_body(None)
    assert req.headers[hdrs.CONTENT_LENGTH] == "0"
    assert hdrs.CONTENT_TYPE not in req.headers


async def test_expect100_header_and_future() -> None:
    req = make("POST", data=b"x", expect100=True)
    assert req.headers[hdrs.EXPECT] == "100-continue"
    assert req._continue is not None
    req2 = make("POST", data=b"x", headers={"Expect": "100-Continue"})
    assert req2._continue is not None


async def test_version_from_text() -> None:
    assert make(version="1.0").version == HttpVersion10
    assert make().version == HttpVersion11
    with pytest.raises(ValueError, match="http version"):
        make(version="one")


# --- keys and infos --------------------------------------------------------------------------


async def test_connection_key() -> None:
    req = make(url=URL("https://h:8443/"))
    assert req.connection_key == ConnectionKey("h", 8443, True, True, None, None, None)
    hash(req.connection_key)


async def test_connection_key_with_proxy() -> None:
    req = make(
        proxy=URL("http://u:p@proxy:3128"),
        proxy_headers={"X-P": "1"},
    )
    key = req.connection_key
    assert key.proxy == URL("http://proxy:3128")
    assert key.proxy_auth == BasicAuth("u", "p")
    assert key.proxy_headers_hash is not None


async def test_ssl_param() -> None:
    ctx = ssl.create_default_context()
    assert make(ssl=ctx).ssl is ctx
    assert make(ssl=False).ssl is False
    assert make(ssl=None).ssl is True
    with pytest.raises(TypeError):
        make(ssl="yes")


async def test_request_info() -> None:
    req = make(url=URL("http://h/p#f"), headers={"X-A": "1"})
    info = req.request_info
    assert info.url == URL("http://h/p") and info.method == "GET"
    assert info.headers["X-A"] == "1"
    assert isinstance(info.headers, CIMultiDictProxy)


def test_request_info_defaults_real_url() -> None:
    headers = CIMultiDictProxy(CIMultiDict[str]())
    info = RequestInfo(URL("http://h/"), "GET", headers)
    assert info.real_url == URL("http://h/")
    assert info == (URL("http://h/"), "GET", headers, URL("http://h/"))
    with pytest.raises(AttributeError):
        info.method = "POST"  # type: ignore[misc]


def test_content_disposition_is_frozen() -> None:
    from types import MappingProxyType

    cd = ContentDisposition("attachment", MappingProxyType({}), None)
    with pytest.raises(AttributeError):
        cd.type = "inline"  # type: ignore[misc]


async def test_session_property_without_session() -> None:
    with pytest.raises(RuntimeError):
        _ = make().session


async def test_terminate_and_close_without_writer() -> None:
    req = make()
    req.terminate()
    await req.close()


# --- Fingerprint -----------------------------------------------------------------------------


def test_fingerprint_sha256() -> None:
    digest = bytes(range(32))
    fp = Fingerprint(digest)
    assert fp.fingerprint == digest
    assert fp == Fingerprint(digest) and hash(fp) == hash(Fingerprint(digest))


@pytest.mark.parametrize("size", [16, 20])
def test_fingerprint_md5_sha1_refused(size: int) -> None:
    with pytest.raises(ValueError, match="insecure"):
        Fingerprint(b"\x00" * size)


def test_fingerprint_bad_length_refused() -> None:
    with pytest.raises(ValueError, match="length"):
        Fingerprint(b"\x00" * 31)


class _FakeSSLObject:
    def __init__(self, cert: bytes) -> None:
        self.cert = cert

    def getpeercert(self, binary_form: bool = False) -> bytes:
        return self.cert


class _FakeTLSTransport(asyncio.Transport):
    def __init__(self, cert: bytes) -> None:
        super().__init__(
            {
                "sslcontext": object(),
                "ssl_object": _FakeSSLObject(cert),
                "peername": ("127.0.0.1", 443),
            }
        )


def test_fingerprint_check_matches() -> None:
    import hashlib

    cert = b"certificate bytes"
    Fingerprint(hashlib.sha256(cert).digest()).check(_FakeTLSTransport(cert))


def test_fingerprint_check_mismatch() -> None:
    with pytest.raises(ServerFingerprintMismatch) as info:
        Fingerprint(b"\x01" * 32).check(_FakeTLSTransport(b"other"))
    assert info.value.host == "127.0.0.1" and info.value.port == 443


def test_fingerprint_check_plain_transport_passes() -> None:
    Fingerprint(b"\x01" * 32).check(asyncio.Transport())


async def test_update_body_closes_file_payload(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"abc")
    f = path.open("rb")
    req = make("POST", data=f)
    await req.update_body(b"other")
    assert f.closed
    assert req.headers[hdrs.CONTENT_LENGTH] == "5"


async def test_body_setter_warns_for_payload_holding_a_resource(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"abc")
    with path.open("rb") as f:
        req = make("POST", data=f)
        with pytest.warns(ResourceWarning, match="update_body"):
            req.body = b"replaced"
    assert await req.body.as_bytes() == b"replaced"
    req.body = b"again"  # bytes hold no resource: no warning
