"""Online forms: data/forms/<code>.json checked against the procedure's real documents."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import sqlalchemy as sa

from domain.channels import Channel
from domain.formspec import FormSpec
from domain.formspec import load_form
from extensions import db
from models import Procedure
from models import ProcedureDocument
from services.limits import processing_limit

FORMS = Path(__file__).resolve().parent.parent / "data" / "forms"
COMMON = FORMS / "_common.json"

_lock = threading.Lock()
_cache: dict[str, tuple[float, FormSpec]] = {}


def form_path(code: str) -> Path:
    return FORMS / f"{code}.json"


def has_form(code: str) -> bool:
    return form_path(code).is_file()


def accepts_online(proc: Procedure) -> bool:
    """Whether a new online dossier can be started for this procedure now.

    Not without a time limit for the online channel: the dossier could never be received.
    """
    return (
        proc.published
        and proc.online_open
        and has_form(proc.code)
        and processing_limit(proc, Channel.ONLINE) is not None
    )


def documents_of(code: str) -> dict[str, str]:
    """{component code: group} of a procedure's published documents."""
    rows = db.session.execute(
        sa.select(ProcedureDocument.component_code, ProcedureDocument.group).where(
            ProcedureDocument.procedure_code == code
        )
    )
    return {component: group for component, group in rows if component}


def form_for(code: str) -> FormSpec | None:
    """The checked form of a procedure, or None when it has no online form."""
    path = form_path(code)
    if not path.is_file():
        return None
    stamp = max(path.stat().st_mtime, COMMON.stat().st_mtime)
    known = _cache.get(code)
    if known is not None and known[0] == stamp:
        return known[1]
    common = json.loads(COMMON.read_text(encoding="utf-8"))["steps"]
    spec = load_form(json.loads(path.read_text(encoding="utf-8")), documents_of(code), common)
    with _lock:
        _cache[code] = (stamp, spec)
    return spec


def all_form_codes() -> list[str]:
    return sorted(p.stem for p in FORMS.glob("*.json") if not p.stem.startswith("_"))
