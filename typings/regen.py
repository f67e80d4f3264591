"""Regenerate the dependency stubs with stubgen and show how they differ from the committed ones.

The committed stubs in this folder start from ``stubgen`` output and are then tightened by hand,
so a diff is expected; it is printed so that a reviewer can spot what a new release of a
dependency added or changed (new functions, new parameters). Informational only: always exits 0
unless stubgen itself cannot run. Used by ``make stubs``.
"""

from __future__ import annotations

import difflib
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: Modules stubbed in this folder: import name -> stubgen arguments. C extensions use the runtime
#: inspection mode, since there is no Python source to analyse.
STUBBED: dict[str, tuple[str, ...]] = {
    "brotli": ("-p", "brotli", "--inspect-mode"),
}


def _stub_path(root: Path, module: str) -> Path:
    package = root / module / "__init__.pyi"
    return package if package.exists() else root / f"{module}.pyi"


def regenerate(module: str, args: tuple[str, ...], out: Path) -> Path | None:
    """Run stubgen for *module* into *out*; return the generated file, or None if it failed."""
    # mypy.stubgen is compiled with mypyc, so `python -m mypy.stubgen` does not work
    cmd = [sys.executable, "-c", "from mypy.stubgen import main; main()", *args, "-o", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(f"# {module}: stubgen failed ({proc.returncode})\n{proc.stderr}", file=sys.stderr)
        return None
    return _stub_path(out, module)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="stubgen-") as tmp:
        for module, args in STUBBED.items():
            generated = regenerate(module, args, Path(tmp))
            if generated is None:
                continue
            committed = _stub_path(HERE, module)
            old = committed.read_text().splitlines(keepends=True) if committed.exists() else []
            new = generated.read_text().splitlines(keepends=True)
            diff = list(
                difflib.unified_diff(
                    old,
                    new,
                    fromfile=f"committed/{committed.name}",
                    tofile=f"stubgen/{generated.name}",
                )
            )
            print(f"# {module}: {'differs from' if diff else 'same as'} fresh stubgen output")
            sys.stdout.writelines(diff)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
