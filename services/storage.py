"""Where uploaded papers are kept: a local folder (the default) or an S3-compatible store.

Both backends take a file whole or not at all, hand it back as a stream, and delete it; the
rest of the app sees only `Storage`. With several nodes the store is what they share
(MOTCUA_STORAGE_URL=s3://bucket/prefix); the local folder stays the embedded default.

A store that cannot be reached raises StoreUnavailable within about a second, so that a node
keeps serving whatever does not need it; the next call simply tries again.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import hashlib
import os
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from typing import BinaryIO
from typing import Protocol

from flask import current_app

PARTIAL_SUFFIX = ".part"
FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)
# Error codes some stores give when they are out of room (Ceph's quota, MinIO's full disk).
FULL_CODES = {"QuotaExceeded", "XMinioStorageFull", "InsufficientStorage"}
# A store on the same network answers in milliseconds: past a second it is not answering.
CONNECT_SECONDS = 1.0
# A healthy store answers a PUT or starts a GET in milliseconds; 2 s between bytes is a hung one.
READ_SECONDS = 2.0
# One retry hides a dropped connection; more would keep a person waiting on a dead store.
ATTEMPTS = 2


class StoreUnavailable(Exception):
    """The store did not take or give a file: unreachable, refusing, or (full) out of room."""

    def __init__(self, reason: str, full: bool = False) -> None:
        super().__init__(reason)
        self.full = full


class Missing(Exception):
    """The store has no file of that name."""


class Storage(Protocol):
    """What the app needs of a place to keep files, by the random name they were given."""

    def put(self, name: str, data: bytes, mimetype: str) -> None:
        """Keep data under name, all or nothing; raises StoreUnavailable."""

    def open(self, name: str) -> BinaryIO:
        """The file as a stream (the caller closes it); raises Missing or StoreUnavailable."""

    def size(self, name: str) -> int | None:
        """How many bytes are kept under name, or None when nothing is."""

    def delete(self, name: str) -> None:
        """Forget name; a name already gone is no error. Raises StoreUnavailable."""


class LocalFolder:
    """Files on this machine's disk, in two-letter folders, outside static/."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, name: str) -> Path:
        # Two-letter buckets keep any one folder small.
        return self.root / name[:2] / name

    def put(self, name: str, data: bytes, mimetype: str) -> None:
        path = self.path(name)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_whole(path, data)
        except OSError as error:
            raise StoreUnavailable(str(error), full=error.errno in FULL_ERRNOS) from error

    def open(self, name: str) -> BinaryIO:
        try:
            return open(self.path(name), "rb")
        except FileNotFoundError as error:
            raise Missing(name) from error
        except OSError as error:  # a network disk gone, permissions changed
            raise StoreUnavailable(str(error)) from error

    def size(self, name: str) -> int | None:
        try:
            return self.path(name).stat().st_size
        except FileNotFoundError:
            return None

    def delete(self, name: str) -> None:
        try:
            self.path(name).unlink(missing_ok=True)
        except OSError as error:
            raise StoreUnavailable(str(error)) from error

    def names(self) -> Iterator[str]:
        """Every file kept here, without what a killed worker left half-written."""
        if self.root.is_dir():
            for path in self.root.glob("*/*"):
                if path.is_file() and not path.name.startswith("."):
                    yield path.name

    def remove_partial(self, older_than: timedelta) -> int:
        """Delete what a worker killed in mid-write left behind; returns how many went."""
        if not self.root.is_dir():
            return 0
        cutoff = time.time() - older_than.total_seconds()
        removed = 0
        for partial in self.root.glob(f"*/.*{PARTIAL_SUFFIX}"):
            with contextlib.suppress(FileNotFoundError):
                if partial.stat().st_mtime < cutoff:
                    partial.unlink()
                    removed += 1
        return removed


def write_whole(path: Path, data: bytes) -> None:
    """Write data at path all or nothing: a half-written file never carries the real name."""
    # In the same folder, so that the rename is atomic; the dot keeps it out of any listing.
    partial = path.with_name(f".{path.name}{PARTIAL_SUFFIX}")
    try:
        with open(partial, "xb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())  # a full disk may only say so here
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


class ObjectStore:
    """Objects in an S3-compatible bucket (AWS, MinIO, Ceph...), under prefix + the folder's layout.

    The same layout as the local folder ("ab/abcdef…"), so that the two can be compared or
    copied with any S3 tool. A PUT becomes visible only once whole: no partial file, ever.
    """

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def key(self, name: str) -> str:
        return f"{self.prefix}{name[:2]}/{name}"

    def put(self, name: str, data: bytes, mimetype: str) -> None:
        digest = base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()
        with _translated(name, reading=False):
            # Content-MD5: the store refuses bytes that changed on the way.
            self.client.put_object(
                Bucket=self.bucket,
                Key=self.key(name),
                Body=data,
                ContentType=mimetype,
                ContentMD5=digest,
            )

    def open(self, name: str) -> BinaryIO:
        with _translated(name):
            found = self.client.get_object(Bucket=self.bucket, Key=self.key(name))
        body: BinaryIO = found["Body"]  # read as it arrives: 10 MB never sits in memory
        return body

    def size(self, name: str) -> int | None:
        try:
            with _translated(name):
                found = self.client.head_object(Bucket=self.bucket, Key=self.key(name))
        except Missing:
            return None
        return int(found["ContentLength"])

    def delete(self, name: str) -> None:
        with _translated(name, reading=False):
            self.client.delete_object(Bucket=self.bucket, Key=self.key(name))


@contextlib.contextmanager
def _translated(name: str, reading: bool = True) -> Iterator[None]:
    """botocore's errors as Missing (no such key, when reading) or StoreUnavailable."""
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError

    try:
        yield
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        # A missing bucket is a wrong setting, not a missing file: it must not look like one.
        if reading and code in ("NoSuchKey", "404", "NotFound"):
            raise Missing(name) from error
        raise StoreUnavailable(f"{code}: {error}", full=code in FULL_CODES) from error
    except BotoCoreError as error:  # refused, timed out, no credentials, connection dropped
        raise StoreUnavailable(f"{type(error).__name__}: {error}") from error


def s3_client(config: dict[str, Any]) -> Any:
    """A boto3 client that gives up on a dead store in about a second (shared by threads)."""
    import boto3
    from botocore.config import Config

    settings = Config(
        connect_timeout=CONNECT_SECONDS,
        read_timeout=READ_SECONDS,
        retries={"total_max_attempts": ATTEMPTS, "mode": "standard"},
        # Stores other than AWS (older MinIO, Ceph) refuse the checksums boto3 now adds by
        # default; Content-MD5 above does the same work everywhere.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        # A store of one's own (MinIO, Ceph) is addressed as host/bucket, not bucket.host.
        s3={"addressing_style": "path" if config["S3_ENDPOINT_URL"] else "auto"},
    )
    # Empty settings are left to boto3, which then looks in ~/.aws or asks the machine's role.
    return boto3.client(
        "s3",
        endpoint_url=config["S3_ENDPOINT_URL"] or None,
        aws_access_key_id=config["AWS_ACCESS_KEY_ID"] or None,
        aws_secret_access_key=config["AWS_SECRET_ACCESS_KEY"] or None,
        region_name=config["AWS_DEFAULT_REGION"] or None,
        config=settings,
    )


def local_folder() -> LocalFolder:
    return LocalFolder(Path(current_app.config["UPLOAD_FOLDER"]))


def storage() -> Storage:
    """This app's store, made on first use (after gunicorn forked) and kept for the process."""
    made: Storage | None = current_app.extensions.get("motcua.storage")
    if made is None:
        location = current_app.config["STORAGE"]
        if location is None:
            made = local_folder()
        else:
            bucket, prefix = location
            made = ObjectStore(s3_client(current_app.config), bucket, prefix)
        current_app.extensions["motcua.storage"] = made
    return made


def older_folder() -> LocalFolder | None:
    """The local folder when files now go to an object store: papers kept before are there."""
    return local_folder() if current_app.config["STORAGE"] is not None else None
