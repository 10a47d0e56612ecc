"""Settings read from the environment; every one has a default that works on a fresh machine."""

from __future__ import annotations

import ipaddress
import math
import os
import re
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# (environment variable, config key, default, converter) — the README's configuration table
# is written from this list, keep the two in step.
ENVIRONMENT: list[tuple[str, str, Any, type]] = [
    ("DATABASE_URL", "SQLALCHEMY_DATABASE_URI", None, str),
    ("MOTCUA_DB_WAIT_SECONDS", "DB_WAIT_SECONDS", 3.0, float),
    ("SECRET_KEY", "SECRET_KEY", None, str),
    # gunicorn.conf.py binds HOST:PORT; the app reads them to know whether it is local only.
    ("PORT", "PORT", 8000, int),
    ("MOTCUA_PROVINCE", "PROVINCE_CODE", 25, int),
    ("MOTCUA_UNIT", "UNIT_CODE", 8566, int),
    ("MOTCUA_CENTRE_ADDRESS", "CENTRE_ADDRESS", "", str),
    ("MOTCUA_CENTRE_PHONE", "CENTRE_PHONE", "1800 1096", str),
    ("MOTCUA_CENTRE_HOURS", "CENTRE_HOURS", "07:30-11:30,13:30-17:00", str),
    ("MOTCUA_PUBLIC_URL", "PUBLIC_URL", "", str),
    ("MOTCUA_SECURE_COOKIES", "SESSION_COOKIE_SECURE", False, bool),
    ("MOTCUA_PROXIES", "PROXIES", 0, int),
    ("MOTCUA_SESSION_HOURS", "SESSION_HOURS", 12, int),
    ("MOTCUA_UPLOAD_FOLDER", "UPLOAD_FOLDER", None, str),
    # Empty: the upload folder above. s3://bucket or s3://bucket/prefix: an S3-compatible store
    # that every node shares (services/storage.py); the folder is then still read for older files.
    ("MOTCUA_STORAGE_URL", "STORAGE_URL", "", str),
    ("MOTCUA_S3_ENDPOINT_URL", "S3_ENDPOINT_URL", "", str),
    # Read as boto3 reads them; left empty, boto3 looks further (~/.aws, the machine's role).
    ("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID", "", str),
    ("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY", "", str),
    ("AWS_DEFAULT_REGION", "AWS_DEFAULT_REGION", "", str),
    ("MOTCUA_MAX_FILE_MB", "MAX_FILE_MB", 10, int),
    ("MOTCUA_MAX_DOSSIER_MB", "MAX_DOSSIER_MB", 30, int),
    ("MOTCUA_DRAFT_DAYS", "DRAFT_DAYS", 30, int),
    ("RATELIMIT_STORAGE_URI", "RATELIMIT_STORAGE_URI", "database://", str),
    ("MOTCUA_OUTBOX_EMAIL", "OUTBOX_EMAIL", "log", str),
    ("SMTP_HOST", "SMTP_HOST", "localhost", str),
    ("SMTP_PORT", "SMTP_PORT", 25, int),
    ("SMTP_USER", "SMTP_USER", "", str),
    ("SMTP_PASSWORD", "SMTP_PASSWORD", "", str),
    ("SMTP_FROM", "SMTP_FROM", "motcua@localhost", str),
    ("SMTP_TLS", "SMTP_TLS", False, bool),
    ("HOST", "HOST", "127.0.0.1", str),
]

TRUE_WORDS = {"1", "true", "yes", "on"}
# Names this machine answers to itself; always trusted, so that `make run`, the tests and a
# health check on the server work without configuration. (Werkzeug cannot match [::1].)
LOOPBACK_HOSTS = ["localhost", "127.0.0.1"]


class ConfigurationError(RuntimeError):
    """A setting is missing or malformed: the app must not start with it."""


TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def languages(folder: Path = TRANSLATIONS) -> list[str]:
    """Vietnamese first, then every language that has a catalogue in translations/.

    Adding a language is adding its catalogue: no code to change.
    """
    found = sorted(p.parent.parent.name for p in folder.glob("*/LC_MESSAGES/messages.po"))
    return ["vi"] + [lang for lang in found if lang != "vi"]


def defaults(instance_path: str) -> dict[str, Any]:
    """Configuration that needs no environment at all."""
    config: dict[str, Any] = {key: default for _, key, default, _ in ENVIRONMENT}
    config.update(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{Path(instance_path) / 'motcua.sqlite3'}",
        # Uploads stay outside static/ and are served only to those allowed to see them.
        UPLOAD_FOLDER=str(Path(instance_path) / "uploads"),
        # A CSRF token lives as long as the session: a person may take an hour on one step.
        WTF_CSRF_TIME_LIMIT=None,
        RATELIMIT_HEADERS_ENABLED=True,
        LANGUAGES=languages(),
        BABEL_DEFAULT_LOCALE="vi",
        BABEL_DEFAULT_TIMEZONE="Asia/Ho_Chi_Minh",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Pages are small; compressing below this size costs more than it saves.
        COMPRESS_MIN_SIZE=500,
        # Answers made for one request: brotli 4 and gzip 6 cost a tenth of brotli 9 and give
        # a few percent more bytes. Pages kept compressed use higher levels (compression.py).
        COMPRESS_BR_LEVEL=4,
        COMPRESS_LEVEL=6,
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_MIMETYPES=["text/html", "text/plain", "text/css", "application/json"],
        CATALOG_PAGE_SIZE=20,
        # How often a worker asks whether the catalogue changed; cached pages live this long.
        CATALOG_CHECK_SECONDS=5,
        PAGE_CACHE_SIZE=128,
        MAX_QUERY_LENGTH=200,
    )
    return config


def from_environment(environ: os._Environ[str] | dict[str, str] = os.environ) -> dict[str, Any]:
    """The settings that are present in the environment, converted to their types."""
    config: dict[str, Any] = {}
    for name, key, _, kind in ENVIRONMENT:
        if name not in environ or environ[name] == "":
            continue
        raw = environ[name]
        config[key] = raw.strip().lower() in TRUE_WORDS if kind is bool else kind(raw)
    return config


def derived(config: dict[str, Any]) -> None:
    """Settings computed from others, after the environment and test config are in."""
    # A staff sign-in lasts a working day, not Flask's 31 days: a PC left signed in at the
    # counter, or a copied cookie, is of no use the next morning.
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=config["SESSION_HOURS"])
    mb = 1024 * 1024
    config["MAX_FILE_BYTES"] = config["MAX_FILE_MB"] * mb
    config["MAX_DOSSIER_BYTES"] = config["MAX_DOSSIER_MB"] * mb
    # One request may carry several photos of one paper; each is checked on its own.
    config["MAX_CONTENT_LENGTH"] = config["MAX_DOSSIER_BYTES"] + mb
    config["PUBLIC_URL"] = public_url(config)
    # Werkzeug then answers 400 to any other Host (or X-Forwarded-Host behind a proxy).
    hosts = [urlsplit(config["PUBLIC_URL"]).hostname, *LOOPBACK_HOSTS]
    config["TRUSTED_HOSTS"] = list(dict.fromkeys(hosts))
    # HSTS only where cookies already require HTTPS: on plain http://127.0.0.1 it would
    # teach a browser to refuse the local address.
    config["HSTS"] = "max-age=31536000" if config["SESSION_COOKIE_SECURE"] else ""
    config["STORAGE"] = storage_location(config["STORAGE_URL"])


# What S3 allows in a bucket's name (3-63 lower-case letters, digits, dots and hyphens).
BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


def storage_location(url: str) -> tuple[str, str] | None:
    """The bucket and key prefix of MOTCUA_STORAGE_URL, or None for the local folder."""
    url = (url or "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme != "s3" or not BUCKET_NAME.fullmatch(parts.netloc) or parts.query:
        raise ConfigurationError(
            f"MOTCUA_STORAGE_URL={url!r} is not an address such as s3://motcua-phutho"
            " or s3://motcua-phutho/uploads"
        )
    prefix = parts.path.strip("/")
    return parts.netloc, f"{prefix}/" if prefix else ""


def is_loopback(host: str) -> bool:
    """Whether an address to bind (HOST) is reachable from this machine only."""
    if host.strip("[]") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def public_url(config: dict[str, Any]) -> str:
    """The portal's address for links on paper, in messages and in QR codes.

    It never comes from a request: a forged Host header would otherwise put an attacker's
    address into the SMS the portal sends. Only a portal reachable from this machine alone
    may go without it.
    """
    url = (config.get("PUBLIC_URL") or "").strip().rstrip("/")
    if not url:
        if config["PROXIES"] or not is_loopback(config["HOST"]):
            raise ConfigurationError(
                "MOTCUA_PUBLIC_URL must be set (e.g. https://tanson.phutho.gov.vn) when the"
                " portal is served on another address than 127.0.0.1 or behind a proxy"
            )
        return f"http://127.0.0.1:{config['PORT']}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigurationError(
            f"MOTCUA_PUBLIC_URL={url!r} is not an address such as https://tanson.phutho.gov.vn"
        )
    return url


def database_url(url: str) -> str:
    """Accept the usual postgres:// spellings and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine_options(url: str, wait_seconds: float) -> dict[str, Any]:
    """How long a request waits for a locked or unreachable database before the busy page.

    Longer than a write normally holds a lock, short enough that a person is not left
    staring at a frozen page: past it they get their form back with a "Thử lại" button.
    """
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": wait_seconds}}
    if url.startswith("postgresql"):
        milliseconds = max(1, round(wait_seconds * 1000))
        return {
            "connect_args": {
                # libpq counts whole seconds and treats 1 as 2.
                "connect_timeout": max(2, math.ceil(wait_seconds)),
                "options": f"-c lock_timeout={milliseconds}",
            }
        }
    return {}


def instance_secret(instance_path: str) -> str:
    """A secret key kept in the instance folder, so that every worker and restart shares it."""
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: when several workers start at once, exactly one of them writes the key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text().strip()
