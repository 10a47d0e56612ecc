"""One transaction per action: everything a service writes for it is kept, or none of it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from extensions import db


@contextmanager
def one_transaction() -> Iterator[None]:
    """Commit what the block wrote when it ends; roll all of it back if it raises.

    A failure half-way (the log row refused, the second step of two) must not leave the
    first half in the session for a later commit to keep.
    """
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
