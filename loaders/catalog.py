"""Load the procedure catalogue from data/ into the database. Safe to run again: it upserts."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from domain import procedures as rules
from domain.search import fold
from extensions import db
from models import Field
from models import Procedure
from models import ProcedureCase
from models import ProcedureChannel
from models import ProcedureDocument
from models import utcnow

DATA = Path(__file__).resolve().parent.parent / "data"
DETAILED = DATA / "procedures" / "commune_procedures.json"
NATIONAL = DATA / "procedures" / "national_catalog.jsonl"
LEVELS = DATA / "procedures" / "national_levels.json"
DECISIONS = DATA / "procedures" / "commune_level_decisions.json"
NAMES_EN = DATA / "procedures" / "names_en.json"
CORRECTIONS = DATA / "procedures" / "text_corrections.json"
GUIDES = DATA / "guides"


def tidy(text: str) -> str:
    """One line, composed Unicode (the crawl mixes composed and decomposed letters)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class CatalogLoader:
    """Upserts procedures; keeps one Field per name across the run."""

    def __init__(self) -> None:
        # Keyed by slug: the national list spells some fields two ways
        # ("Thi đua - khen thưởng", "Thi đua, khen thưởng"); they are one field.
        self.fields: dict[str, Field] = {f.slug: f for f in db.session.scalars(sa.select(Field))}
        self.existing: dict[str, Procedure] = {
            p.code: p for p in db.session.scalars(sa.select(Procedure))
        }

    def field(self, name: str, code: str | None = None) -> Field | None:
        name = tidy(name)
        slug = fold(name).replace(" ", "-")
        if not slug:
            return None
        found = self.fields.get(slug)
        if found is None:
            found = Field(name=name, slug=slug, code=code)
            db.session.add(found)
            self.fields[slug] = found
        elif code and not found.code:
            found.code = code
        return found

    def procedure(self, code: str) -> Procedure:
        found = self.existing.get(code)
        if found is None:
            found = Procedure(code=code)
            db.session.add(found)
            self.existing[code] = found
        return found

    def load_detailed(self, records: Iterable[dict[str, Any]]) -> int:
        count = 0
        for record in records:
            proc = self.procedure(record["code"])
            category = (record.get("category") or [{}])[0]
            proc.name = tidy(record["name"])
            proc.field = self.field(category.get("name", ""), category.get("code"))
            proc.agency = ", ".join(record.get("executing_unit_groups") or [])
            proc.is_local = True
            proc.has_detail = True
            proc.is_full_online = bool(record.get("is_full_process_online"))
            proc.is_non_territorial = bool(record.get("is_non_territorial"))
            proc.kind = record.get("type") or "STANDARD"
            proc.subjects = record.get("subjects") or []
            proc.results = record.get("results") or []
            proc.legal_basis = record.get("legal_basis") or []
            proc.steps_text = [rules.clean_text(s) for s in record.get("steps_text") or []]
            proc.requirements = rules.clean_text(record.get("requirements_and_conditions") or "")
            proc.decision = record.get("proposal_decision") or ""
            proc.source_url = record.get("source_url") or ""
            proc.source_updated_at = parse_time(record.get("source_updated_at"))
            proc.channels = [
                ProcedureChannel(
                    position=rules.CHANNEL_ORDER.index(m["channel"])
                    if m["channel"] in rules.CHANNEL_ORDER
                    else 9,
                    channel=m["channel"],
                    time_qty=m.get("processing_time"),
                    time_unit=m.get("processing_time_unit") or "",
                    description=rules.clean_text(m.get("description") or ""),
                    fees=m.get("fees") or [],
                )
                for m in record.get("methods") or []
            ]
            proc.cases = [
                ProcedureCase(
                    code=c["code"],
                    name=tidy(c.get("name") or ""),
                    time_qty=(c.get("processing_day") or {}).get("qty"),
                    time_unit=(c.get("processing_day") or {}).get("type") or "",
                )
                for c in record.get("cases") or []
            ]
            proc.documents = list(self._documents(record.get("document_groups") or []))
            # Child rows changed too; the search index watches this column.
            proc.updated_at = utcnow()
            count += 1
        return count

    @staticmethod
    def _documents(groups: list[dict[str, Any]]) -> Iterator[ProcedureDocument]:
        position = 0
        for group in groups:
            for doc in group.get("documents") or []:
                originals = int(doc.get("original_qty") or 0)
                copies = int(doc.get("copy_qty") or 0)
                yield ProcedureDocument(
                    position=position,
                    group=rules.document_group(group.get("group", ""), originals, copies),
                    name=rules.clean_text(doc.get("name") or ""),
                    originals=originals,
                    copies=copies,
                    component_code=doc.get("component_code") or "",
                    has_electronic_form=bool(doc.get("has_electronic_form")),
                )
                position += 1

    def load_catalog_rows(self, rows: Iterable[dict[str, Any]], local: bool) -> int:
        """Rows of the national list: name, field and agency only. Never overwrite details."""
        count = 0
        for row in rows:
            proc = self.procedure(row["code"])
            if not proc.has_detail:
                proc.name = tidy(row["name"])
                proc.field = self.field((row.get("categories") or [""])[0])
                proc.agency = ", ".join(dict.fromkeys(d for d in row.get("departments", []) if d))
                proc.kind = row.get("type") or "STANDARD"
                proc.source_url = f"https://dichvucong.gov.vn/thu-tuc-hanh-chinh/{row['id']}"
            proc.is_local = proc.is_local or local
            count += 1
        return count

    def load_guides(self, guides: Iterable[dict[str, Any]]) -> int:
        count = 0
        for guide in guides:
            proc = self.existing.get(guide["code"])
            if proc is None:
                raise ValueError(f"guide for unknown procedure {guide['code']}")
            # Every language the guide is written in (a dict per language code).
            proc.guide = {lang: text for lang, text in guide.items() if isinstance(text, dict)}
            proc.keywords = guide.get("keywords") or []
            proc.popularity = guide.get("rank")
            proc.is_local = True
            proc.updated_at = utcnow()
            count += 1
        return count

    def load_names_en(self, names: dict[str, str]) -> int:
        for code, name in names.items():
            proc = self.existing.get(code)
            if proc is None:
                raise ValueError(f"English name for unknown procedure {code}")
            if proc.name_en != name:
                proc.name_en = name
                proc.updated_at = utcnow()
        return len(names)


def read_national() -> Iterator[dict[str, Any]]:
    with NATIONAL.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def has_departments(row: dict[str, Any]) -> bool:
    return any(d for d in row.get("departments") or [])


def for_province(kind: str | None, promulgated_by: str, province_name: str) -> bool:
    """A standard procedure applies everywhere; a province's own one only where it was made.

    An internal one (STANDARD_INTERNAL, between state bodies) is nobody's to apply for.
    """
    return kind == "STANDARD" or fold(promulgated_by).endswith(fold(province_name))


def is_commune_level(row: dict[str, Any], province_name: str) -> bool:
    """A national row that a commune centre in this province handles, by its departments."""
    departments = [fold(d) for d in row.get("departments") or []]
    at_commune = any("cap xa" in d and "tinh" not in d for d in departments)
    return at_commune and for_province(
        row.get("type"), row.get("departmentPromulgate") or "", province_name
    )


class LevelDecisions:
    """Our decisions for rows whose data say nothing about the level (data/procedures/...)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.rows = {d["code"]: bool(d["commune"]) for d in data["procedures"]}
        self.agencies = {d["code"]: d["agency"] for d in data["procedures"] if d.get("agency")}
        self.fields = {
            tidy(field): bool(rule["commune"])
            for rule in data["field_rules"]
            for field in rule["fields"]
        }

    @classmethod
    def read(cls) -> LevelDecisions:
        return cls(json.loads(DECISIONS.read_text(encoding="utf-8")))

    def commune(self, row: dict[str, Any]) -> bool:
        if row["code"] in self.rows:
            return self.rows[row["code"]]
        field = tidy((row.get("categories") or [""])[0])
        if field not in self.fields:
            # A refreshed crawl brought a row we have not judged: stop rather than miss it.
            raise ValueError(
                f"{row['code']} ({field or 'no field'}): no detail record, no department and no "
                f"decision in {DECISIONS.name}; decide whether a commune does it"
            )
        return self.fields[field]


def read_levels() -> dict[str, dict[str, bool]]:
    return json.loads(LEVELS.read_text(encoding="utf-8"))["procedures"]


def commune_codes(
    rows: Iterable[dict[str, Any]],
    levels: dict[str, dict[str, bool]],
    decisions: LevelDecisions,
    province_name: str,
) -> list[str]:
    """The procedures done at commune level in this province, in national-list order.

    The union of the department filter and the detail records' isWard flag; where neither a
    detail record nor a department says anything, our recorded decision.
    """
    found: list[str] = []
    for row in rows:
        level = levels.get(row["code"])
        if level is not None:
            here = level["isWard"] and for_province(
                row.get("type"), row.get("departmentPromulgate") or "", province_name
            )
        else:
            here = not has_departments(row) and decisions.commune(row)
        if here or is_commune_level(row, province_name):
            found.append(row["code"])
    return found


def read_guides() -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(GUIDES.glob("*.json"))]


def read_corrected_records() -> list[dict[str, Any]]:
    """The detail records, with the official texts garbled at the source put right."""
    records = json.loads(DETAILED.read_text(encoding="utf-8"))["procedures"]
    by_code = {r["code"]: r for r in records}
    for fix in json.loads(CORRECTIONS.read_text(encoding="utf-8"))["corrections"]:
        record = by_code[fix["code"]]
        where = f"{fix['code']} {fix['field']}"
        whole = "\n\n".join(record[fix["field"]])
        rules.corrected(whole, fix["published"], fix["corrected"], where)  # there, once
        record[fix["field"]] = [
            rules.corrected(t, fix["published"], fix["corrected"], where)
            if fix["published"] in t
            else t
            for t in record[fix["field"]]
        ]
    return records


def read_names_en() -> dict[str, str]:
    data = json.loads(NAMES_EN.read_text(encoding="utf-8"))
    return {code: name for code, name in data.items() if not code.startswith("_")}


def load_commune_catalog(province_name: str) -> dict[str, Any]:
    """The deployment's catalogue: every commune-level procedure, its details, our guides.

    Returns the counts and the codes of the procedures loaded without a detail record.
    """
    loader = CatalogLoader()
    records = read_corrected_records()
    details = {r["code"]: r for r in records}
    national = list(read_national())
    guides = read_guides()
    decisions = LevelDecisions.read()
    codes = commune_codes(national, read_levels(), decisions, province_name)
    # Guides may cover procedures that have only a catalogue row (e.g. chứng thực).
    local = set(codes) | {g["code"] for g in guides}
    counts: dict[str, Any] = {
        "detailed": loader.load_detailed(r for r in records if r["code"] in local)
    }
    counts["commune_rows"] = loader.load_catalog_rows(
        (r for r in national if r["code"] in local), local=True
    )
    for code, agency in decisions.agencies.items():
        proc = loader.existing.get(code)
        if proc is not None and proc.is_local and not proc.agency:
            proc.agency = agency
    db.session.flush()
    counts["guides"] = loader.load_guides(guides)
    counts["names_en"] = loader.load_names_en(read_names_en())
    db.session.commit()
    counts["procedures"] = len(local)
    counts["without_detail"] = sorted(local - details.keys())
    return counts


def load_national_catalog() -> int:
    """Every procedure of the national list, for reference and full-scale search."""
    loader = CatalogLoader()
    count = loader.load_catalog_rows(read_national(), local=False)
    db.session.commit()
    return count
