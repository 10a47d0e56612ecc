"""Catalogue pages, with and without htmx, parsed as HTML."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from domain.search import fold
from domain.search import within_one_edit
from extensions import db
from services import catalog_index
from tests.conftest import HX
from tests.pages import check_page
from tests.pages import fragment
from tests.pages import parse
from tests.test_data import expected_commune_codes


def result_names(soup) -> list[str]:
    return [a.get_text() for a in soup.select("ol.results li > a")]


def test_home_has_search_popular_procedures_and_lookup(client: FlaskClient) -> None:
    soup = parse(client.get("/"))
    check_page(soup)
    search = soup.select_one("form[role=search]")
    assert search["action"] == "/thu-tuc" and search.get("method") == "get"
    assert search.select_one("input[name=q]")
    popular = [a["href"] for a in soup.select("#popular-title ~ ul a")]
    assert popular[0] == "/thu-tuc/1.001193" and len(popular) == 8
    lookup = soup.select_one("form.lookup")
    assert lookup["action"] == "/tra-cuu" and lookup.select_one("input[name=ma]")
    assert "Tân Sơn" in soup.select_one("header").get_text()


def test_empty_search_lists_most_used_first(client: FlaskClient) -> None:
    soup = parse(client.get("/thu-tuc"))
    check_page(soup)
    names = result_names(soup)
    assert names[0] == "Thủ tục đăng ký khai sinh"
    assert len(names) == 20
    offered = len(expected_commune_codes())
    status = soup.select_one("#search-status").get_text()
    assert f"Xã Tân Sơn giải quyết {offered} thủ tục" in status
    # A filtered list counts what it shows, not what the commune offers.
    soup = parse(client.get("/thu-tuc?linh-vuc=ho-tich"))
    assert "giải quyết" not in soup.select_one("#search-status").get_text()


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("dang ky khai sinh", "Thủ tục đăng ký khai sinh"),
        ("lam giay khai sinh", "Thủ tục đăng ký khai sinh"),
        ("khai sinh cho con", "Thủ tục đăng ký khai sinh"),
        ("dang ky ho khau", "Đăng ký thường trú"),
        ("KET HON", "Thủ tục đăng ký kết hôn"),
        ("giay doc than", "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân"),
        ("tam tru", "Đăng ký tạm trú"),
        ("chứng thực bản sao", "Chứng thực bản sao từ bản chính"),
    ],
)
def test_search_finds_what_people_type(client: FlaskClient, query: str, first: str) -> None:
    soup = parse(client.get("/thu-tuc", query_string={"q": query}))
    check_page(soup)
    assert result_names(soup)[0].startswith(first)


def test_matched_words_are_highlighted(client: FlaskClient) -> None:
    soup = parse(client.get("/thu-tuc?q=khai+sinh"))
    first = soup.select_one("ol.results li > a")
    assert [m.get_text() for m in first.select("mark")] == ["khai", "sinh"]


def test_a_search_reads_no_procedure_rows(app: Flask, client: FlaskClient) -> None:
    # The result lines come from the worker's snapshot of the catalogue; the database is asked
    # only whether the catalogue or the centres changed (every request here:
    # CATALOG_CHECK_SECONDS is 0).
    client.get("/thu-tuc?q=khai+sinh&warm=1")
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        soup = parse(client.get("/thu-tuc?q=khai+sinh&trang=1"))
        assert len(result_names(soup)) == 16
        first = soup.select_one("ol.results li")
        assert first.select_one(".meta").get_text() == "Hộ tịch · Mã 1.001193"
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)
    versions = ("count(procedures.code)", "count(centres.unit_code)")
    assert statements and all(any(v in s for v in versions) for s in statements), statements


def marks_with_words(app: Flask, soup) -> list[tuple[str, list[str], set[str]]]:
    """Per result: its code, its marked words (folded), and every word the index holds of it."""
    with app.app_context():
        index = catalog_index.current_index()
    found = []
    for link in soup.select("ol.results li > a"):
        code = link["href"].rsplit("/", 1)[-1]
        entry = index.entries[index.by_key[code]]
        found.append((code, [fold(m.get_text()) for m in link.select("mark")], set(entry.words)))
    return found


def readings(word: str, last: bool, own: set[str]) -> set[str]:
    """What a query word may light up in a procedure: itself if it holds it, else what matched."""
    if word in own:
        return {word}
    if last:
        completions = {w for w in own if w.startswith(word)}
        if completions:
            return completions
    return {w for w in own if len(word) >= 5 and within_one_edit(word, w)}


@pytest.mark.parametrize("query", ["thuong tru", "khai sinh cho con", "thoung tru", "ket h"])
def test_only_the_words_that_matched_this_result_are_highlighted(
    app: Flask, client: FlaskClient, query: str
) -> None:
    soup = parse(client.get("/thu-tuc", query_string={"q": query}))
    words = query.split()
    results = marks_with_words(app, soup)
    assert results
    for code, marks, own in results:
        allowed = set().union(*(readings(w, i == len(words) - 1, own) for i, w in enumerate(words)))
        assert set(marks) <= allowed, (code, marks)


def test_highlights_of_thuong_tru_are_thuong_and_tru(client: FlaskClient) -> None:
    # "thông" (a typo reading) and "Trung" (a completion of "tru") are other words.
    soup = parse(client.get("/thu-tuc?q=thuong+tru"))
    for link in soup.select("ol.results li > a"):
        if "thường trú" in link.get_text():
            assert {fold(m.get_text()) for m in link.select("mark")} == {"thuong", "tru"}


def test_live_search_returns_a_fragment_with_the_count_out_of_band(client: FlaskClient) -> None:
    response = client.get("/thu-tuc?q=ket+ho", headers=HX)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    soup = fragment(response)
    status = soup.select_one("#search-status")
    # innerHTML: the live region stays in the page, so screen readers announce the new count.
    assert status["data-hx-swap-oob"] == "innerHTML" and "“ket ho”" in status.get_text()
    assert result_names(soup)[0] == "Thủ tục đăng ký kết hôn"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HX-Request": "true", "HX-Boosted": "true"},
        {"HX-Request": "true", "HX-History-Restore-Request": "true"},
    ],
)
def test_full_page_unless_a_real_htmx_swap(client: FlaskClient, headers: dict) -> None:
    response = client.get("/thu-tuc?q=ket+hon", headers=headers)
    soup = parse(response)
    check_page(soup)
    assert "HX-Request" in response.headers["Vary"]


def test_search_form_works_without_javascript_and_enhances_with_htmx(client: FlaskClient) -> None:
    soup = parse(client.get("/thu-tuc"))
    form = soup.select_one("form[role=search]")
    assert form["action"] == "/thu-tuc" and form["method"] == "get"
    assert form["data-hx-get"] == "/thu-tuc" and form["data-hx-push-url"] == "true"
    assert form["data-hx-target"] == "#results" and soup.select_one("#results")
    assert form.select_one("noscript button[type=submit]")
    assert soup.select_one("script[src*='htmx']") is soup.select("body script")[0]


def test_filter_by_field_and_online(client: FlaskClient) -> None:
    soup = parse(client.get("/thu-tuc"))
    options = {o["value"]: o.get_text() for o in soup.select("select[name=linh-vuc] option")}
    assert options["ho-tich"] == "Hộ tịch"
    soup = parse(client.get("/thu-tuc?linh-vuc=ho-tich"))
    names = result_names(soup)
    assert names and "Đăng ký thường trú" not in names
    assert soup.select_one("select[name=linh-vuc] option[selected]")["value"] == "ho-tich"
    soup = parse(client.get("/thu-tuc?truc-tuyen=1&linh-vuc=dang-ky-quan-ly-cu-tru"))
    assert "Đăng ký tạm trú" in result_names(soup)
    assert "Đăng ký thường trú" not in result_names(soup)
    assert soup.select_one("input[name=truc-tuyen]").has_attr("checked")


def test_paging_keeps_the_query_and_is_shareable(client: FlaskClient) -> None:
    soup = parse(client.get("/thu-tuc?q=dang+ky"))
    next_link = soup.select_one("nav.pager a[rel=next]")
    query = parse_qs(urlsplit(next_link["href"]).query)
    assert query["q"] == ["dang ky"] and query["trang"] == ["2"]
    assert next_link["data-hx-get"] == next_link["href"]
    page2 = parse(client.get(next_link["href"]))
    assert page2.select_one("ol.results")["start"] == "21"
    assert set(result_names(page2)).isdisjoint(result_names(soup))


def test_page_number_out_of_range_or_garbage_is_clamped(client: FlaskClient) -> None:
    for value in ["999", "-4", "abc", "1e9"]:
        response = client.get("/thu-tuc", query_string={"trang": value})
        assert response.status_code == 200


def test_no_result_offers_suggestions_and_the_centre_phone(client: FlaskClient) -> None:
    soup = parse(client.get("/thu-tuc?q=qwertyuiop"))
    check_page(soup)
    empty = soup.select_one(".empty")
    assert "Chưa tìm thấy" in empty.get_text()
    assert empty.select_one("a[href^='tel:']")
    assert [a["href"] for a in empty.select("ul.links a")][0] == "/thu-tuc/1.001193"
    assert "Không có thủ tục nào" in soup.select_one("#search-status").get_text()


@pytest.mark.parametrize("query", ["lam visa di my", "xin hộ chiếu đi Mỹ "])
def test_a_query_nothing_plausibly_matches_says_so(client: FlaskClient, query: str) -> None:
    soup = parse(client.get("/thu-tuc", query_string={"q": query}))
    check_page(soup)
    assert not soup.select("ol.results li")
    empty = soup.select_one(".empty")
    assert "Chưa tìm thấy" in empty.get_text() and empty.select_one("a[href^='tel:']")
    assert empty.select("ul.links a")  # suggestions


def test_an_everyday_word_lists_only_what_it_names(client: FlaskClient) -> None:
    # "lam so do" once listed 66 procedures holding "sở" and "đối" somewhere in their names.
    soup = parse(client.get("/thu-tuc", query_string={"q": "lam so do"}))
    links = [a["href"] for a in soup.select("ol.results li > a")]
    assert links[0] == "/thu-tuc/1.012753"  # cấp Giấy chứng nhận quyền sử dụng đất
    assert "/thu-tuc/1.012973" not in links  # cơ sở giáo dục mầm non độc lập
    assert len(links) < 10


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # all but tab, LF, CR


def echoed_queries(soup) -> list[str]:
    """Every place the page repeats the query: title, search box, count, language link."""
    found = [soup.select_one("#q")["value"]] if soup.select_one("#q") else []
    for text in (soup.title.get_text() if soup.title else "", soup.select_one("#search-status")):
        text = text if isinstance(text, str) else text.get_text()
        found += re.findall(r"“(.*)”", text, flags=re.S)
    for link in soup.select("a.lang"):
        found += parse_qs(urlsplit(link["href"]).query).get("q", [])
    return found


@pytest.mark.parametrize(
    "query",
    [
        "khai sinh " * 200,
        "\x00\x07\x1b[31m khai sinh",
        "khai\x01sinh\x00",
        "khai\tsinh\r\nket\x0bhon\x85",
        "\x00" * 300 + "khai sinh " * 30,
        "' OR 1=1; DROP TABLE procedures; --",
        "%' UNION SELECT * FROM units --",
        "<script>alert(1)</script>",
    ],
)
def test_hostile_queries_never_fail(app: Flask, client: FlaskClient, query: str) -> None:
    limit = app.config["MAX_QUERY_LENGTH"]
    for headers in ({}, HX):
        response = client.get("/thu-tuc", query_string={"q": query}, headers=headers)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "<script>alert" not in html
        assert not CONTROL.search(html), repr(CONTROL.search(html))
        soup = parse(response) if not headers else fragment(response)
        echoed = echoed_queries(soup)
        assert echoed, "the query is shown back"
        for text in echoed:
            assert len(text) <= limit and not CONTROL.search(text), repr(text)


def test_a_cleaned_query_still_searches(client: FlaskClient) -> None:
    soup = parse(client.get("/thu-tuc", query_string={"q": "khai\x00sinh\x01"}))
    assert soup.select_one("#q")["value"] == "khaisinh"
    soup = parse(client.get("/thu-tuc", query_string={"q": "dang\tky\nkhai\x0bsinh"}))
    assert soup.select_one("#q")["value"] == "dang ky khai sinh"
    assert result_names(soup)[0] == "Thủ tục đăng ký khai sinh"


def test_detail_shows_the_guide_before_the_official_text(client: FlaskClient) -> None:
    soup = parse(client.get("/thu-tuc/1.001193"))
    check_page(soup)
    main = soup.select_one("main")
    guide, official = main.select_one("section.guide"), main.select_one("section.official")
    assert guide and official
    order = [section["class"][0] for section in main.select("section")]
    assert order.index("guide") < order.index("official")
    assert soup.h1.get_text() == "Đăng ký khai sinh"
    assert any("Giấy chứng sinh" in li.get_text() for li in guide.select(".checklist li"))
    headers = [th.get_text() for th in official.select("table.docs thead th")]
    assert headers == ["Giấy tờ", "Bản chính", "Bản sao"]
    channels = {
        row.th.get_text(): [td.get_text(" ", strip=True) for td in row.select("td")]
        for row in official.select("table.channels tbody tr")
    }
    assert set(channels) == {"Nộp trực tiếp", "Nộp trực tuyến", "Gửi qua bưu điện"}
    # The channel says "1 OTHER"; the cases' "1 working day" is what is shown.
    assert channels["Nộp trực tiếp"][0].startswith("1 ngày làm việc")
    assert official.select_one("details summary")
    source = soup.select_one(".source a")
    assert source["href"].startswith("https://dichvucong.gov.vn/thu-tuc-hanh-chinh/")
    assert "15/04/2026" in soup.select_one(".source").get_text()


def test_official_text_is_composed_unicode(client: FlaskClient) -> None:
    # The crawl writes some letters decomposed (a + combining marks); pages must not: the
    # Nu Html Checker flags it, and some phones draw the marks apart from their letters.
    for url in ("/thu-tuc/1.001193", "/thu-tuc/1.001193/in"):
        assert unicodedata.is_normalized("NFC", client.get(url).get_data(as_text=True)), url


def test_detail_of_a_procedure_with_several_case_times(client: FlaskClient) -> None:
    soup = parse(client.get("/thu-tuc/1.000656"))
    cell = soup.select_one("table.channels tbody tr td").get_text(" ", strip=True)
    assert "5 ngày làm việc" in cell and "1 ngày" in cell and "2 ngày" in cell
    fee = soup.select_one("table.channels tbody tr td:nth-of-type(2)").get_text()
    assert "Hội đồng nhân dân" in fee


def test_notes_are_listed_as_notes_not_documents(client: FlaskClient) -> None:
    soup = parse(client.get("/thu-tuc/1.001193"))
    docs = " ".join(td.get_text() for td in soup.select("table.docs td:first-child"))
    assert "không phải nộp bản giấy" not in docs
    notes = soup.select_one("#official-title").find_next("h3", string="Lưu ý")
    assert notes is not None


def test_detail_of_a_catalogue_row_without_official_detail(client: FlaskClient) -> None:
    soup = parse(client.get("/thu-tuc/2.000884"))
    check_page(soup)
    assert soup.select_one("section.guide")
    assert "chưa được đưa lên trang" in soup.select_one("section.official").get_text()


@pytest.mark.parametrize("url", ["/thu-tuc/9.999999", "/thu-tuc/abc", "/thu-tuc/1.001193x/in"])
def test_unknown_procedure_is_a_vietnamese_404(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    soup = parse(response)
    check_page(soup)
    assert soup.h1.get_text() == "Không tìm thấy trang"


def test_printable_checklist_fits_a_page_and_links_back_by_qr(client: FlaskClient) -> None:
    response = client.get("/thu-tuc/1.001193/in")
    soup = parse(response)
    check_page(soup)
    svg = soup.select_one("figure svg.qr")
    assert svg and svg.title.get_text()
    assert (
        "https://tanson.example.gov.vn/thu-tuc/1.001193" in soup.select_one("figcaption").get_text()
    )
    items = soup.select("ul.tick li")
    assert len(items) >= 3 and all(li.select_one(".box") for li in items)
    assert "Tân Sơn" in soup.select_one(".sheet-unit").get_text()
    assert not soup.select("script")  # prints from any browser, nothing to run


def test_checklist_falls_back_to_official_documents_without_a_guide(client: FlaskClient) -> None:
    soup = parse(client.get("/thu-tuc/1.004746/in"))
    check_page(soup)
    assert soup.select("ul.tick li") and soup.select_one("svg.qr")


def test_the_whole_catalogue_flow_without_javascript(client: FlaskClient) -> None:
    home = parse(client.get("/"))
    form = home.select_one("form[role=search]")
    results = parse(client.get(form["action"], query_string={"q": "khai tu"}))
    link = results.select_one("ol.results li > a")
    assert link.get_text() == "Thủ tục đăng ký khai tử"
    detail = parse(client.get(link["href"]))
    print_link = detail.select_one("a[href$='/in']")
    sheet = client.get(print_link["href"])
    assert sheet.status_code == 200 and "khai tử" in parse(sheet).h1.get_text()


@pytest.mark.parametrize(
    ("code", "name", "field"),
    [
        ("2.001263", "Đăng ký việc nuôi con nuôi trong nước", "Nuôi con nuôi"),
        ("2.001255", "Đăng ký lại việc nuôi con nuôi trong nước", "Nuôi con nuôi"),
        (
            "1.001699",
            "Xác định, xác định lại mức độ khuyết tật và cấp Giấy xác nhận khuyết tật",
            "Bảo trợ xã hội",
        ),
        ("1.001653", "Đổi, cấp lại Giấy xác nhận khuyết tật", "Bảo trợ xã hội"),
    ],
)
def test_procedures_without_any_level_in_the_data_have_their_page(
    client: FlaskClient, code: str, name: str, field: str
) -> None:
    response = client.get(f"/thu-tuc/{code}?lang=vi")
    assert response.status_code == 200
    soup = parse(response)
    check_page(soup)
    assert soup.h1.get_text(strip=True) == name
    facts = dict(
        zip(
            [dt.get_text(strip=True) for dt in soup.select("dl.facts dt")],
            [dd.get_text(strip=True) for dd in soup.select("dl.facts dd")],
            strict=True,
        )
    )
    assert facts["Lĩnh vực"] == field and facts["Cơ quan thực hiện"] == "Ủy ban nhân dân cấp xã"
    assert soup.select_one("p.source a")["href"].startswith("https://dichvucong.gov.vn/")
    # And the commune's list has them.
    soup = parse(client.get(f"/thu-tuc?linh-vuc={fold(field).replace(' ', '-')}&trang=1"))
    assert name in result_names(soup)


def test_a_new_detail_record_shows_papers_time_fee_and_law(client: FlaskClient) -> None:
    """1.003583 (khai sinh lưu động) came with the isWard records: its details are on the page."""
    soup = parse(client.get("/thu-tuc/1.003583?lang=vi"))
    check_page(soup)
    official = soup.select_one("section.official")
    assert official.select("table.docs tbody tr"), "papers to hand in"
    channels = official.select("table.channels tbody tr")
    assert channels and all("Không ghi" not in tr.select("td")[0].get_text() for tr in channels)
    assert "Căn cứ pháp lý" in official.get_text()


def test_english_pages_show_our_english_names(client: FlaskClient) -> None:
    soup = parse(client.get("/thu-tuc?linh-vuc=nuoi-con-nuoi&lang=en"))
    check_page(soup, "en")
    names = result_names(soup)
    assert "Domestic adoption registration" in names
    # Without an English name, the official Vietnamese one.
    assert any(n.startswith("Cấp giấy xác nhận công dân Việt Nam") for n in names)

    soup = parse(client.get("/thu-tuc/2.001263?lang=en"))
    check_page(soup, "en")
    assert soup.h1.get_text(strip=True) == "Domestic adoption registration"
    assert soup.title.get_text().startswith("Domestic adoption registration")
    official = soup.select_one("p.meta span[lang=vi]")
    assert official.get_text() == "Đăng ký việc nuôi con nuôi trong nước"

    soup = parse(client.get("/thu-tuc/2.001263/in?lang=en"))
    assert soup.select_one("h1 span").get_text() == "Domestic adoption registration"
    assert soup.select_one("p.meta span[lang=vi]")

    soup = parse(client.get("/thu-tuc/1.000593?lang=en"))
    assert soup.h1.get_text(strip=True) == "Thủ tục đăng ký kết hôn lưu động"
    assert not soup.select("p.meta span[lang=vi]")

    soup = parse(client.get("/thu-tuc/2.001263?lang=vi"))
    assert soup.h1.get_text(strip=True) == "Đăng ký việc nuôi con nuôi trong nước"
    assert not soup.select("p.meta span[lang=vi]")
