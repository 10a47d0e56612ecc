"""One parser for every number a request carries."""

from __future__ import annotations

import pytest

from domain import numbers


@pytest.mark.parametrize(
    "raw",
    ["²", "①②③", "0912345²78", "١٢٣", "２", "𝟙", "1e3", "-1", "+1", "1.0", "1 2", "", None, "٣"],
)
def test_only_ascii_digits_are_numbers(raw) -> None:
    assert numbers.whole(raw) is None


def test_ascii_digits_are_read_with_spaces_and_leading_zeros() -> None:
    assert numbers.whole(" 042 ") == 42
    assert numbers.whole("0") == 0
    assert numbers.whole("0" * 5000 + "7") == 7


@pytest.mark.parametrize("raw", ["9" * 4301, "1" * 30, "99999999999999999999999", "2147483648"])
def test_numbers_beyond_the_database_integer_are_refused(raw) -> None:
    assert numbers.whole(raw) is None


def test_the_bound_is_inclusive() -> None:
    assert numbers.whole("2147483647") == 2**31 - 1
    assert numbers.whole("31", maximum=31) == 31
    assert numbers.whole("32", maximum=31) is None


@pytest.mark.parametrize(
    ("raw", "page"),
    [("3", 3), ("0", 1), ("", 1), (None, 1), ("²", 1), ("1" * 30, 1), ("99999", 10_000)],
)
def test_pages(raw, page) -> None:
    assert numbers.page(raw) == page
