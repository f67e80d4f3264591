"""Per-request and per-response application state: the mutable-mapping behaviour
:class:`~aiohttp.web.BaseRequest` and :class:`~aiohttp.web.StreamResponse` share.

Both are dict-like for middlewares and handlers (``request["user"] = ...``) while staying
identity-compared, hashable and always true (an empty mapping would otherwise be falsy).
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any, TypeAlias

# State holds whatever the application puts there.
StateValue: TypeAlias = Any  # type: ignore[explicit-any]  # arbitrary user values


class StateMapping(MutableMapping[str, StateValue]):
    """A mutable mapping over ``self._state`` with identity equality."""

    _state: dict[str, StateValue]

    def __getitem__(self, key: str) -> StateValue:
        return self._state[key]

    def __setitem__(self, key: str, value: StateValue) -> None:
        self._state[key] = value

    def __delitem__(self, key: str) -> None:
        del self._state[key]

    def __len__(self) -> int:
        return len(self._state)

    def __iter__(self) -> Iterator[str]:
        return iter(self._state)

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def __bool__(self) -> bool:
        return True
