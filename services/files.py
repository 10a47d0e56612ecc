"""Uploaded files on disk: outside static/, under random names, two-letter buckets."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import hashlib
import os
import time
from datetime import timedelta
from pathlib import Path

from flask import current_app

from domain.messages import Problem
from domain.uploads import DISK_FULL
from domain.uploads import NOT_WRITTEN
from domain.uploads import CleanFile
from domain.uploads import stored_name
from extensions import db
from models import StoredFile

PARTIAL_SUFFIX = ".part"


def upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def file_path(stored: str) -> Path:
    # Two-letter buckets keep any one folder small.
    return upload_folder() / stored[:2] / stored


class NotStored(Exception):
    """A checked file the disk would not take: the message to show by the field."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def store_bytes(clean: CleanFile, original_name: str, slot: str) -> StoredFile:
    """Write a checked file and add its record to the session (the caller links and commits).

    Raises NotStored when the disk refuses it; nothing of the file is left behind then.
    """
    name = stored_name()
    path = file_path(name)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_whole(path, clean.data)
    except OSError as error:
        current_app.logger.error("upload not stored (%s): %s", slot, error)
        full = error.errno in (errno.ENOSPC, errno.EDQUOT)
        raise NotStored(Problem(DISK_FULL if full else NOT_WRITTEN)) from error
    stored = StoredFile(
        slot=slot,
        stored_name=name,
        original_name=(original_name or "")[:200],
        mimetype=clean.mimetype,
        size=len(clean.data),
        sha256=hashlib.sha256(clean.data).hexdigest(),
    )
    db.session.add(stored)
    return stored


def store_all(
    received: list[tuple[CleanFile, str]], slot: str
) -> tuple[list[StoredFile], Problem | None]:
    """Store checked files in turn; stop at the first the disk refuses, keeping those before."""
    stored: list[StoredFile] = []
    for clean, original_name in received:
        try:
            stored.append(store_bytes(clean, original_name, slot))
        except NotStored as refused:
            return stored, refused.problem
    return stored, None


def _write_whole(path: Path, data: bytes) -> None:
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


def remove_partial_files(older_than: timedelta) -> int:
    """Delete what a worker killed in mid-write left behind; returns how many went."""
    folder = upload_folder()
    if not folder.is_dir():
        return 0
    cutoff = time.time() - older_than.total_seconds()
    removed = 0
    for partial in folder.glob(f"*/.*{PARTIAL_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):
            if partial.stat().st_mtime < cutoff:
                partial.unlink()
                removed += 1
    return removed


def give_memory_back() -> None:
    """Hand freed memory back to the system after decoding uploads (glibc only).

    glibc keeps what a big decode freed in each thread's arena, so a worker that once cleaned
    a 20 MP photo would hold 50 MB more for good; malloc_trim returns it in about a millisecond.
    """
    if _libc is not None:
        _libc.malloc_trim(0)


def _glibc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:  # musl, macOS: nothing to trim, or no way to ask
        return None


_libc = _glibc()
