"""Absolute links to the portal, for paper, messages and QR codes."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute URL on the configured public address, never on the request's Host.

    The same with or without a request, so a message queued by a command reads like one
    queued by a page.
    """
    parts = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
    )
    return adapter.build(endpoint, values, force_external=True)
