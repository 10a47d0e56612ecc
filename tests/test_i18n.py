"""Translation drift: every string in the code and templates is in every catalogue."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from settings import languages

ROOT = Path(__file__).resolve().parents[1]
# Every catalogue there is: a language added without its translations fails here.
LANGUAGES = languages()
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


IGNORED_DIRS = ("node_modules", "tests", "bench")  # as in the Makefile's --ignore-dirs


def scanned(dirpath: str) -> bool:
    # Unlike Babel's default, folders starting with "_" (templates/_macros) are read.
    name = Path(dirpath).name
    return not name.startswith(".") and name not in IGNORED_DIRS


def extracted() -> set[str]:
    """The message ids that `make translations-extract` would collect."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = dict(DEFAULT_KEYWORDS, _l=None, lazy_gettext=None, N_=None)
    found = extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords, directory_filter=scanned
    )
    return {message[0] if isinstance(message, tuple) else message for _, _, message, *_ in found}


@pytest.fixture(scope="module")
def source_ids() -> set[str]:
    ids = extracted()
    assert len(ids) > 50, "extraction found too little: is babel.cfg still right?"
    assert "Nộp trực tiếp" in ids, "templates/_macros must be extracted too"
    return ids


def catalog(lang: str):
    with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def test_babel_cfg_globs_match_real_files() -> None:
    assert list((ROOT / "templates").rglob("*.html"))
    for line in (ROOT / "babel.cfg").read_text().splitlines():
        if line.startswith("[jinja2:"):
            folder = line.split(":", 1)[1].strip(" ]").split("/")[0]
            assert (ROOT / folder).is_dir(), line


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_string_is_translated(source_ids: set[str], lang: str) -> None:
    messages = {m.id[0] if isinstance(m.id, tuple) else m.id: m for m in catalog(lang) if m.id}
    missing = sorted(source_ids - set(messages))
    assert not missing, f"{lang}: not in the catalogue (run `make translations-update`): {missing}"
    empty = [
        key
        for key in source_ids
        if not all(
            messages[key].string
            if isinstance(messages[key].string, tuple)
            else [messages[key].string]
        )
    ]
    assert not empty, f"{lang}: untranslated: {sorted(empty)}"
    fuzzy = [key for key in source_ids if "fuzzy" in messages[key].flags]
    assert not fuzzy, f"{lang}: fuzzy: {fuzzy}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_their_placeholders(lang: str) -> None:
    for message in catalog(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1])) - {"num"}
        for text in strings:
            assert wanted <= set(PLACEHOLDER.findall(text)), (lang, message.id, text)
