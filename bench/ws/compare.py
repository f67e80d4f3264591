"""Run ``ws_echo.py`` under this aiohttp and the reference aiohttp 3.13.3, interleaved.

Each round runs the benchmark once per contender (each in a fresh process, the order rotated
per round) and the medians are printed with the ratio ours / reference (> 1: we are faster).
The reference interpreter is ``bench/.venv-ref`` (``make bench`` creates it). Usage:
``compare.py [--rounds R] [--trips N] [--megabytes M] [--compress BITS]`` (``--compress 15``
measures with permessage-deflate negotiated).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = Path(__file__).resolve().parent / "ws_echo.py"
CONTENDERS = {
    "ours": (ROOT / ".venv" / "bin" / "python", str(ROOT)),
    "aiohttp 3.13.3": (ROOT / "bench" / ".venv-ref" / "bin" / "python", None),
}
METRICS = ("round_trips_per_s", "mb_per_s")


def run_once(name: str, trips: int, megabytes: int, compress: int) -> dict[str, float]:
    python, pythonpath = CONTENDERS[name]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "AIOHTTP_NO_EXTENSIONS")}
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    out = subprocess.run(
        [str(python), str(SCRIPT), str(trips), str(megabytes), str(compress)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd="/",
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    imported = Path(str(result["aiohttp"])).resolve()
    assert imported.is_relative_to(ROOT / "aiohttp") == (pythonpath is not None), imported
    assert result["compressed"] == bool(compress), result
    return {metric: float(result[metric]) for metric in METRICS}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--trips", type=int, default=5000)
    parser.add_argument("--megabytes", type=int, default=100)
    parser.add_argument("--compress", type=int, default=0)
    args = parser.parse_args()
    names = list(CONTENDERS)
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    for round_no in range(args.rounds):
        shift = round_no % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(run_once(name, args.trips, args.megabytes, args.compress))
    medians = {
        name: {metric: statistics.median(s[metric] for s in runs) for metric in METRICS}
        for name, runs in samples.items()
    }
    print(f"{'':16}{'echo round trips/s':>20}{'1 MiB echo MB/s':>18}")
    for name in names:
        m = medians[name]
        print(f"{name:16}{m['round_trips_per_s']:>20.0f}{m['mb_per_s']:>18.1f}")
    ours, ref = medians["ours"], medians["aiohttp 3.13.3"]
    ratios = [ours[metric] / ref[metric] for metric in METRICS]
    print(f"{'ratio':16}{ratios[0]:>20.2f}{ratios[1]:>18.2f}")


if __name__ == "__main__":
    main()
