"""Fill the Vietnamese catalogue from its message ids.

The message ids are the Vietnamese text itself (the product is written in Vietnamese first, and
a translator into Mường, Tày or H'Mông works from Vietnamese), so vi/messages.po maps each id to
itself; editors may still reword a string there without touching templates.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po
from babel.messages.pofile import write_po


def fill(path: Path) -> int:
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="vi")
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        if message.pluralizable:
            if not any(message.string):
                message.string = (message.id[0],)
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
        message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog, no_location=True, sort_output=True)
    return filled


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(f"{name}: {fill(Path(name))} strings filled from their ids")
