"""A Redis of the tests' own: `redis-server` on a free loopback port, stopped and started at will.

Never the machine's shared Redis on 6379: a test that stops Redis would stop it for everyone.
Nothing is written to disk (`--save "" --appendonly no`), so a restarted server is empty, as
a Redis that lost its memory would be.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from tests.servers import free_port

START_SECONDS = 10.0  # redis-server answers in milliseconds; past this, something is wrong


class RedisServer:
    """One redis-server process; start() again after stop() reuses the same port."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed (apt-get install redis-server)"
        with (self.folder / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
                 "--appendonly", "no", "--dir", str(self.folder), "--logfile", ""],
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + START_SECONDS
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                log = (self.folder / "redis.log").read_text(errors="replace")[-2000:]
                raise AssertionError(f"redis-server did not start on {self.port}:\n{log}")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self.process = None

    def client(self) -> redis.Redis:
        # No retries: a stopped server must say so at once, not after redis-py's 4 s of them.
        return redis.Redis(
            port=self.port, socket_timeout=1, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0)
        )

    def answers(self) -> bool:
        try:
            with self.client() as connection:
                return bool(connection.ping())
        except redis.RedisError:
            return False

    def counters(self) -> list[str]:
        """The rate-limit counters Redis holds (limits names them LIMITS:…)."""
        with self.client() as connection:
            return sorted(key.decode() for key in connection.keys("LIMITS*"))
