"""Filling in the online forms the way a browser does: read the form, change some inputs, send."""

from __future__ import annotations

import io
from datetime import date
from datetime import timedelta
from typing import Any

from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from werkzeug.test import TestResponse

from tests.pages import parse


def form_values(form) -> dict[str, str]:
    """What a browser would send for this form as it stands (no button pressed)."""
    values: dict[str, str] = {}
    for tag in form.select("input, select, textarea"):
        name = tag.get("name")
        kind = tag.get("type", "text")
        if not name or kind in {"submit", "button", "file"}:
            continue
        if tag.name == "select":
            chosen = tag.select_one("option[selected]") or tag.select_one("option")
            values[name] = chosen.get("value", "") if chosen else ""
        elif tag.name == "textarea":
            values[name] = tag.get_text()
        elif kind in {"radio", "checkbox"}:
            if tag.has_attr("checked"):
                values[name] = tag.get("value", "on")
        else:
            values[name] = tag.get("value", "")
    return values


def photo(size: tuple[int, int] = (800, 600), kind: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 180, 150)).save(buffer, kind)
    return buffer.getvalue()


def born_days_ago(days: int) -> dict[str, str]:
    day = date.today() - timedelta(days=days)
    return {"ngay": str(day.day), "thang": str(day.month), "nam": str(day.year)}


def date_inputs(name: str, day: dict[str, str]) -> dict[str, str]:
    return {f"{name}-{part}": value for part, value in day.items()}


def address(name: str, detail: str = "Khu 3") -> dict[str, str]:
    return {f"{name}-tinh": "25", f"{name}-xa": "8566", f"{name}-chi-tiet": detail}


KHAI_SINH: dict[str, dict[str, str]] = {
    "nguoi-dien": {"filler": "self"},
    "nguoi-yeu-cau": {
        "requester_name": "Hà Thị Mai",
        "requester_cccd": "025195012345",
        "requester_relation": "me",
        **address("requester_address"),
    },
    "tre-em": {
        "child_name": "Đinh Minh An",
        **date_inputs("child_birth_date", born_days_ago(10)),
        "child_sex": "nam",
        "child_ethnicity": "Mường",
        "child_nationality": "Việt Nam",
        "child_birth_place": "Trạm y tế xã Tân Sơn, tỉnh Phú Thọ",
        "child_hometown": "Xã Tân Sơn, tỉnh Phú Thọ",
    },
    "me": {
        "mother_name": "Hà Thị Mai",
        **date_inputs("mother_birth_date", {"ngay": "12", "thang": "3", "nam": "1995"}),
        "mother_ethnicity": "Mường",
        "mother_nationality": "Việt Nam",
        "mother_cccd": "025195012345",
        **address("mother_address"),
    },
    "cha": {
        "has_father": "co",
        "father_name": "Đinh Văn Hùng",
        **date_inputs("father_birth_date", {"ngay": "2", "thang": "9", "nam": "1993"}),
        "father_ethnicity": "Mường",
        "father_nationality": "Việt Nam",
        **address("father_address"),
    },
    "ban-sao": {"copies": "1"},
}
KHAI_SINH_UPLOADS = ["birth_certificate"]

KHAI_TU: dict[str, dict[str, str]] = {
    "nguoi-dien": {"filler": "self"},
    "nguoi-yeu-cau": {
        "requester_name": "Hà Thị Mai",
        "requester_cccd": "025195012345",
        "requester_relation": "con",
        **address("requester_address"),
    },
    "nguoi-mat": {
        "deceased_name": "Hà Văn Sơn",
        **date_inputs("deceased_birth_date", {"ngay": "4", "thang": "7", "nam": "1950"}),
        "deceased_sex": "nam",
        "deceased_ethnicity": "Mường",
        "deceased_nationality": "Việt Nam",
        **address("deceased_address"),
    },
    "viec-mat": {
        **date_inputs("death_date", born_days_ago(3)),
        "death_hour": "14",
        "death_minute": "30",
        "death_place": "Nhà riêng, Khu 3, xã Tân Sơn",
        "death_notice_number": "12/GBT",
        "death_notice_issuer": "Ủy ban nhân dân xã Tân Sơn",
        **date_inputs("death_notice_date", born_days_ago(2)),
    },
    "ban-sao": {"copies": "1"},
}

XAC_NHAN: dict[str, dict[str, str]] = {
    "nguoi-dien": {"filler": "self"},
    "nguoi-xin-cap": {
        "for_whom": "chinh-minh",
        "requester_name": "Hà Thị Mai",
        **date_inputs("requester_birth_date", {"ngay": "12", "thang": "3", "nam": "1995"}),
        "requester_sex": "nu",
        "requester_ethnicity": "Mường",
        "requester_nationality": "Việt Nam",
        "requester_cccd": "025195012345",
        **address("requester_address"),
    },
    "thoi-gian-cu-tru": {"past_residence": "khong"},
    "muc-dich": {
        "purpose": "khac",
        "other_purpose": "Vay vốn ngân hàng",
        "certificate_count": "1",
        "reissue": "khong",
    },
    "tinh-trang": {"marital_status": "chua-ket-hon"},
}

BAN_SAO: dict[str, dict[str, str]] = {
    "nguoi-dien": {"filler": "self"},
    "nguoi-yeu-cau": {
        "requester_name": "Hà Thị Mai",
        "requester_cccd": "025195012345",
        "requester_relation": "chinh-minh",
        **address("requester_address"),
    },
    "loai-giay": {"record_type": "khai-sinh", "registered_place": "Ủy ban nhân dân xã Tân Sơn"},
    "nguoi-tren-giay": {
        "record_person_name": "Hà Thị Mai",
        **date_inputs("record_person_birth_date", {"ngay": "12", "thang": "3", "nam": "1995"}),
        "record_person_sex": "nu",
        "record_person_ethnicity": "Mường",
        "record_person_nationality": "Việt Nam",
        **address("record_person_address"),
    },
    "ban-sao": {"copies": "2"},
}


class Applicant:
    """One person on one device, going through the online form."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.page: BeautifulSoup | None = None
        self.response: TestResponse | None = None

    def get(self, url: str, **kwargs: Any) -> BeautifulSoup:
        self.response = self.client.get(url, follow_redirects=True, **kwargs)
        self.page = parse(self.response)
        return self.page

    def submit(
        self, selector: str = "form#step-form", changes: dict[str, str] | None = None, **kwargs: Any
    ) -> BeautifulSoup:
        form = self.page.select_one(selector)
        assert form is not None, f"no {selector} on {self.path}"
        data = {**form_values(form), **(changes or {})}
        self.response = self.client.post(form["action"], data=data, follow_redirects=True, **kwargs)
        self.page = parse(self.response)
        return self.page

    def upload(self, slot: str, content: bytes, filename: str = "anh.jpg") -> BeautifulSoup:
        form = self.page.select_one(f"form.upload-form[data-slot={slot}]")
        assert form is not None, f"no upload form for {slot}"
        data = {**form_values(form), "tep": (io.BytesIO(content), filename)}
        self.response = self.client.post(
            form["action"], data=data, content_type="multipart/form-data", follow_redirects=True
        )
        self.page = parse(self.response)
        return self.page

    @property
    def path(self) -> str:
        return self.response.request.path if self.response else ""

    @property
    def step_id(self) -> str:
        return self.path.rstrip("/").rsplit("/", 1)[-1]

    def start(self, code: str, phone: str = "0912345678") -> BeautifulSoup:
        self.get(f"/nop-ho-so/{code}")
        return self.submit("form[action^='/nop-ho-so/']", {"phone": phone})

    def resume_code(self) -> str:
        return self.page.select_one(".resume-code").get_text().replace(" ", "")

    def answer_all(
        self, answers: dict[str, dict[str, str]], uploads: list[str], until: str = "kiem-tra"
    ) -> BeautifulSoup:
        """Answer every step until the check page (or step `until`), uploading where asked."""
        for _ in range(20):
            if self.step_id == until:
                return self.page
            for slot in uploads:
                if self.page.select_one(f"form.upload-form[data-slot={slot}]"):
                    self.upload(slot, photo())
            self.submit(changes=answers.get(self.step_id, {}))
            assert self.response.status_code == 200, (self.step_id, self.errors())
        raise AssertionError("never reached the check page")

    def errors(self) -> list[str]:
        return [e.get_text(" ", strip=True) for e in self.page.select(".error-message")]


def submitted(app: Flask) -> str:
    """A khai sinh dossier sent online; returns its code."""
    person = Applicant(app.test_client())
    person.start("1.001193")
    person.answer_all(KHAI_SINH, KHAI_SINH_UPLOADS)
    done = person.submit("form[action$='/gui']", {"declaration": "co"})
    return done.select_one(".dossier-code").get_text(strip=True)
