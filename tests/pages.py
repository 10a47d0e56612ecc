"""Parsing pages the way a browser would, and the checks every page must pass."""

from __future__ import annotations

import gzip
from collections import Counter

from bs4 import BeautifulSoup
from bs4 import Tag
from werkzeug.test import TestResponse

SUBMIT_BUTTONS = "button:not([type]), button[type=submit], input[type=submit], input[type=image]"
# How a form marks a secondary submit button (add an item, show a province's communes): it
# sends name="hanh-dong". The primary action sends none.
SECONDARY = "hanh-dong"


def parse(response: TestResponse) -> BeautifulSoup:
    """The page as a browser without JavaScript builds it; every form on it is checked."""
    soup = BeautifulSoup(response.get_data(as_text=True), "html5lib")
    check_forms(soup)
    return soup


def first_submit(form: Tag) -> Tag | None:
    """The button Enter in any field of the form presses (the first in tree order)."""
    return form.select_one(SUBMIT_BUTTONS)


def check_forms(soup: BeautifulSoup) -> None:
    """Enter in a field must mean the form's primary action, never a secondary button."""
    for form in soup.select("form"):
        first = first_submit(form)
        if first is None:
            continue
        label = first.get_text(" ", strip=True) or first.get("value", "")
        assert first.get("name") != SECONDARY and not first.has_attr("formaction"), (
            f"Enter in the form {form.get('action')!r} would press {label!r}"
        )


def gzipped_size(response: TestResponse) -> int:
    """Bytes on the wire with gzip, whatever encoding the response was sent with."""
    return len(gzip.compress(response.get_data(), compresslevel=6))


def check_page(soup: BeautifulSoup, lang: str = "vi") -> None:
    """The rules every full page keeps: language, title, one h1, landmarks, forms, labels, ids."""
    assert soup.html.get("lang") == lang
    assert soup.title and soup.title.get_text(strip=True)
    assert len(soup.select("h1")) == 1, [h.get_text() for h in soup.select("h1")]
    assert soup.select_one("main#main"), "the skip link needs a main#main"
    ids = Counter(tag["id"] for tag in soup.select("[id]"))
    assert not [i for i, n in ids.items() if n > 1], f"duplicate ids: {ids.most_common(3)}"
    for form in soup.select("form"):
        assert form.get("action"), "a form without action does not work without JavaScript"
        assert form.get("method", "get").lower() in {"get", "post"}
        if form.get("method", "get").lower() == "post":
            assert form.select_one("input[name=csrf_token]"), "POST forms carry a CSRF token"
    for field in soup.select("input:not([type=hidden]):not([type=submit]), select, textarea"):
        field_id = field.get("id")
        assert field_id and soup.select_one(f"label[for='{field_id}']"), f"no label: {field}"
    for tag in soup.select("*"):
        bad = [a for a in tag.attrs if a.startswith("hx-")]
        assert not bad, f"write htmx attributes as data-hx-*: {bad}"
    assert not soup.select("script:not([src])"), "no inline scripts (CSP)"
    assert not soup.select("[style]"), "no inline styles (CSP)"


def fragment(response: TestResponse) -> BeautifulSoup:
    """An htmx fragment: no document around it."""
    text = response.get_data(as_text=True)
    assert "<html" not in text and "<body" not in text
    return BeautifulSoup(text, "html5lib")
