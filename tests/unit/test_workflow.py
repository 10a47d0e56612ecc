"""Dossier statuses and who may do what: the table, each refusal, and the rules' consistency."""

from __future__ import annotations

from collections import deque
from datetime import date
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from domain import workflow
from domain.calendar import WorkCalendar
from domain.messages import Invalid
from domain.procedures import TimeLimit
from domain.workflow import ACTIONS
from domain.workflow import CITIZEN
from domain.workflow import Status

TODAY = date(2026, 3, 2)  # a Monday
DAY = timedelta(days=1)
EVERY_ROLE = (*workflow.ROLES, CITIZEN)
STAFF_ON_DOSSIERS = {"tiep_nhan", "chuyen_vien", "lanh_dao"}
ALL = set(range(1, 11))
TAN_SON, THANH_BA, TAN_HOA = 8566, 8152, 4792  # communes of Phú Thọ
PHU_THO = frozenset({TAN_SON, THANH_BA, TAN_HOA})

# key: (from, to, roles, slip); None as "to" leaves the status as it is.
TABLE: dict[str, tuple[set[int], int | None, set[str], str]] = {
    "receive": ({1}, 2, {"tiep_nhan", "lanh_dao"}, "01"),
    "refuse": ({1}, 3, {"tiep_nhan", "lanh_dao"}, "03"),
    "request_supplement": ({1, 2, 4}, 5, {"tiep_nhan", "chuyen_vien", "lanh_dao"}, "02"),
    "supplement_received": ({5}, 4, {"tiep_nhan", CITIZEN}, ""),
    "forward": ({2}, 4, {"tiep_nhan", "lanh_dao"}, ""),
    "request_fee": ({4}, 6, {"chuyen_vien", "lanh_dao"}, ""),
    "fee_paid": ({6}, 4, {"tiep_nhan", "chuyen_vien"}, ""),
    "stop": ({2, 4, 5, 6}, 8, {"lanh_dao"}, "05"),
    "finish": ({4}, 9, {"lanh_dao"}, ""),
    "return_result": ({9}, 10, {"tiep_nhan"}, ""),
    "withdraw": ({1, 2, 4, 5, 6}, 7, {CITIZEN}, "05"),
    "transfer": ({1, 2}, None, {"tiep_nhan", "lanh_dao"}, "06"),
    "apologise": ({2, 4, 5, 6}, None, {"chuyen_vien", "lanh_dao"}, "04"),
    "note": (ALL, None, STAFF_ON_DOSSIERS, ""),
}
NEEDS: dict[str, set[str]] = {
    "receive": set(),
    "refuse": {"reason"},
    "request_supplement": {"reason", "items", "deadline"},
    "supplement_received": set(),
    "forward": set(),
    "request_fee": {"reason"},
    "fee_paid": set(),
    "stop": {"reason"},
    "finish": set(),
    "return_result": {"channel"},
    "withdraw": {"confirmation"},
    "transfer": {"reason", "unit", "papers"},
    "apologise": {"reason", "new_date"},
    "note": {"reason"},
}


def good(**changes: Any) -> dict[str, Any]:
    """Details that satisfy every action, on a dossier due yesterday; changes replace some."""
    details: dict[str, Any] = {
        "reason": "Ảnh giấy chứng sinh bị mờ",
        "items": ["giay_chung_sinh"],
        "deadline": TODAY + 10 * DAY,
        "new_date": TODAY + 4 * DAY,  # a Friday
        "channel": "tai_quay",
        "confirmed": True,
        "today": TODAY,
        "due": TODAY - DAY,
        "past_actions": ("submit", "receive"),
        "unit": THANH_BA,
        "papers": ["Tờ khai đăng ký khai sinh"],
        "own_unit": TAN_SON,
        "province_units": PHU_THO,
    }
    return details | changes


def refusal(key: str, status: int, role: str, **changes: Any) -> Invalid:
    """The Invalid that check() raises for these inputs."""
    with pytest.raises(Invalid) as caught:
        workflow.check(key, status, role, **good(**changes))
    return caught.value


def keys(actions: list[workflow.Action]) -> list[str]:
    return [action.key for action in actions]


# ---- statuses -------------------------------------------------------------------------------


def test_statuses_are_the_national_codes_with_their_names() -> None:
    assert [s.value for s in Status] == list(range(1, 11))
    assert [workflow.label(s) for s in Status] == [
        "Mới đăng ký",
        "Được tiếp nhận",
        "Không được tiếp nhận",
        "Đang xử lý",
        "Yêu cầu bổ sung giấy tờ",
        "Yêu cầu thực hiện nghĩa vụ tài chính",
        "Công dân yêu cầu rút hồ sơ",
        "Dừng xử lý",
        "Đã xử lý xong",
        "Đã trả kết quả",
    ]
    with pytest.raises(ValueError):
        workflow.label(11)


def test_every_status_tells_the_person_what_it_means_and_what_to_do() -> None:
    assert set(workflow.STATUS_HELP) == set(Status)
    for status in Status:
        text = workflow.help_text(status)
        # Two short sentences at most, speaking to the person.
        assert text.endswith(".") and len(text) <= 160 and "bạn" in text.lower(), status
    assert workflow.help_text(5).startswith("Hồ sơ cần bổ sung giấy tờ. Bạn hãy xem danh sách")


def test_open_closed_finished_paused_running() -> None:
    closed = {s for s in Status if workflow.is_closed(s)}
    assert closed == {3, 7, 8, 10}
    assert {s for s in Status if workflow.is_open(s)} == ALL - closed
    assert {s for s in Status if workflow.is_finished(s)} == {9, 10}
    assert {s for s in Status if workflow.is_paused(s)} == {5, 6}
    assert {s for s in Status if workflow.is_running(s)} == {2, 4}
    # A paused clock belongs to an open dossier that still awaits its result.
    assert workflow.PAUSED <= workflow.OPEN - workflow.FINISHED
    assert not workflow.PAUSED & workflow.RUNNING


@pytest.mark.parametrize(
    ("status", "due", "late"),
    [
        (4, TODAY - DAY, True),
        (4, TODAY, True),  # due today: still time to apologise before the day ends
        (4, TODAY + DAY, False),
        (4, None, False),
        (5, TODAY - DAY, True),
        (9, TODAY - DAY, False),  # the result is ready: nothing to apologise for
        (10, TODAY - DAY, False),
        (8, TODAY - DAY, False),
    ],
)
def test_is_late(status: int, due: date | None, late: bool) -> None:
    assert workflow.is_late(status, TODAY, due) is late


# ---- the actions ----------------------------------------------------------------------------


def test_the_table_of_actions() -> None:
    assert list(ACTIONS) == list(TABLE)
    for key, (sources, target, roles, slip) in TABLE.items():
        action = ACTIONS[key]
        assert (set(action.sources), action.target, set(action.roles), action.slip) == (
            sources,
            target,
            roles,
            slip,
        ), key


def test_what_each_action_needs() -> None:
    for key, needs in NEEDS.items():
        action = ACTIONS[key]
        found = {
            need
            for need in (
                "reason",
                "items",
                "deadline",
                "new_date",
                "channel",
                "confirmation",
                "unit",
                "papers",
            )
            if getattr(action, f"needs_{need}")
        }
        assert found == needs, key


def test_only_internal_notes_are_hidden_from_the_person() -> None:
    assert {key for key, action in ACTIONS.items() if not action.public} == {"note"}


def test_slips_are_known_and_each_is_produced() -> None:
    produced = {action.slip for action in ACTIONS.values()} - {""}
    assert produced == set(workflow.SLIPS) == {"01", "02", "03", "04", "05", "06"}
    assert workflow.slip_of("withdraw") == workflow.slip_of("stop") == "05"
    assert workflow.slip_of("submit") == workflow.slip_of("finish") == ""


def test_labels_of_actions_roles_and_other_events() -> None:
    assert all(action.label for action in ACTIONS.values())
    assert workflow.action_label("receive") == "Tiếp nhận"
    assert workflow.action_label("submit") == "Nộp hồ sơ"
    assert workflow.action_label("old_key") == "old_key"
    assert set(workflow.ROLES) == {"tiep_nhan", "chuyen_vien", "lanh_dao", "quan_tri"} | {
        "to_cong_nghe_so",
        "quan_tri_tinh",
    }
    assert all(workflow.role_label(role) for role in EVERY_ROLE)
    assert workflow.role_label(CITIZEN) == "Người dân"
    assert workflow.role_label("helper") == workflow.role_label("to_cong_nghe_so")


def test_the_page_lists_a_new_dossiers_actions_in_order() -> None:
    assert keys(workflow.allowed_actions(1, "tiep_nhan")) == [
        "receive",
        "refuse",
        "request_supplement",
        "transfer",
        "note",
    ]
    assert keys(workflow.allowed_actions(1, CITIZEN)) == ["withdraw"]
    assert keys(workflow.allowed_actions(10, "tiep_nhan")) == ["note"]


@pytest.mark.parametrize("key", list(TABLE))
def test_each_action_is_allowed_exactly_where_the_table_says(key: str) -> None:
    sources, _target, roles, _slip = TABLE[key]
    for status in Status:
        for role in EVERY_ROLE:
            offered = key in keys(workflow.allowed_actions(status, role, near_due=True))
            assert offered == (status in sources and role in roles), (status, role)


# ---- where actions lead ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [(Status.NEW, Status.NEW), (Status.RECEIVED, Status.PROCESSING), (4, 4)],
)
def test_a_supplement_goes_back_to_where_it_was_asked(before: int, after: int) -> None:
    assert workflow.resume_status(before) == after
    assert workflow.next_status("supplement_received", 5, before_supplement=before) == after


def test_a_supplement_needs_the_status_before_the_request() -> None:
    with pytest.raises(ValueError):
        workflow.next_status("supplement_received", 5)
    with pytest.raises(ValueError):
        workflow.resume_status(Status.FEE)  # never asked for in that status


def test_apologies_and_notes_leave_the_status() -> None:
    assert workflow.next_status("apologise", 5) == Status.SUPPLEMENT
    assert workflow.next_status("note", 10) == Status.RETURNED
    assert workflow.next_status("receive", 1) == Status.RECEIVED


def test_no_action_leads_out_of_a_closed_status() -> None:
    for status in workflow.CLOSED:
        here = [action for action in ACTIONS.values() if status in action.sources]
        assert [action.key for action in here] == ["note"], status
        for action in here:
            assert workflow.next_status(action.key, status) == status


def test_every_status_can_be_reached_from_new() -> None:
    seen, queue = {Status.NEW}, deque([Status.NEW])
    while queue:
        status = queue.popleft()
        for action in ACTIONS.values():
            if status not in action.sources:
                continue
            befores = (1, 2, 4) if action.key == "supplement_received" else (None,)
            for before in befores:
                after = workflow.next_status(action.key, status, before_supplement=before)
                if after not in seen:
                    seen.add(after)
                    queue.append(after)
    assert seen == set(Status)


def test_a_whole_journey() -> None:
    status: int = Status.NEW
    path = ["receive", "forward", "request_fee", "fee_paid", "finish", "return_result"]
    roles = ["tiep_nhan", "tiep_nhan", "chuyen_vien", "tiep_nhan", "lanh_dao", "tiep_nhan"]
    for key, role in zip(path, roles, strict=True):
        workflow.check(key, status, role, **good())
        status = workflow.next_status(key, status)
    assert status == Status.RETURNED


# ---- refusals, each with its message --------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "status", "role", "changes", "message"),
    [
        ("archive", 1, "lanh_dao", {}, workflow.UNKNOWN_ACTION),
        ("finish", 4, "chuyen_vien", {}, workflow.NOT_ALLOWED),
        ("withdraw", 4, "tiep_nhan", {}, workflow.NOT_ALLOWED),
        ("receive", 2, "tiep_nhan", {}, workflow.WRONG_STATUS),
        ("return_result", 4, "tiep_nhan", {}, workflow.WRONG_STATUS),
        ("refuse", 1, "tiep_nhan", {"reason": ""}, workflow.REASON_MISSING),
        ("stop", 4, "lanh_dao", {"reason": "  \n"}, workflow.REASON_MISSING),
        ("request_fee", 4, "chuyen_vien", {"reason": ""}, workflow.FEE_MISSING),
        ("note", 3, "chuyen_vien", {"reason": ""}, workflow.NOTE_MISSING),
        ("request_supplement", 2, "tiep_nhan", {"items": []}, workflow.ITEMS_MISSING),
        ("request_supplement", 2, "tiep_nhan", {"items": [" "]}, workflow.ITEMS_MISSING),
        ("request_supplement", 4, "chuyen_vien", {"deadline": None}, workflow.DEADLINE_MISSING),
        ("request_supplement", 4, "chuyen_vien", {"deadline": TODAY}, workflow.DEADLINE_PAST),
        ("request_supplement", 1, "lanh_dao", {"deadline": TODAY - DAY}, workflow.DEADLINE_PAST),
        ("apologise", 4, "lanh_dao", {"new_date": None}, workflow.NEW_DATE_MISSING),
        ("apologise", 4, "lanh_dao", {"new_date": TODAY - DAY}, workflow.NEW_DATE_TOO_EARLY),
        (
            "apologise",
            4,
            "lanh_dao",
            {"due": TODAY - 10 * DAY, "new_date": TODAY - 2 * DAY},
            workflow.NEW_DATE_PAST,
        ),
        ("apologise", 4, "lanh_dao", {"new_date": TODAY + 5 * DAY}, workflow.NEW_DATE_DAY_OFF),
        ("apologise", 4, "lanh_dao", {"past_actions": ["apologise"]}, workflow.ALREADY_DONE),
        # Two working days before the due date: too early (one is the earliest).
        ("apologise", 4, "chuyen_vien", {"due": TODAY + 2 * DAY}, workflow.NOT_LATE),
        ("apologise", 2, "chuyen_vien", {"due": None}, workflow.NOT_LATE),
        ("apologise", 4, "lanh_dao", {"near_due": False}, workflow.NOT_LATE),
        ("return_result", 9, "tiep_nhan", {"channel": ""}, workflow.CHANNEL_MISSING),
        ("return_result", 9, "tiep_nhan", {"channel": "email"}, workflow.CHANNEL_MISSING),
        ("withdraw", 5, CITIZEN, {"confirmed": False}, workflow.NOT_CONFIRMED),
    ],
)
def test_each_refusal_says_what_is_wrong(
    key: str, status: int, role: str, changes: dict[str, Any], message: str
) -> None:
    refused = refusal(key, status, role, **changes)
    assert refused.problem.message == message
    # A missing or wrong detail names its form field; a refusal of the action itself, none.
    form_fields = ("reason", "items", "deadline", "new_date", "channel", "confirmed")
    assert refused.field == next((name for name in changes if name in form_fields), "")


def test_the_words_of_the_main_refusals() -> None:
    assert "trạng thái khác" in str(refusal("receive", 4, "tiep_nhan"))
    assert "lý do" in str(refusal("refuse", 1, "tiep_nhan", reason=""))
    assert "sau hôm nay" in str(refusal("request_supplement", 2, "tiep_nhan", deadline=TODAY))
    too_early = refusal("apologise", 4, "lanh_dao", new_date=TODAY - DAY)
    assert too_early.problem.params == {"due": "01/03/2026"}
    assert str(too_early) == "Ngày hẹn mới phải sau ngày hẹn cũ (01/03/2026)."
    assert "một lần" in str(refusal("apologise", 4, "lanh_dao", past_actions=["apologise"]))
    assert "không có quyền" in str(refusal("finish", 4, "quan_tri"))


def test_an_apologys_new_date_is_a_working_day_of_the_communes_calendar() -> None:
    from domain.calendar import WorkCalendar

    holiday = date(2026, 4, 30)  # Ngày Giải phóng miền Nam, a Thursday
    # A two-month limit, so that 30/04 is within the bound.
    said = refusal("apologise", 4, "lanh_dao", new_date=holiday, limit=TimeLimit(2, "MONTH"))
    assert said.problem.message == workflow.NEW_DATE_DAY_OFF
    assert said.problem.params == {"date": "30/04/2026", "next": "04/05/2026"}
    friday = TODAY + 4 * DAY
    storm = WorkCalendar(extra_days_off=[friday])
    assert refusal("apologise", 4, "lanh_dao", calendar=storm).problem.params["next"] == (
        "09/03/2026"
    )
    made_up = WorkCalendar(extra_working_days=[TODAY + 5 * DAY])  # a Saturday worked
    action = workflow.check(
        "apologise", 4, "lanh_dao", **good(new_date=TODAY + 5 * DAY, calendar=made_up)
    )
    assert action.key == "apologise"
    assert said.field == "new_date"


def test_a_good_request_returns_its_action() -> None:
    assert (
        workflow.check("request_supplement", 1, "tiep_nhan", **good())
        is ACTIONS["request_supplement"]
    )
    assert workflow.check("withdraw", 6, CITIZEN, **good()).slip == "05"


# ---- the apology, once ----------------------------------------------------------------------


def test_an_apology_only_when_late_and_only_once() -> None:
    assert "apologise" in keys(workflow.allowed_actions(4, "lanh_dao", near_due=True))
    assert "apologise" not in keys(workflow.allowed_actions(4, "lanh_dao", near_due=False))
    done = ["submit", "receive", "forward", "apologise", "note"]
    assert "apologise" not in keys(
        workflow.allowed_actions(4, "lanh_dao", past_actions=done, near_due=True)
    )
    assert workflow.check("apologise", 4, "lanh_dao", **good()).target is None
    assert refusal("apologise", 4, "lanh_dao", past_actions=done).problem.message == (
        workflow.ALREADY_DONE
    )


def test_a_caller_with_the_calendar_may_call_a_dossier_late_before_its_due_date() -> None:
    # One working day left, the inbox already shows it as due: an apology may go out now.
    details = good(due=TODAY + DAY, new_date=TODAY + 4 * DAY, near_due=True)
    assert workflow.check("apologise", 2, "chuyen_vien", **details).key == "apologise"


# ---- who never acts on dossiers -------------------------------------------------------------


@pytest.mark.parametrize("role", ["quan_tri", "quan_tri_tinh", "to_cong_nghe_so", "stranger"])
def test_administrators_and_helpers_do_nothing_on_dossiers(role: str) -> None:
    for status in Status:
        assert workflow.allowed_actions(status, role, near_due=True) == []
        for key in ACTIONS:
            assert refusal(key, status, role).problem.message == workflow.NOT_ALLOWED
    assert role not in workflow.DOSSIER_ROLES


def test_the_roles_that_act_on_dossiers() -> None:
    assert workflow.DOSSIER_ROLES == STAFF_ON_DOSSIERS


# ---- the inbox ------------------------------------------------------------------------------


def test_every_open_status_is_in_exactly_one_inbox_tab() -> None:
    tabs = workflow.INBOX_TABS
    assert [tab.key for tab in tabs] == ["moi", "dang-xu-ly", "cho-bo-sung", "cho-tra"]
    assert all(tab.label for tab in tabs)
    for status in Status:
        found = [tab.key for tab in tabs if status in tab.statuses]
        assert len(found) == (1 if workflow.is_open(status) else 0), status
    assert {tab.key: set(tab.statuses) for tab in tabs}["cho-bo-sung"] == {5}


# ---- the page never offers what the check refuses -------------------------------------------


def accepted(key: str, status: int, role: str, **details: Any) -> bool:
    try:
        workflow.check(key, status, role, **details)
    except Invalid:
        return False
    return True


def test_allowed_actions_are_exactly_those_check_accepts() -> None:
    for status in [0, *Status, 11]:
        for role in [*EVERY_ROLE, "stranger"]:
            for past in [(), ("submit", "apologise"), ("submit", "note")]:
                for late in (False, True):
                    due = TODAY - DAY if late else TODAY + 3 * DAY
                    offered = keys(
                        workflow.allowed_actions(status, role, past_actions=past, near_due=late)
                    )
                    for key in ACTIONS:
                        by_date = good(due=due, past_actions=past)
                        by_flag = good(due=None, past_actions=past, near_due=late)
                        for details in (by_date, by_flag):
                            context = (key, status, role, past, late)
                            assert accepted(key, status, role, **details) == (key in offered), (
                                context
                            )


MESSAGES = {
    value
    for name, value in vars(workflow).items()
    if name.isupper() and isinstance(value, str) and value.endswith(".")
}


@settings(max_examples=300, deadline=None)
@given(
    key=st.sampled_from([*ACTIONS, "bogus"]),
    status=st.integers(0, 11),
    role=st.sampled_from([*EVERY_ROLE, "stranger"]),
    reason=st.sampled_from(["", " ", "Thiếu bản sao giấy chứng sinh"]),
    items=st.lists(st.sampled_from(["", "anh_cccd", "ho_ten"]), max_size=2),
    deadline=st.one_of(st.none(), st.integers(-3, 3).map(lambda n: TODAY + n * DAY)),
    new_date=st.one_of(st.none(), st.integers(-3, 3).map(lambda n: TODAY + n * DAY)),
    due=st.one_of(st.none(), st.integers(-3, 3).map(lambda n: TODAY + n * DAY)),
    channel=st.sampled_from(["", "tai_quay", "buu_chinh", "truc_tuyen", "fax"]),
    confirmed=st.booleans(),
    past=st.lists(st.sampled_from(["submit", "apologise", "note"]), max_size=3),
)
def test_whatever_is_typed_check_accepts_only_what_the_page_offers(
    key: str,
    status: int,
    role: str,
    reason: str,
    items: list[str],
    deadline: date | None,
    new_date: date | None,
    due: date | None,
    channel: str,
    confirmed: bool,
    past: list[str],
) -> None:
    try:
        action = workflow.check(
            key,
            status,
            role,
            reason=reason,
            items=items,
            deadline=deadline,
            new_date=new_date,
            channel=channel,
            confirmed=confirmed,
            today=TODAY,
            due=due,
            past_actions=past,
        )
    except Invalid as problem:
        assert problem.problem.message in MESSAGES
        return
    near = workflow.apology_open(status, TODAY, due, WorkCalendar())
    assert action in workflow.allowed_actions(status, role, past_actions=past, near_due=near)


def test_a_supplement_deadline_is_bounded_to_three_months() -> None:
    deadline = refusal("request_supplement", 4, "chuyen_vien", deadline=date(2026, 6, 3))
    assert deadline.problem.message == workflow.DEADLINE_TOO_LATE
    assert deadline.field == "deadline"
    assert workflow.check("request_supplement", 4, "chuyen_vien", **good(deadline=date(2026, 6, 2)))


THREE_DAYS = TimeLimit(3, "WORKING_DAY")


@pytest.mark.parametrize(
    ("due", "limit", "latest"),
    [
        # Due Friday 27/02, today Monday 02/03: counted from today, the old date being past.
        (date(2026, 2, 27), TimeLimit(20, "WORKING_DAY"), date(2026, 3, 30)),
        # Due Tuesday 03/03: 3 working days again after it, but at least 5: Tuesday 10/03.
        (TODAY + DAY, THREE_DAYS, date(2026, 3, 10)),
        (TODAY + DAY, TimeLimit(0, "WORKING_DAY"), date(2026, 3, 10)),  # same-day work
        (TODAY + DAY, TimeLimit(1, "MONTH"), date(2026, 4, 3)),
        (TODAY + DAY, None, date(2026, 4, 14)),  # no known limit: 30 working days
    ],
)
def test_an_apology_date_is_at_most_the_time_limit_again(
    due: date, limit: TimeLimit | None, latest: date
) -> None:
    assert workflow.latest_new_date(TODAY, due, WorkCalendar(), limit) == latest
    details = good(due=due, limit=limit, near_due=True, new_date=latest)
    assert workflow.check("apologise", 4, "lanh_dao", **details)
    said = refusal("apologise", 4, "lanh_dao", due=due, limit=limit, new_date=latest + DAY)
    assert said.problem.message == workflow.NEW_DATE_TOO_LATE
    assert said.problem.params == {"latest": latest.strftime("%d/%m/%Y")}
    assert said.field == "new_date"


def test_an_apology_date_years_ahead_is_refused_without_computing_with_it() -> None:
    said = refusal("apologise", 4, "lanh_dao", new_date=date(9999, 12, 31), limit=THREE_DAYS)
    assert said.problem.message == workflow.NEW_DATE_TOO_LATE
    far = date(9999, 12, 20)
    # A due date typed before the bound existed: the bound is past it, or the last date.
    assert workflow.latest_new_date(TODAY, far, WorkCalendar(), THREE_DAYS) > far
    assert workflow.latest_new_date(TODAY, far, WorkCalendar(), TimeLimit(1, "MONTH")) == date.max


@pytest.mark.parametrize(
    ("today", "due", "open_"),
    [
        (date(2026, 3, 5), date(2026, 3, 6), True),  # Thursday, due Friday: one day before
        (date(2026, 3, 4), date(2026, 3, 6), False),  # two working days before: not yet
        (date(2026, 3, 6), date(2026, 3, 6), True),  # due today
        (date(2026, 3, 9), date(2026, 3, 6), True),  # late
        (date(2026, 3, 6), date(2026, 3, 9), True),  # Friday, due Monday
        (date(2026, 3, 7), date(2026, 3, 9), True),  # the Saturday between
        (date(2026, 3, 5), date(2026, 3, 9), False),  # Thursday, due Monday
        (date(2026, 4, 29), date(2026, 5, 4), True),  # 30/04 and 01/05 off between
        (date(2027, 2, 3), date(2027, 2, 11), True),  # Tết 2027 between
        (date(2027, 2, 2), date(2027, 2, 11), False),
    ],
)
def test_an_apology_may_be_made_from_one_working_day_before_the_due_date(
    today: date, due: date, open_: bool
) -> None:
    assert workflow.apology_open(4, today, due, WorkCalendar()) is open_
    details = good(today=today, due=due, new_date=due + 4 * DAY, limit=THREE_DAYS)
    if not WorkCalendar().is_working_day(details["new_date"]):
        details["new_date"] = WorkCalendar().next_working_day(details["new_date"])
    if open_:
        assert workflow.check("apologise", 4, "lanh_dao", **details).key == "apologise"
    else:
        assert refusal("apologise", 4, "lanh_dao", **details).problem.message == workflow.NOT_LATE


@pytest.mark.parametrize("status", [3, 7, 8, 9, 10])
def test_no_apology_window_for_a_dossier_not_being_worked_on(status: int) -> None:
    assert not workflow.apology_open(status, TODAY, TODAY, WorkCalendar())
    assert not workflow.apology_open(4, TODAY, None, WorkCalendar())


# ---- transfers ------------------------------------------------------------------------------


def test_a_transfer_goes_to_another_commune_of_the_province() -> None:
    action = workflow.check("transfer", Status.RECEIVED, "tiep_nhan", **good())
    assert action.slip == "06" and action.target is None and action.public
    assert workflow.next_status("transfer", Status.NEW) == Status.NEW
    assert workflow.next_status("transfer", Status.RECEIVED) == Status.RECEIVED


@pytest.mark.parametrize(
    ("unit", "message"),
    [
        (None, workflow.UNIT_MISSING),
        (TAN_SON, workflow.UNIT_SAME),  # the commune holding it
        (26734, workflow.UNIT_UNKNOWN),  # a ward of Hồ Chí Minh City
        (99999, workflow.UNIT_UNKNOWN),  # no such unit
    ],
)
def test_a_transfer_to_an_unknown_foreign_or_own_unit_is_refused_by_the_field(
    unit: int | None, message: str
) -> None:
    refused = refusal("transfer", Status.NEW, "tiep_nhan", unit=unit)
    assert (refused.problem.message, refused.field) == (message, "unit")


def test_a_transfer_needs_its_reason_and_the_papers_received() -> None:
    refused = refusal("transfer", Status.NEW, "tiep_nhan", reason="  ")
    assert refused.field == "reason"
    refused = refusal("transfer", Status.NEW, "lanh_dao", papers=[" "])
    assert (refused.problem.message, refused.field) == (workflow.PAPERS_MISSING, "papers")


@pytest.mark.parametrize("status", [4, 5, 6, 9, 10, 3, 7, 8])
def test_once_work_has_started_the_dossier_stays_where_it_is(status: int) -> None:
    assert refusal("transfer", status, "tiep_nhan").problem.message == workflow.WRONG_STATUS


@pytest.mark.parametrize("role", ["chuyen_vien", "quan_tri", "to_cong_nghe_so", CITIZEN])
def test_only_reception_transfers(role: str) -> None:
    assert refusal("transfer", Status.NEW, role).problem.message == workflow.NOT_ALLOWED
