"""The examples of README.md and docs/code/ run as they are shown.

Each ```python block of README.md runs against the ``make demo`` application
(``examples/web_demo.py``), served on a free port of 127.0.0.1: the block's ``127.0.0.1:8080``
is rewritten to that port, the block runs in a worker thread (it calls ``asyncio.run`` itself),
and what it prints must equal the ```text block that follows it. The blocks also pass mypy
with the project's configuration. The runnable files of ``docs/code/`` (the guides'
``literalinclude`` sources) run as scripts, and the testing guide's tests pass under pytest.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import io
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Optional

import pytest

from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DEMO_PATH = ROOT / "examples" / "web_demo.py"
DOCS_CODE = ROOT / "docs" / "code"
DEMO_ADDRESS = "127.0.0.1:8080"
BLOCK_TIMEOUT = 30.0
SCRIPT_TIMEOUT = 60.0

# A fenced block: its language tag and its text (the fences alone on their lines).
_FENCE = re.compile(r"^```(?P<lang>[\w-]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Example:
    """A ```python block of the README and the output the README shows for it, if any."""

    line: int
    code: str
    expected_output: Optional[str]


def _fences(text: str) -> list[tuple[str, str, int]]:
    return [
        (m["lang"], m["body"], text.count("\n", 0, m.start()) + 1) for m in _FENCE.finditer(text)
    ]


def _readme_examples() -> list[Example]:
    fences = _fences(README.read_text(encoding="utf-8"))
    examples = []
    for index, (lang, body, line) in enumerate(fences):
        if lang != "python":
            continue
        following = fences[index + 1] if index + 1 < len(fences) else None
        expected = following[1] if following is not None and following[0] == "text" else None
        examples.append(Example(line, body, expected))
    return examples


def _load_demo() -> ModuleType:
    spec = importlib.util.spec_from_file_location("web_demo_for_readme", DEMO_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EXAMPLES = _readme_examples()
demo = _load_demo()


@pytest.fixture
async def demo_port() -> AsyncIterator[int]:
    app: web.Application = demo.make_app()
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port: int = runner.addresses[0][1]
    try:
        yield port
    finally:
        await runner.cleanup()


def _run_block(code: str, filename: str) -> str:
    """Run ``code`` as a fresh ``__main__`` module; return what it printed."""
    out = io.StringIO()
    namespace: dict[str, object] = {
        "__name__": "__main__",
        "print": functools.partial(print, file=out),
    }
    exec(compile(code, filename, "exec"), namespace)
    return out.getvalue()


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip().splitlines()]


def test_readme_starts_with_the_two_commands() -> None:
    lang, body, _ = _fences(README.read_text(encoding="utf-8"))[0]
    assert lang == "sh"
    commands = [line.split("#")[0].strip() for line in body.splitlines()]
    assert commands == ["make demo", "make test"]


def test_readme_examples_cover_the_quickstart() -> None:
    code = "\n".join(example.code for example in EXAMPLES)
    for needle in (
        "session.get(",
        "json=",
        "resp.content.iter_chunked(",
        'session.ws_connect("http://127.0.0.1:8080/ws")',
        "msg.type is aiohttp.WSMsgType.TEXT",
    ):
        assert needle in code
    assert all(example.expected_output is not None for example in EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"README.md:{e.line}" for e in EXAMPLES])
async def test_readme_example_runs_against_the_demo(example: Example, demo_port: int) -> None:
    assert DEMO_ADDRESS in example.code  # each block talks to the demo server
    code = example.code.replace(DEMO_ADDRESS, f"127.0.0.1:{demo_port}")
    output = await asyncio.wait_for(
        asyncio.to_thread(_run_block, code, f"README.md:{example.line}"), BLOCK_TIMEOUT
    )
    if example.expected_output is not None:
        assert _lines(output) == _lines(example.expected_output)


def test_readme_examples_type_check(tmp_path: Path) -> None:
    files = []
    for example in EXAMPLES:
        path = tmp_path / f"readme_block_{example.line}.py"
        path.write_text(example.code, encoding="utf-8")
        files.append(str(path))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(ROOT / "mypy.ini"),
            "--cache-dir",
            str(tmp_path / "mypy_cache"),
            "--no-error-summary",
            *files,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT * 2,
        check=False,
    )
    # Errors inside aiohttp/ are `make typecheck`'s business; here only the blocks count.
    assert result.returncode in (0, 1), result.stdout + result.stderr  # 2: mypy itself failed
    errors = [
        line
        for line in result.stdout.splitlines()
        if ": error:" in line and line.startswith(str(tmp_path))
    ]
    assert not errors, "\n".join(errors)


# -- docs/code ------------------------------------------------------------------------------

# What each runnable docs/code script prints (the lines its comments announce).
DOCS_SCRIPTS = {
    "hello_world.py": ["200 Hello, typed"],
    "client_usage.py": [
        "200 text/plain Hello, client",
        "{'created': 'pen'}",
        "downloaded 200000 bytes",
        "failed: 404 Not Found",
        "timed out",
    ],
    "websocket_echo.py": ["echo: hello", "030201", 'echo: {"n": 1}', "close code: 1000"],
    "parse_request.py": [
        "POST /echo example.com b'hello'",
        "GET /next?page=2 example.com b''",
        "rejected: 400",
    ],
    "wire_errors.py": ["BadHttpMessage 400", "LineTooLong 400"],
}


def _run_script(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT,
        check=False,
    )


def test_docs_code_scripts_are_all_listed() -> None:
    scripts = {
        path.name
        for path in DOCS_CODE.glob("*.py")
        if not path.name.startswith("test_") and "__main__" in path.read_text(encoding="utf-8")
    }
    scripts.discard("server_app.py")  # serves until Ctrl+C; test_guide_app.py covers it
    assert scripts == set(DOCS_SCRIPTS)


@pytest.mark.parametrize("script", sorted(DOCS_SCRIPTS))
def test_docs_code_script_runs(script: str) -> None:
    result = _run_script(str(DOCS_CODE / script))
    assert result.returncode == 0, result.stderr
    lines = _lines(result.stdout)
    for expected in DOCS_SCRIPTS[script]:
        assert expected in lines, result.stdout


def test_docs_testing_guide_tests_pass() -> None:
    result = _run_script(
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "aiohttp.pytest_plugin",
        str(DOCS_CODE / "test_guide_app.py"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout
