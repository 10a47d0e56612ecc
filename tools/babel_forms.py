"""Babel extractor for the online forms in data/forms/*.json (see babel.cfg).

Form labels are Vietnamese message ids like any template string, so a form is translated in
translations/<lang>/messages.po and checked by the same drift test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO
from typing import Any

TRANSLATABLE = {"title", "intro", "label", "hint", "late_notice", "item_label", "message"}


def _strings(node: Any, key: str = "") -> Iterator[str]:
    if isinstance(node, dict):
        for k, v in node.items():
            if not k.startswith("_"):
                yield from _strings(v, k)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item, key)
    elif isinstance(node, str) and (key in TRANSLATABLE or key == "bring"):
        yield node


def extract(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Yield (line, function, message, comments) for every translatable string of a form."""
    text = fileobj.read().decode("utf-8")
    lines = text.splitlines()
    for message in dict.fromkeys(_strings(json.loads(text))):
        encoded = json.dumps(message, ensure_ascii=False)
        lineno = next((i + 1 for i, line in enumerate(lines) if encoded in line), 0)
        yield lineno, "_", message, []
