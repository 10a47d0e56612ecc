"""Parts of a page that are the same bytes for many requests, rendered once and kept.

The header, the footer and the search form change with the centre, the language and a few
choices, not with the person: rendering them for every request (a dozen translated strings
and links each) was a third of an uncached search page. A part is rendered once per key and
kept as markup; what does change per request (the language link, the typed search) goes in
through slots, marked places in the kept markup filled with escaped text.
"""

from __future__ import annotations

from collections.abc import Hashable
from collections.abc import Mapping
from typing import Any

from flask import current_app
from flask import request
from flask_babel import get_locale
from markupsafe import Markup
from markupsafe import escape

# A province's centres × languages × the few choices a part has, with room to spare.
KEPT = 4000

_kept: dict[tuple[Hashable, ...], str] = {}


def slot(name: str) -> str:
    """The mark a slot leaves in the rendered part: control characters no text holds."""
    return f"\x00{name}\x00"


def fragment(
    template: str,
    key: tuple[Hashable, ...],
    fill: Mapping[str, str] | None = None,
    **context: Any,
) -> Markup:
    """The template rendered with context once per key; its slots filled for this request.

    The key must name everything the part shows, except what goes in through slots; the
    language and the script root are added. Each slot's text is escaped (markup stays).
    """
    kept_key = (template, str(get_locale()), request.script_root, *key)
    html = _kept.get(kept_key)
    if html is None:
        html = current_app.jinja_env.get_template(template).render(**context)
        if len(_kept) >= KEPT:
            _kept.clear()
        _kept[kept_key] = html
    for name, text in (fill or {}).items():
        html = html.replace(slot(name), escape(text))
    return Markup(html)
