"""Dossier codes and resume codes: what people read aloud, type and print."""

from __future__ import annotations

import re
import secrets
from datetime import date

# <unit code>-<yyMMdd>-<NNNN>, e.g. 08566-261128-0001 (unit code as five digits).
DOSSIER_CODE = re.compile(r"^([0-9]{5})-([0-9]{6})-([0-9]{4})\Z")
DIGITS_ONLY = re.compile(r"^[0-9]{15}\Z")

# No 0/O, 1/I/L, nor 2/Z, 5/S, 8/B: the letters a clerk can say over a bad phone line.
RESUME_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
RESUME_LENGTH = 8


def dossier_code(unit_code: int, day: date, sequence: int) -> str:
    """The code of the sequence-th dossier of a unit on a day."""
    return f"{unit_code:05d}-{day:%y%m%d}-{sequence:04d}"


def normalize_dossier_code(raw: str) -> str | None:
    """A code as people type it (spaces, lower case, no dashes) in its printed form, or None."""
    compact = re.sub(r"[\s\-–—_.]", "", raw or "")[:40]
    if not DIGITS_ONLY.match(compact):
        return None
    code = f"{compact[:5]}-{compact[5:11]}-{compact[11:]}"
    return code if DOSSIER_CODE.match(code) else None


def new_resume_code() -> str:
    """A random resume code: 8 symbols from 25, about 1.5 × 10^11 possibilities."""
    return "".join(secrets.choice(RESUME_ALPHABET) for _ in range(RESUME_LENGTH))


def normalize_resume_code(raw: str) -> str | None:
    """A resume code as typed (any case, spaces or dashes) in its stored form, or None."""
    compact = re.sub(r"[\s\-–—_.]", "", raw or "").upper()[:40]
    if len(compact) != RESUME_LENGTH or any(ch not in RESUME_ALPHABET for ch in compact):
        return None
    return compact


def format_resume_code(code: str) -> str:
    """ABCD EFGH: two groups of four are easier to read aloud and copy."""
    return f"{code[:4]} {code[4:]}"
