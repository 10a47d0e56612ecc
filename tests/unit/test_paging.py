"""One pager for every list: bounded page numbers, page counts and offsets."""

from __future__ import annotations

import pytest

from domain.numbers import PAGE_MAX as MAX_PAGE
from domain.paging import Paging
from domain.paging import page_number


@pytest.mark.parametrize(
    ("raw", "page"),
    [(None, 1), ("", 1), ("3", 3), ("0", 1), ("-2", 1), ("x", 1), ("²", 1), ("99999999", MAX_PAGE)],
)
def test_a_page_number_from_a_url(raw: str | None, page: int) -> None:
    assert page_number(raw) == page


def test_pages_and_offsets() -> None:
    assert Paging(1, 25, 0).pages == 1
    assert Paging(1, 25, 25).pages == 1
    assert Paging(1, 25, 26).pages == 2
    assert Paging(3, 50).offset == 100
