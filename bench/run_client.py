"""Client benchmark: ``bench/client/client_bench.py`` against nginx, per contender; print ratios.

The harness starts its own nginx (one worker, 127.0.0.1 only, no access log, a config file and
prefix in a temp dir) serving a small file and a 64 MiB one, pinned to core 1, and runs the
client on core 0 under each contender: this project (httptools and pure) and aiohttp 3.13.3
(C and pure), as in ``bench/run.py``, plus ``httpx.AsyncClient`` from our venv as a peer.
Cases: sequential GETs on one connection and 50 concurrent GETs over a pool (requests/s), and a
64 MiB download streamed in 64 KiB chunks (MB/s). Runs are interleaved round by round with the
contender order rotated; the table shows medians and ratios where > 1 means we are faster.
Usage: ``python bench/run_client.py [--rounds R] [--duration S] [--case NAME ...]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._net import (
    ROOT,
    Children,
    Column,
    Pinning,
    Samples,
    die_with_parent,
    exit_on_sigterm,
    print_table,
    tail,
)
from bench.run import CONTENDERS, OUR_PYTHON, Contender

CLIENT = ROOT / "bench" / "client" / "client_bench.py"
SMALL_SIZE = 1024
BIG_SIZE = 64 * 1024 * 1024
HTTPX = Contender("httpx", "httpx (peer)", OUR_PYTHON, ours=False, pure=False)
ALL = (*CONTENDERS, HTTPX)
RATIOS = (
    Column("ext/C", "ours_ext", "ref_c"),
    Column("pure/pure", "ours_py", "ref_py"),
    Column("ext/httpx", "ours_ext", "httpx"),
)
CASES = {
    "seq": "GET 1 KiB, one after another on one connection (requests/s)",
    "concurrent": "50 tasks GET 1 KiB through TCPConnector(limit=50) (requests/s)",
    "download": "GET 64 MiB, resp.content.iter_chunked(64 KiB) (MB/s)",
}

NGINX_CONF = """\
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{
    worker_connections 1024;
}}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 100000000;
    keepalive_timeout 120s;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    types {{
        text/plain txt;
        application/octet-stream bin;
    }}
    server {{
        listen 127.0.0.1:{port};
        root {tmp}/www;
        location / {{
        }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Nginx:
    """The running nginx: its master process, port and error log."""

    proc: subprocess.Popen[bytes]
    port: int
    error_log: Path


def start_nginx(children: Children, pin: Pinning, tmp: Path, nginx: str) -> Nginx:
    """Write the files and the config into ``tmp``, start nginx, wait until it answers."""
    www = tmp / "www"
    www.mkdir()
    rng = random.Random(2)
    (www / "small.txt").write_bytes(bytes(rng.choice(b"abcdefghij\n") for _ in range(SMALL_SIZE)))
    block = rng.randbytes(1024 * 1024)
    with (www / "big.bin").open("wb") as out:
        for _ in range(BIG_SIZE // len(block)):
            out.write(block)
    # the worker may run as another user (nginx started by root drops to nobody)
    for path in (tmp, www):
        path.chmod(0o755)
    for path in www.iterdir():
        path.chmod(0o644)
    port = free_port()
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, port=port))
    cmd = pin.load([nginx, "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(conf)])
    proc = children.start(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"nginx exited: {tail(tmp / 'error.log')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return Nginx(proc, port, tmp / "error.log")
        except OSError:
            time.sleep(0.05)
    children.stop(proc)
    raise RuntimeError(f"nginx did not listen: {tail(tmp / 'error.log')}")


def run_client(
    pin: Pinning, contender: Contender, port: int, case: str, args: argparse.Namespace
) -> dict[str, Any]:
    lib = "httpx" if contender is HTTPX else "aiohttp"
    cmd = [
        str(contender.python),
        str(CLIENT),
        "--base",
        f"http://127.0.0.1:{port}",
        "--case",
        case,
        "--lib",
        lib,
        "--duration",
        str(args.duration),
        "--concurrency",
        str(args.concurrency),
        "--small-size",
        str(SMALL_SIZE),
        "--big-size",
        str(BIG_SIZE),
    ]
    try:
        proc = subprocess.run(
            pin.subject(cmd),
            cwd=CLIENT.parent,
            env=contender.env(),
            capture_output=True,
            text=True,
            timeout=args.duration + 120,
            check=False,
            preexec_fn=die_with_parent,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RuntimeError(str(exc)) from exc
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        raise RuntimeError(lines[-1] if lines else f"exit status {proc.returncode}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    if lib == "aiohttp" and not contender.owns(str(result["lib_file"])):
        raise RuntimeError(f"imported the wrong aiohttp: {result['lib_file']}")
    if lib == "httpx" and "aiohttp" in str(result["lib_file"]):
        raise RuntimeError(f"unexpected httpx: {result['lib_file']}")
    return result


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--duration", type=float, default=3.0, help="timed seconds per run (3)")
    parser.add_argument("--concurrency", type=int, default=50, help="concurrent GETs (50)")
    parser.add_argument("--case", action="append", choices=list(CASES), help="only this case")
    parser.add_argument("--contender", action="append", choices=[c.key for c in ALL])
    parser.add_argument("--no-pin", action="store_true", help="do not pin with taskset")
    parser.add_argument("--json", type=Path, help="also write every sample to this file")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every sample")
    args = parser.parse_args(argv)
    if not 1 <= args.rounds <= 50 or not 0.5 <= args.duration <= 120:
        parser.error("--rounds must be 1..50 and --duration 0.5..120 seconds")
    if not 1 <= args.concurrency <= 500:
        parser.error("--concurrency must be 1..500")
    return args


def run_round(
    rnd: int,
    args: argparse.Namespace,
    pin: Pinning,
    server: Nginx,
    cases: list[str],
    contenders: list[Contender],
    results: dict[tuple[str, str], Samples],
) -> None:
    shift = rnd % len(contenders)
    order = contenders[shift:] + contenders[:shift]
    for case in cases:
        for c in order:
            samples = results[case, c.key]
            if samples.error:
                continue  # a contender that failed once is not retried
            if server.proc.poll() is not None:
                raise RuntimeError(f"nginx exited: {tail(server.error_log)}")
            try:
                result = run_client(pin, c, server.port, case, args)
            except RuntimeError as exc:
                samples.error = str(exc)
                continue
            value = result["mb_per_s"] if case == "download" else result["ops_per_s"]
            # CPU per unit of work: per request, or per MB downloaded
            units = result["bytes"] / 1e6 if case == "download" else result["ops"]
            result["cpu_us_per_unit"] = result["cpu_seconds"] * 1e6 / max(units, 1e-9)
            samples.values.append(float(value))
            samples.extra.append(result)
            samples.impl = str(result["impl"])
            if args.verbose:
                unit = "MB/s" if case == "download" else "req/s"
                print(
                    f"round {rnd + 1} {case:<11} {c.title:<18} {value:>9.0f} {unit}",
                    file=sys.stderr,
                )


def report(
    args: argparse.Namespace,
    pin: Pinning,
    cases: list[str],
    contenders: list[Contender],
    results: dict[tuple[str, str], Samples],
) -> None:
    keys = {c.key for c in contenders}
    columns = [Column(c.title, c.key) for c in contenders]
    columns += [r for r in RATIOS if r.key in keys and r.over in keys]
    print(
        f"\nmedian of {args.rounds} rounds x {args.duration:g} s, nginx 1 worker, "
        f"{pin.describe()}\nratios are ours/other (>1: we are faster)\n"
    )
    print_table(
        "case (req/s; download MB/s)",
        cases,
        columns,
        lambda row, key: results[row, key].median,
        fmt=lambda v: "n/a" if v is None else f"{v:.0f}",
    )
    # CPU time per unit of work holds up better than the rates when other work shares the
    # machine; ratios here are the other's CPU over ours, so > 1 still means we are faster
    print(
        "\nclient CPU time (user+sys, all threads) per request (download: per MB), us, "
        "median;\nratios are other/ours (>1: we use less)\n"
    )
    cpu_columns = [Column(c.title, c.key) for c in contenders]
    cpu_columns += [
        Column(r.title, r.over, r.key) for r in RATIOS if r.key in keys and r.over in keys
    ]
    print_table(
        "case (CPU us per unit)",
        cases,
        cpu_columns,
        lambda row, key: results[row, key].median_of("cpu_us_per_unit"),
        fmt=lambda v: "n/a" if v is None else f"{v:.0f}",
    )
    print("\ncases:")
    for case in cases:
        print(f"  {case:<11} {CASES[case]}")
    print("\nimplementations:")
    for c in contenders:
        impls = {results[case, c.key].impl for case in cases} - {""}
        print(f"  {c.title:<18} {'; '.join(sorted(impls)) or '-'}")
        for case in cases:
            if results[case, c.key].error:
                print(f"  {'':<18} FAILED {case}: {results[case, c.key].error}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if nginx is None:
        print("nginx not found (make bench-client installs it)", file=sys.stderr)
        return 2
    contenders = [c for c in ALL if not args.contender or c.key in args.contender]
    for contender in contenders:
        if not contender.python.exists():
            print(f"missing interpreter {contender.python} (run `make bench`)", file=sys.stderr)
            return 2
    cases = [c for c in CASES if not args.case or c in args.case]
    exit_on_sigterm()
    pin = Pinning(enabled=not args.no_pin, names=("client", "nginx"))
    print(pin.describe(), file=sys.stderr)

    results = {(case, c.key): Samples() for case in cases for c in contenders}
    with tempfile.TemporaryDirectory(prefix="aiohttp-bench-nginx-") as tmp, Children() as kids:
        try:
            server = start_nginx(kids, pin, Path(tmp), nginx)
            for rnd in range(args.rounds):
                run_round(rnd, args, pin, server, cases, contenders, results)
                print(f"round {rnd + 1}/{args.rounds} done", file=sys.stderr)
        except RuntimeError as exc:  # nginx would not start, or died
            print(exc, file=sys.stderr)
            return 2

    report(args, pin, cases, contenders, results)
    if args.json is not None:
        dump = {
            f"{case}/{key}": {"values": s.values, "runs": s.extra, "impl": s.impl, "error": s.error}
            for (case, key), s in results.items()
        }
        args.json.write_text(json.dumps(dump, indent=2) + "\n")
    return 1 if any(s.error for s in results.values()) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # the children are gone already: main's ``with`` ended them
        print("interrupted", file=sys.stderr)
        sys.exit(130)
