"""Write data/holidays/VN.json: Việt Nam's national days off, from the `holidays` package.

    .venv/bin/python tools/holidays_table.py

The package is the source; the table is what a web worker reads. Importing the package loads
all its 251 countries and 21 calendars, about 18 MB in every worker, to answer a question
whose answer is fixed for each year. tests/unit/test_holiday_table.py compares the table with
the package year by year, so an upgrade of the package that changes a day fails until this is
run again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import holidays

TABLE = Path(__file__).resolve().parents[1] / "data" / "holidays" / "VN.json"
# The portal's languages as the holidays package names them (domain.calendar reads the same).
LANGUAGES = {"vi": "vi", "en": "en_US"}


def table() -> dict[str, Any]:
    """Every year the package knows: its days off with their names, and its worked weekends."""
    known = holidays.country_holidays("VN")
    names: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
    places: dict[tuple[str, str], int] = {}
    years: dict[str, Any] = {}
    for year in range(known.start_year, known.end_year + 1):
        by_language = {
            lang: holidays.country_holidays("VN", years=year, language=code)
            for lang, code in LANGUAGES.items()
        }
        days_off = []
        for day in sorted(by_language["vi"]):
            # One name per language for the day, kept once in the lists of names.
            pair = tuple(by_language[lang][day] for lang in LANGUAGES)
            if pair not in places:
                places[pair] = len(places)
                for lang, name in zip(LANGUAGES, pair, strict=True):
                    names[lang].append(name)
            days_off.append([day.isoformat(), places[pair]])
        worked = sorted(d for d in by_language["vi"].weekend_workdays if d.year == year)
        years[str(year)] = {"off": days_off, "worked": [d.isoformat() for d in worked]}
    return {
        "source": f"holidays {holidays.__version__}, country VN",
        "first_year": known.start_year,
        "last_year": known.end_year,
        "names": names,
        "years": years,
    }


def main() -> None:
    TABLE.write_text(json.dumps(table(), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {TABLE}")


if __name__ == "__main__":
    main()
