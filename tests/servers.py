"""gunicorn with several workers on a free loopback port, and a small client that counts answers.

The limiter tests and bench/limits.py use it: a limit only holds across workers if it holds
under the real server, which the Flask test client (one process) cannot show.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CSRF_VALUE = re.compile(r'name="csrf_token" value="([^"]*)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(
    database_url: str,
    log: Path,
    workers: int = 4,
    storage_uri: str = "",
    env: dict[str, str] | None = None,
) -> Iterator[str]:
    """Serve the app with `workers` processes; yields its base URL, stops it afterwards.

    `env` adds settings of this node's own (an object store, an instance folder).
    """
    port = free_port()
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("MOTCUA_", "RATELIMIT_", "AWS_"))
    }
    environment.update(
        DATABASE_URL=database_url,
        SECRET_KEY="limits-test",
        HOST="127.0.0.1",
        PORT=str(port),
        WEB_CONCURRENCY=str(workers),
        WEB_THREADS="4",
        ACCESS_LOG="",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if storage_uri:
        environment["RATELIMIT_STORAGE_URI"] = storage_uri
    environment.update(env or {})
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:create_app()"],
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_ready(process, url, log, workers)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def wait_ready(process: subprocess.Popen, url: str, log: Path, workers: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        booted = log.read_text(errors="replace").count("Booting worker")
        try:
            with urllib.request.urlopen(url + "/", timeout=5) as response:
                if response.status == 200 and booted >= workers:
                    # Each worker builds its catalogue index before it takes connections.
                    time.sleep(2)
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer in 60 s:\n{log.read_text()[-3000:]}")


class Visitor:
    """One browser at one address: a cookie jar, a CSRF token, a new connection per request."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def status(self, path: str, form: dict[str, str] | None = None) -> int:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(self.base + path, data=data, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            error.read()
            return error.code

    def token(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            found = CSRF_VALUE.search(response.read().decode())
        assert found, path
        return found.group(1)

    def burst(
        self, tries: int, path: str, form: dict[str, str] | None = None, parallel: int = 8
    ) -> Counter[int]:
        """Send the same request `tries` times, `parallel` at once; the count of each status."""
        with ThreadPoolExecutor(parallel) as pool:
            return Counter(pool.map(lambda _: self.status(path, form), range(tries)))
