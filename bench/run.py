"""Run the benchmark cases against this aiohttp and the reference aiohttp 3.13.3; print ratios.

Every case in ``bench/cases/`` runs as a fresh subprocess of each contender: our interpreter
(``.venv``, with and without the httptools fast path) and the reference one
(``bench/.venv-ref``, with and without its C extensions). Runs are interleaved, round by round,
with the contender order rotated each round, so that a slow patch of the machine hits everyone;
the table shows each contender's median over the rounds, and ratios where > 1 means we are
faster. Each case checks its own results, and the harness checks that every contender imported
the aiohttp it claims to. Usage: ``python bench/run.py [--rounds R] [--case NAME ...]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "bench" / "cases"
OUR_PYTHON = ROOT / ".venv" / "bin" / "python"
REF_PYTHON = ROOT / "bench" / ".venv-ref" / "bin" / "python"


@dataclass(frozen=True)
class Contender:
    """One interpreter + environment that runs every case."""

    key: str
    title: str
    python: Path
    ours: bool
    pure: bool

    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("PYTHONPATH", "AIOHTTP_NO_EXTENSIONS", "PYTHONHOME")
        }
        if self.ours:
            env["PYTHONPATH"] = str(ROOT)
        if self.pure:
            env["AIOHTTP_NO_EXTENSIONS"] = "1"
        return env

    def owns(self, aiohttp_file: str) -> bool:
        """Whether the case imported the aiohttp this contender stands for."""
        path = Path(aiohttp_file).resolve()
        if self.ours:
            return path == ROOT / "aiohttp" / "__init__.py"
        return path.is_relative_to(REF_PYTHON.parent.parent.resolve())


CONTENDERS = (
    Contender("ours_ext", "ours (httptools)", OUR_PYTHON, ours=True, pure=False),
    Contender("ours_py", "ours (pure)", OUR_PYTHON, ours=True, pure=True),
    Contender("ref_c", "aiohttp (C)", REF_PYTHON, ours=False, pure=False),
    Contender("ref_py", "aiohttp (pure)", REF_PYTHON, ours=False, pure=True),
)
#: (title, numerator, denominator): ratios of speeds, > 1 means we are faster
RATIOS = (
    ("ext/C", "ours_ext", "ref_c"),
    ("pure/pure", "ours_py", "ref_py"),
)


@dataclass
class Samples:
    """The results of one case under one contender."""

    ops_per_s: list[float] = field(default_factory=list)
    impl: str = ""
    error: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.ops_per_s) if self.ops_per_s else None


def run_once(case: Path, contender: Contender, n: int | None, timeout: float) -> dict[str, Any]:
    """Run one case under one contender; return its JSON result or raise RuntimeError."""
    cmd = [str(contender.python), str(case)]
    if n is not None:
        cmd.append(str(n))
    try:
        proc = subprocess.run(
            cmd,
            cwd=CASES,
            env=contender.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RuntimeError(str(exc)) from exc
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        raise RuntimeError(lines[-1] if lines else f"exit status {proc.returncode}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    if not contender.owns(result["aiohttp_file"]):
        raise RuntimeError(f"imported the wrong aiohttp: {result['aiohttp_file']}")
    return result


def fmt_rate(value: float | None) -> str:
    if value is None:
        return "n/a"
    if value >= 1e6:
        return f"{value / 1e6:.2f}M"
    if value >= 1e3:
        return f"{value / 1e3:.1f}k"
    return f"{value:.0f}"


def fmt_ratio(num: float | None, den: float | None) -> str:
    return "n/a" if num is None or den is None else f"{num / den:.2f}x"


def print_table(cases: list[str], results: dict[tuple[str, str], Samples]) -> None:
    header = ["case (ops/s)"] + [c.title for c in CONTENDERS] + [r[0] for r in RATIOS]
    rows = [header]
    for case in cases:
        medians = {c.key: results[case, c.key].median for c in CONTENDERS}
        rows.append(
            [case]
            + [fmt_rate(medians[c.key]) for c in CONTENDERS]
            + [fmt_ratio(medians[num], medians[den]) for _, num, den in RATIOS]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for i, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [v.rjust(w) for v, w in zip(row[1:], widths[1:])]
        print("  ".join(cells))
        if i == 0:
            print("  ".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    parser.add_argument("--case", action="append", help="run only this case (repeatable)")
    parser.add_argument("--n", type=int, help="operations per case run (default: the case's)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per case run")
    parser.add_argument("--json", type=Path, help="also write every sample to this file")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every sample")
    args = parser.parse_args(argv)

    available = sorted(p.stem for p in CASES.glob("*.py") if not p.name.startswith("_"))
    cases: list[str] = args.case or available
    unknown = set(cases) - set(available)
    if unknown:
        parser.error(f"unknown case(s) {sorted(unknown)}; available: {available}")
    for contender in CONTENDERS:
        if not contender.python.exists():
            print(f"missing interpreter {contender.python} (run `make bench`)", file=sys.stderr)
            return 2

    results = {(case, c.key): Samples() for case in cases for c in CONTENDERS}
    for rnd in range(args.rounds):
        order = CONTENDERS[rnd % len(CONTENDERS) :] + CONTENDERS[: rnd % len(CONTENDERS)]
        for case in cases:
            for contender in order:
                samples = results[case, contender.key]
                if samples.error:
                    continue  # a contender that failed once is not retried
                try:
                    result = run_once(CASES / f"{case}.py", contender, args.n, args.timeout)
                except RuntimeError as exc:
                    samples.error = str(exc)
                    continue
                samples.ops_per_s.append(float(result["ops_per_s"]))
                samples.impl = str(result["impl"])
                if args.verbose:
                    rate = fmt_rate(samples.ops_per_s[-1])
                    print(f"round {rnd + 1} {case:<26} {contender.title:<18} {rate:>8}")
        print(f"round {rnd + 1}/{args.rounds} done", file=sys.stderr)

    print(f"\nmedian of {args.rounds} rounds; ratios are speed ours/aiohttp 3.13.3 (>1: faster)\n")
    print_table(cases, results)
    print("\nimplementations:")
    for case in cases:
        for c in CONTENDERS:
            samples = results[case, c.key]
            what = f"FAILED: {samples.error}" if samples.error else samples.impl
            print(f"  {case:<26} {c.title:<18} {what}")
    if args.json is not None:
        dump = {
            f"{case}/{key}": {"ops_per_s": s.ops_per_s, "impl": s.impl, "error": s.error}
            for (case, key), s in results.items()
        }
        args.json.write_text(json.dumps(dump, indent=2) + "\n")
    return 1 if any(s.error for s in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
