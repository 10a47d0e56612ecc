"""Choosing between a full page and an htmx fragment."""

from __future__ import annotations

from typing import Any

from flask import render_template
from htmx_flask import request


def is_fragment_request() -> bool:
    """True for an htmx request that swaps part of a page.

    Boosted requests and history restores replace the whole body, so they get the full page.
    """
    details = request.htmx
    return bool(details) and not details.boosted and not details.history_restore_request


def render_page(page_template: str, fragment_template: str, /, **context: Any) -> str:
    """Render the page, or only its fragment for an htmx request (the page includes it)."""
    fragment = is_fragment_request()
    template = fragment_template if fragment else page_template
    return render_template(template, fragment=fragment, **context)
