"""What every model module shares."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
