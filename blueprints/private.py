"""Pages with personal data: never kept by a browser, its back-forward cache or a proxy.

A shared helper phone at the commune office is the reason: the next person must not find the
last one's CCCD in the history. A view says so with @private, or with keep_private() when
only some of its answers are personal; one after-request hook writes the header.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from typing import TypeVar

from flask import Response
from flask import g

View = TypeVar("View", bound=Callable[..., Any])


def keep_private() -> None:
    """Mark the answer to this request as personal: Cache-Control: no-store."""
    g.private = True


def private(view: View) -> View:
    """Every answer of this view is personal, its error pages included."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        keep_private()
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def no_store(response: Response) -> Response:
    """After every request: no-store on answers marked personal."""
    if g.get("private"):
        response.headers["Cache-Control"] = "no-store"
    return response
