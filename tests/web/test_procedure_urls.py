"""Procedure URLs take a code d.dddddd, through one converter on the app's url_map."""

from __future__ import annotations

import pytest
from flask import Flask


def test_the_catalogue_routes_use_the_procedure_converter(app: Flask) -> None:
    rules = {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("catalog.")}
    assert {"/thu-tuc/<procedure:code>", "/thu-tuc/<procedure:code>/in"} <= rules


@pytest.mark.parametrize("path", ["/thu-tuc/{}", "/thu-tuc/{}/in"])
def test_only_a_whole_procedure_code_is_a_procedure(app: Flask, path: str) -> None:
    client = app.test_client()
    assert client.get(path.format("1.001193")).status_code == 200
    for code in ("1001193", "1.00119", "1.0011934", "x.001193", "1.001193x"):
        assert client.get(path.format(code)).status_code == 404, code
