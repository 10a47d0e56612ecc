"""Catalogue search: folding, matching, typos, prefixes, synonyms, ranking, highlighting."""

from __future__ import annotations

import pytest

from domain.search import Document
from domain.search import Hit
from domain.search import SearchIndex
from domain.search import clean_query
from domain.search import fold
from domain.search import highlight
from domain.search import within_one_edit
from tests.unit.conftest import local

DOCS = [
    Document(
        "1.001193",
        "Thủ tục đăng ký khai sinh",
        aliases=["lam giay khai sinh"],
        text=["Cha, mẹ đi khai sinh cho con trong 60 ngày"],
        popularity=1,
    ),
    Document("1.004884", "Thủ tục đăng ký lại khai sinh"),
    Document("1.000656", "Thủ tục đăng ký khai tử", popularity=8),
    Document("1.000894", "Thủ tục đăng ký kết hôn", popularity=5),
    Document("1.004222", "Đăng ký thường trú", popularity=4, facets=frozenset({"field:cu-tru"})),
    Document("1.004194", "Đăng ký tạm trú", facets=frozenset({"field:cu-tru", "online"})),
    Document("2.000635", "Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh"),
    Document("9.000001", "Sinh hoạt khai thác", text=["Tờ khai đăng ký khai sinh cho trẻ"]),
    Document("9.000002", "Hỗ trợ hộ nghèo xã Hoà Bình", local=False),
]
SYNONYMS = {"hộ khẩu": ["thường trú"], "lấy vợ": ["đăng ký kết hôn"]}


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex.build(DOCS, SYNONYMS)


def keys(index: SearchIndex, query: str, **kwargs) -> list[str]:
    return [hit.key for hit in index.search(query, **kwargs)]


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đăng Ký KHAI SINH", "dang ky khai sinh"),
        ("hoà bình", "hoa binh"),
        ("hòa bình", "hoa binh"),  # tone mark on the other vowel
        ("thuỷ  thủy", "thuy thuy"),
        ("  khai\tsinh \n", "khai sinh"),
        ("khai-sinh, (con)", "khai sinh con"),
        ("Đ đ", "d d"),
        ("ho\u0300a", "hoa"),  # decomposed input
        ("x\x00y\x1bz", "x y z"),
    ],
)
def test_fold_ignores_accents_case_dd_tone_placement_and_spacing(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_typed_without_accents_finds_the_procedure(index: SearchIndex) -> None:
    assert keys(index, "dang ky khai sinh")[0] == "1.001193"
    assert keys(index, "DANG KY KET HON") == ["1.000894"]


def test_words_match_in_any_order(index: SearchIndex) -> None:
    assert "1.000894" in keys(index, "ket hon dang ky")


def test_every_required_word_must_match(index: SearchIndex) -> None:
    assert keys(index, "khai sinh ket hon") == []


def test_last_word_may_be_a_prefix_while_typing(index: SearchIndex) -> None:
    assert keys(index, "dang ky khai s")[0] == "1.001193"
    assert "1.000894" in keys(index, "ket h")


def test_a_finished_last_word_is_not_a_prefix(index: SearchIndex) -> None:
    # "tr" alone matches trú and trích; with a space after it, the word is complete.
    assert keys(index, "tr ") == []
    assert keys(index, "tr")


def test_one_typo_is_forgiven_in_words_of_five_letters_or_more(index: SearchIndex) -> None:
    assert "1.004222" in keys(index, "thoung tru")  # transposition
    assert "1.004222" in keys(index, "thuong tru")
    assert "1.004222" in keys(index, "thuongg tru")  # insertion
    assert "1.004222" in keys(index, "thuon tru ")  # deletion, then a complete word
    assert "1.004222" in keys(index, "thưởng trú")


def test_short_words_forgive_only_swapped_letters_and_two_typos_are_not_forgiven(
    index: SearchIndex,
) -> None:
    assert keys(index, "khia sinh ")[0] == "1.001193"  # four letters: two letters swapped
    assert keys(index, "khoi sinh ") == []  # four letters: another letter is not forgiven
    assert keys(index, "khai sin ") == []  # nor one letter left out
    assert keys(index, "thongu tru ") == []  # two edits


def test_exact_beats_typo(index: SearchIndex) -> None:
    hits = index.search("dang ky thuong tru")
    assert hits[0].key == "1.004222" and hits[0].typos == 0


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lam giay khai sinh", "1.001193"),
        ("khai sinh cho con", "1.001193"),
        ("dang ky ho khau", "1.004222"),
        ("ho khau", "1.004222"),
        ("lấy vợ", "1.000894"),
    ],
)
def test_everyday_phrases_find_the_procedure(index: SearchIndex, query: str, expected: str) -> None:
    assert keys(index, query)[0] == expected


def test_ranks_phrase_then_all_words_in_name_then_other_text(index: SearchIndex) -> None:
    hits = index.search("khai sinh")
    tiers = {hit.key: hit.tier for hit in hits}
    assert tiers["1.001193"] == 3  # phrase in the name
    assert tiers["2.000635"] == 3
    assert tiers["9.000001"] == 2  # both words in the name, not together
    order = [hit.key for hit in hits]
    assert order.index("1.001193") < order.index("9.000001")
    only_text = index.search("to khai tre")
    assert [h.key for h in only_text] == ["9.000001"] and only_text[0].tier == 1


def test_popularity_orders_equal_matches(index: SearchIndex) -> None:
    order = keys(index, "khai sinh")
    assert order.index("1.001193") < order.index("2.000635")


def test_facets_filter(index: SearchIndex) -> None:
    assert keys(index, "dang ky", facets={"field:cu-tru"}) == ["1.004222", "1.004194"]
    assert keys(index, "dang ky", facets={"online"}) == ["1.004194"]


def test_browse_lists_most_used_first(index: SearchIndex) -> None:
    order = index.browse()
    assert order[:4] == ["1.001193", "1.004222", "1.000894", "1.000656"]
    assert order[-1] == "9.000002"  # not local comes last
    assert index.browse({"online"}) == ["1.004194"]


def test_procedure_code_finds_that_procedure(index: SearchIndex) -> None:
    assert keys(index, " 1.000656 ") == ["1.000656"]


BORN = ["1.001193", "1.004884", "2.000635", "9.000001"]  # what "khai sinh" finds


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # 4,000 characters, cut to 200: a whole last word ranks the sample form below the name.
        ("khai sinh " * 400, ["1.001193", "9.000001", "1.004884", "2.000635"]),
        ("\x00\x01\x02 khai\x7f sinh", BORN),  # control characters split no word
        ("'; DROP TABLE procedures; --", []),  # words, not SQL
        ("%_% OR 1=1", []),  # no wildcards: a LIKE would have matched everything
        ("<script>alert(1)</script>", []),
        ("🙂🙂🙂", []),
        ("", []),
        ("   ", []),
    ],
)
def test_odd_input_never_fails(index: SearchIndex, query: str, expected: list[str]) -> None:
    found = index.search(query)
    assert found.keys == expected
    names = {document.key: document.name for document in DOCS}
    for hit in found:  # what a results page does with each hit
        assert any(marked for _, marked in highlight(names[hit.key], found.words(hit.key)))
    assert keys(index, "khai sinh") == BORN  # the index is as it was


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("khai sinh", "khai sinh"),
        ("khai\x00sinh\x01", "khaisinh"),
        ("\x1b[31mket hon", "[31mket hon"),
        ("khai\tsinh\r\nket\x0bhon\x85", "khai sinh  ket hon "),
        ("hộ\x7f khẩu\x9f", "hộ khẩu"),
        ("a\ufffeb\ufdd0c", "abc"),
        ("\x00" * 500 + "khai sinh " * 50, ("khai sinh " * 20)),
    ],
)
def test_clean_query_drops_control_characters_then_cuts(raw: str, clean: str) -> None:
    assert clean_query(raw, 200) == clean


def test_long_query_is_cut_not_refused(index: SearchIndex) -> None:
    assert keys(index, "khai sinh " * 400)[0] == "1.001193"


def test_highlight_marks_matched_words_keeping_accents() -> None:
    pieces = highlight("Thủ tục đăng ký khai sinh", {"khai", "sinh"})
    assert pieces == [("Thủ tục đăng ký ", False), ("khai", True), (" ", False), ("sinh", True)]
    assert "".join(p for p, _ in pieces) == "Thủ tục đăng ký khai sinh"


def test_highlight_from_search_hits(index: SearchIndex) -> None:
    results = index.search("thuong tr")
    marked = [p for p, hit in highlight("Đăng ký thường trú", results.words(results[0].key)) if hit]
    assert marked == ["thường", "trú"]


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        ("thuong", "thuong", True),
        ("thuong", "thoung", True),
        ("thuong", "thuon", True),
        ("thuong", "thuongg", True),
        ("thuong", "thuang", True),
        ("thuong", "tuhgno", False),
        ("thuong", "thu", False),
    ],
)
def test_within_one_edit(a: str, b: str, near: bool) -> None:
    assert within_one_edit(a, b) is near


# ---- the real commune catalogue ------------------------------------------------------------
# Ranking faults only show among hundreds of real names, so these use the loaded catalogue.

KHAI_SINH, KHAI_TU, BAN_SAO_TRICH_LUC, KET_HON_NUOC_NGOAI = (
    "1.001193",
    "1.000656",
    "2.000635",
    "2.000806",
)
THUONG_TRU, TAM_TRU = "1.004222", "1.004194"


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("bao tu", KHAI_TU),
        ("báo tử", KHAI_TU),
        ("ban sao trich luc ho tich", BAN_SAO_TRICH_LUC),
        ("ket hon co yeu to nuoc ngoai", KET_HON_NUOC_NGOAI),
        ("lam giay khai sinh", KHAI_SINH),
        ("khai sinh cho con", KHAI_SINH),
        ("dang ky ho khau", THUONG_TRU),
    ],
)
def test_meaningful_short_words_are_kept(catalogue: SearchIndex, query: str, first: str) -> None:
    # bao, sao, to, cho, con are words of the names (báo tử, bản sao, yếu tố), not filler.
    assert local(catalogue, query)[0] == first


def test_bao_tu_is_not_every_thu_tuc(catalogue: SearchIndex) -> None:
    # Without "bao", the prefix "tu" matched "tục" in every "Thủ tục …" name.
    assert KHAI_SINH not in local(catalogue, "bao tu")[:10]


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("ban sao trich luc ho tich", BAN_SAO_TRICH_LUC),
        ("ket hon co yeu to nuoc ngoai", KET_HON_NUOC_NGOAI),
    ],
)
def test_the_phrase_tier_uses_every_word_of_the_query(
    catalogue: SearchIndex, query: str, key: str
) -> None:
    assert catalogue.search(query, {"local"})[0] == Hit(key, 3, 0)


def test_filler_words_need_not_match_but_the_whole_phrase_ranks_first(
    catalogue: SearchIndex,
) -> None:
    hits = catalogue.search("lam giay khai sinh", {"local"})
    assert hits[0] == Hit(KHAI_SINH, 3, 0)  # its keyword is this phrase, fillers too
    assert "1.004884" in hits.keys  # đăng ký lại khai sinh: no "làm", no "giấy" in its name


def test_a_correctly_spelled_word_is_not_also_read_as_a_typo(catalogue: SearchIndex) -> None:
    # "thường" is a word of the catalogue: it must not also match phương, chương, thông.
    hits = catalogue.search("thường trú ", {"local"})
    assert all(hit.typos == 0 for hit in hits)
    assert "1.013151" not in hits.keys  # a military allowance, via "phương"
    assert TAM_TRU in hits.keys[:15]  # its guide says "thường trú"
    assert hits[0].key == THUONG_TRU


def test_bản_sao_trích_lục_ranks_no_typo_match_above_exact_ones(catalogue: SearchIndex) -> None:
    hits = catalogue.search("bản sao trích lục", {"local"})
    assert hits[0] == Hit(BAN_SAO_TRICH_LUC, 3, 0)
    assert all(hit.typos == 0 for hit in hits)  # "trinh", "trach" are other words, not typos
    assert "1.014801" not in hits.keys  # aquaculture permit, only via "trinh" ≈ "trich"


def test_a_real_typo_is_still_forgiven(catalogue: SearchIndex) -> None:
    hits = catalogue.search("dang ky thoung tru", {"local"})
    assert hits[0].key == THUONG_TRU and hits[0].typos == 1


def test_a_known_word_is_read_as_a_typo_only_when_nothing_else_matches() -> None:
    docs = [
        Document("1.000001", "Cấp phép phương tiện"),
        Document("1.000002", "Đăng ký tạm trú", text=["Người đã có nơi thường trú"]),
    ]
    index = SearchIndex.build(docs)
    assert index.search("thuong")[0] == Hit("1.000002", 1, 0)
    assert "1.000001" not in index.search("thuong").keys
    # Nothing holds "thường" and "tiện" together: then "thường" may be "phương" mistyped.
    assert index.search("thuong tien")[0] == Hit("1.000001", 3, 1)


def test_exact_matches_outrank_typo_matches_across_tiers() -> None:
    docs = [
        Document("1.000001", "Thông báo lưu trú"),
        Document("1.000002", "Đăng ký tạm trú", text=["Thuê nhà trọ để ở"]),
    ]
    # A synonym may name a word this catalogue spells differently: "thongg" ≈ "thông".
    index = SearchIndex.build(docs, {"nhà trọ": ["thongg bao luu tru"]})
    hits = index.search("nha tro ")
    assert list(hits) == [Hit("1.000002", 1, 0), Hit("1.000001", 3, 1)]
