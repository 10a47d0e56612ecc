"""Requests per second of the catalogue search page against a bare Flask route.

Both run under gunicorn with gunicorn.conf.py (same workers, threads and logging off), one
after the other, loaded by wrk from the same machine. Target (DESIGN.md): the catalogue page
reaches at least 50 % of the bare route. Beside it, the same page with the page cache never
hit (bench/uncached.lua: every URL different), which is the cost of rendering; target: at
least 20 % of the bare route. Also reports each worker's memory (RSS) after the load; budget
100 MB.

On a shared machine requests per second drift with the other load, so the three are
alternated and each round's ratio to the bare route (measured beside it) is printed. The
workers' CPU time per request (utime + stime from /proc over the measured run, divided by
the requests wrk counted) drifts less: it is the cost of a request whoever else is running.

Run: `make bench`, or `.venv/bin/python bench/throughput.py [seconds] [rounds]`. Needs wrk
(`apt-get install -y wrk`). Results go to bench/results/throughput.txt.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from common import ROOT
from common import write_result
from gunicorn_settings import describe

PATH = "/thu-tuc?q=khai+sinh"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server at {url} did not come up")


def workers(master_pid: int) -> list[str]:
    return Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()


def workers_cpu_seconds(master_pid: int) -> float:
    total = 0
    for pid in workers(master_pid):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


def worker_rss_mb(master_pid: int) -> list[float]:
    children = workers(master_pid)
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        kb = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
        sizes.append(kb / 1024)
    return sizes


Run = tuple[float, str, list[float], float]  # req/s, p99, worker RSS MB, worker CPU ms/request


def measure(
    target: str, url_path: str, env: dict[str, str], seconds: int, script: str | None = None
) -> Run:
    port = free_port()
    env = {**env, "PORT": str(port), "ACCESS_LOG": ""}
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py", target],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}{url_path}"
        wait_until_up(url)
        # Warm every worker (search index, templates) before measuring.
        subprocess.run(["wrk", "-t2", "-c8", "-d2s", url], capture_output=True, check=True)
        extra = ["-s", str(ROOT / "bench" / script)] if script else []
        cpu_before = workers_cpu_seconds(server.pid)
        output = subprocess.run(
            [
                "wrk",
                "-t2",
                "-c32",
                f"-d{seconds}s",
                "--latency",
                "-H",
                # What browsers send: brotli is chosen where it is offered.
                "Accept-Encoding: gzip, deflate, br",
                *extra,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        cpu = workers_cpu_seconds(server.pid) - cpu_before
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
        p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1)
        count = int(re.search(r"(\d+) requests in", output).group(1))
        return rps, p99, worker_rss_mb(server.pid), cpu / count * 1000
    finally:
        server.terminate()
        server.wait(timeout=30)


def row(label: str, run: Run) -> str:
    rps, p99, rss, cpu = run
    return f"{label:<34}{rps:>9.0f}{p99:>10}{max(rss):>16.1f}{cpu:>10.2f}"


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'throughput.sqlite3'}"
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"}
        flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "app"]
        subprocess.run(
            [*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True
        )
        subprocess.run(
            [*flask, "data", "load"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        # Alternate the three, `rounds` times, and take the median of each: the machine's speed
        # drifts by 20 % between runs of a few seconds (wrk shares the two cores).
        runs: dict[str, list[Run]] = {"bare": [], "app": [], "cold": []}
        for _ in range(rounds):
            runs["bare"].append(measure("bench.bare_app:app", "/", env, seconds))
            runs["app"].append(measure("app:create_app()", PATH, env, seconds))
            runs["cold"].append(measure("app:create_app()", PATH, env, seconds, "uncached.lua"))
        bare, app, cold = (sorted(runs[name])[rounds // 2] for name in ("bare", "app", "cold"))
    ratio = app[0] / bare[0]
    cold_ratio = cold[0] / bare[0]
    largest = max(app[2] + cold[2])

    def per_round(name: str) -> str:
        pairs = zip(runs[name], runs["bare"], strict=True)
        return ", ".join(f"{a[0] / b[0]:.0%}" for a, b in pairs)

    def cpu_median(name: str) -> float:
        return sorted(run[3] for run in runs[name])[rounds // 2]

    lines = [
        "Throughput under gunicorn (bench/throughput.py), wrk -t2 -c32, br and gzip accepted",
        f"gunicorn: {describe()}; cores: {os.cpu_count()}; {seconds} s per run; "
        f"load average before: {load_before}",
        f"bare, catalogue and uncached catalogue alternated {rounds} times, median shown",
        f"catalogue/bare per round: {per_round('app')}",
        f"uncached/bare per round: {per_round('cold')}",
        "",
        f"{'target':<34}{'req/s':>9}{'p99':>10}{'worker RSS MB':>16}{'CPU ms':>10}",
        row("bare Flask route /", bare),
        row(f"catalogue {PATH}", app),
        row("catalogue, page cache never hit", cold),
        "",
        "CPU ms: the workers' CPU time per request (median of the rounds); "
        f"uncached costs {cpu_median('cold') / cpu_median('bare'):.1f} bare requests, "
        f"cached {cpu_median('app') / cpu_median('bare'):.1f}",
        f"catalogue / bare: {ratio:.0%} (target >= 50 %: {verdict(ratio >= 0.5)})",
        f"without the page cache: {cold_ratio:.0%} of the bare route "
        f"(target >= 20 %: {verdict(cold_ratio >= 0.2)})",
        f"largest worker: {largest:.1f} MB (budget 100 MB: {verdict(largest <= 100)})",
    ]
    write_result("throughput.txt", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
