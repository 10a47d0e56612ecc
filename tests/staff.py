"""Staff accounts for the back-office tests, and signing them in through the real form."""

from __future__ import annotations

import itertools

from flask import Flask
from flask.testing import FlaskClient

from services.staff import create_user
from tests.pages import parse

PASSWORD = "mat-khau-rat-dai-2026"
_numbers = itertools.count(1)


def make_user(app: Flask, role: str, unit: int = 8566) -> str:
    username = f"{role.replace('_', '-')}-{next(_numbers)}-{unit}"
    with app.app_context():
        create_user(username, PASSWORD, role, unit, f"Cán bộ {role}")
    return username


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD):
    page = parse(client.get("/can-bo/dang-nhap"))
    token = page.select_one("[name=csrf_token]")["value"]
    return client.post(
        "/can-bo/dang-nhap",
        data={"csrf_token": token, "username": username, "password": password},
    )


def staff_client(app: Flask, role: str, unit: int = 8566) -> FlaskClient:
    client = app.test_client()
    response = sign_in(client, make_user(app, role, unit))
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return client


def post_form(client: FlaskClient, page, selector: str, changes: dict | None = None):
    """Send a form of a parsed page as a browser would."""
    from tests.journeys import form_values

    form = page.select_one(selector)
    assert form is not None, selector
    return client.post(form["action"], data={**form_values(form), **(changes or {})})
