"""HTTP Digest access authentication (RFC 7616) as a client middleware.

:class:`DigestAuthMiddleware` sends the request; when the answer is ``401`` with a ``Digest``
challenge it answers the challenge and sends the request once more. Supported: the ``MD5``,
``SHA`` (SHA-1), ``SHA-256``, ``SHA-512`` and ``SHA-512-256`` algorithms and their ``-sess``
variants (also spelt without the dash, ``SHA256``), ``qop=auth`` and ``qop=auth-int`` (the
body is hashed; chosen when offered and the body is held in memory), the legacy exchange
without ``qop`` (RFC 2069), ``opaque`` echoing, nonce counting and a fresh client nonce per
request. A ``stale=true`` challenge is answered with the new nonce like any other.

With ``preemptive=True`` (the default) later requests inside the challenge's protection space
(its ``domain`` URIs, else the origin that was challenged) carry credentials from the start,
saving a round trip (RFC 7616 section 3.6); outside it nothing is sent, so credentials never
reach another origin unasked.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from typing import Final, Optional

from yarl import URL

from . import hdrs
from ._auth_challenge import Challenge, find_challenge
from .client_exceptions import ClientError
from .client_middlewares import ClientHandlerType
from .client_reqrep import ClientRequest, ClientResponse
from .payload import BytesPayload

__all__ = ("DigestAuthMiddleware",)

_Hash = Callable[[bytes], str]


def _hasher(name: str) -> _Hash:
    def digest(data: bytes) -> str:
        return hashlib.new(name, data).hexdigest()

    return digest


# Algorithm name (upper-cased, "-SESS" removed) -> hash.
_ALGORITHMS: Final[dict[str, _Hash]] = {
    "MD5": _hasher("md5"),
    "SHA": _hasher("sha1"),
    "SHA-256": _hasher("sha256"),
    "SHA256": _hasher("sha256"),
    "SHA-512": _hasher("sha512"),
    "SHA512": _hasher("sha512"),
    "SHA-512-256": _hasher("sha512_256"),
}
_SESS: Final = "-SESS"
# Never echoed back: they could break the header (HTAB is allowed in quoted strings).
_CONTROL: Final = frozenset(chr(c) for c in (*range(0x20), 0x7F)) - {"\t"}


def _quote(value: str) -> str:
    """``value`` as a quoted-string (RFC 9110 section 5.6.4)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check_text(name: str, value: str) -> str:
    if any(c in _CONTROL for c in value):
        raise ClientError(f"Malformed digest auth challenge: control character in {name!r}")
    return value


class _Challenge:
    """A validated ``Digest`` challenge and where it applies."""

    __slots__ = ("algorithm", "hash", "nonce", "opaque", "qops", "realm", "sess", "space")

    def __init__(self, raw: Challenge, url: URL) -> None:
        params = raw.params
        for key in ("realm", "nonce"):
            if key not in params:
                raise ClientError(f"Malformed digest auth challenge: Missing {key!r} parameter")
        self.realm = _check_text("realm", params["realm"])
        self.nonce = _check_text("nonce", params["nonce"])
        if not self.nonce:
            raise ClientError("Malformed digest auth challenge: empty 'nonce' parameter")
        opaque = params.get("opaque")
        self.opaque = None if opaque is None else _check_text("opaque", opaque)
        algorithm = params.get("algorithm", "MD5")
        upper = algorithm.upper()
        self.sess = upper.endswith(_SESS)
        base = upper[: -len(_SESS)] if self.sess else upper
        found = _ALGORITHMS.get(base)
        if found is None:
            raise ClientError(f"Digest auth error: Unsupported hash algorithm: {algorithm}")
        self.algorithm = _check_text("algorithm", algorithm)
        self.hash = found
        qop = params.get("qop")
        self.qops: Optional[frozenset[str]] = None
        if qop is not None:
            offered = frozenset(q.strip().lower() for q in qop.split(",") if q.strip())
            usable = offered & {"auth", "auth-int"}
            if not usable:
                raise ClientError(f"Digest auth error: Unsupported Quality of Protection: {qop}")
            self.qops = usable
        self.space = _protection_space(params.get("domain"), url)


def _protection_space(domain: Optional[str], url: URL) -> tuple[URL, ...]:
    """The URLs whose prefixes the credentials apply to (RFC 7616 section 3.3)."""
    if not domain:
        return (url.origin(),)
    space: list[URL] = []
    for item in domain.split():
        try:
            target = URL(item)
            if not target.absolute:
                target = url.origin().join(target)
        except ValueError:
            continue
        space.append(target)
    return tuple(space) or (url.origin(),)


def _in_space(url: URL, space: tuple[URL, ...]) -> bool:
    for prefix in space:
        if url.origin() != prefix.origin():
            continue
        base = prefix.path
        path = url.path
        if base in ("", "/") or path == base or path.startswith(base.rstrip("/") + "/"):
            return True
    return False


class DigestAuthMiddleware:
    """Answer ``Digest`` challenges with ``login`` and ``password``.

    ``async with ClientSession(middlewares=(DigestAuthMiddleware("user", "pw"),))``. A
    ``401`` is retried once with credentials; the second answer is returned whatever it is.
    A challenged request is sent twice, so its body must be one that can be sent again
    (bytes, text, a form, a file; not a one-shot async iterator).

    :raises ValueError: ``login`` or ``password`` is ``None``, or ``login`` has a ``:``.
    :raises ClientError: (when a request is made) the challenge is malformed or asks for an
        unsupported algorithm or quality of protection.
    """

    def __init__(self, login: str, password: str, preemptive: bool = True) -> None:
        if login is None:
            raise ValueError("None is not allowed as login value")
        if password is None:
            raise ValueError("None is not allowed as password value")
        if ":" in login:
            raise ValueError('A ":" is not allowed in username')
        if any(c in _CONTROL for c in login + password):
            raise ValueError("Control characters are not allowed in credentials")
        self._login = login
        self._password = password
        self._preemptive = preemptive
        self._challenge: Optional[_Challenge] = None
        self._nonce_count = 0
        self._last_nonce = ""

    async def _authorization(self, request: ClientRequest) -> str:
        """The ``Authorization`` value answering the stored challenge for ``request``."""
        challenge = self._challenge
        assert challenge is not None
        digest = challenge.hash
        uri = request.url.raw_path_qs
        if challenge.nonce == self._last_nonce:
            self._nonce_count += 1
        else:
            self._last_nonce = challenge.nonce
            self._nonce_count = 1
        nc = f"{self._nonce_count:08x}"
        cnonce = secrets.token_hex(16)

        ha1 = digest(f"{self._login}:{challenge.realm}:{self._password}".encode())
        if challenge.sess:
            ha1 = digest(f"{ha1}:{challenge.nonce}:{cnonce}".encode())

        qop: Optional[str] = None
        if challenge.qops is not None:
            in_memory = isinstance(request.body, BytesPayload)
            qop = "auth-int" if "auth-int" in challenge.qops and in_memory else "auth"
            if "auth" not in challenge.qops:
                qop = "auth-int"
        a2 = f"{request.method}:{uri}"
        if qop == "auth-int":
            a2 += ":" + digest(await request.body.as_bytes())
        ha2 = digest(a2.encode())

        if qop is None:
            response = digest(f"{ha1}:{challenge.nonce}:{ha2}".encode())
        else:
            response = digest(f"{ha1}:{challenge.nonce}:{nc}:{cnonce}:{qop}:{ha2}".encode())

        fields = [
            f"username={_quote(self._login)}",
            f"realm={_quote(challenge.realm)}",
            f"nonce={_quote(challenge.nonce)}",
            f"uri={_quote(uri)}",
            f"response={_quote(response)}",
            f"algorithm={challenge.algorithm}",
        ]
        if qop is not None:
            fields += [f"qop={qop}", f"nc={nc}", f"cnonce={_quote(cnonce)}"]
        if challenge.opaque is not None:
            fields.append(f"opaque={_quote(challenge.opaque)}")
        return "Digest " + ", ".join(fields)

    def _take_challenge(self, response: ClientResponse, url: URL, *, strict: bool) -> bool:
        """Store the ``Digest`` challenge of a ``401`` answer; ``True`` if there was one.

        A malformed challenge raises :class:`ClientError` when ``strict`` (the response is
        released first), else it is ignored.
        """
        if response.status != 401:
            return False
        found = find_challenge(response.headers.getall(hdrs.WWW_AUTHENTICATE, []), "digest")
        if found is None:
            return False
        try:
            self._challenge = _Challenge(found, url)
        except ClientError:
            if not strict:
                return False
            response.release()
            raise
        return True

    async def __call__(self, request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        """Send ``request`` through ``handler``, answering a digest challenge once."""
        challenge = self._challenge
        if self._preemptive and challenge is not None and _in_space(request.url, challenge.space):
            request.headers[hdrs.AUTHORIZATION] = await self._authorization(request)
        response = await handler(request)
        if not self._take_challenge(response, request.url, strict=True):
            return response
        response.release()
        request.headers[hdrs.AUTHORIZATION] = await self._authorization(request)
        response = await handler(request)
        # A challenge in the final answer (a stale nonce, say) is kept for the next request.
        self._take_challenge(response, request.url, strict=False)
        return response
