"""An S3-compatible store for the tests: moto's server on a free loopback port, in this process.

moto keeps its buckets in this process, so a server stopped and started again still has
them, as a real store that comes back would. Each answer closes its connection (HTTP/1.0):
once stopped, the store refuses every request at once, even from a client that spoke to
it a moment before.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

BUCKET = "motcua-test"
START_SECONDS = 10.0  # moto answers in well under a second; past this, something is wrong

# Tests marked so run twice: uploads in the local folder, and in the object store.
both_stores = pytest.mark.parametrize("store", ["folder", "s3"], indirect=True)


class MotoStore:
    """moto's standalone S3 server, which can be stopped and started again on the same port."""

    def __init__(self) -> None:
        self.port = 0  # a free one, chosen by the system at the first start
        self.server: Any = None
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication
        from moto.moto_server.werkzeug_app import MotoRequestHandler
        from moto.moto_server.werkzeug_app import create_backend_app
        from werkzeug.serving import make_server

        class OneRequestPerConnection(MotoRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_request(self, *args: Any) -> None:  # no line per request in the output
                pass

        # Bound here, in this thread: a taken port fails now instead of hanging a thread.
        self.server = make_server(
            "127.0.0.1",
            self.port,
            DomainDispatcherApplication(create_backend_app),
            threaded=True,
            request_handler=OneRequestPerConnection,
        )
        self.port = self.server.server_port
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        wait_until(lambda: answers(self.port), START_SECONDS, "moto did not start")

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()  # connections are refused from now on
        assert self.thread is not None
        self.thread.join(timeout=5)
        assert not self.thread.is_alive(), "moto did not stop"


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_until(ready: Any, seconds: float, failure: str) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(failure)
        time.sleep(0.02)


def s3_config(url: str, bucket: str = BUCKET) -> dict[str, Any]:
    """Settings that put an app's uploads in the store at url."""
    return {
        "STORAGE_URL": f"s3://{bucket}/uploads",
        "S3_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }


def s3_environment(url: str, bucket: str = BUCKET) -> dict[str, str]:
    """The same settings as environment variables, for a node started as its own process."""
    from settings import ENVIRONMENT

    config = s3_config(url, bucket)
    return {name: config[key] for name, key, _, _ in ENVIRONMENT if key in config}


def client_for(url: str) -> Any:
    """A boto3 client of the tests' own, to look into the store behind the app's back."""
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )


def objects(url: str, bucket: str = BUCKET) -> set[str]:
    """The names of every file in the bucket (the last part of each key)."""
    found: set[str] = set()
    pages = client_for(url).get_paginator("list_objects_v2").paginate(Bucket=bucket)
    for page in pages:
        found.update(item["Key"].rsplit("/", 1)[-1] for item in page.get("Contents", []))
    return found


def stored_bytes(app: Flask, name: str) -> bytes:
    """What the app's store gives back for a stored name."""
    from services.files import open_stored

    with app.app_context(), open_stored(name) as content:
        return content.read()


def in_folder(folder: Path) -> set[str]:
    """Every file under the upload folder, hidden ones included."""
    return {str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()}
