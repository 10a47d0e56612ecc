"""The catalogue as each worker holds it in memory: search index, fields, result lines.

A worker keeps one snapshot per database. At most every CATALOG_CHECK_SECONDS it asks the
database for the catalogue's version (row count and last update); when a loader or another
worker changed it, the snapshot is rebuilt, so stale results live a few seconds at most.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app

from domain.search import Document
from domain.search import SearchIndex
from extensions import db
from models import Field
from models import Procedure
from models import ProcedureDocument

SYNONYMS = Path(__file__).resolve().parents[1] / "data" / "search" / "synonyms.json"


@dataclass(frozen=True, slots=True)
class Listed:
    """What a line of search results shows of a procedure."""

    code: str
    name: str
    name_en: str | None
    field_name: str | None
    is_full_online: bool

    def name_in(self, locale: str) -> str:
        """As Procedure.name_in: English where we wrote one, else official."""
        if locale == "en" and self.name_en:
            return self.name_en
        return self.name


@dataclass
class Snapshot:
    version: tuple[Any, ...]
    index: SearchIndex
    fields: tuple[tuple[str, str], ...]  # (slug, name) of fields with commune procedures
    has_national: bool
    # Every procedure's result line, by code: a search page reads no rows. Kept with the
    # index, so it is exactly as fresh as the results it shows (and the page cache's key).
    listed: dict[str, Listed] = field(default_factory=dict)
    checked_at: float = field(default_factory=time.monotonic)


_lock = threading.Lock()
_snapshots: dict[str, Snapshot] = {}


def load_synonyms() -> dict[str, list[str]]:
    """The synonym list; an entry is its replacements, or them with where people say it."""
    raw = json.loads(SYNONYMS.read_text(encoding="utf-8"))
    return {
        k: v["means"] if isinstance(v, dict) else v for k, v in raw.items() if not k.startswith("_")
    }


def guide_text(guide: dict[str, Any]) -> Iterator[str]:
    for key in ("summary", "who", "bring", "show", "tips"):
        value = guide.get(key)
        if isinstance(value, str):
            yield value
        elif isinstance(value, list):
            for item in value:
                yield item["item"] if isinstance(item, dict) else str(item)


def documents() -> Iterator[Document]:
    """Search documents, read as plain rows: no ORM objects for thousands of procedures."""
    papers: dict[str, list[str]] = {}
    rows = db.session.execute(
        sa.select(ProcedureDocument.procedure_code, ProcedureDocument.name).where(
            ProcedureDocument.group != "note"
        )
    )
    for code, name in rows:
        papers.setdefault(code, []).append(name)
    # The English name arrives with the catalogue's English data; until then, none.
    name_en = getattr(Procedure, "name_en", None)
    procedures = db.session.execute(
        sa.select(
            Procedure.code,
            Procedure.name,
            name_en if name_en is not None else sa.null(),
            Procedure.keywords,
            Procedure.guide,
            Procedure.is_local,
            Procedure.published,
            Procedure.is_full_online,
            Procedure.popularity,
            Field.slug,
        )
        .outerjoin(Field, Procedure.field_id == Field.id)
        .execution_options(yield_per=500)
    )
    for (
        code,
        name,
        english,
        keywords,
        guide,
        local,
        published,
        online,
        popularity,
        slug,
    ) in procedures:
        aliases = [english, *(keywords or [])]
        text: list[str] = []
        for translated in (guide or {}).values():
            aliases.append(translated.get("title", ""))
            text.extend(guide_text(translated))
        facets = {f"field:{slug}"} if slug else set()
        if online:
            facets.add("online")
        if local and published:  # an unpublished one stays findable nationwide only
            facets.add("local")
        yield Document(
            key=code,
            name=name,
            aliases=[a for a in aliases if a],
            text=text,
            papers=papers.get(code, []),
            facets=frozenset(facets),
            popularity=popularity,
            local=local and published,
        )


def catalog_version() -> tuple[Any, ...]:
    row = db.session.execute(
        sa.select(sa.func.count(Procedure.code), sa.func.max(Procedure.updated_at))
    ).one()
    return tuple(row)


def build_index() -> SearchIndex:
    return SearchIndex.build(documents(), load_synonyms())


def listing() -> dict[str, Listed]:
    rows = db.session.execute(
        sa.select(
            Procedure.code,
            Procedure.name,
            Procedure.name_en,
            Field.name,
            Procedure.is_full_online,
        ).outerjoin(Field, Procedure.field_id == Field.id)
    )
    # A field's name once, not once per procedure: the national list has 5,670 of them.
    names: dict[str, str] = {}
    return {
        code: Listed(code, name, name_en, field and names.setdefault(field, field), online)
        for code, name, name_en, field, online in rows
    }


def build_snapshot(version: tuple[Any, ...]) -> Snapshot:
    fields = db.session.execute(
        sa.select(Field.slug, Field.name)
        .where(Field.procedures.any(Procedure.is_local.is_(True)))
        .order_by(Field.name)
    ).all()
    has_national = bool(
        db.session.scalar(sa.select(sa.exists().where(Procedure.is_local.is_(False))))
    )
    return Snapshot(
        version,
        build_index(),
        tuple((slug, name) for slug, name in fields),
        has_national,
        listing(),
    )


def current() -> Snapshot:
    """This worker's snapshot of the catalogue, rebuilt if the database has moved on."""
    key = current_app.config["SQLALCHEMY_DATABASE_URI"]
    ttl = current_app.config["CATALOG_CHECK_SECONDS"]
    known = _snapshots.get(key)
    if known is not None and time.monotonic() - known.checked_at < ttl:
        return known
    version = catalog_version()
    if known is not None and known.version == version:
        known.checked_at = time.monotonic()
        return known
    with _lock:
        known = _snapshots.get(key)
        if known is None or known.version != version:
            known = build_snapshot(version)
            _snapshots[key] = known
    return known


def current_index() -> SearchIndex:
    return current().index
