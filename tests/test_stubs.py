"""The hand-tightened dependency stubs in ``typings/`` agree with the installed runtime modules.

Each stubbed module is checked with ``mypy.stubtest`` in a subprocess, using a minimal mypy
config whose only setting is ``mypy_path = typings``; genuine runtime quirks are listed, with
reasons, in ``typings/stubtest_allowlist.txt``.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TYPINGS = ROOT / "typings"
ALLOWLIST = TYPINGS / "stubtest_allowlist.txt"


def _stubbed_modules() -> list[str]:
    names = {p.stem for p in TYPINGS.glob("*.pyi")}
    names |= {p.parent.name for p in TYPINGS.glob("*/__init__.pyi")}
    return sorted(names)


def test_stubs_folder_is_not_empty() -> None:
    assert "brotli" in _stubbed_modules()


def test_stubs_allowlist_entries_have_a_reason() -> None:
    # every allowlisted name sits under a comment explaining it
    lines = ALLOWLIST.read_text().splitlines()
    for i, line in enumerate(lines):
        if line.strip() and not line.startswith("#"):
            assert i > 0
            assert lines[i - 1].startswith("#"), f"allowlist entry without reason: {line}"


@pytest.mark.parametrize("module", _stubbed_modules())
def test_stubs_match_runtime_with_stubtest(module: str, tmp_path: Path) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed")
    config = tmp_path / "mypy.ini"
    config.write_text(f"[mypy]\nmypy_path = {TYPINGS}\ncache_dir = {tmp_path / 'cache'}\n")
    cmd = [
        sys.executable,
        "-m",
        "mypy.stubtest",
        module,
        "--mypy-config-file",
        str(config),
        "--allowlist",
        str(ALLOWLIST),
    ]
    # run outside the repository so that nothing but the installed module is imported
    proc = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
