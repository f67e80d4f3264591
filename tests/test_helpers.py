"""Tests for the public helpers in :mod:`aiohttp.helpers` (and the header-text checks they use)."""

from __future__ import annotations

import asyncio
import base64
import datetime
import io
import sys

import attr
import pytest
from hypothesis import given, settings, strategies as st
from typing_extensions import assert_type
from yarl import URL

from aiohttp import _timers, helpers
from aiohttp.helpers import (
    AppKey,
    BasicAuth,
    ChainMapProxy,
    ETag,
    content_disposition_header,
    guess_filename,
    is_ip_address,
    must_be_empty_body,
    parse_http_date,
    parse_mimetype,
    quoted_string,
    reify,
    set_exception,
    set_result,
    should_remove_content_length,
)

# --- module surface ------------------------------------------------------------------------


def test_helpers_all_is_the_313_list() -> None:
    assert helpers.__all__ == ("BasicAuth", "ChainMapProxy", "ETag", "reify")


def test_timers_reexported_from_helpers_are_the_same_objects() -> None:
    assert helpers.TimerContext is _timers.TimerContext
    assert helpers.TimerNoop is _timers.TimerNoop
    assert helpers.BaseTimerContext is _timers.BaseTimerContext
    assert helpers.ceil_deadline is _timers.ceil_deadline


# --- BasicAuth -----------------------------------------------------------------------------


def test_basic_auth_encode_known_value() -> None:
    assert BasicAuth("Aladdin", "open sesame").encode() == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="


def test_basic_auth_defaults_to_empty_password_and_latin1() -> None:
    auth = BasicAuth("user")
    assert auth == ("user", "", "latin1")
    assert (auth.login, auth.password, auth.encoding) == ("user", "", "latin1")
    assert auth.encode() == "Basic " + base64.b64encode(b"user:").decode()


def test_basic_auth_empty_login_and_password_encode_to_colon() -> None:
    assert BasicAuth("", "").encode() == "Basic Og=="


def test_basic_auth_colon_in_login_is_refused() -> None:
    with pytest.raises(ValueError, match='":" is not allowed in login'):
        BasicAuth("us:er", "pw")


def test_basic_auth_colon_in_password_round_trips() -> None:
    auth = BasicAuth("user", "pa:ss:word")
    assert BasicAuth.decode(auth.encode()) == auth


@pytest.mark.parametrize("field", ["login", "password"])
def test_basic_auth_none_is_refused(field: str) -> None:
    kwargs: dict[str, object] = {"login": "user", "password": "pw", field: None}
    with pytest.raises(ValueError, match="None is not allowed"):
        BasicAuth(**kwargs)  # type: ignore[arg-type]  # the misuse under test


@pytest.mark.parametrize("bad", ["a\rb", "a\nb", "a\x00b"])
@pytest.mark.parametrize("field", ["login", "password"])
def test_basic_auth_line_breaks_are_refused(field: str, bad: str) -> None:
    kwargs = {"login": "user", "password": "pw", field: bad}
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        BasicAuth(**kwargs)


def test_basic_auth_non_latin1_fails_on_encode_with_default_encoding() -> None:
    auth = BasicAuth("юзер", "пароль")
    with pytest.raises(UnicodeEncodeError):
        auth.encode()


def test_basic_auth_non_latin1_round_trips_with_utf8() -> None:
    auth = BasicAuth("юзер", "пароль", encoding="utf-8")
    header = auth.encode()
    assert base64.b64decode(header.split()[1]) == "юзер:пароль".encode()
    assert BasicAuth.decode(header, encoding="utf-8") == auth


def test_basic_auth_latin1_characters_encode_as_single_bytes() -> None:
    header = BasicAuth("café", "pw").encode()
    assert base64.b64decode(header.split()[1]) == b"caf\xe9:pw"


def test_basic_auth_decode_scheme_is_case_insensitive() -> None:
    creds = base64.b64encode(b"a:b").decode()
    assert BasicAuth.decode(f"bAsIc {creds}") == BasicAuth("a", "b")


def test_basic_auth_decode_tolerates_surrounding_whitespace() -> None:
    creds = base64.b64encode(b"a:b").decode()
    assert BasicAuth.decode(f"  Basic   {creds}  ") == BasicAuth("a", "b")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("", "Could not parse"),
        ("Basic", "Could not parse"),
        ("Basic ", "Could not parse"),
        ("Bearer abc", "Unknown authorization method"),
        ("Basic !!!!", "Invalid base64"),
        ("Basic YTp", "Invalid base64"),
        ("Basic ЖЖЖЖ", "Invalid base64"),
        ("Basic " + base64.b64encode(b"nocolon").decode(), "Invalid credentials"),
        ("Basic " + base64.b64encode(b"a:b\nc").decode(), "CR, LF or NUL"),
    ],
)
def test_basic_auth_decode_malformed_header_raises(header: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BasicAuth.decode(header)


def test_basic_auth_decode_bytes_invalid_in_encoding_raise_value_error() -> None:
    header = "Basic " + base64.b64encode(b"\xff\xfe:pw").decode()
    with pytest.raises(ValueError, match="not valid utf-8"):
        BasicAuth.decode(header, encoding="utf-8")


def test_basic_auth_from_url_takes_decoded_user_info() -> None:
    auth = BasicAuth.from_url(URL("http://us%40er:p%3Ass@example.com/"))
    assert auth == BasicAuth("us@er", "p:ss")


def test_basic_auth_from_url_user_only() -> None:
    assert BasicAuth.from_url(URL("http://user@example.com")) == BasicAuth("user", "")


def test_basic_auth_from_url_without_user_info_is_none() -> None:
    assert BasicAuth.from_url(URL("http://example.com")) is None


def test_basic_auth_from_url_passes_encoding() -> None:
    auth = BasicAuth.from_url(URL("http://u:p@h"), encoding="utf-8")
    assert auth is not None
    assert auth.encoding == "utf-8"


def test_basic_auth_from_url_rejects_str() -> None:
    with pytest.raises(TypeError, match=r"yarl\.URL"):
        BasicAuth.from_url("http://u:p@h")  # type: ignore[arg-type]  # the misuse under test


@settings(max_examples=60, deadline=None)
@given(
    login=st.text(st.characters(codec="utf-8", exclude_characters=":\r\n\x00")),
    password=st.text(st.characters(codec="utf-8", exclude_characters="\r\n\x00")),
)
def test_basic_auth_round_trip_property(login: str, password: str) -> None:  # type: ignore[misc]  # given() is Callable[..., None]
    auth = BasicAuth(login, password, "utf-8")
    assert BasicAuth.decode(auth.encode(), "utf-8") == auth


# --- ETag ----------------------------------------------------------------------------------


def test_etag_is_frozen_slotted_value() -> None:
    tag = ETag("abc")
    assert tag.is_weak is False
    assert tag == ETag("abc", is_weak=False)
    assert tag != ETag("abc", is_weak=True)
    assert hash(tag) == hash(ETag("abc"))
    with pytest.raises(attr.exceptions.FrozenInstanceError):
        tag.value = "x"  # type: ignore[misc]  # the misuse under test
    assert not hasattr(tag, "__dict__")


# --- AppKey --------------------------------------------------------------------------------

module_key = AppKey("db", int)


def test_app_key_name_is_qualified_with_the_creating_module() -> None:
    assert repr(module_key) == "<AppKey(tests.test_helpers.db, type=int)>"


def test_app_key_repr_uses_subscripted_type() -> None:
    key = AppKey[str]("name")
    assert repr(key).endswith(", type=str)>")


def test_app_key_repr_qualifies_non_builtin_types() -> None:
    key = AppKey("ts", datetime.datetime)
    assert "type=datetime.datetime)>" in repr(key)


def test_app_key_repr_without_type_says_unknown() -> None:
    key: AppKey[object] = AppKey("x")
    assert "type=<<Unknown>>" in repr(key)


def test_app_key_is_a_dict_key_by_identity() -> None:
    first, second = AppKey("same", int), AppKey("same", int)
    table = {first: 1, second: 2}
    assert table[first] == 1
    assert table[second] == 2


def test_app_key_sorts_before_str_and_by_name() -> None:
    b, a = AppKey("b", int), AppKey("a", int)
    keys: list[str | AppKey[int]] = ["z", b, "y", a]
    assert sorted(keys) == [a, b, "y", "z"]


# --- ChainMapProxy -------------------------------------------------------------------------


def test_chain_map_proxy_first_mapping_wins() -> None:
    proxy = ChainMapProxy([{"a": 1}, {"a": 2, "b": 3}])
    assert proxy["a"] == 1
    assert proxy["b"] == 3


def test_chain_map_proxy_missing_key_raises_key_error() -> None:
    with pytest.raises(KeyError, match="nope"):
        ChainMapProxy([{"a": 1}])["nope"]


def test_chain_map_proxy_get_default() -> None:
    proxy = ChainMapProxy([{"a": 1}])
    assert proxy.get("a") == 1
    assert proxy.get("b") is None
    assert proxy.get("b", 5) == 5


def test_chain_map_proxy_app_key_lookup_is_typed() -> None:
    key = AppKey("port", int)
    proxy = ChainMapProxy([{}, {key: 8080}])
    value = proxy[key]
    assert_type(value, int)
    assert value == 8080
    assert_type(proxy.get(key), "int | None")
    assert proxy.get(AppKey("other", int), 1) == 1


def test_chain_map_proxy_contains_len_iter() -> None:
    proxy = ChainMapProxy([{"a": 1, "b": 2}, {"b": 3, "c": 4}])
    assert "c" in proxy
    assert "d" not in proxy
    assert len(proxy) == 3
    assert list(proxy) == ["b", "c", "a"]  # collections.ChainMap order
    assert dict(proxy.items()) == {"a": 1, "b": 2, "c": 4}


def test_chain_map_proxy_bool() -> None:
    assert not ChainMapProxy([])
    assert not ChainMapProxy([{}, {}])
    assert ChainMapProxy([{}, {"a": 1}])


def test_chain_map_proxy_repr() -> None:
    assert repr(ChainMapProxy([{"a": 1}, {}])) == "ChainMapProxy({'a': 1}, {})"


def test_chain_map_proxy_sees_later_changes_of_underlying_mappings() -> None:
    inner: dict[str | AppKey[object], object] = {}
    proxy = ChainMapProxy([inner])
    inner["late"] = 1
    assert proxy["late"] == 1


def test_chain_map_proxy_is_read_only() -> None:
    proxy = ChainMapProxy([{"a": 1}])
    with pytest.raises(TypeError):
        proxy["a"] = 2  # type: ignore[index]  # the misuse under test


def test_chain_map_proxy_cannot_be_subclassed() -> None:
    with pytest.raises(TypeError, match="forbidden"):

        class Sub(ChainMapProxy):  # type: ignore[misc]  # the misuse under test
            pass


# --- reify ---------------------------------------------------------------------------------


class _Cached:
    __slots__ = ("_cache", "calls")

    def __init__(self) -> None:
        self._cache: dict[str, object] = {}
        self.calls = 0

    @reify
    def answer(self) -> int:
        """The answer, computed once."""
        self.calls += 1
        return 42


def test_reify_computes_once_and_stores_in_cache() -> None:
    obj = _Cached()
    assert_type(obj.answer, int)
    assert obj.answer == 42
    assert obj.answer == 42
    assert obj.calls == 1
    assert obj._cache == {"answer": 42}


def test_reify_recomputes_after_cache_entry_is_dropped() -> None:
    obj = _Cached()
    _ = obj.answer
    del obj._cache["answer"]
    _ = obj.answer
    assert obj.calls == 2


def test_reify_is_per_instance() -> None:
    first, second = _Cached(), _Cached()
    _ = first.answer
    assert second._cache == {}


def test_reify_assignment_raises_attribute_error() -> None:
    obj = _Cached()
    with pytest.raises(AttributeError, match="read-only"):
        obj.answer = 1  # type: ignore[assignment]  # read-only: the misuse under test


def test_reify_on_class_returns_descriptor_with_doc() -> None:
    descriptor = _Cached.answer
    assert isinstance(descriptor, reify)
    assert descriptor.__doc__ == "The answer, computed once."
    assert descriptor.name == "answer"
    assert descriptor.wrapped.__name__ == "answer"


def test_reify_exception_is_not_cached() -> None:
    class Flaky:
        def __init__(self) -> None:
            self._cache: dict[str, object] = {}
            self.fail = True

        @reify
        def value(self) -> str:
            if self.fail:
                raise RuntimeError("boom")
            return "ok"

    obj = Flaky()
    with pytest.raises(RuntimeError):
        _ = obj.value
    obj.fail = False
    assert obj.value == "ok"


# --- parse_mimetype ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("", "", "", {})),
        ("*", ("*", "*", "", {})),
        ("application/json", ("application", "json", "", {})),
        ("Application/JSON", ("application", "json", "", {})),
        ("application/rss+xml", ("application", "rss", "xml", {})),
        ("text/html; charset=UTF-8", ("text", "html", "", {"charset": "UTF-8"})),
        ("text/html;CHARSET=utf-8", ("text", "html", "", {"charset": "utf-8"})),
        ("text/plain;base64", ("text", "plain", "", {"base64": ""})),
        ('text/plain; x="a;b"; y=1', ("text", "plain", "", {"x": "a;b", "y": "1"})),
        ('text/plain; x="a\\"b"', ("text", "plain", "", {"x": 'a"b'})),
        ('text/plain; x="unterminated', ("text", "plain", "", {"x": "unterminated"})),
        ("text/plain;;; ;", ("text", "plain", "", {})),
        ("text/plain; =novalue", ("text", "plain", "", {})),
        ("justtype", ("justtype", "", "", {})),
        ("  image/svg+xml  ;  q = 0.5 ", ("image", "svg", "xml", {"q": "0.5"})),
    ],
)
def test_parse_mimetype_cases(text: str, expected: tuple[str, str, str, dict[str, str]]) -> None:
    parsed = parse_mimetype(text)
    assert (parsed.type, parsed.subtype, parsed.suffix) == expected[:3]
    assert dict(parsed.parameters) == expected[3]


def test_parse_mimetype_keeps_repeated_parameters() -> None:
    parsed = parse_mimetype("multipart/mixed; a=1; a=2")
    assert parsed.parameters.getall("a") == ["1", "2"]


def test_parse_mimetype_result_is_immutable_and_cached() -> None:
    parsed = parse_mimetype("text/plain; charset=utf-8")
    assert parse_mimetype("text/plain; charset=utf-8") is parsed
    with pytest.raises(AttributeError):
        parsed.type = "x"  # type: ignore[misc]  # the misuse under test
    with pytest.raises(TypeError):
        parsed.parameters["charset"] = "x"  # type: ignore[index]  # read-only proxy


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60))
def test_parse_mimetype_never_raises(text: str) -> None:  # type: ignore[misc]  # given() is Callable[..., None]
    parsed = parse_mimetype(text)
    assert parsed.type == parsed.type.lower()


# --- quoted_string and content_disposition_header ------------------------------------------


def test_quoted_string_escapes_quote_and_backslash() -> None:
    assert quoted_string('a"b\\c\td') == 'a\\"b\\\\c\td'


@pytest.mark.parametrize("bad", ["\x00", "\r", "\n", "\x7f", "é"])
def test_quoted_string_refuses_non_qtext(bad: str) -> None:
    with pytest.raises(ValueError, match="quoted-string"):
        quoted_string(f"a{bad}b")


def test_content_disposition_without_params_is_the_type() -> None:
    assert content_disposition_header("inline") == "inline"


def test_content_disposition_quotes_plain_params() -> None:
    header = content_disposition_header("form-data", params={"name": "field", "x": 'a"b'})
    assert header == 'form-data; name="field"; x="a\\"b"'


def test_content_disposition_percent_encodes_filename() -> None:
    header = content_disposition_header("attachment", params={"filename": "my файл.txt"})
    assert header == 'attachment; filename="my%20%D1%84%D0%B0%D0%B9%D0%BB.txt"'


def test_content_disposition_non_ascii_param_uses_rfc5987() -> None:
    header = content_disposition_header("form-data", params={"name": "поле"})
    assert header == "form-data; name*=utf-8''%D0%BF%D0%BE%D0%BB%D0%B5"


def test_content_disposition_rfc5987_uses_given_charset() -> None:
    header = content_disposition_header("inline", _charset="latin-1", params={"t": "é"})
    assert header == "inline; t*=latin-1''%E9"


def test_content_disposition_unquoted_fields_only_escape() -> None:
    header = content_disposition_header(
        "attachment", quote_fields=False, params={"filename": 'a "b".txt'}
    )
    assert header == 'attachment; filename="a \\"b\\".txt"'


@pytest.mark.parametrize("disptype", ["", "bad type", "a;b", "inline\r\nX: y", "é"])
def test_content_disposition_bad_type_raises(disptype: str) -> None:
    with pytest.raises(ValueError, match="bad content disposition type"):
        content_disposition_header(disptype)


@pytest.mark.parametrize("key", ["", "a b", "a=b", "na\nme", "x\x00"])
def test_content_disposition_bad_key_raises(key: str) -> None:
    with pytest.raises(ValueError, match="bad content disposition parameter"):
        content_disposition_header("inline", params={key: "v"})


@pytest.mark.parametrize("quote_fields", [True, False])
@pytest.mark.parametrize("key", ["filename", "name"])
@pytest.mark.parametrize("bad", ["\r", "\n", "\x00", "a\r\nX-Injected: 1"])
def test_content_disposition_line_breaks_in_value_raise(
    bad: str, key: str, quote_fields: bool
) -> None:
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        content_disposition_header("attachment", quote_fields, params={key: bad})


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(["name", "filename", "x"]), st.text(max_size=20)))
def test_content_disposition_output_never_breaks_the_line(params: dict[str, str]) -> None:  # type: ignore[misc]  # given() is Callable[..., None]
    try:
        header = content_disposition_header("form-data", params=params)
    except ValueError:
        assert any(c in v for v in params.values() for c in "\r\n\x00")
        return
    assert not any(c in header for c in "\r\n\x00")


# --- parse_http_date -----------------------------------------------------------------------

_WHEN = datetime.datetime(1994, 11, 6, 8, 49, 37, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize(
    "text",
    [
        "Sun, 06 Nov 1994 08:49:37 GMT",  # IMF-fixdate
        "Sunday, 06-Nov-94 08:49:37 GMT",  # RFC 850
        "Sun Nov  6 08:49:37 1994",  # asctime
        "Sun, 06 Nov 1994 10:49:37 +0200",  # offset applied
    ],
)
def test_parse_http_date_formats(text: str) -> None:
    parsed = parse_http_date(text)
    assert parsed == _WHEN
    assert parsed is not None
    assert parsed.tzinfo is datetime.timezone.utc


@pytest.mark.parametrize(
    "text", [None, "", "garbage", "Sun, 30 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:00:00"]
)
def test_parse_http_date_invalid_is_none(text: str | None) -> None:
    assert parse_http_date(text) is None


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_parse_http_date_never_raises(text: str) -> None:  # type: ignore[misc]  # given() is Callable[..., None]
    result = parse_http_date(text)
    assert result is None or result.tzinfo is not None


# --- is_ip_address, guess_filename ---------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("fe80::1%eth0", True),
        ("::ffff:1.2.3.4", True),
        ("2001:db8::", True),
        ("example.com", False),
        ("localhost", False),
        ("1.2.3", False),
        ("999.1.1.1", False),
        ("1.2.3.4.5", False),
        ("\u0661\u0662.\u0661.\u0661.\u0661", False),  # non-ASCII digits
        (":::", False),
        ("", False),
        (None, False),
    ],
)
def test_is_ip_address(host: str | None, expected: bool) -> None:
    assert is_ip_address(host) is expected


def test_guess_filename_uses_base_name() -> None:
    class Named:
        name = "/some/dir/report.pdf"

    assert guess_filename(Named()) == "report.pdf"


@pytest.mark.parametrize("name", ["<stdin>", "<fdopen>", "", None, 3])
def test_guess_filename_unusable_name_gives_default(name: object) -> None:
    class Named:
        pass

    obj = Named()
    obj.name = name  # type: ignore[attr-defined]  # any attribute value is the point
    assert guess_filename(obj, "default") == "default"
    assert guess_filename(io.BytesIO()) is None


# --- futures -------------------------------------------------------------------------------


async def test_set_result_ignores_done_future() -> None:
    fut: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    set_result(fut, 1)
    set_result(fut, 2)
    assert fut.result() == 1
    cancelled: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    cancelled.cancel()
    set_result(cancelled, 3)
    assert cancelled.cancelled()


async def test_set_exception_chains_cause_and_ignores_done_future() -> None:
    fut: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    cause = OSError("reset")
    set_exception(fut, RuntimeError("x"), cause)
    exc = fut.exception()
    assert isinstance(exc, RuntimeError)
    assert exc.__cause__ is cause
    set_exception(fut, ValueError("later"))
    assert fut.exception() is exc


async def test_set_exception_without_cause_leaves_cause_alone() -> None:
    fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    err = RuntimeError("x")
    err.__cause__ = KeyError("kept")
    set_exception(fut, err)
    assert isinstance(err.__cause__, KeyError)


def test_set_exception_accepts_any_errorable_object() -> None:
    class Reader:
        def __init__(self) -> None:
            self.got: BaseException | None = None

        def set_exception(self, exc: BaseException, exc_cause: object = None) -> None:
            self.got = exc

    reader = Reader()
    err = ValueError("bad")
    set_exception(reader, err, KeyError("why"))
    assert reader.got is err
    assert isinstance(err.__cause__, KeyError)


# --- empty-body rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "code", "empty", "drop_length"),
    [
        ("GET", 200, False, False),
        ("HEAD", 200, True, False),
        ("head", 404, True, False),
        ("GET", 204, True, True),
        ("GET", 304, True, True),
        ("GET", 100, True, True),
        ("GET", 199, True, True),
        ("CONNECT", 200, True, True),
        ("connect", 299, True, True),
        ("CONNECT", 407, False, False),
        ("POST", 500, False, False),
    ],
)
def test_empty_body_rules(method: str, code: int, empty: bool, drop_length: bool) -> None:
    assert must_be_empty_body(method, code) is empty
    assert should_remove_content_length(method, code) is drop_length
    # Removing Content-Length is only ever done for bodiless responses.
    assert not drop_length or empty


def test_helpers_module_has_no_getattr_fallback() -> None:
    assert not hasattr(sys.modules["aiohttp.helpers"], "__getattr__")
