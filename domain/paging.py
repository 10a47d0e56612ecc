"""Paging of long lists: the page asked for in a URL, bounded, and where it starts."""

from __future__ import annotations

from dataclasses import dataclass

from domain import numbers


def page_number(raw: str | None) -> int:
    """The page a URL asks for (`?trang=`), 1 for anything that is not a page number."""
    return numbers.page(raw)


@dataclass(frozen=True)
class Paging:
    """One page of `total` rows shown `size` at a time."""

    page: int
    size: int
    total: int = 0

    @property
    def pages(self) -> int:
        """How many pages there are; one even when the list is empty."""
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        """How many rows come before this page."""
        return (self.page - 1) * self.size
