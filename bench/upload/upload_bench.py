"""Benchmark: a streaming ``multipart/form-data`` upload, client to server, this aiohttp vs
the reference aiohttp 3.13.3, each with and without its accelerated path.

One script, three roles. ``serve`` runs an application whose handler saves the upload with
``request.post()`` (the file part spooled to a temporary file, a ``FileField``) and answers
with the byte count; ``upload URL FILE`` posts ``FILE`` as a ``FormData`` file field from
``ClientSession`` (a warm-up of 1 MiB, then ``--repeat`` timed uploads, the best kept) and
prints one JSON line. Without a role it is the driver: it writes the file (``--megabytes``,
100 by default), then for every round runs each contender's server and client, each in a
fresh process of the same interpreter and environment (server on CPU 0, client on CPU 1
when there are two), the contender order rotating per round. It checks that each process
imported the aiohttp it stands for (``3.13.3`` from ``bench/.venv-ref`` for the reference),
reads the server's peak RSS (``VmHWM``) from ``/proc`` once the client is done, and prints
the medians with ratios ours / reference. Usage: ``upload_bench.py [--rounds R]
[--megabytes M] [--repeat N] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
OUR_PYTHON = ROOT / ".venv" / "bin" / "python"
REF_PYTHON = ROOT / "bench" / ".venv-ref" / "bin" / "python"
REF_VERSION = "3.13.3"
MIB = 2**20
TIMEOUT = 300.0  # seconds any one child may take


def peak_rss_mib(pid: str = "self") -> float:
    """The high-water mark of a process's resident memory (``VmHWM``), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc status")


def pin(cpu: int) -> None:
    """Run on ``cpu`` alone when the machine has it (the other process gets the other)."""
    if not hasattr(os, "sched_setaffinity"):
        return
    cpus = os.sched_getaffinity(0)
    if cpu in cpus and len(cpus) > 1:
        os.sched_setaffinity(0, {cpu})


def identity() -> dict[str, str]:
    import aiohttp

    return {"aiohttp": aiohttp.__file__ or "", "version": aiohttp.__version__}


# --- the server ------------------------------------------------------------------------------


async def serve(max_size: int) -> None:
    from aiohttp import web

    async def save(request: web.Request) -> web.Response:
        form = await request.post()
        upload = form["file"]
        assert isinstance(upload, web.FileField)
        size = upload.file.seek(0, os.SEEK_END)
        upload.file.close()
        return web.Response(text=str(size))

    app = web.Application(client_max_size=max_size)
    app.router.add_post("/upload", save)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    hello = {"port": port, "start_peak_mib": peak_rss_mib(), **identity()}
    print(json.dumps(hello), flush=True)
    try:
        await stop
    finally:
        await runner.cleanup()


# --- the client ------------------------------------------------------------------------------


async def upload(url: str, path: Path, size: int, repeat: int) -> dict[str, object]:
    import io

    from aiohttp import ClientSession, FormData

    async def once(source: object, expected: int) -> float:
        form = FormData()
        form.add_field("file", source, filename="upload.bin")
        start = time.perf_counter()
        async with session.post(url, data=form) as resp:
            text = await resp.text()
        seconds = time.perf_counter() - start
        if resp.status != 200 or int(text) != expected:
            raise RuntimeError(f"upload failed: {resp.status} {text[:200]!r}")
        return seconds

    async with ClientSession() as session:
        start_peak = peak_rss_mib()
        await once(io.BytesIO(b"w" * MIB), MIB)
        times = []
        for _ in range(repeat):
            with path.open("rb") as fh:
                times.append(await once(fh, size))
    best = min(times)
    return {
        **identity(),
        "bytes": size,
        "seconds": best,
        "mb_per_s": size / 1e6 / best,
        "client_peak_mib": peak_rss_mib(),
        "client_growth_mib": peak_rss_mib() - start_peak,
    }


# --- the driver ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contender:
    """One interpreter + environment; server and client both run under it."""

    key: str
    title: str
    python: Path
    ours: bool
    pure: bool

    def env(self) -> dict[str, str]:
        drop = ("PYTHONPATH", "AIOHTTP_NO_EXTENSIONS", "PYTHONHOME")
        env = {k: v for k, v in os.environ.items() if k not in drop}
        if self.ours:
            env["PYTHONPATH"] = str(ROOT)
        if self.pure:
            env["AIOHTTP_NO_EXTENSIONS"] = "1"
        return env

    def check(self, found: dict[str, object]) -> None:
        """Refuse a run that imported another aiohttp than this contender's."""
        path = Path(str(found["aiohttp"])).resolve()
        if self.ours:
            ok = path == ROOT / "aiohttp" / "__init__.py"
        else:
            ok = path.is_relative_to(REF_PYTHON.parent.parent) and found["version"] == REF_VERSION
        if not ok:
            raise RuntimeError(f"{self.title} imported {path} ({found['version']})")


CONTENDERS = (
    Contender("ours_ext", "ours (httptools)", OUR_PYTHON, ours=True, pure=False),
    Contender("ours_py", "ours (pure)", OUR_PYTHON, ours=True, pure=True),
    Contender("ref_c", "aiohttp 3.13.3 (C)", REF_PYTHON, ours=False, pure=False),
    Contender("ref_py", "aiohttp 3.13.3 (pure)", REF_PYTHON, ours=False, pure=True),
)
RATIOS = (("ext/C", "ours_ext", "ref_c"), ("pure/pure", "ours_py", "ref_py"))
METRICS = (
    "mb_per_s",
    "server_peak_mib",
    "server_growth_mib",
    "client_peak_mib",
    "client_growth_mib",
)
HEADINGS = ("MB/s", "server peak", "(growth)", "client peak", "(growth)")


def _read_line(proc: subprocess.Popen[str], timeout: float) -> str:
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    if not ready:
        raise RuntimeError("the server did not start in time")
    line = proc.stdout.readline()
    if not line:
        raise RuntimeError(f"the server exited with {proc.wait()}")
    return line


def run_once(who: Contender, path: Path, repeat: int, max_size: int) -> dict[str, float]:
    """Start ``who``'s server, upload with ``who``'s client, stop the server."""
    script = str(Path(__file__).resolve())
    server = subprocess.Popen(
        [str(who.python), script, "serve", "--max-size", str(max_size)],
        env=who.env(),
        cwd="/",  # so the reference interpreter cannot import this repository's aiohttp
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        started = json.loads(_read_line(server, 30))
        who.check(started)
        url = f"http://127.0.0.1:{started['port']}/upload"
        client = subprocess.run(
            [str(who.python), script, "upload", url, str(path), "--repeat", str(repeat)],
            env=who.env(),
            cwd="/",
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=True,
        )
        result = json.loads(client.stdout.strip().splitlines()[-1])
        who.check(result)
        server_peak = peak_rss_mib(str(server.pid))
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return {
        "mb_per_s": float(result["mb_per_s"]),
        "server_peak_mib": server_peak,
        "server_growth_mib": server_peak - float(started["start_peak_mib"]),
        "client_peak_mib": float(result["client_peak_mib"]),
        "client_growth_mib": float(result["client_growth_mib"]),
    }


def write_source(path: Path, megabytes: int) -> None:
    block = os.urandom(MIB)
    with path.open("wb") as fh:
        for i in range(megabytes):
            fh.write(i.to_bytes(4, "big") + block[4:])


def drive(rounds: int, megabytes: int, repeat: int, json_path: str | None) -> None:
    samples: dict[str, list[dict[str, float]]] = {c.key: [] for c in CONTENDERS}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload.bin"
        write_source(path, megabytes)
        max_size = (megabytes + 1) * MIB
        for round_no in range(rounds):
            shift = round_no % len(CONTENDERS)
            for who in CONTENDERS[shift:] + CONTENDERS[:shift]:
                sample = run_once(who, path, repeat, max_size)
                samples[who.key].append(sample)
                print(f"round {round_no + 1}: {who.title:24} {sample}", file=sys.stderr)
    med = {
        key: {m: statistics.median(s[m] for s in runs) for m in METRICS}
        for key, runs in samples.items()
    }
    print(f"\n{megabytes} MiB multipart upload, median of {rounds} rounds (best of {repeat});")
    print("peak RSS (VmHWM) in MiB, growth = peak after the uploads - peak before them")
    print(f"{'':24}" + "".join(f"{h:>13}" for h in HEADINGS))
    for who in CONTENDERS:
        print(f"{who.title:24}" + "".join(f"{med[who.key][m]:>13.1f}" for m in METRICS))
    print("ratios ours / reference (speed: > 1 is faster; peaks: < 1 is smaller)")
    for title, ours, ref in RATIOS:
        ratios = [med[ours][m] / med[ref][m] for m in METRICS[:2]] + [
            med[ours]["client_peak_mib"] / med[ref]["client_peak_mib"]
        ]
        cells = (f"{ratios[0]:>13.2f}", f"{ratios[1]:>13.2f}", f"{'':>13}", f"{ratios[2]:>13.2f}")
        print(f"{title:24}" + "".join(cells))
    if json_path:
        Path(json_path).write_text(json.dumps({"samples": samples, "medians": med}, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    sub = parser.add_subparsers(dest="role")
    serve_p = sub.add_parser("serve")
    serve_p.add_argument("--max-size", type=int, default=200 * MIB)
    serve_p.add_argument("--cpu", type=int, default=0)
    upload_p = sub.add_parser("upload")
    upload_p.add_argument("url")
    upload_p.add_argument("file", type=Path)
    upload_p.add_argument("--repeat", type=int, default=3)
    upload_p.add_argument("--cpu", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--megabytes", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    if args.role == "serve":
        pin(args.cpu)
        asyncio.run(serve(args.max_size))
    elif args.role == "upload":
        pin(args.cpu)
        size = args.file.stat().st_size
        print(json.dumps(asyncio.run(upload(args.url, args.file, size, args.repeat))))
    else:
        drive(args.rounds, args.megabytes, args.repeat, args.json)


if __name__ == "__main__":
    main()
