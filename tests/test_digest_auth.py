"""DigestAuthMiddleware (RFC 7616) against a scripted challenge; every answer is checked by
recomputing the digest here with hashlib. Also the challenge parser on awkward input."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

import pytest
from yarl import URL

from aiohttp._auth_challenge import Challenge, find_challenge, parse_challenges
from aiohttp.client import ClientError, ClientSession
from aiohttp.client_middleware_digest_auth import DigestAuthMiddleware, _Challenge
from tests._raw_server import Request
from tests._session_helpers import base, reply, requests_of, serve

LOGIN, PASSWORD, REALM = "Mufasa", "Circle of Life", "http-auth@example.org"
_FIELD = re.compile(r'(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))')
_ESCAPED = re.compile(r"\\(.)")


def fields(header: bytes) -> dict[str, str]:
    text = header.decode()
    assert text.startswith("Digest ")
    return {
        m[1]: _ESCAPED.sub(r"\1", m[2]) if m[3] is None else m[3] for m in _FIELD.finditer(text[7:])
    }


def expected_response(
    f: dict[str, str], method: str, *, password: str = PASSWORD, body: bytes = b""
) -> str:
    algorithm = f.get("algorithm", "MD5").upper()
    name = {"MD5": "md5", "SHA-256": "sha256", "SHA-512-256": "sha512_256", "SHA": "sha1"}[
        algorithm.removesuffix("-SESS")
    ]

    def h(text: str) -> str:
        return hashlib.new(name, text.encode()).hexdigest()

    ha1 = h(f"{f['username']}:{f['realm']}:{password}")
    if algorithm.endswith("-SESS"):
        ha1 = h(f"{ha1}:{f['nonce']}:{f['cnonce']}")
    a2 = f"{method}:{f['uri']}"
    if f.get("qop") == "auth-int":
        a2 += ":" + hashlib.new(name, body).hexdigest()
    if "qop" not in f:
        return h(f"{ha1}:{f['nonce']}:{h(a2)}")
    return h(f"{ha1}:{f['nonce']}:{f['nc']}:{f['cnonce']}:{f['qop']}:{h(a2)}")


def challenge(**params: str) -> bytes:
    items = ", ".join(f'{k}="{v}"' for k, v in {"realm": REALM, **params}.items())
    return reply(401, b"denied", [("WWW-Authenticate", f"Digest {items}")])


def digest_server(
    *, password: str = PASSWORD, **params: str
) -> tuple[Callable[[Request], bytes], list[dict[str, str]]]:
    """A server accepting only correct digest answers to its (single) challenge."""
    accepted: list[dict[str, str]] = []
    params.setdefault("nonce", "dcd98b7102dd2f0e8b11d0f600bfb0c093")

    def respond(request: Request) -> bytes:
        header = request.header("authorization")
        if header is None:
            return challenge(**params)
        f = fields(header)
        method = request.request_line.split()[0].decode()
        if f["nonce"] != params["nonce"] or f["response"] != expected_response(
            f, method, password=password, body=request.body
        ):
            return challenge(**params)
        accepted.append(f)
        return reply(200, b"welcome")

    return respond, accepted


@pytest.mark.parametrize(
    ("algorithm", "qop"),
    [
        ("MD5", "auth"),
        ("MD5-sess", "auth"),
        ("SHA-256", "auth"),
        ("SHA-256-sess", "auth,auth-int"),
        ("SHA-512-256", "auth"),
        ("SHA", "auth"),
    ],
)
async def test_answers_the_challenge(algorithm: str, qop: str) -> None:
    respond, accepted = digest_server(algorithm=algorithm, qop=qop, opaque="5ccc069c403ebaf9")
    digest = DigestAuthMiddleware(LOGIN, PASSWORD)
    async with (
        serve(respond) as srv,
        ClientSession(middlewares=(digest,)) as session,
        session.get(f"{base(srv)}/dir/index.html?x=1") as resp,
    ):
        assert resp.status == 200
        assert await resp.read() == b"welcome"
    (f,) = accepted
    assert f["username"] == LOGIN
    assert f["realm"] == REALM
    assert f["uri"] == "/dir/index.html?x=1"
    assert f["opaque"] == "5ccc069c403ebaf9"
    assert f["algorithm"] == algorithm
    assert f["nc"] == "00000001"
    assert re.fullmatch(r"[0-9a-f]{16,}", f["cnonce"])
    assert len(requests_of(srv)) == 2


async def test_auth_int_hashes_the_body() -> None:
    respond, accepted = digest_server(qop="auth-int")
    digest = DigestAuthMiddleware(LOGIN, PASSWORD)
    async with (
        serve(respond) as srv,
        ClientSession(middlewares=(digest,)) as session,
        session.post(base(srv), data=b"the body") as resp,
    ):
        assert resp.status == 200
    assert accepted[0]["qop"] == "auth-int"
    assert [r.body for r in requests_of(srv)] == [b"the body", b"the body"]


async def test_legacy_challenge_without_qop() -> None:
    respond, accepted = digest_server()
    async with (
        serve(respond) as srv,
        ClientSession(middlewares=(DigestAuthMiddleware(LOGIN, PASSWORD),)) as s,
        s.get(base(srv)) as resp,
    ):
        assert resp.status == 200
    assert "qop" not in accepted[0] and "nc" not in accepted[0]


async def test_preemptive_reuses_the_challenge_with_counting() -> None:
    respond, accepted = digest_server(qop="auth")
    digest = DigestAuthMiddleware(LOGIN, PASSWORD)
    async with serve(respond) as srv, ClientSession(middlewares=(digest,)) as session:
        for path in ("/a", "/b/c"):
            async with session.get(base(srv) + path) as resp:
                assert resp.status == 200
    assert len(requests_of(srv)) == 3  # challenge, answer, then straight in
    assert [f["nc"] for f in accepted] == ["00000001", "00000002"]
    assert accepted[0]["cnonce"] != accepted[1]["cnonce"]


async def test_not_preemptive_when_disabled() -> None:
    respond, accepted = digest_server(qop="auth")
    digest = DigestAuthMiddleware(LOGIN, PASSWORD, preemptive=False)
    async with serve(respond) as srv, ClientSession(middlewares=(digest,)) as session:
        for _ in range(2):
            async with session.get(base(srv)) as resp:
                assert resp.status == 200
    assert len(requests_of(srv)) == 4
    assert requests_of(srv)[2].header("authorization") is None
    assert [f["nc"] for f in accepted] == ["00000001", "00000002"]  # the nonce is reused


async def test_no_preemptive_credentials_outside_the_protection_space() -> None:
    respond, _ = digest_server(qop="auth", domain="/private/")
    digest = DigestAuthMiddleware(LOGIN, PASSWORD)
    async with (
        serve(respond) as srv,
        serve(lambda r: reply(200)) as other,
        ClientSession(middlewares=(digest,)) as session,
    ):
        for url in (f"{base(srv)}/private/a", f"{base(srv)}/public", f"{base(other)}/"):
            async with session.get(url) as resp:
                await resp.read()
    assert requests_of(srv)[2].header("authorization") is None  # /public: not in the space
    assert requests_of(other)[0].header("authorization") is None


async def test_stale_nonce_is_answered_again() -> None:
    used: list[str] = []

    def respond(request: Request) -> bytes:
        header = request.header("authorization")
        if header is None:
            return challenge(nonce="n1", qop="auth")
        nonce = fields(header)["nonce"]
        if nonce == "n1" and "n1" in used:  # n1 is good for one request only
            return challenge(nonce="n2", qop="auth", stale="true")
        used.append(nonce)
        return reply(200, b"ok")

    digest = DigestAuthMiddleware(LOGIN, PASSWORD)
    async with serve(respond) as srv, ClientSession(middlewares=(digest,)) as session:
        for _ in range(2):
            async with session.get(base(srv)) as resp:
                assert resp.status == 200
    sent = [r.header("authorization") for r in requests_of(srv)]
    assert sent[0] is None
    answers = [fields(h) for h in sent[1:] if h is not None]
    assert [(f["nonce"], f["nc"]) for f in answers] == [
        ("n1", "00000001"),
        ("n1", "00000002"),  # preemptive, refused as stale
        ("n2", "00000001"),
    ]


async def test_wrong_password_returns_the_second_401() -> None:
    respond, accepted = digest_server(qop="auth", password="other")
    async with (
        serve(respond) as srv,
        ClientSession(middlewares=(DigestAuthMiddleware(LOGIN, PASSWORD),)) as s,
        s.get(base(srv)) as resp,
    ):
        assert resp.status == 401
    assert accepted == []
    assert len(requests_of(srv)) == 2


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ('Digest realm="r", nonce="n", algorithm=UNKNOWN', "Unsupported hash algorithm"),
        ('Digest realm="r"', "nonce"),
        ('Digest nonce="n"', "realm"),
        ('Digest realm="r", nonce="n", qop="auth-conf"', "Quality of Protection"),
    ],
)
async def test_bad_challenge_raises(header: str, message: str) -> None:
    respond = lambda r: reply(401, b"", [("WWW-Authenticate", header)])  # noqa: E731
    async with (
        serve(respond) as srv,
        ClientSession(middlewares=(DigestAuthMiddleware(LOGIN, PASSWORD),)) as s,
    ):
        with pytest.raises(ClientError, match=message):
            await s.get(base(srv))


def test_challenge_with_control_characters_refused() -> None:
    raw = Challenge("digest", {"realm": "r\r\nX-Injected: 1", "nonce": "n"}, "")
    with pytest.raises(ClientError, match="control character"):
        _Challenge(raw, URL("http://example.com/"))
    tab = Challenge("digest", {"realm": "a\tb", "nonce": "n"}, "")
    assert _Challenge(tab, URL("http://example.com/")).realm == "a\tb"


async def test_other_401_schemes_are_returned_untouched() -> None:
    respond = lambda r: reply(401, b"", [("WWW-Authenticate", 'Basic realm="x"')])  # noqa: E731
    async with (
        serve(respond) as srv,
        ClientSession(middlewares=(DigestAuthMiddleware(LOGIN, PASSWORD),)) as s,
        s.get(base(srv)) as resp,
    ):
        assert resp.status == 401
    assert len(requests_of(srv)) == 1


def test_constructor_checks_credentials() -> None:
    with pytest.raises(ValueError, match=":"):
        DigestAuthMiddleware("a:b", "pw")
    with pytest.raises(ValueError):
        DigestAuthMiddleware(None, "pw")  # type: ignore[arg-type]  # refused at run time
    with pytest.raises(ValueError):
        DigestAuthMiddleware("user", "pw\r\nX-Injected: 1")


async def test_quotes_in_the_username_are_escaped() -> None:
    login = 'Mu"fa\\sa'
    respond, accepted = digest_server(qop="auth")
    async with (
        serve(respond) as srv,
        ClientSession(middlewares=(DigestAuthMiddleware(login, PASSWORD),)) as s,
        s.get(base(srv)) as resp,
    ):
        assert resp.status == 200
    assert accepted[0]["username"] == login
    assert b'username="Mu\\"fa\\\\sa"' in (requests_of(srv)[1].header("authorization") or b"")


# -- the challenge parser --------------------------------------------------------------------


def test_parse_quoted_values_with_commas_and_escapes() -> None:
    (c,) = parse_challenges(
        'Digest realm="a, b", nonce="x\\"y", qop="auth,auth-int", algorithm=MD5'
    )
    assert c.scheme == "digest"
    assert c.params == {"realm": "a, b", "nonce": 'x"y', "qop": "auth,auth-int", "algorithm": "MD5"}


def test_parse_several_challenges_in_one_header() -> None:
    found = parse_challenges('Basic realm="r", Digest realm="d", nonce=n , Negotiate abc==, Bearer')
    assert [c.scheme for c in found] == ["basic", "digest", "negotiate", "bearer"]
    assert found[1].params == {"realm": "d", "nonce": "n"}
    assert found[2].token68 == "abc=="


def test_parse_is_lenient_about_spacing_case_and_junk() -> None:
    (c,) = parse_challenges(',, DIGEST  REALM = r ,, Nonce="n" junk, stale=true')
    assert c.scheme == "digest"
    assert c.params == {"realm": "r", "nonce": "n", "stale": "true"}
    assert parse_challenges('"unterminated, Digest realm=1') == []
    assert parse_challenges("") == []


def test_find_challenge_across_headers() -> None:
    headers = ['Basic realm="x"', 'Newauth realm="y", Digest realm="z", nonce="1"']
    found = find_challenge(headers, "Digest")
    assert found is not None and found.params["realm"] == "z"
    assert find_challenge(headers, "bearer") is None
