"""The table of national days off that workers read is the holidays package's own answer."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import holidays

from domain import calendar
from tools.holidays_table import LANGUAGES
from tools.holidays_table import table


def test_the_table_in_the_repository_is_what_the_package_says_today() -> None:
    # Upgrading the package with a changed day fails here until tools/holidays_table.py runs.
    kept = json.loads(calendar.HOLIDAY_TABLE.read_text(encoding="utf-8"))
    fresh = table()
    assert {k: v for k, v in kept.items() if k != "source"} == {
        k: v for k, v in fresh.items() if k != "source"
    }


def test_every_year_reads_back_as_the_package_gives_it() -> None:
    for year in calendar.HOLIDAY_YEARS:
        for lang, code in LANGUAGES.items():
            national = holidays.country_holidays("VN", years=year, language=code)
            assert dict(calendar._holiday_names(year, lang)) == dict(national), (year, lang)
        worked = {d for d in national.weekend_workdays if d.year == year}
        assert calendar._makeup_days(year) == worked, year
    assert (calendar.HOLIDAY_YEARS.start, calendar.HOLIDAY_YEARS.stop) == (1901, 2101)


def test_known_days_read_from_the_table() -> None:
    assert calendar._holiday_names(2026, "vi")[date(2026, 9, 2)] == "Quốc khánh"
    assert calendar._holiday_names(2026, "en")[date(2026, 9, 2)] == "National Day"
    assert date(2026, 2, 17) in calendar._holiday_names(2026)  # Tết
    assert not calendar._holiday_names(1800)


def test_the_working_calendar_does_not_import_the_package() -> None:
    # The point of the table: a web worker never holds the package's countries in memory.
    code = "import sys, domain.calendar; sys.exit('holidays' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
