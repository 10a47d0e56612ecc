"""Where an uncached catalogue search spends its time: a pyinstrument profile of the render.

Every request has a different URL (as bench/uncached.lua), so the page cache never hits. The
app runs in-process through its WSGI test client on a throw-away SQLite database with the
commune catalogue, as bench/throughput.py loads it.

Run: `.venv/bin/python bench/profile_search.py [requests]` (pyinstrument, requirements-dev.txt).
Prints the mean time per request and the slowest frames; results go to
bench/results/profile_search.txt.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT
from common import write_result

QUERIES = ["khai+sinh", "ket+hon", "dang+ky+ho+khau", "chung+thuc", "tam+tru", "khai+tu"]
HEADERS = {"Accept-Encoding": "gzip, deflate, br"}


def main() -> None:
    from pyinstrument import Profiler

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'profile.sqlite3'}"
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"}
        flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "app"]
        for command in (["db", "upgrade"], ["data", "load"]):
            subprocess.run([*flask, *command], cwd=ROOT, env=env, check=True, capture_output=True)
        os.environ.update(DATABASE_URL=url, SECRET_KEY="bench")
        from app import create_app

        client = create_app().test_client()
        for n in range(50):  # warm the index, templates and translations
            client.get(f"/thu-tuc?q={QUERIES[n % len(QUERIES)]}&warm={n}", headers=HEADERS)
        profiler = Profiler(interval=0.0005)
        started, cpu = time.perf_counter(), time.process_time()
        profiler.start()
        for n in range(count):
            response = client.get(f"/thu-tuc?q={QUERIES[n % len(QUERIES)]}&n={n}", headers=HEADERS)
            assert response.status_code == 200, response.status_code
        profiler.stop()
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    lines = [
        f"Uncached /thu-tuc?q=... through the WSGI test client, {count} requests, brotli accepted",
        f"mean {elapsed / count * 1000:.2f} ms per request, {cpu / count * 1000:.2f} ms of CPU"
        f" (profiler on; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})",
        "",
        text,
    ]
    write_result("profile_search.txt", "\n".join(lines))


if __name__ == "__main__":
    main()
