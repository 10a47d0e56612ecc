"""Turn raw national-portal detail records into data/procedures/commune_procedures.json.

    .venv/bin/python tools/normalise_details.py /work/shared/data/procedures/national_details

Keeps every record done at commune level (`isWard`) plus those our guides cover, verbatim
(the loader cleans text when it loads), in the shape the loader reads: channels with time and
fees, cases, document groups with originals and copies, legal basis, results, the
boundary-free flag, and the source fields. Run it again when the crawl is refreshed.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "procedures" / "commune_procedures.json"
LEVELS = ROOT / "data" / "procedures" / "national_levels.json"
LEVEL_FLAGS = ("isWard", "isProvince", "isMinistry", "isOtherAgency", "isNonTerritorial")
GUIDES = ROOT / "data" / "guides"
PORTAL = "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/"
CRAWL = "github.com/VoidKeishi/OpenGOV backend/data/crawl/details/"
NOTE = (
    "Derived from raw national-portal (dichvucong.gov.vn) detail JSON crawled 2026 by "
    "VoidKeishi/OpenGOV (repo has no licence file) by tools/normalise_details.py: every record "
    "with isWard, plus those our guides cover. Verbatim Vietnamese text; verify against "
    "dichvucong.gov.vn and the provincial publication decision before production use."
)

LEVELS_NOTE = (
    "The level flags of every detail record of the national portal (dichvucong.gov.vn "
    "get-formality-by-citizen, crawl of 2026 by VoidKeishi/OpenGOV backend/data/crawl/details/): "
    "isWard = done at commune level, isNonTerritorial = accepted regardless of the boundary."
)


def stamp(millis: int | None) -> str | None:
    if not millis:
        return None
    return datetime.fromtimestamp(millis / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def normalise(raw: dict[str, Any], crawled_at: str) -> dict[str, Any]:
    category = raw.get("category") or (raw.get("categoriesDetails") or [{}])[0]
    ministry = {
        "code": raw.get("departmentPromulgateCode"),
        "name": raw.get("departmentPromulgateName"),
    }
    return {
        "code": raw["code"],
        "source_id": raw["id"],
        "name": raw["name"],
        "category": [{"code": category.get("code"), "name": category.get("name")}]
        if category
        else [],
        "type": raw.get("type"),
        "state": raw.get("state"),
        "is_ward_level": bool(raw.get("isWard")),
        "is_province_level": bool(raw.get("isProvince")),
        "is_non_territorial": bool(raw.get("isNonTerritorial")),
        "is_full_process_online": bool(raw.get("isFullProcess")),
        "is_offline_only": bool(raw.get("isOfflineOnly")),
        "executing_unit_groups": [u["name"] for u in raw.get("unitGroupsExecuting") or []],
        "promulgating_ministry": ministry,
        "subjects": [s["name"] for s in raw.get("subjectTypesDetails") or []],
        "results": [
            {"code": r.get("code"), "name": r.get("name")} for r in raw.get("resultsDetails") or []
        ],
        "requirements_and_conditions": raw.get("requirementsAndConditions") or "",
        "methods": [
            {
                "channel": m.get("submissionMethod"),
                "processing_time": m.get("processingTime"),
                "processing_time_unit": m.get("processingTimeUnit"),
                "description": m.get("description") or "",
                "fees": [
                    {
                        "type": f.get("type"),
                        "value_vnd": f.get("value"),
                        "description": f.get("description") or "",
                    }
                    for f in m.get("fees") or []
                ],
            }
            for m in raw.get("executionMethods") or []
        ],
        "cases": [
            {
                "code": c.get("code"),
                "name": c.get("name"),
                "processing_day": {
                    "qty": (c.get("processingDay") or {}).get("qty"),
                    "type": (c.get("processingDay") or {}).get("type"),
                },
            }
            for c in raw.get("cases") or []
        ],
        "document_groups": [
            {
                "group": g.get("name"),
                "documents": [
                    {
                        "name": d.get("name"),
                        "original_qty": d.get("originalQty"),
                        "copy_qty": d.get("copyQty"),
                        "component_code": d.get("code"),
                        "has_electronic_form": bool(d.get("hasElectronicForm")),
                        "attachments": [a.get("fileName") for a in d.get("attachments") or []],
                    }
                    for d in g.get("profileComponents") or []
                ],
            }
            for g in raw.get("executionCases") or []
        ],
        "legal_basis": [
            {"code": b.get("code"), "name": b.get("name")}
            for b in raw.get("legalBasisesDetails") or []
        ],
        "steps_text": [s.get("description") or "" for s in raw.get("executionSteps") or []],
        "proposal_decision": (raw.get("procedureProposal") or {}).get("proposalNumber") or "",
        "source_url": PORTAL + raw["id"],
        "source_updated_at": stamp(raw.get("updatedAt")),
        "source_created_at": stamp(raw.get("createdAt")),
        "crawled_at": crawled_at,
        "crawled_by": CRAWL + raw["code"] + ".json",
    }


def main(folder: Path) -> None:
    previous = {}
    if OUT.exists():
        previous = {p["code"]: p for p in json.loads(OUT.read_text(encoding="utf-8"))["procedures"]}
    guided = {json.loads(p.read_text(encoding="utf-8"))["code"] for p in GUIDES.glob("*.json")}
    records = []
    levels = {}
    for path in sorted(folder.glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))["data"]
        # Who does it, for every detail record: the loader needs the "not at commune" too.
        levels[raw["code"]] = {flag: bool(raw.get(flag)) for flag in LEVEL_FLAGS}
        if not (raw.get("isWard") or raw["code"] in guided):
            continue
        # The crawl's own date where we kept it; the raw files do not carry one.
        crawled_at = (previous.get(raw["code"]) or {}).get("crawled_at") or "2026-07-18T00:00:00Z"
        records.append(normalise(raw, crawled_at))
    OUT.write_text(
        json.dumps({"_note": NOTE, "procedures": records}, ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
    LEVELS.write_text(
        json.dumps(
            {"_note": LEVELS_NOTE, "procedures": levels},
            ensure_ascii=False,
            indent=0,
            sort_keys=True,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"{OUT.relative_to(ROOT)}: {len(records)} detail records")
    print(f"{LEVELS.relative_to(ROOT)}: levels of {len(levels)} detail records")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
