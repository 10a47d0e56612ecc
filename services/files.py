"""Uploaded files: kept by services.storage under random names, read back for staff.

Papers kept in the local folder before an object store was configured stay readable from
there, and copy_to_store() moves them over.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app

from domain.messages import Problem
from domain.uploads import DISK_FULL
from domain.uploads import NOT_WRITTEN
from domain.uploads import CleanFile
from domain.uploads import stored_name
from extensions import db
from models import StoredFile
from services.storage import Missing
from services.storage import StoreUnavailable
from services.storage import local_folder
from services.storage import older_folder
from services.storage import storage


class NotStored(Exception):
    """A checked file the store would not take: the message to show by the field."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def store_bytes(clean: CleanFile, original_name: str, slot: str) -> StoredFile:
    """Store a checked file and add its record to the session (the caller links and commits).

    Raises NotStored when the store refuses it; nothing of the file is left behind then.
    """
    name = stored_name()
    try:
        storage().put(name, clean.data, clean.mimetype)
    except StoreUnavailable as error:
        current_app.logger.error("upload not stored (%s): %s", slot, error)
        raise NotStored(Problem(DISK_FULL if error.full else NOT_WRITTEN)) from error
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
    """Store checked files in turn; stop at the first the store refuses, keeping those before."""
    stored: list[StoredFile] = []
    for clean, original_name in received:
        try:
            stored.append(store_bytes(clean, original_name, slot))
        except NotStored as refused:
            return stored, refused.problem
    return stored, None


def open_stored(name: str) -> BinaryIO:
    """A stored file as a stream; raises Missing, or StoreUnavailable when it cannot be read now.

    A paper kept before the object store was configured is read from the local folder.
    """
    try:
        return storage().open(name)
    except (Missing, StoreUnavailable) as error:
        older = older_folder()
        if older is None:
            raise
        try:
            return older.open(name)
        except (Missing, StoreUnavailable):
            raise error from None


def remove_stored(name: str) -> None:
    """Delete a stored file wherever it is kept; raises StoreUnavailable (then try again)."""
    storage().delete(name)
    older = older_folder()
    if older is not None:
        older.delete(name)


def remove_partial_files(older_than: timedelta) -> int:
    """Delete what a worker killed in mid-write left behind; returns how many went."""
    return local_folder().remove_partial(older_than)


@dataclass
class Copied:
    """What copy_to_store did, file by file."""

    copied: int = 0
    present: int = 0  # already in the store, whole
    missing: int = 0  # in neither place: recorded, but its file is lost


def copy_to_store(report: Copied | None = None) -> Copied:
    """Copy the papers kept in the local folder into the object store; safe to run again.

    Goes by the database's records, so a file no record names is left alone. Raises
    StoreUnavailable when the store stops answering; `report` then holds what was done.
    """
    report = report or Copied()
    older = older_folder()
    if older is None:
        raise ValueError("MOTCUA_STORAGE_URL is not set: the local folder is the store")
    store = storage()
    rows = db.session.execute(
        sa.select(StoredFile.stored_name, StoredFile.size, StoredFile.mimetype)
        .order_by(StoredFile.id)
        .execution_options(yield_per=500)
    )
    for name, size, mimetype in rows:
        if store.size(name) == size:
            report.present += 1
            continue
        try:
            with older.open(name) as kept:
                data = kept.read()  # at most MAX_FILE_MB
        except Missing:
            report.missing += 1
            continue
        store.put(name, data, mimetype)
        report.copied += 1
    return report


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
