"""Tests for :mod:`aiohttp.formdata`: choosing URL-encoded or multipart bodies, field kinds,
deprecations, reuse, charsets and refusal of header injection. Multipart bodies are checked
with the standard library's email parser and with our own reader."""

from __future__ import annotations

import asyncio
import email.policy
import io
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from multidict import MultiDict, MultiDictProxy

from aiohttp.base_protocol import BaseProtocol
from aiohttp.formdata import FormData
from aiohttp.multipart import BodyPartReader, MultipartReader, MultipartWriter
from aiohttp.payload import BytesPayload, Payload
from aiohttp.streams import StreamReader


def email_parts(body: Payload, data: bytes) -> list[EmailMessage]:
    head = f"Content-Type: {body.content_type}\r\n\r\n".encode()
    message = BytesParser(policy=email.policy.HTTP).parsebytes(head + data)
    assert isinstance(message, EmailMessage)
    assert message.get_content_type() == "multipart/form-data"
    parts = [p for p in message.iter_parts() if isinstance(p, EmailMessage)]
    assert all(not p.defects for p in [message, *parts])
    return parts


def writer_of(form: FormData) -> MultipartWriter:
    body = form()
    assert isinstance(body, MultipartWriter)
    return body


def disposition(part: EmailMessage, param: str) -> object:
    return part.get_param(param, header="content-disposition")


# --- URL-encoded --------------------------------------------------------------------------------


async def test_formdata_plain_fields_are_urlencoded() -> None:
    form = FormData({"a": "1", "b": "x y"})
    form.add_field("c", "é&=")
    assert not form.is_multipart
    body = form()
    assert isinstance(body, BytesPayload)
    assert body.content_type == "application/x-www-form-urlencoded"
    data = await body.as_bytes()
    assert data == b"a=1&b=x+y&c=%C3%A9%26%3D"
    assert parse_qsl(data.decode()) == [("a", "1"), ("b", "x y"), ("c", "é&=")]


async def test_formdata_urlencoded_charset() -> None:
    form = FormData([("k", "é")], charset="latin-1")
    body = form()
    assert body.content_type == "application/x-www-form-urlencoded; charset=latin-1"
    assert await body.as_bytes() == b"k=%E9"


async def test_formdata_urlencoded_can_be_called_again() -> None:
    form = FormData([("k", "v")])
    first, second = form(), form()
    assert await first.as_bytes() == await second.as_bytes() == b"k=v"


# --- What makes a form multipart ------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [{"filename": "a.txt"}, {"content_type": "text/csv"}],
)
def test_formdata_filename_or_content_type_makes_multipart(kwargs: dict[str, str]) -> None:
    form = FormData()
    form.add_field("f", "data", **kwargs)
    assert form.is_multipart
    assert isinstance(form(), MultipartWriter)


def test_formdata_file_object_makes_multipart() -> None:
    form = FormData()
    form.add_field("f", io.BytesIO(b"x"))
    assert form.is_multipart


def test_formdata_default_to_multipart() -> None:
    form = FormData({"a": "b"}, default_to_multipart=True)
    assert form.is_multipart
    assert form().content_type.startswith("multipart/form-data; boundary=")


def test_formdata_bytes_without_filename_is_deprecated_file() -> None:
    form = FormData()
    with pytest.warns(DeprecationWarning, match="passing bytes will no longer"):
        form.add_field("blob", b"\x00\x01")
    assert form.is_multipart
    [(part, _, _)] = list(writer_of(form))
    assert part.headers["Content-Disposition"] == 'form-data; name="blob"; filename="blob"'


def test_formdata_content_transfer_encoding_is_deprecated() -> None:
    form = FormData()
    with pytest.warns(DeprecationWarning, match="content_transfer_encoding is deprecated"):
        form.add_field("f", b"x", content_transfer_encoding="base64")
    assert form.is_multipart
    [(part, coding, transfer)] = list(writer_of(form))
    assert "Content-Transfer-Encoding" not in part.headers  # ignored, as in 3.13
    assert (coding, transfer) == (None, None)


# --- Multipart bodies --------------------------------------------------------------------------


async def test_formdata_multipart_read_by_email_parser(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_bytes(b"a,b\n1,2\n")
    form = FormData()
    form.add_field("title", "héllo")
    form.add_field("note", "plain", content_type="text/x-note")
    with path.open("rb") as file:
        form.add_field("upload", file)
        form.add_field("blob", io.BytesIO(b"\x00\xff"), filename="raw.bin")
        body = form()
        data = await body.as_bytes()
    parts = email_parts(body, data)
    assert [disposition(p, "name") for p in parts] == ["title", "note", "upload", "blob"]
    assert parts[0].get_content() == "héllo"
    assert parts[1].get_content_type() == "text/x-note"
    assert disposition(parts[2], "filename") == "report.csv"
    assert parts[2].get_content_type() == "text/csv"
    assert parts[2].get_payload(decode=True) == b"a,b\n1,2\n"
    assert disposition(parts[3], "filename") == "raw.bin"
    assert parts[3].get_payload(decode=True) == b"\x00\xff"
    assert b"Content-Length" not in data  # RFC 7578 section 4.8


async def test_formdata_multipart_read_by_our_reader() -> None:
    form = FormData(quote_fields=False)
    form.add_field("name", "value")
    form.add_field("file", io.BytesIO(b"contents"), filename="naïve file.txt")
    body = form()
    stream = StreamReader(BaseProtocol(asyncio.get_running_loop()), 2**16)
    stream.feed_data(await body.as_bytes())
    stream.feed_eof()
    reader = MultipartReader({"Content-Type": body.content_type}, stream)
    seen = []
    async for part in reader:
        assert isinstance(part, BodyPartReader)
        seen.append((part.name, part.filename, await asyncio.wait_for(part.read(), 5)))
    assert seen == [("name", None, b"value"), ("file", "naïve file.txt", b"contents")]


async def test_formdata_quote_fields_percent_encodes_filename() -> None:
    form = FormData()
    form.add_field("file", io.BytesIO(b"x"), filename='a "quoted" é.txt')
    [(part, _, _)] = list(writer_of(form))
    assert part.headers["Content-Disposition"] == (
        'form-data; name="file"; filename="a%20%22quoted%22%20%C3%A9.txt"'
    )


async def test_formdata_multipart_charset_encodes_text() -> None:
    form = FormData(charset="latin-1", default_to_multipart=True)
    form.add_field("t", "é")
    body = form()
    parts = email_parts(body, await body.as_bytes())
    assert parts[0].get_content_charset() == "latin-1"
    assert parts[0].get_payload(decode=True) == b"\xe9"


async def test_formdata_multipart_is_reused_across_calls() -> None:
    form = FormData(default_to_multipart=True)
    form.add_field("a", "1")
    first = form()
    first_bytes = await first.as_bytes()
    assert form() is first
    assert await first.as_bytes() == first_bytes  # re-sendable (redirects, retries)
    form.add_field("b", "2")
    again = form()
    assert again is first
    assert isinstance(again, MultipartWriter) and len(again) == 2


def test_formdata_unserializable_value() -> None:
    form = FormData(default_to_multipart=True)
    form.add_field("x", object())
    with pytest.raises(TypeError, match="Can not serialize value type"):
        form()


# --- add_fields ------------------------------------------------------------------------------


def test_formdata_add_fields_kinds() -> None:
    form = FormData()
    upload = io.BytesIO(b"x")
    form.add_fields(
        ("pair", "1"),
        ["list-pair", "2"],
        MultiDict([("md", "3"), ("md", "4")]),
        MultiDictProxy(MultiDict([("proxy", "5")])),
        upload,
    )
    body = form()
    assert isinstance(body, MultipartWriter)
    names = [p.headers["Content-Disposition"] for p, _, _ in body]
    # Multidict items join the end of the queue (as in 3.13).
    assert names == [
        'form-data; name="pair"',
        'form-data; name="list-pair"',
        'form-data; name="unknown"; filename="unknown"',
        'form-data; name="md"',
        'form-data; name="md"',
        'form-data; name="proxy"',
    ]


def test_formdata_named_file_field_name(tmp_path: Path) -> None:
    path = tmp_path / "named.txt"
    path.write_text("hi")
    with path.open("rb") as file:
        form = FormData(file)
        [(part, _, _)] = list(writer_of(form))
        assert part.headers["Content-Disposition"] == (
            'form-data; name="named.txt"; filename="named.txt"'
        )


@pytest.mark.parametrize("bad", [("a", "b", "c"), 42, "just a string"])
def test_formdata_add_fields_rejects_other_things(bad: object) -> None:
    with pytest.raises(TypeError, match=r"Only io\.IOBase, multidict and"):
        FormData().add_fields(bad)


@pytest.mark.parametrize(
    "kwargs",
    [{"filename": 1}, {"content_type": b"text/plain"}, {"content_transfer_encoding": 7}],
)
def test_formdata_add_field_type_checks(kwargs: dict[str, object]) -> None:
    with pytest.raises(TypeError, match="must be an instance of str"):
        FormData().add_field("f", "v", **kwargs)  # type: ignore[arg-type]


# --- Header injection ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("evil\r\nX-Injected: 1", {}),
        ("ok", {"filename": "evil\n.txt"}),
        ("ok", {"filename": "nul\x00.txt"}),
        ("ok", {"content_type": "text/plain\r\nX-Injected: 1"}),
    ],
)
def test_formdata_refuses_line_breaks_when_added(name: str, kwargs: dict[str, str]) -> None:
    form = FormData()
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        form.add_field(name, "value", **kwargs)
    assert not form.is_multipart  # refused before the form changed


def test_formdata_refuses_line_breaks_in_initial_fields() -> None:
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        FormData({"a\nb": "v"})
