"""Templates ask the model about a status; they never restate which codes mean what."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
OPERATOR = r"(?:==|!=|<=|>=|<|>)"
# `status == 9`, `9 != row.status`, `status in (2, 4)`, `status not in [3, 7]`.
NUMERIC_STATUS = re.compile(
    rf"status\s*{OPERATOR}\s*\d"
    rf"|\d\s*{OPERATOR}\s*[\w.]*status\b"
    r"|status\s+(?:not\s+)?in\s*[(\[]"
)


def numeric_statuses(text: str) -> list[str]:
    """Each comparison of a status with a number inside a Jinja tag of the text."""
    tags = re.findall(r"{%.*?%}|{{.*?}}", text, re.DOTALL)
    return [match.group(0) for tag in tags for match in NUMERIC_STATUS.finditer(tag)]


def test_the_scan_sees_what_it_looks_for() -> None:
    for tag in (
        "{% if dossier.status == 9 %}",
        "{% if 10 == dossier.status %}",
        "{% if row.status in (2, 4) %}",
        "{% if dossier.status not in [3, 7, 8, 10] %}",
        "{{ 'x' if status>5 }}",
    ):
        assert numeric_statuses(tag), tag
    assert not numeric_statuses("{% if dossier.is_running %}<p class='s{{ dossier.status }}'>")


def test_no_template_compares_a_status_with_a_number() -> None:
    found = {
        str(path.relative_to(TEMPLATES)): numeric_statuses(path.read_text(encoding="utf-8"))
        for path in sorted(TEMPLATES.rglob("*"))
        if path.is_file()
    }
    assert len(found) > 20  # the scan read the templates
    assert {name: hits for name, hits in found.items() if hits} == {}
