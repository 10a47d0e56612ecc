"""Uploaded files on disk: outside static/, under random names, two-letter buckets."""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
from pathlib import Path

from flask import current_app

from domain.uploads import CleanFile
from domain.uploads import stored_name
from extensions import db
from models import StoredFile


def upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def file_path(stored: str) -> Path:
    # Two-letter buckets keep any one folder small.
    return upload_folder() / stored[:2] / stored


def store_bytes(clean: CleanFile, original_name: str, slot: str) -> StoredFile:
    """Write a checked file and add its record to the session (the caller links and commits)."""
    name = stored_name()
    path = file_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(clean.data)
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
