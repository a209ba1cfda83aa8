"""The progress model: recording answers, quiz order, securing, summaries, merging, stored form."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skill.progress import (
    FactRecord,
    Progress,
    Summary,
    is_secure,
    merge,
    order_for_quiz,
    record_answer,
    summarise,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FACTS = ["F1", "F2", "F3", "F4", "F5"]


def answers(*steps: tuple[str, bool, timedelta]) -> Progress:
    """Progress after the given (fact, correct, time after T0) answers."""
    progress = Progress()
    for fact, correct, after in steps:
        progress = record_answer(progress, [fact], correct, T0 + after)
    return progress


def all_right(facts: list[str], at: datetime) -> Progress:
    progress = Progress()
    for fact in facts:
        progress = record_answer(progress, [fact], True, at)
    return progress


# record_answer


def test_a_right_answer_is_counted_and_checked_again_the_next_day() -> None:
    record = record_answer(Progress(), ["F1"], True, T0).facts["F1"]
    assert (record.right, record.wrong, record.last_right) == (1, 0, True)
    assert record.last_asked == T0
    assert record.due == T0 + timedelta(days=1)


def test_a_wrong_answer_is_counted_and_comes_back_in_ten_minutes() -> None:
    record = record_answer(Progress(), ["F1"], False, T0).facts["F1"]
    assert (record.right, record.wrong, record.last_right) == (0, 1, False)
    assert record.due == T0 + timedelta(minutes=10)


def test_a_right_answer_after_a_hint_counts_as_not_right_and_comes_back_between() -> None:
    hinted = record_answer(Progress(), ["F1"], True, T0, hint=True).facts["F1"]
    wrong = record_answer(Progress(), ["F1"], False, T0).facts["F1"]
    right = record_answer(Progress(), ["F1"], True, T0).facts["F1"]
    assert (hinted.right, hinted.wrong, hinted.last_right) == (0, 1, False)
    assert wrong.due < hinted.due < right.due


def test_record_answer_returns_new_progress_and_leaves_the_old_alone() -> None:
    before = record_answer(Progress(), ["F1"], True, T0)
    after = record_answer(before, ["F1", "F2", "F1"], False, T0 + timedelta(days=1))
    assert before.facts["F1"].right == 1 and "F2" not in before.facts
    assert after.facts["F1"].wrong == 1  # a repeated id is one answer, not two
    assert after.facts["F2"].wrong == 1


@given(
    history=st.lists(
        st.tuples(st.sampled_from(FACTS), st.booleans(), st.integers(0, 60 * 24 * 30)),
        max_size=8,
    ),
    tested=st.lists(st.sampled_from(FACTS), min_size=1, max_size=5),
    correct=st.booleans(),
    hint=st.booleans(),
)
def test_an_answer_testing_several_facts_schedules_each_as_if_answered_alone(
    history: list[tuple[str, bool, int]], tested: list[str], correct: bool, hint: bool
) -> None:
    # Facts asked together share a card, which is reviewed once: the plan must be the same.
    steps = sorted(history, key=lambda step: step[2])
    progress = answers(*((fact, right, timedelta(minutes=m)) for fact, right, m in steps))
    now = T0 + timedelta(days=31)
    together = record_answer(progress, tested, correct, now, hint=hint)
    for fact in tested:
        alone = record_answer(progress, [fact], correct, now, hint=hint)
        assert together.facts[fact].to_dict() == alone.facts[fact].to_dict()


def test_progress_cannot_be_changed_in_place() -> None:
    progress = record_answer(Progress(), ["F1"], True, T0)
    with pytest.raises(TypeError):
        progress.facts["F2"] = progress.facts["F1"]  # type: ignore[index]


def test_times_in_other_zones_are_stored_as_utc_and_naive_times_refused() -> None:
    paris = T0.astimezone(timezone(timedelta(hours=1)))
    assert record_answer(Progress(), ["F1"], True, paris).facts["F1"].last_asked.tzinfo is UTC
    with pytest.raises(ValueError, match="timezone-aware"):
        record_answer(Progress(), ["F1"], True, T0.replace(tzinfo=None))


# order_for_quiz


def test_with_nothing_asked_the_given_order_is_kept() -> None:
    assert order_for_quiz(Progress(), FACTS, T0) == FACTS
    assert order_for_quiz(Progress(), FACTS[::-1], T0) == FACTS[::-1]


def test_a_wrong_answer_makes_the_fact_come_first_next_time() -> None:
    progress = all_right(FACTS, T0)
    progress = record_answer(progress, ["F3"], False, T0 + timedelta(minutes=1))
    assert order_for_quiz(progress, FACTS, T0 + timedelta(minutes=2))[0] == "F3"
    assert order_for_quiz(progress, FACTS, T0 + timedelta(hours=2))[0] == "F3"
    assert order_for_quiz(progress, FACTS, T0 + timedelta(days=3))[0] == "F3"


def test_a_right_answer_pushes_the_fact_later() -> None:
    progress = Progress()
    for fact in FACTS:
        progress = record_answer(progress, [fact], False, T0)
    progress = record_answer(progress, ["F1"], True, T0 + timedelta(minutes=1))
    assert order_for_quiz(progress, FACTS, T0 + timedelta(hours=1)) == [*FACTS[1:], "F1"]


def test_missed_then_due_facts_lead_with_new_ones_mixed_in() -> None:
    progress = answers(("F1", True, timedelta(0)), ("F2", False, timedelta(0)))
    order = order_for_quiz(progress, ["F1", "F2", "F3", "F4", "F5"], T0 + timedelta(days=2))
    assert order == ["F2", "F1", "F3", "F4", "F5"]


def test_a_new_fact_comes_after_every_second_one_with_history() -> None:
    progress = answers(*((f, False, timedelta(0)) for f in ("F1", "F2", "F3", "F4")))
    order = order_for_quiz(progress, [*FACTS, "F6", "F7"], T0 + timedelta(days=2))
    assert order == ["F1", "F2", "F5", "F3", "F4", "F6", "F7"]


def test_missed_facts_come_before_facts_never_asked() -> None:
    progress = answers(("F3", False, timedelta(0)))
    assert order_for_quiz(progress, FACTS, T0 + timedelta(days=7))[:2] == ["F3", "F1"]


def test_due_facts_come_most_overdue_first_then_the_rest_soonest_due_first() -> None:
    progress = answers(
        ("F1", True, timedelta(hours=2)),
        ("F2", True, timedelta(0)),  # due a day later: more overdue than F1
        ("F3", True, timedelta(days=3)),  # due the day after "now": not yet due
        ("F4", True, timedelta(days=2, hours=12)),  # not yet due, but sooner than F3
    )
    order = order_for_quiz(progress, ["F1", "F2", "F3", "F4"], T0 + timedelta(days=3, hours=1))
    assert order == ["F2", "F1", "F4", "F3"]


def test_order_lists_each_given_fact_once_and_only_given_facts() -> None:
    progress = all_right(["F1", "F9"], T0)
    assert order_for_quiz(progress, ["F2", "F1", "F2"], T0) == ["F2", "F1"]


# is_secure


def test_one_right_answer_is_not_yet_secure_two_are() -> None:
    once = record_answer(Progress(), ["F1"], True, T0)
    twice = record_answer(once, ["F1"], True, T0 + timedelta(minutes=5))
    assert not is_secure(once.facts["F1"], T0 + timedelta(minutes=5))
    assert is_secure(twice.facts["F1"], T0 + timedelta(minutes=6))


def test_a_wrong_or_hinted_answer_makes_a_secure_fact_insecure() -> None:
    secure = answers(("F1", True, timedelta(0)), ("F1", True, timedelta(days=1)))
    later = T0 + timedelta(days=2)
    assert is_secure(secure.facts["F1"], later)
    assert not is_secure(record_answer(secure, ["F1"], False, later).facts["F1"], later)
    hinted = record_answer(secure, ["F1"], True, later, hint=True)
    assert not is_secure(hinted.facts["F1"], later)


def test_right_twice_but_not_in_a_row_is_not_secure() -> None:
    progress = answers(
        ("F1", True, timedelta(0)),
        ("F1", False, timedelta(minutes=1)),
        ("F1", True, timedelta(minutes=20)),
    )
    assert progress.facts["F1"].right == 2
    assert not is_secure(progress.facts["F1"], T0 + timedelta(minutes=21))


def test_a_secure_fact_left_unrevised_stops_being_secure() -> None:
    record = answers(("F1", True, timedelta(0)), ("F1", True, timedelta(days=1))).facts["F1"]
    assert is_secure(record, record.due)
    assert not is_secure(record, record.due + timedelta(days=30))


# summarise

SECTIONS = {"treaty": ["F1", "F2"], "crisis": ["F3", "F4"], "thaw": ["F5"]}


def secured(facts: list[str]) -> Progress:
    """Each fact answered right twice, so secure."""
    progress = all_right(facts, T0)
    for fact in facts:
        progress = record_answer(progress, [fact], True, T0 + timedelta(minutes=5))
    return progress


def test_summary_counts_secure_learning_and_untried_facts_and_the_weakest_section() -> None:
    progress = secured(["F1", "F2", "F3"])
    progress = record_answer(progress, ["F4"], False, T0)
    summary = summarise(progress, SECTIONS, T0 + timedelta(hours=1))
    assert summary == Summary(secure=3, total=5, weakest_section="crisis", learning=1, untried=1)


def test_summary_with_nothing_asked_has_no_weakest_section() -> None:
    assert summarise(Progress(), SECTIONS, T0) == Summary(0, 5, None, 0, 5)


def test_nothing_stands_out_when_no_fact_was_last_answered_wrong() -> None:
    progress = all_right(["F1", "F3"], T0)
    assert summarise(progress, SECTIONS, T0).weakest_section is None


def test_between_equally_weak_sections_the_one_practised_least_is_named() -> None:
    progress = record_answer(Progress(), ["F1"], False, T0)
    progress = record_answer(progress, ["F3"], False, T0)
    progress = record_answer(progress, ["F3"], False, T0 + timedelta(minutes=1))
    assert summarise(progress, SECTIONS, T0 + timedelta(minutes=2)).weakest_section == "treaty"
    # A section's shared facts count once, and a larger share missed outweighs practice.
    progress = record_answer(progress, ["F2"], True, T0 + timedelta(minutes=3))
    assert summarise(progress, SECTIONS, T0 + timedelta(minutes=4)).weakest_section == "crisis"


# merge


def test_merge_keeps_facts_from_both_sides() -> None:
    stored = all_right(["F1"], T0)
    incoming = all_right(["F2"], T0)
    assert merge(stored, incoming).facts.keys() == {"F1", "F2"}


def test_merge_takes_the_later_answer_to_the_same_fact_whichever_side_has_it() -> None:
    earlier = answers(("F1", True, timedelta(0)))
    later = answers(("F1", False, timedelta(minutes=1)))
    assert merge(earlier, later).facts["F1"] == later.facts["F1"]
    assert merge(later, earlier).facts["F1"] == later.facts["F1"]


def test_merge_prefers_incoming_on_a_tie() -> None:
    stored = answers(("F1", True, timedelta(0)))
    incoming = answers(("F1", False, timedelta(0)))
    assert merge(stored, incoming).facts["F1"] == incoming.facts["F1"]


# stored form


def test_round_trip_through_json() -> None:
    progress = answers(
        ("F1", True, timedelta(0)), ("F1", True, timedelta(days=1)), ("F2", False, timedelta(0))
    )
    assert Progress.from_dict(json.loads(json.dumps(progress.to_dict()))) == progress


def test_the_form_written_out_is_the_stored_form_and_a_copy_changed_leaves_it_alone() -> None:
    progress = answers(("F1", True, timedelta(0)), ("F2", False, timedelta(minutes=1)))
    assert progress.stored_form() == progress.to_dict()
    copy = progress.to_dict()
    copy["facts"]["F1"]["card"]["stability"] = 99.0
    copy["facts"]["F1"]["right"] = 99
    assert progress.stored_form() == Progress.from_dict(progress.stored_form()).to_dict()
    assert progress.stored_form()["facts"]["F1"]["right"] == 1


@given(st.lists(st.tuples(st.sampled_from(["F1", "F2", "F3"]), st.booleans(), st.booleans())))
def test_an_answer_is_stored_as_its_record_made_afresh_would_store_it(said: list) -> None:
    progress, now = Progress(), datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    for number, (fact, correct, hint) in enumerate(said):
        when = now + timedelta(minutes=number)
        progress = record_answer(progress, [fact, "F4"], correct, when, hint=hint)
    for record in progress.facts.values():  # as the same record made afresh writes itself
        fresh = FactRecord(*(getattr(record, f.name) for f in dataclasses.fields(FactRecord)))
        assert record.to_dict() == fresh.to_dict()


def good_record() -> dict:
    return answers(("F1", True, timedelta(0))).to_dict()["facts"]["F1"]


def with_card(**changes: object) -> dict:
    record = good_record()
    return {**record, "card": {**record["card"], **changes}}


@pytest.mark.parametrize(
    "data",
    [None, [], "progress", 7, {"facts": []}, {"facts": "F1"}, {}],
)
def test_from_dict_of_junk_is_empty_progress(data: object) -> None:
    assert Progress.from_dict(data) == Progress()


@pytest.mark.parametrize(
    "record",
    [
        None,
        [],
        {},
        {**good_record(), "right": "2"},
        {**good_record(), "wrong": -1},
        {**good_record(), "right": True},
        {**good_record(), "last_right": "yes"},
        {**good_record(), "last_asked": "2026-03-02T09:00:00"},  # no zone
        {**good_record(), "last_asked": "yesterday"},
        {**good_record(), "last_asked": "9999-12-31T23:00:00-05:00"},  # past year 9999 in UTC
        {**good_record(), "card": "card"},
        {k: v for k, v in good_record().items() if k != "card"},
        with_card(state=9),
        with_card(state="2"),
        with_card(step=None),  # a Learning card always has a step
        with_card(state=2),  # a Review card never has one
        with_card(step=-1),
        with_card(stability=float("nan")),
        with_card(stability=0),
        with_card(difficulty=None),
        with_card(due=None),
        with_card(last_review="last week"),
        with_card(card_id="x"),
    ],
)
def test_from_dict_drops_a_tampered_record_and_keeps_the_rest(record: object) -> None:
    data = {"version": 1, "facts": {"F1": record, "F2": good_record()}, "extra": [1]}
    progress = Progress.from_dict(data)
    assert list(progress.facts) == ["F2"]
    assert progress.facts["F2"].fact == "F2"


def test_from_dict_drops_records_under_keys_that_are_not_fact_ids() -> None:
    assert Progress.from_dict({"facts": {"": good_record()}}) == Progress()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)
record_fields = st.sampled_from(["card", "last_asked", "last_right", "right", "wrong"])
card_fields = st.sampled_from(
    ["card_id", "state", "step", "stability", "difficulty", "due", "last_review"]
)


@given(json_values)
def test_from_dict_never_raises(data: object) -> None:
    Progress.from_dict(data)
    Progress.from_dict({"facts": data})
    Progress.from_dict({"facts": {"F1": data}})


@given(st.one_of(record_fields, card_fields), json_values | st.just(good_record()["card"]["due"]))
def test_whatever_from_dict_keeps_can_be_used(name: str, value: object) -> None:
    record = good_record()
    if name in record:
        record[name] = value
    else:
        record["card"][name] = value
    progress = Progress.from_dict({"facts": {"F1": record}})
    later = T0 + timedelta(days=2)
    progress = record_answer(progress, ["F1"], True, later)
    assert order_for_quiz(progress, ["F1"], later) == ["F1"]
    summarise(progress, {"s": ["F1"]}, later)
    assert isinstance(progress.facts["F1"], FactRecord)


def test_the_request_time_is_read_in_utc_whatever_zone_the_serializer_gave_it() -> None:
    """Alexa's "Z" timestamps come from the serializer in dateutil's zones (as the SDK's own
    serializer reads them); scheduling gets the same instant in datetime.UTC."""
    from types import SimpleNamespace

    from skill.handlers.common import now_of
    from skill.serializer import FastSerializer

    for stamp in ("2026-03-01T12:30:00Z", "2026-03-01T13:30:00+01:00"):
        read = FastSerializer().deserialize(json.dumps(stamp), "datetime")
        assert read.tzinfo is not UTC  # dateutil's
        handler_input = SimpleNamespace(
            request_envelope=SimpleNamespace(request=SimpleNamespace(timestamp=read))
        )
        now = now_of(handler_input)  # type: ignore[arg-type]
        assert now == datetime(2026, 3, 1, 12, 30, tzinfo=UTC) and now.tzinfo is UTC
