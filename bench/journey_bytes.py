"""Bytes a person spends on the whole khai sinh journey, with and without JavaScript.

Counts what crosses the network: every page (gzip'd, as the server sends it), the form posts,
the stylesheet and scripts once (cached forever afterwards), and one 4 MB phone photo —
shrunk on the phone when JavaScript runs (long side 2,000 px, JPEG quality 0.8, as
static/js/site.js does), sent as taken when it does not. HTTP headers are not counted.

Run: `.venv/bin/python bench/journey_bytes.py`. Results go to bench/results/journey_bytes.txt.
"""

from __future__ import annotations

import gzip
import io
import sys
import tempfile
from pathlib import Path

from common import ROOT
from common import write_result

sys.path.insert(0, str(ROOT))


def phone_photo() -> bytes:
    """A 12-megapixel photo of a paper, about 4 MB as a phone saves it."""
    from PIL import Image
    from PIL import ImageDraw
    from PIL import ImageFilter

    image = Image.effect_noise((4000, 3000), 28).convert("RGB")
    draw = ImageDraw.Draw(image)
    for y in range(200, 2800, 60):
        draw.line([(300, y), (3700, y)], fill=(40, 40, 40), width=6)
    image = image.filter(ImageFilter.GaussianBlur(0.6))
    for quality in range(95, 60, -2):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality)
        if buffer.tell() <= 4_200_000:
            return buffer.getvalue()
    return buffer.getvalue()


def shrunk(photo: bytes) -> bytes:
    """What site.js uploads: long side 2,000 px, JPEG at quality 0.8."""
    from PIL import Image

    with Image.open(io.BytesIO(photo)) as image:
        scale = 2000 / max(image.size)
        small = image.resize((round(image.width * scale), round(image.height * scale)))
        buffer = io.BytesIO()
        small.save(buffer, "JPEG", quality=80)
        return buffer.getvalue()


def soup(response):
    from bs4 import BeautifulSoup

    body = response.get_data()
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return BeautifulSoup(body.decode(), "html5lib")


class Visit:
    """One person's visit through a test client, adding up request and response bodies."""

    def __init__(self, client, with_js: bool, upload: bytes) -> None:
        self.client = client
        self.with_js = with_js
        self.upload = upload
        self.down = self.up = self.requests = 0

    def count(self, response, sent: int = 0) -> None:
        body = response.get_data()
        if response.headers.get("Content-Encoding") != "gzip" and body:
            body = gzip.compress(body, 6)
        self.down += len(body)
        self.up += sent
        self.requests += 1

    def get(self, url: str):
        response = self.client.get(url, headers={"Accept-Encoding": "gzip"})
        self.count(response)
        if response.status_code in (301, 302, 303):
            return self.get(response.headers["Location"])
        return response

    def post(self, url: str, data: dict, files: bytes | None = None):
        sent = sum(len(k) + len(str(v)) + 2 for k, v in data.items())
        if files is not None:
            data = {**data, "tep": (io.BytesIO(files), "anh.jpg")}
            sent += len(files)
        response = self.client.post(url, data=data, headers={"Accept-Encoding": "gzip"})
        self.count(response, sent)
        return self.get(response.headers["Location"]) if response.status_code == 303 else response

    def assets(self, page, selector: str) -> None:
        for tag in soup(page).select(selector):
            self.get(tag.get("href") or tag["src"])

    def step(self, page):
        """Upload a photo to every slot of the step, then answer it."""
        from tests.journeys import KHAI_SINH
        from tests.journeys import form_values

        name = page.request.path.rsplit("/", 1)[-1]
        slots = soup(page).select("form.upload-form")
        for slot in slots:
            self.post(slot["action"], form_values(slot), self.upload)
        if slots:
            page = self.get(page.request.path)
        form = soup(page).select_one("form#step-form")
        return self.post(form["action"], {**form_values(form), **KHAI_SINH.get(name, {})})

    def khai_sinh(self) -> None:
        from tests.journeys import form_values

        page = self.get("/thu-tuc/1.001193")
        self.assets(page, "link[rel=stylesheet]")
        if self.with_js:
            self.assets(page, "script[src]")
        form = soup(self.get("/nop-ho-so/1.001193")).select_one("form[method=post]")
        page = self.post(form["action"], {**form_values(form), "phone": "0912345678"})
        if self.with_js:  # the step pages add site.js, fetched once
            self.assets(page, "script[src*='site.js']")
        while not page.request.path.endswith("/kiem-tra"):
            page = self.step(page)
        form = soup(page).select_one("form[action$='/gui']")
        page = self.post(form["action"], {**form_values(form), "declaration": "co"})
        assert soup(page).select_one(".dossier-code"), "the journey did not end with a dossier"


def main() -> None:
    from app import create_app
    from extensions import db

    photo = phone_photo()
    small = shrunk(photo)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bytes.sqlite3'}"
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": True,
                "UPLOAD_FOLDER": str(Path(folder) / "uploads"),
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            db.create_all()
            assert app.test_cli_runner().invoke(args=["data", "load"]).exit_code == 0
        results = {}
        for js in (False, True):
            results[js] = Visit(app.test_client(), js, small if js else photo)
            results[js].khai_sinh()
    lines = [
        "Bytes spent on the whole khai sinh journey (bench/journey_bytes.py)",
        f"photo: {len(photo) / 1e6:.1f} MB as taken; {len(small) / 1e3:.0f} KB shrunk on the phone",
        "one upload (Giấy chứng sinh) of that photo; bodies only, headers not counted",
        "",
        f"{'':<22}{'requests':>9}{'down KB':>10}{'up KB':>10}{'total KB':>10}",
    ]
    for js, visit in results.items():
        label = "JavaScript on" if js else "JavaScript off"
        kb = [visit.down / 1024, visit.up / 1024, (visit.down + visit.up) / 1024]
        lines.append(f"{label:<22}{visit.requests:>9}" + "".join(f"{v:>10.1f}" for v in kb))
    write_result("journey_bytes.txt", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
