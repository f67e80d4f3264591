"""Type checks for ``aiohttp.multipart`` and ``aiohttp.formdata``: iterating a reader yields
parts without ``None``, part readers return exact types, and the writer and form builder
return payloads.

Checked by the main mypy run only; each misuse line carries the ``type: ignore`` code it
must produce.
"""

from __future__ import annotations

from typing import Optional, Union

from multidict import CIMultiDictProxy
from typing_extensions import assert_type

from aiohttp.formdata import FormData
from aiohttp.multipart import (
    BodyPartReader,
    MultipartReader,
    MultipartWriter,
    content_disposition_filename,
    parse_content_disposition,
)
from aiohttp.payload import Payload
from aiohttp.streams import StreamReader


async def read_parts(stream: StreamReader) -> None:
    reader = MultipartReader({"Content-Type": "multipart/mixed; boundary=x"}, stream)
    assert_type(await reader.next(), Union[MultipartReader, BodyPartReader, None])
    async for part in reader:
        assert_type(part, Union[MultipartReader, BodyPartReader])
        if isinstance(part, MultipartReader):
            continue
        assert_type(part.headers, CIMultiDictProxy[str])
        assert_type(part.name, Optional[str])
        assert_type(part.filename, Optional[str])
        assert_type(await part.read(), bytes)
        assert_type(await part.read(decode=True), bytes)
        assert_type(await part.read_chunk(4096), bytes)
        assert_type(await part.readline(), bytes)
        assert_type(await part.text(encoding="utf-8"), str)
        assert_type(await part.form(), list[tuple[str, str]])
        assert_type(await part.decode(b"data"), bytes)
        async for chunk in part:
            assert_type(chunk, bytes)
        await part.read(True)  # type: ignore[call-arg]
        await part.read_chunk("4096")  # type: ignore[arg-type]
    MultipartReader({"Content-Type": "multipart/mixed"}, b"not a stream")  # type: ignore[arg-type]


writer = MultipartWriter("form-data", boundary="xyz")
assert_type(writer.append("text"), Payload)
assert_type(writer.append(b"bytes", {"X-Header": "v"}), Payload)
assert_type(writer.append_json({"a": 1}), Payload)
assert_type(writer.append_form([("a", "b")]), Payload)
assert_type(writer.size, Optional[int])
assert_type(writer.boundary, str)
for payload, coding, transfer in writer:
    assert_type(payload, Payload)
    assert_type(coding, Optional[str])
    assert_type(transfer, Optional[str])
MultipartWriter(boundary=b"xyz")  # type: ignore[arg-type]
writer.append_form({"a": 1})  # type: ignore[dict-item]

assert_type(parse_content_disposition("inline"), tuple[Optional[str], dict[str, str]])
assert_type(content_disposition_filename({"filename": "a"}), Optional[str])

form = FormData({"a": "b"}, charset="utf-8")
assert_type(form(), Payload)
assert_type(form.is_multipart, bool)
form.add_field("f", "v", filename=b"name")  # type: ignore[arg-type]
FormData(default_to_multipart=1, fields=())  # type: ignore[arg-type]
