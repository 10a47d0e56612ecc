"""gunicorn's access log, as configured in gunicorn.conf.py, keeps personal data out."""

from __future__ import annotations

import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from gunicorn.config import Config
from gunicorn.glogging import Logger

ROOT = Path(__file__).resolve().parents[2]


def test_the_access_log_shows_paths_without_queries_or_referrers() -> None:
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    config = Config()
    config.set("access_log_format", settings["access_log_format"])
    logger = Logger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/can-bo/?q=0912345678",
        "PATH_INFO": "/can-bo/",
        "QUERY_STRING": "q=0912345678",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": "https://tanson.example.gov.vn/can-bo/?q=025195012345",
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }
    response = SimpleNamespace(status="200 OK", sent=1234, headers=[])
    atoms = logger.atoms_wrapper_class(
        logger.atoms(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=12))
    )
    line = config.access_log_format % atoms
    assert '"GET /can-bo/ HTTP/1.1" 200 1234' in line and "12ms" in line
    assert "0912345678" not in line and "025195012345" not in line and "q=" not in line
