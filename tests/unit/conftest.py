"""The real commune catalogue's search index, shared by the search tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app import create_app
from domain.search import SearchIndex
from extensions import db
from services.catalog_index import build_index
from tests.conftest import base_config


@pytest.fixture(scope="module")
def catalogue(database: str, uploads: Path) -> Iterator[SearchIndex]:
    """The index built from the loaded test database, as a worker builds it."""
    app = create_app(base_config(database, uploads))
    with app.app_context():
        built = build_index()
        db.session.remove()
        db.engine.dispose()
    yield built


def local(index: SearchIndex, query: str) -> list[str]:
    """The codes a search among the commune's own procedures finds, best first."""
    return index.search(query, {"local"}).keys
