"""submit_step without HTTP: what becomes of a sent page, and what the draft keeps of it."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from domain.formspec import FormSpec
from extensions import db
from models import Dossier
from models import Draft
from services import drafts
from services import steps
from services.forms import form_for
from tests.journeys import KHAI_SINH
from tests.journeys import XAC_NHAN
from tests.journeys import date_inputs

TODAY = date(2026, 3, 2)


def day(days_ago: int) -> dict[str, str]:
    d = TODAY - timedelta(days=days_ago)
    return {"ngay": str(d.day), "thang": str(d.month), "nam": str(d.year)}


def new_draft(code: str) -> tuple[Draft, FormSpec]:
    form = form_for(code)
    assert form is not None
    return drafts.start(code, "0912345678", form), form


def kept(draft: Draft) -> Draft:
    """The draft as the database has it now (not as the session remembers it)."""
    db.session.expire_all()
    found = db.session.get(Draft, draft.id)
    assert found is not None
    return found


def test_a_good_page_is_kept_and_leads_to_the_next(app_context: Flask) -> None:
    draft, form = new_draft("1.001193")
    outcome = steps.submit_step(draft, form, "nguoi-dien", {"filler": "self"}, TODAY)
    assert outcome.kind == steps.ON and outcome.page is None
    assert outcome.goes_to(returning=False) == "nguoi-yeu-cau"
    saved = kept(draft)
    assert saved.answers == {"filler": "self"}
    assert saved.done_steps == ["nguoi-dien"]
    assert saved.current_step == "nguoi-yeu-cau"
    assert "nguoi-dien" not in saved.typed


def test_mistakes_come_back_with_everything_typed(app_context: Flask) -> None:
    draft, form = new_draft("1.001193")
    posted = {
        **KHAI_SINH["tre-em"],
        **date_inputs("child_birth_date", {**day(10), "nam": "20x"}),
        "child_sex": "",
    }
    outcome = steps.submit_step(draft, form, "tre-em", posted, TODAY)
    assert outcome.kind == steps.AGAIN and outcome.refused
    assert outcome.page is not None and not outcome.page.acknowledge
    shown = outcome.page.result
    assert set(shown.errors) == {"child_birth_date", "child_sex"}
    assert shown.typed["child_birth_date-nam"] == "20x"
    assert shown.typed["child_name"] == "Đinh Minh An"
    saved = kept(draft)
    assert saved.typed["tre-em"] == shown.typed
    assert "tre-em" not in saved.done_steps
    # The good answers are kept even so, and a reload shows the same page and messages.
    assert saved.answers["child_name"] == "Đinh Minh An"
    again = steps.show_step(saved, form, "tre-em", TODAY)
    assert again.page is not None and not again.refused
    assert set(again.page.result.errors) == set(shown.errors)
    assert again.page.result.typed == shown.typed


def test_a_late_date_is_kept_but_its_notice_is_read_first(app_context: Flask) -> None:
    draft, form = new_draft("1.001193")
    posted = {**KHAI_SINH["tre-em"], **date_inputs("child_birth_date", day(70))}
    outcome = steps.submit_step(draft, form, "tre-em", posted, TODAY)
    assert outcome.kind == steps.AGAIN and not outcome.refused
    assert outcome.page is not None and outcome.page.acknowledge
    assert set(outcome.page.result.notices) == {"child_birth_date"}
    assert "tre-em" in kept(draft).done_steps
    read = steps.submit_step(draft, form, "tre-em", {**posted, steps.READ: "co"}, TODAY)
    assert read.kind == steps.ON and read.goes_to(returning=False) == "me"


def test_a_document_page_without_its_file_is_refused(app_context: Flask) -> None:
    draft, form = new_draft("1.001193")
    outcome = steps.submit_step(draft, form, "giay-to", {}, TODAY)
    assert outcome.refused and outcome.page is not None
    assert set(outcome.page.result.errors) == {"birth_certificate"}


def previous_marriage(index: int, name: str, year: str = "2015") -> dict[str, str]:
    item = f"previous_marriages-{index}"
    return {
        f"{item}-previous_spouse_name": name,
        f"{item}-previous_end_reason": "ly-hon",
        **date_inputs(f"{item}-previous_end_date", {"ngay": "10", "thang": "5", "nam": year}),
    }


def divorced() -> tuple[Draft, FormSpec]:
    draft, form = new_draft("1.004873")
    draft.answers = {"marital_status": "da-ly-hon"}
    db.session.commit()
    return draft, form


def test_adding_an_item_keeps_what_was_typed_without_messages(app_context: Flask) -> None:
    draft, form = divorced()
    posted = {
        "previous_marriages-count": "1",
        "previous_marriages-0-previous_spouse_name": "Trần Văn Một",
        steps.ACTION: "them:previous_marriages",
    }
    outcome = steps.submit_step(draft, form, "hon-nhan-truoc", posted, TODAY)
    assert outcome.kind == steps.AGAIN and not outcome.refused
    assert outcome.page is not None
    assert outcome.page.counts == {"previous_marriages": 2}
    assert outcome.page.result.errors == {}  # the first item is not finished: no message yet
    typed = outcome.page.result.typed
    assert typed["previous_marriages-0-previous_spouse_name"] == "Trần Văn Một"
    saved = kept(draft)
    assert saved.typed["hon-nhan-truoc"]["previous_marriages-count"] == "2"
    assert "hon-nhan-truoc" not in saved.done_steps
    # A reload shows the two items.
    reload = steps.show_step(saved, form, "hon-nhan-truoc", TODAY)
    assert reload.page is not None and reload.page.counts == {"previous_marriages": 2}


def test_no_more_items_than_the_group_allows(app_context: Flask) -> None:
    draft, form = divorced()
    posted = {"previous_marriages-count": "5", steps.ACTION: "them:previous_marriages"}
    outcome = steps.submit_step(draft, form, "hon-nhan-truoc", posted, TODAY)
    assert outcome.page is not None and outcome.page.counts == {"previous_marriages": 5}


def test_a_removed_item_is_gone_and_the_rest_is_kept(app_context: Flask) -> None:
    draft, form = divorced()
    posted = {
        "previous_marriages-count": "2",
        **previous_marriage(0, "Trần Văn Một"),
        "previous_marriages-0-bo": "co",
        **previous_marriage(1, "Trần Văn Hai", "2018"),
    }
    outcome = steps.submit_step(draft, form, "hon-nhan-truoc", posted, TODAY)
    assert outcome.kind == steps.ON
    items = kept(draft).answers["previous_marriages"]
    assert [item["previous_spouse_name"] for item in items] == ["Trần Văn Hai"]


def test_removing_the_only_item_a_divorce_needs_is_refused(app_context: Flask) -> None:
    draft, form = divorced()
    posted = {"previous_marriages-count": "1", **previous_marriage(0, "Trần Văn Một")}
    posted["previous_marriages-0-bo"] = "co"
    outcome = steps.submit_step(draft, form, "hon-nhan-truoc", posted, TODAY)
    assert outcome.refused and outcome.page is not None
    assert set(outcome.page.result.errors) == {"previous_marriages"}
    assert outcome.page.counts == {"previous_marriages": 1}  # one empty item to fill in


def test_the_last_page_leads_to_the_check_page(app_context: Flask) -> None:
    draft, form = new_draft("1.004873")
    step_id: str | None = form.steps[0].id
    seen = []
    while step_id is not None:
        seen.append(step_id)
        outcome = steps.submit_step(draft, form, step_id, XAC_NHAN[step_id], TODAY)
        assert outcome.kind == steps.ON, (step_id, outcome.page and outcome.page.result.errors)
        step_id = outcome.goes_to(returning=False)
    # The pages an answer did not ask for (earlier marriages, papers) were skipped.
    assert seen == list(XAC_NHAN)
    assert outcome.pending is None and outcome.goes_to(returning=True) is None
    assert kept(draft).current_step == "kiem-tra"
    assert steps.missing_steps(draft, form) == set()


def test_a_change_from_the_check_page_goes_to_the_questions_it_opens(
    app_context: Flask,
) -> None:
    draft, form = new_draft("1.004873")
    for step_id, posted in XAC_NHAN.items():
        steps.submit_step(draft, form, step_id, posted, TODAY)
    # Nothing new asked: back to the check page, not on to the next page.
    same = steps.submit_step(draft, form, "nguoi-dien", XAC_NHAN["nguoi-dien"], TODAY)
    assert same.goes_to(returning=False) == "nguoi-xin-cap"
    assert same.goes_to(returning=True) is None
    outcome = steps.submit_step(draft, form, "tinh-trang", {"marital_status": "da-ly-hon"}, TODAY)
    assert outcome.kind == steps.ON
    assert outcome.goes_to(returning=True) == "hon-nhan-truoc"
    back = steps.submit_step(
        draft, form, "hon-nhan-truoc", {**previous_marriage(0, "Trần Văn Một")}, TODAY
    )
    assert back.goes_to(returning=True) is None  # nothing left: the check page


@pytest.mark.parametrize("step_id", ["khong-co", "hon-nhan-truoc"])
def test_a_page_that_is_not_asked_goes_where_the_draft_is(app_context: Flask, step_id: str) -> None:
    draft, form = new_draft("1.004873")  # not divorced: no earlier marriages to list
    for outcome in (
        steps.submit_step(draft, form, step_id, {}, TODAY),
        steps.show_step(draft, form, step_id, TODAY),
    ):
        assert outcome.kind == steps.ELSEWHERE and outcome.page is None
    assert kept(draft).answers == {}


def test_sending_needs_every_answer_and_the_declaration_and_happens_once(
    app_context: Flask,
) -> None:
    draft, form = new_draft("1.004873")
    missing = steps.send(draft, form, declared=True)
    assert missing is not None and "còn thiếu" in missing.message
    for step_id, posted in XAC_NHAN.items():
        steps.submit_step(draft, form, step_id, posted, TODAY)
    undeclared = steps.send(draft, form, declared=False)
    assert undeclared is not None and "cam đoan" in undeclared.message
    assert kept(draft).dossier is None
    assert steps.send(draft, form, declared=True) is None
    dossier = kept(draft).dossier
    assert dossier is not None
    assert steps.send(draft, form, declared=False) is None  # a retry: the same dossier
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Dossier).where(Dossier.draft_id == draft.id)
        )
        == 1
    )
    sent = steps.submit_step(kept(draft), form, "tinh-trang", XAC_NHAN["tinh-trang"], TODAY)
    assert sent.kind == steps.SENT


def test_one_field_checked_as_it_is_typed(app_context: Flask) -> None:
    form = form_for("1.001193")
    assert form is not None
    late = steps.check_field(
        form, "tre-em", "child_birth_date", date_inputs("child_birth_date", day(70)), TODAY
    )
    assert late is not None and late.error is None and late.notice is not None
    wrong = steps.check_field(form, "tre-em", "child_name", {"child_name": "An 3"}, TODAY)
    assert wrong is not None and wrong.error is not None and wrong.notice is None
    right = steps.check_field(form, "tre-em", "child_name", {"child_name": "Đinh An"}, TODAY)
    assert right is not None and right.error is None and right.notice is None
    for step_id, name in [
        ("tre-em", "nope"),
        ("khong-co", "child_name"),
        ("giay-to", "birth_certificate"),
    ]:
        assert steps.check_field(form, step_id, name, {}, TODAY) is None


def test_picking_a_province_without_javascript_keeps_the_page_as_typed(
    app_context: Flask,
) -> None:
    draft, form = new_draft("1.001193")
    posted = {
        "requester_name": "Hà Thị Mai",
        "requester_address-tinh": "1",
        "requester_address-xa": "",
        steps.ACTION: "tinh:requester_address",
    }
    outcome = steps.submit_step(draft, form, "nguoi-yeu-cau", posted, TODAY)
    assert outcome.kind == steps.AGAIN and not outcome.refused
    assert outcome.page is not None and outcome.page.result.errors == {}
    assert outcome.page.result.typed["requester_address-tinh"] == "1"
    saved = kept(draft)
    assert saved.typed["nguoi-yeu-cau"]["requester_name"] == "Hà Thị Mai"
    assert saved.done_steps == [] and saved.answers == {}


def test_the_view_leaves_reading_a_step_to_the_service() -> None:
    # Issue 12: apply/views.py called read_step in four places; now only services/steps does.
    from tests.test_architecture import ROOT
    from tests.test_architecture import imported_modules

    imported = imported_modules(ROOT / "blueprints" / "apply" / "views.py")
    readers = {f"domain.formspec.{name}" for name in ("read_step", "read_value", "item_counts")}
    assert imported & readers == set()
    assert "services.steps" in imported
