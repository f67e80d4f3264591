"""Static files over real loopback sockets (``httpx`` and raw sockets): serving, HEAD,
directory listings, ``append_version`` URLs, and every way of escaping the directory."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from aiohttp import web
from aiohttp._web_static import Kind, locate
from aiohttp.web_urldispatcher import StaticResource

from ._web_fixtures import raw_exchange, serve_app, split_response

SECRET = b"top secret outside the root"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """``tmp_path/root`` with files, a sub-directory and symlinks; ``tmp_path/outside``
    holds the secret."""
    root = tmp_path / "root"
    outside = tmp_path / "outside"
    (root / "sub").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.txt").write_bytes(SECRET)
    (root / "a.txt").write_bytes(b"hello world")
    (root / "sp ace ü.txt").write_bytes(b"unicode")
    (root / "sub" / "x&<y>.html").write_bytes(b"<b>")
    (root / "link.txt").symlink_to(outside / "secret.txt")
    (root / "linkdir").symlink_to(outside)
    (root / "inside_link.txt").symlink_to(root / "a.txt")
    (root / "c.txt").write_bytes(b"plain c")
    (root / "c.txt.gz").symlink_to(outside / "secret.txt")
    return root


@pytest.fixture
async def port(root: Path) -> AsyncIterator[int]:
    app = web.Application()
    app.router.add_static("/static", root, show_index=True, name="static")
    app.router.add_static("/follow", root, follow_symlinks=True)
    app.router.add_static("/noindex/", root)
    async with serve_app(app) as port:
        yield port


async def raw_get(port: int, target: str, method: str = "GET", extra: str = "") -> bytes:
    head = f"{method} {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{extra}\r\n"
    return await raw_exchange(port, head.encode("latin-1"))


async def test_static_file_is_served(port: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        response = await client.get("/static/a.txt")
    assert response.status_code == 200
    assert response.content == b"hello world"
    assert response.headers["content-type"] == "text/plain"
    assert response.headers["content-length"] == "11"
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["etag"].startswith('"')
    assert response.headers["last-modified"].endswith("GMT")
    assert "vary" not in response.headers


async def test_static_unicode_name_is_served(port: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        response = await client.get("/static/" + quote("sp ace ü.txt"))
    assert response.status_code == 200 and response.content == b"unicode"


async def test_static_head_has_length_and_no_body(port: int) -> None:
    status, headers, body = split_response(await raw_get(port, "/static/a.txt", "HEAD"))
    assert status == 200
    assert headers["Content-Length"] == "11"
    assert body == b""


async def test_static_missing_file_is_404(port: int) -> None:
    status, _, _ = split_response(await raw_get(port, "/static/nope.txt"))
    assert status == 404


async def test_static_post_is_405(port: int) -> None:
    status, headers, _ = split_response(await raw_get(port, "/static/a.txt", "POST"))
    assert status == 405
    assert headers["Allow"] == "GET,HEAD"


@pytest.mark.parametrize(
    "target",
    [
        "/static/../outside/secret.txt",
        "/static/sub/../../outside/secret.txt",
        "/static/%2e%2e/outside/secret.txt",
        "/static/%2E%2E%2Foutside%2Fsecret.txt",
        "/static/..%2foutside/secret.txt",
        "/static/%5c..%5coutside%5csecret.txt",
        "/static/..\\outside\\secret.txt",
        "/static/%252e%252e/outside/secret.txt",
        "/static//etc/passwd",
        "/static/%2fetc%2fpasswd",
        "/static/a.txt%00.png",
        "/static/link.txt",
        "/static/linkdir/secret.txt",
        "/static/c.txt.gz",
    ],
)
async def test_static_never_serves_outside_root(port: int, root: Path, target: str) -> None:
    status, _, body = split_response(await raw_get(port, target))
    assert status in (400, 404), status
    assert SECRET not in body


async def test_static_absolute_path_in_name_stays_inside(port: int, root: Path) -> None:
    secret = root.parent / "outside" / "secret.txt"
    status, _, body = split_response(await raw_get(port, "/static/" + quote(str(secret))))
    assert status == 404 and SECRET not in body


async def test_static_symlink_inside_root_is_served(port: int) -> None:
    status, _, body = split_response(await raw_get(port, "/static/inside_link.txt"))
    assert status == 200 and body == b"hello world"


async def test_static_precompressed_sibling_symlink_out_is_ignored(port: int) -> None:
    status, headers, body = split_response(
        await raw_get(port, "/static/c.txt", extra="Accept-Encoding: gzip\r\n")
    )
    assert status == 200
    assert body == b"plain c"
    assert "Content-Encoding" not in headers


async def test_follow_symlinks_serves_links_out_of_root(port: int) -> None:
    for target in ("/follow/link.txt", "/follow/linkdir/secret.txt"):
        status, _, body = split_response(await raw_get(port, target))
        assert status == 200 and body == SECRET
    status, _, body = split_response(await raw_get(port, "/follow/../outside/secret.txt"))
    assert status == 404 and SECRET not in body


async def test_static_directory_index_is_escaped(port: int) -> None:
    status, headers, body = split_response(await raw_get(port, "/static/sub"))
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    text = body.decode()
    assert "<title>Index of /sub</title>" in text
    assert '<a href="/static/sub/x&amp;%3Cy%3E.html">x&amp;&lt;y&gt;.html</a>' in text
    assert "<y>" not in text


async def test_static_root_index_lists_entries_sorted_without_escapes(port: int) -> None:
    status, _, body = split_response(await raw_get(port, "/static/"))
    assert status == 200
    text = body.decode()
    names = [line.split(">")[2].split("<")[0] for line in text.splitlines() if "<li>" in line]
    assert names == sorted(names)
    assert "a.txt" in names and "sub/" in names and "inside_link.txt" in names
    assert "link.txt" not in names and "linkdir/" not in names
    assert '<a href="/static/sp%20ace%20%C3%BC.txt">' in text


async def test_static_directory_without_index_is_403(port: int) -> None:
    for target in ("/noindex/sub", "/noindex", "/noindex/"):
        status, _, _ = split_response(await raw_get(port, target))
        assert status == 403, target


async def test_static_fifo_is_not_served(port: int, root: Path) -> None:
    os.mkfifo(root / "fifo")
    status, _, _ = split_response(await raw_get(port, "/static/fifo"))
    assert status == 404


def test_static_url_for_append_version(root: Path) -> None:
    resource = StaticResource("/st", root, append_version=True)
    digest = base64.urlsafe_b64encode(hashlib.sha256(b"hello world").digest()).decode()
    url = resource.url_for(filename="a.txt")
    assert url.path == "/st/a.txt" and url.query["v"] == digest
    assert resource.url_for(filename="a.txt", append_version=False).query_string == ""
    assert "v" not in resource.url_for(filename="missing.txt").query
    assert "v" not in resource.url_for(filename="link.txt").query  # points outside
    assert "v" not in resource.url_for(filename="sub").query
    plain = StaticResource("/st", root)
    assert plain.url_for(filename=Path("sub") / "x&<y>.html").raw_path == "/st/sub/x&%3Cy%3E.html"
    assert plain.url_for(filename="a.txt", append_version=True).query["v"] == digest


def test_static_resource_info_repr_and_options(root: Path) -> None:
    resource = StaticResource("/st/", root, name="st")
    info = resource.get_info()
    assert info["directory"] == root.resolve() and info["prefix"] == "/st"
    assert sorted(info["routes"]) == ["GET", "HEAD"]
    assert repr(resource) == f"<StaticResource 'st' /st -> {root.resolve()!r}>"

    async def options(request: web.Request) -> web.StreamResponse:
        return web.Response()

    resource.set_options_route(options)
    assert sorted(route.method for route in resource) == ["GET", "HEAD", "OPTIONS"]
    with pytest.raises(RuntimeError, match="OPTIONS route was set already"):
        resource.set_options_route(options)


def test_static_bad_directory_raises(root: Path) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        StaticResource("/st", root / "missing")
    with pytest.raises(ValueError, match="is not a directory"):
        StaticResource("/st", root / "a.txt")
    with pytest.raises(ValueError, match="must start with '/'"):
        web.UrlDispatcher().add_static("st", root)


@pytest.mark.parametrize(
    "name",
    [
        "../outside/secret.txt",
        "sub/../../outside/secret.txt",
        "..",
        "sub/..",
        "a.txt\x00",
        "..\\outside\\secret.txt",
        "link.txt",
        "linkdir/secret.txt",
    ],
)
def test_locate_refuses_names_leading_out(root: Path, name: str) -> None:
    found = locate(root.resolve(), name, follow_symlinks=False)
    assert found.kind is Kind.MISSING


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.txt", Kind.FILE),
        ("/a.txt", Kind.FILE),
        ("./sub//x&<y>.html", Kind.FILE),
        ("", Kind.DIRECTORY),
        ("sub/", Kind.DIRECTORY),
        ("inside_link.txt", Kind.FILE),
    ],
)
def test_locate_finds_names_inside(root: Path, name: str, kind: Kind) -> None:
    found = locate(root.resolve(), name, follow_symlinks=False)
    assert found.kind is kind
    assert found.path == root.resolve() or root.resolve() in found.path.parents


def test_locate_follow_symlinks_allows_links_out(root: Path) -> None:
    found = locate(root.resolve(), "link.txt", follow_symlinks=True)
    assert found.kind is Kind.FILE and found.path.read_bytes() == SECRET
    assert locate(root.resolve(), "../outside/secret.txt", follow_symlinks=True).kind is (
        Kind.MISSING
    )


def test_locate_file_with_trailing_slash_is_missing(root: Path) -> None:
    assert locate(root.resolve(), "a.txt/", follow_symlinks=False).kind is Kind.MISSING


async def test_static_at_root_prefix(root: Path) -> None:
    app = web.Application()
    resource = app.router.add_static("/", root)
    assert resource.canonical == ""
    assert str(resource.url_for(filename="a.txt")) == "/a.txt"
    async with serve_app(app) as port:
        status, _, body = split_response(await raw_get(port, "/a.txt"))
        assert status == 200 and body == b"hello world"
        status, _, _ = split_response(await raw_get(port, "/"))
        assert status == 403
