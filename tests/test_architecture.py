"""Requests flow one way: blueprints → services → domain; no blueprint reaches into another.

A blueprint is a package under `blueprints/` (apply, lookup, backoffice, catalog). The modules
directly in `blueprints/` (htmx, fields, incoming, private, …) are the web layer's shared
pieces: any blueprint may use them, and they may not use a blueprint.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLUEPRINTS = ROOT / "blueprints"
BELOW_THE_WEB = ("services", "domain", "models", "loaders")


def imported_modules(path: Path) -> set[str]:
    """Every module the file imports, at its top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # `from blueprints import apply` names a package through its attribute
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def blueprint_packages() -> set[str]:
    return {p.name for p in BLUEPRINTS.iterdir() if (p / "__init__.py").is_file()}


def blueprint_of(module: str, packages: set[str]) -> str | None:
    parts = module.split(".")
    if len(parts) >= 2 and parts[0] == "blueprints" and parts[1] in packages:
        return parts[1]
    return None


def crossings() -> list[str]:
    """Each import that breaks the direction, as 'file → module'."""
    packages = blueprint_packages()
    wrong: list[str] = []
    for path in sorted(ROOT.glob("blueprints/**/*.py")):
        relative = path.relative_to(ROOT)
        if path == BLUEPRINTS / "__init__.py":
            continue  # the one place that registers them all
        own = relative.parts[1] if len(relative.parts) > 2 else None
        for module in imported_modules(path):
            other = blueprint_of(module, packages)
            if other is not None and other != own:
                wrong.append(f"{relative} → {module}")
    for layer in BELOW_THE_WEB:
        for path in sorted(ROOT.glob(f"{layer}/**/*.py")):
            for module in imported_modules(path):
                if module == "blueprints" or module.startswith("blueprints."):
                    wrong.append(f"{path.relative_to(ROOT)} → {module}")
    return wrong


def test_the_scan_finds_the_blueprints_and_reads_nested_imports(tmp_path: Path) -> None:
    assert {"apply", "lookup", "backoffice", "catalog"} <= blueprint_packages()
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from blueprints import apply\n"
        "def f():\n    from blueprints.lookup.views import find\n"
        "import blueprints.backoffice.views\n",
        encoding="utf-8",
    )
    found = {blueprint_of(m, blueprint_packages()) for m in imported_modules(sample)}
    assert {"apply", "lookup", "backoffice"} <= found


def test_no_blueprint_imports_another_and_nothing_below_imports_a_blueprint() -> None:
    assert crossings() == []


def database_imports(path: Path) -> list[str]:
    """The imports of the database (the session, SQLAlchemy) in one file."""
    return sorted(
        module
        for module in imported_modules(path)
        if module == "extensions.db" or module.split(".")[0] == "sqlalchemy"
    )


def test_the_database_scan_sees_the_session_and_sqlalchemy(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from extensions import db, limiter\ndef f():\n    from sqlalchemy.orm import load_only\n",
        encoding="utf-8",
    )
    assert database_imports(sample) == [
        "extensions.db",
        "sqlalchemy.orm",
        "sqlalchemy.orm.load_only",
    ]


def test_the_back_office_reads_and_writes_through_services_only() -> None:
    # Its views parse, call a service, render: each action's transaction is the service's.
    found = [
        f"{path.relative_to(ROOT)} → {module}"
        for path in sorted((BLUEPRINTS / "backoffice").glob("**/*.py"))
        for module in database_imports(path)
    ]
    assert found == []
