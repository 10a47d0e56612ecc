"""Settings from the environment."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from settings import ConfigurationError
from settings import database_url
from settings import defaults
from settings import derived
from settings import from_environment
from settings import instance_secret
from settings import languages


def test_postgres_urls_use_psycopg3() -> None:
    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_environment_is_converted_and_blank_is_ignored() -> None:
    config = from_environment(
        {"MOTCUA_UNIT": "4792", "MOTCUA_SECURE_COOKIES": "yes", "MOTCUA_CENTRE_PHONE": ""}
    )
    assert config == {"UNIT_CODE": 4792, "SESSION_COOKIE_SECURE": True}


def test_defaults_are_tan_son_on_sqlite(tmp_path: Path) -> None:
    config = defaults(str(tmp_path))
    assert config["UNIT_CODE"] == 8566 and config["PROVINCE_CODE"] == 25
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")


def test_instance_secret_is_made_once_and_kept(tmp_path: Path) -> None:
    first = instance_secret(str(tmp_path))
    assert len(first) == 64
    assert instance_secret(str(tmp_path)) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_a_language_is_added_by_adding_its_catalogue(tmp_path: Path) -> None:
    assert languages() == ["vi", "en"]
    for lang in ("en", "th", "vi"):
        folder = tmp_path / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "messages.po").write_text("")
    assert languages(tmp_path) == ["vi", "en", "th"]


def test_a_staff_sign_in_lasts_a_working_day_unless_configured(tmp_path: Path) -> None:
    config = defaults(str(tmp_path))
    derived(config)
    assert config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=12)
    config = {**defaults(str(tmp_path)), **from_environment({"MOTCUA_SESSION_HOURS": "9"})}
    derived(config)
    assert config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=9)


def test_the_public_url_is_required_unless_served_on_loopback(tmp_path: Path) -> None:
    def configured(environ: dict[str, str]) -> dict:
        config = {**defaults(str(tmp_path)), **from_environment(environ)}
        derived(config)
        return config

    local = configured({"PORT": "8123"})
    assert local["PUBLIC_URL"] == "http://127.0.0.1:8123"
    assert local["TRUSTED_HOSTS"] == ["127.0.0.1", "localhost"]
    for environ in ({"HOST": "0.0.0.0"}, {"HOST": "192.168.1.5"}, {"MOTCUA_PROXIES": "1"}):
        with pytest.raises(ConfigurationError, match="MOTCUA_PUBLIC_URL"):
            configured(environ)
    for wrong in ("tanson.phutho.gov.vn", "ftp://x.vn", "https://", "https://x.vn/?a=1"):
        with pytest.raises(ConfigurationError, match="MOTCUA_PUBLIC_URL"):
            configured({"MOTCUA_PUBLIC_URL": wrong})
    public = configured({"HOST": "0.0.0.0", "MOTCUA_PUBLIC_URL": "https://tanson.phutho.gov.vn/"})
    assert public["PUBLIC_URL"] == "https://tanson.phutho.gov.vn"
    assert public["TRUSTED_HOSTS"] == ["tanson.phutho.gov.vn", "localhost", "127.0.0.1"]
