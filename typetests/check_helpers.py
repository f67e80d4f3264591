"""Type checks for ``aiohttp.helpers``: ``BasicAuth``, ``ETag``, ``reify`` and
``ChainMapProxy`` lookups typed through ``AppKey``.

Checked by the main mypy run only; each misuse line carries the ``type: ignore`` code it
must produce.
"""

from __future__ import annotations

from typing import Optional, Union

from typing_extensions import assert_type
from yarl import URL

from aiohttp.helpers import AppKey, BasicAuth, ChainMapProxy, ETag, reify

auth = BasicAuth("user", "secret")
assert_type(auth.login, str)
assert_type(auth.password, str)
assert_type(auth.encoding, str)
assert_type(auth.encode(), str)
assert_type(BasicAuth.decode("Basic dXNlcjpzZWNyZXQ="), BasicAuth)
assert_type(BasicAuth.from_url(URL("http://user:secret@example.com")), Optional[BasicAuth])
login, password, encoding = auth
assert_type(login, str)
BasicAuth(None)  # type: ignore[arg-type]
BasicAuth(b"user")  # type: ignore[arg-type]
auth.login = "other"  # type: ignore[misc]  # a NamedTuple field

tag = ETag(value="abc", is_weak=True)
assert_type(tag.value, str)
assert_type(tag.is_weak, bool)
ETag(value=b"abc")  # type: ignore[arg-type]


class Thing:
    def __init__(self) -> None:
        self._cache: dict[str, object] = {}

    @reify
    def answer(self) -> int:
        return 42


thing = Thing()
assert_type(thing.answer, int)
assert_type(Thing.answer, reify[Thing, int])
thing.answer = 43  # type: ignore[assignment]  # reified values are read-only


class NoCache:
    @reify  # type: ignore[type-var]  # reify needs the owner's _cache
    def answer(self) -> int:
        return 42


port_key = AppKey("port", int)
name_key = AppKey[str]("name")
proxy = ChainMapProxy([{port_key: 8080, name_key: "app", "legacy": object()}])
assert_type(proxy[port_key], int)
assert_type(proxy[name_key], str)
assert_type(proxy.get(port_key), Optional[int])
assert_type(proxy.get(port_key, "none"), Union[int, str])
proxy["legacy"]  # str keys hold arbitrary values
proxy[3]  # type: ignore[call-overload]
proxy[port_key] = 1  # type: ignore[index]
wrong: str = proxy[port_key]  # type: ignore[assignment]
