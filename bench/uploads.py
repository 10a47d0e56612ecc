"""Peak memory of a gunicorn worker while it takes one upload, for each kind of file.

Starts the real app under gunicorn (gunicorn.conf.py, one worker, rate limits off), opens a
draft over HTTP and sends each file to a document slot, one at a time, on a fresh draft. Before
each upload the worker's peak RSS is reset (/proc/PID/clear_refs, so run as root or as the
same user); after it the peak (VmHWM) and the RSS left are read. Budget (issue 10): one upload
raises a worker's peak by at most 150 MB, and the memory comes back afterwards. PDFs are
rewritten in a child process (services/bounded.py, 192 MB at most), not counted here.

Run: `.venv/bin/python bench/uploads.py [checkout]`. With another checkout (e.g. one of the
commit before a change) the same files go to that code first, for a before/after. Results go
to bench/results/uploads.txt.
"""

from __future__ import annotations

import http.cookiejar
import io
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

from common import ROOT
from common import write_result
from throughput import free_port
from throughput import wait_until_up

sys.path.insert(0, str(ROOT))

BUDGET_MB = 150
SLOT = "birth_certificate"
PROCEDURE = "1.001193"


def files() -> list[tuple[str, str, bytes]]:
    """(label, file name, bytes) of each kind the portal accepts, and the bombs it must not."""
    import pikepdf
    from PIL import Image

    from tests.unit.test_uploads import blank_png
    from tests.unit.test_uploads import encoded
    from tests.unit.test_uploads import phone_exif
    from tests.unit.test_uploads import textured

    phone = encoded(textured((4000, 3000)), "JPEG", quality=90, exif=phone_exif())
    page = encoded(textured((1654, 2339)), "JPEG", quality=80)  # an A4 page at 200 dpi
    scan = pikepdf.new()
    for _ in range(10):
        scan.add_blank_page(page_size=(595, 842))
        photo = scan.make_stream(
            page, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=1654,
            Height=2339, ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8,
            Filter=pikepdf.Name.DCTDecode,
        )  # fmt: skip
        scan.pages[-1].Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=photo))
        scan.pages[-1].Contents = scan.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q")
    scanned = io.BytesIO()
    scan.save(scanned)
    bomb = pikepdf.new()  # one object of 300 MB of spaces, in a compressed object stream
    bomb.add_blank_page()
    bomb.Root.Extra = bomb.make_indirect(pikepdf.String(b" " * (300 << 20)))
    bombed = io.BytesIO()
    bomb.save(bombed, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    del bomb
    palette = Image.new("P", (7000, 7000), 0)
    palette.putpalette([255, 255, 255, 0, 0, 0])
    return [
        ("JPEG phone photo 4000x3000, EXIF", "phone.jpg", phone),
        ("JPEG shrunk on the phone (site.js)", "small.jpg", shrunken(phone)),
        ("JPEG 12000x9000 (108 MP)", "big.jpg", encoded(Image.new("RGB", (12000, 9000)), "JPEG")),
        ("JPEG 3999x3999 (no free reduction)", "3999.jpg", encoded(textured((3999, 3999)), "JPEG")),
        ("PNG 7000x7000 one colour (RGB)", "flat.png", blank_png(7000, 7000, "RGB")),
        ("PNG 7000x7000 one colour (RGBA)", "flat-a.png", blank_png(7000, 7000, "RGBA")),
        ("PNG 5000x4000 colour (20 MP)", "20mp.png", blank_png(5000, 4000, "RGB")),
        ("PNG 7000x7000 palette", "palette.png", encoded(palette, "PNG")),
        ("PNG 7000x7000 black and white scan", "scan.png", blank_png(7000, 7000)),
        ("PNG screenshot 1080x2400", "screen.png", encoded(textured((1080, 2400)), "PNG")),
        ("WebP 7000x7000", "big.webp", encoded(Image.new("RGB", (7000, 7000)), "WEBP")),
        ("WebP 2500x2000", "photo.webp", encoded(textured((2500, 2000)), "WEBP")),
        ("PDF of a photo (Pillow)", "photo.pdf", encoded(textured((1654, 2339)), "PDF")),
        (
            f"PDF scan, 10 pages ({len(scanned.getvalue()) >> 20} MB)",
            "scan.pdf",
            scanned.getvalue(),
        ),
        ("PDF holding a 300 MB string", "bomb.pdf", bombed.getvalue()),
    ]


def shrunken(photo: bytes) -> bytes:
    from PIL import Image

    with Image.open(io.BytesIO(photo)) as image:
        image.thumbnail((2000, 2000))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80)
        return out.getvalue()


class Browser:
    """Cookies and CSRF tokens over plain HTTP, as a person's browser keeps them."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.geturl(), response.read().decode()

    def post(self, path: str, body: bytes, content_type: str) -> tuple[int, str]:
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Content-Type": content_type, "X-Upload": "1"}
        )
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def draft(self) -> tuple[str, str]:
        """A new draft's id and a CSRF token of this session."""
        _, page = self.get(f"/nop-ho-so/{PROCEDURE}")
        token = csrf(page)
        body = f"csrf_token={token}&phone=0912345678".encode()
        request = urllib.request.Request(
            f"{self.base}/nop-ho-so/{PROCEDURE}", data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
        with self.opener.open(request, timeout=60) as response:
            url = response.geturl()
            token = csrf(response.read().decode()) or token
        return url.split("/nop-ho-so/", 1)[1].split("/", 1)[0], token

    def upload(self, draft: str, token: str, name: str, data: bytes) -> tuple[int, str]:
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
                f"{token}\r\n--{boundary}\r\n"
                f'Content-Disposition: form-data; name="tep"; filename="{name}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return self.post(
            f"/nop-ho-so/{draft}/tep?o={SLOT}", body, f"multipart/form-data; boundary={boundary}"
        )


def csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    return match[1] if match else ""


def worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0])


def memory_mb(pid: int) -> tuple[float, float]:
    """The process's RSS now and its peak since the last reset, in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status)[1])
    peak = int(re.search(r"VmHWM:\s+(\d+)", status)[1])
    return rss / 1024, peak / 1024


def reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM starts again from VmRSS


def outcome(status: int, page: str) -> str:
    if status == 200:
        return "stored"
    error = re.search(r'id="[a-z_]+-error">(.*?)</p>', page, re.DOTALL)
    text = re.sub(r"<[^>]+>|Lỗi:", "", error[1]).strip() if error else "refused"
    return f"{status}: {text[:70]}…"


def measure(checkout: Path, kinds: list[tuple[str, str, bytes]]) -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{Path(folder) / 'uploads.sqlite3'}",
            "SECRET_KEY": "bench",
            "MOTCUA_UPLOAD_FOLDER": str(Path(folder) / "files"),
            "WEB_CONCURRENCY": "1",
            "WEB_THREADS": "4",
            "ACCESS_LOG": "",
        }
        flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "app"]
        for command in (["db", "upgrade"], ["data", "load"]):
            subprocess.run(
                [*flask, *command], cwd=checkout, env=env, check=True, capture_output=True
            )
        port = free_port()
        server = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py",
                "app:create_app({'RATELIMIT_ENABLED': False})",
            ],
            cwd=checkout, env={**env, "PORT": str(port)},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(base + "/thu-tuc", seconds=90)  # a busy machine starts it slowly
            pid = worker_pid(server.pid)
            browser = Browser(base)
            # Warm up: imports, templates and Pillow's and qpdf's first allocations.
            for _, name, data in (kinds[1], kinds[-3]):
                browser.upload(*browser.draft(), name, data)
            rows = []
            for label, name, data in kinds:
                draft, token = browser.draft()
                time.sleep(0.2)
                before, _ = memory_mb(pid)
                reset_peak(pid)
                status, page = browser.upload(draft, token, name, data)
                time.sleep(0.2)
                after, peak = memory_mb(pid)
                rows.append((label, len(data), before, peak, after, outcome(status, page)))
            rows.append(four_at_once(browser, pid, kinds[0]))
            return [table_row(*row) for row in rows]
        finally:
            server.terminate()
            server.wait(timeout=30)


def four_at_once(browser: Browser, pid: int, kind: tuple[str, str, bytes]) -> tuple:
    """Four phone photos sent at the same moment to the worker's four threads."""
    label, name, data = kind
    drafts = [browser.draft() for _ in range(4)]
    time.sleep(0.2)
    before, _ = memory_mb(pid)
    reset_peak(pid)
    results: list[tuple[int, str]] = []
    threads = [
        threading.Thread(target=lambda d=d: results.append(browser.upload(*d, name, data)))
        for d in drafts
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    time.sleep(0.2)
    after, peak = memory_mb(pid)
    stored = sum(1 for status, _ in results if status == 200)
    return ("4 at once: " + label, len(data) * 4, before, peak, after, f"{stored} of 4 stored")


def table_row(label: str, size: int, before: float, peak: float, after: float, what: str) -> str:
    size_text = f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"
    return (
        f"{label:<42}{size_text:>9}{before:>8.0f}{peak - before:>+8.0f}{after - before:>+8.0f}"
        f"  {what}"
    )


def main() -> None:
    kinds = files()
    checkouts = [Path(arg).resolve() for arg in sys.argv[1:2]] + [ROOT]
    lines = [
        "Worker memory for one upload (bench/uploads.py), gunicorn: 1 gthread worker x 4 threads",
        "RSS in MB; peak and after are counted from the RSS just before the upload",
        f"budget: peak +{BUDGET_MB} MB at most, and the memory comes back afterwards",
    ]
    for checkout in checkouts:
        lines += [
            "",
            f"code: {'this checkout' if checkout == ROOT else checkout}",
            f"{'file':<42}{'size':>9}{'before':>8}{'peak':>8}{'after':>8}  answer",
            *measure(checkout, kinds),
        ]
    write_result("uploads.txt", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
