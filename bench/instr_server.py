"""Server instructions per request, counted by callgrind: a measure no other load disturbs.

Each contender's ``bench/server/app.py`` runs under ``valgrind --tool=callgrind``; a client in
this process warms it up, zeroes the counters (``callgrind_control -z``), sends ``--requests``
requests over ``--connections`` keep-alive connections (each waits for its answer before the
next request), and dumps the counters. Instructions per request, like CPU time per request,
include the event loop and the user-side work of system calls, but not their variation with
machine load: the same build and inputs give the same count within a fraction of a percent,
so small changes show. Instructions are not time (cache misses and branch mispredictions
differ), so wrk's requests/s stays the figure that counts. Ratios > 1: fewer instructions. Usage:
``python bench/instr_server.py [--case NAME ...] [--contender KEY ...] [--requests N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._net import Children, read_json_line, tail
from bench.run import CONTENDERS, Contender
from bench.run_server import APP, CASE_BY_NAME, SERVER_DIR, post_body

_TOTALS = re.compile(rb"^(?:summary|totals):\s*(\d+)", re.MULTILINE)


def request_bytes(case: str) -> bytes:
    """The raw request the client sends for ``case``."""
    c = CASE_BY_NAME[case]
    head = f"{'POST' if c.script_args else 'GET'} {c.path} HTTP/1.1\r\nHost: bench\r\n"
    head += "".join(h + "\r\n" for h in c.headers)
    body = post_body(int(c.script_args[1])) if c.script_args else b""
    if body:
        head += f"Content-Type: application/octet-stream\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


async def _one_connection(port: int, raw: bytes, count: int) -> None:
    """Send ``raw`` ``count`` times, one at a time, reading each whole response."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for _ in range(count):
            writer.write(raw)
            head = await reader.readuntil(b"\r\n\r\n")
            m = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
            if not head.startswith(b"HTTP/1.1 200") or m is None:
                raise RuntimeError(f"unexpected answer: {head[:200]!r}")
            await reader.readexactly(int(m.group(1)))
            if b"connection: close" in head.lower():
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    finally:
        writer.close()


async def load(port: int, raw: bytes, requests: int, connections: int) -> None:
    per = max(requests // connections, 1)
    await asyncio.gather(*(_one_connection(port, raw, per) for _ in range(connections)))


def measure(contender: Contender, case: str, requests: int, connections: int, tmp: Path) -> float:
    """Instructions per request of ``case`` under ``contender``."""
    out = tmp / f"cg.{contender.key}.{case}"
    cmd = [
        "valgrind",
        "--tool=callgrind",
        f"--callgrind-out-file={out}",
        str(contender.python),
        str(APP),
        "--port",
        "0",
        "--file",
        str(tmp / "file.bin"),
    ]
    env = contender.env() | {"PYTHONHASHSEED": "0"}
    log = tmp / f"{contender.key}.log"
    raw = request_bytes(case)
    with Children() as children, log.open("wb") as err:
        proc = children.start(cmd, env=env, cwd=SERVER_DIR, stderr=err)
        try:
            ready = read_json_line(proc, timeout=120.0)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}: {tail(log, 4)}") from exc
        if not contender.owns(str(ready["aiohttp_file"])):
            raise RuntimeError(f"imported the wrong aiohttp: {ready['aiohttp_file']}")
        port, pid = int(ready["port"]), str(ready["pid"])
        asyncio.run(load(port, raw, max(requests // 5, connections), connections))
        subprocess.run(["callgrind_control", "-z", pid], check=True, capture_output=True)
        asyncio.run(load(port, raw, requests, connections))
        subprocess.run(["callgrind_control", "-d", pid], check=True, capture_output=True)
        children.stop(proc)
    dump = out.with_name(out.name + ".1")  # the -d dump: from -z to the end of the load
    m = _TOTALS.search(dump.read_bytes())
    total = int(m.group(1)) if m else 0
    for leftover in tmp.glob(f"{out.name}*"):
        leftover.unlink()
    sent = max(requests // connections, 1) * connections
    return total / sent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", action="append", choices=list(CASE_BY_NAME))
    parser.add_argument("--contender", action="append", choices=[c.key for c in CONTENDERS])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=10)
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        print("needs valgrind (apt-get install valgrind)", file=sys.stderr)
        return 2
    cases = args.case or ["hello", "json"]
    contenders = [c for c in CONTENDERS if c.key in (args.contender or ["ours_ext", "ref_c"])]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "file.bin").write_bytes(os.urandom(1024 * 1024))
        print(f"instructions per request ({args.requests} requests, {args.connections} conns)")
        print(f"{'case':<12}" + "".join(f"{c.key:>12}" for c in contenders) + "   ratio")
        for case in cases:
            counts = [measure(c, case, args.requests, args.connections, tmp) for c in contenders]
            ratio = f"{counts[-1] / counts[0]:.2f}x" if len(counts) == 2 else ""
            print(f"{case:<12}" + "".join(f"{n:>12,.0f}" for n in counts) + f"   {ratio}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
