"""``python -m aiohttp.web``: argument errors in process, and a real server in a
subprocess that serves the factory's application and stops on SIGINT."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent

FACTORY_MODULE = textwrap.dedent(
    """
    from aiohttp import web

    def init(argv):
        async def handler(request):
            return web.Response(text="argv=" + ",".join(argv))

        app = web.Application()
        app.router.add_get("/", handler)
        return app

    async def init_async(argv):
        return init(argv)

    def not_an_app(argv):
        return "nope"

    def boom(argv):
        raise RuntimeError("factory failed")

    value = 42
    """
)


@pytest.fixture
def factory_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    name = f"cli_factory_{os.getpid()}_{abs(hash(tmp_path)) % 10**6}"
    (tmp_path / f"{name}.py").write_text(FACTORY_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["no_colon"], "'entry-func' not in 'module:function' syntax"),
        (["module:"], "'entry-func' not in 'module:function' syntax"),
        ([":func"], "'entry-func' not in 'module:function' syntax"),
        ([".relative:func"], "relative module names not supported"),
        (["no_such_module_for_cli_test:func"], "unable to import no_such_module_for_cli_test"),
        (["os:no_such_attribute"], "module 'os' has no attribute 'no_such_attribute'"),
        (["os:sep"], "os:sep is not callable"),
    ],
)
def test_cli_bad_entry_point(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        web.main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: aiohttp.web")
    assert message in err


def test_cli_needs_an_entry_point(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        web.main([])
    assert info.value.code == 2
    assert "entry-func" in capsys.readouterr().err


def test_cli_factory_must_return_an_application(
    factory_module: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        web.main([f"{factory_module}:not_an_app"])
    assert info.value.code == 2
    assert "returned 'nope', not an aiohttp.web.Application" in capsys.readouterr().err


def test_cli_factory_errors_propagate(factory_module: str) -> None:
    with pytest.raises(RuntimeError, match="factory failed"):
        web.main([f"{factory_module}:boom"])


def test_cli_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        web.main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for option in ("-H HOSTNAME", "-P PORT", "-U PATH", "entry-func"):
        assert option in out


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("factory", ["init", "init_async"])
async def test_cli_serves_the_factory_app(tmp_path: Path, factory: str) -> None:
    (tmp_path / "cli_demo_app.py").write_text(FACTORY_MODULE)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "aiohttp.web",
        "-H",
        "127.0.0.1",
        "-P",
        "0",
        f"cli_demo_app:{factory}",
        "--extra",
        "value",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 15)).decode()
        match = re.search(r"Running on (http://127\.0\.0\.1:\d+)", line)
        assert match, line + (await proc.stderr.read()).decode()
        async with httpx.AsyncClient() as client:
            resp = await client.get(match.group(1) + "/")
        assert resp.text == "argv=--extra,value"
        proc.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(proc.wait(), 15) == 0
        err = (await proc.stderr.read()).decode()
        assert err.endswith("Stopped\n")
        assert "RuntimeWarning" not in err
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
