"""Personal data kept out of logs: long numbers half hidden, names as initials."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

# Nine digits or more, maybe grouped by spaces or dots: a phone number (10) or a CCCD (12).
# Dossier codes (groups of 5, 6 and 4 split by dashes), dates and an 8-digit hotline stay
# readable.
LONG_NUMBER = re.compile(r"\d(?:[ .]?\d){8,}")


def mask(recipient: str) -> str:
    """Phone numbers and addresses half hidden."""
    if "@" in recipient:
        name, _at, domain = recipient.partition("@")
        return f"{name[:2]}…@{domain}"
    return f"{recipient[:4]}…{recipient[-2:]}"


def redact(text: str, names: Iterable[str] = ()) -> str:
    """Text as it may appear in a log: long numbers half hidden, the names as initials."""
    for name in names:
        initials = " ".join(f"{word[0]}." for word in name.split())
        text = text.replace(name, initials)
    return LONG_NUMBER.sub(lambda found: mask(re.sub(r"[ .]", "", found.group())), text)


class RedactNumbers(logging.Filter):
    """On a logger: each record's message and traceback with long numbers half hidden.

    An error's message often quotes the input that caused it (int() of a phone number typed
    with a stray character), and Flask logs it with the traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True
