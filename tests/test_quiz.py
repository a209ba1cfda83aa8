"""The quiz rules, as pure code: state in, new state out."""

import pytest

from skill import quiz
from skill.content import ItemKind, Point, QuizItem
from skill.quiz import Outcome, Phase


def item(item_id: str, facts: tuple[str, ...], section: str = "treaty", **kw) -> QuizItem:
    defaults = dict(
        kind=ItemKind.SHORT,
        question=f"Question {item_id}?",
        answer="stalin",
        why="Because.",
        hint="A Soviet leader.",
    )
    return QuizItem(id=item_id, section=section, facts=facts, **{**defaults, **kw})


ITEMS = (
    item("a", ("F1",), section="overview"),
    item("b", ("F2",)),
    item("c", ("F3", "F4")),
    item("d", ("F4",)),
    item(
        "m",
        ("F5",),
        section="politics",
        kind=ItemKind.MULTI,
        answer="the loan and the agents",
        points=(Point("a loan", ("loan",)), Point("agents disclosed", ("agents",))),
        needed=2,
    ),
)
BY_ID = {i.id: i for i in ITEMS}


def test_question_count_defaults_to_five_and_stays_within_what_there_is():
    assert quiz.question_count(None, 20) == quiz.DEFAULT_QUESTIONS
    assert quiz.question_count(3, 20) == 3
    assert quiz.question_count(50, 20) == quiz.MAX_QUESTIONS
    assert quiz.question_count(0, 20) == 1
    assert quiz.question_count(8, 4) == 4


def test_items_testing_the_earliest_facts_in_the_order_come_first():
    chosen = quiz.choose_items(ITEMS, ["F4", "F2", "F1", "F3", "F5"], 3)
    assert chosen[0] in {"c", "d"}
    assert "b" in chosen
    assert len(chosen) == len(set(chosen)) == 3


def test_one_item_per_fact_before_any_repeats():
    # "d" tests only F4, which "c" already covers, so a new fact comes before it.
    assert quiz.choose_items(ITEMS, ["F4", "F3"], 2) == ("c", "a")


def test_a_section_quiz_asks_only_that_section():
    assert set(quiz.choose_items(ITEMS, [], 5, section="treaty")) == {"b", "c", "d"}


def test_an_empty_quiz_is_refused():
    with pytest.raises(ValueError):
        quiz.start([])


def test_a_right_answer_scores_and_moves_on():
    state = quiz.start(["a", "b"])
    step = quiz.answer(state, BY_ID["a"], "joseph stalin", {})
    assert step.given.outcome is Outcome.RIGHT
    assert step.state.score == 1 and step.state.index == 1
    assert quiz.number(step.state) == (2, 2)
    assert not step.finished
    assert state.index == 0  # the old state is untouched


def test_a_wrong_answer_scores_nothing():
    step = quiz.answer(quiz.start(["a"]), BY_ID["a"], "lenin", {})
    assert step.given.outcome is Outcome.WRONG and step.state.score == 0


def test_a_hint_costs_the_point_but_the_answer_is_still_right():
    state = quiz.take_hint(quiz.start(["a", "b"]))
    step = quiz.answer(state, BY_ID["a"], "stalin", {})
    assert step.given.outcome is Outcome.RIGHT and step.given.hinted
    assert step.state.score == 0
    assert not step.state.hinted  # the next question starts without a hint


def test_a_multi_point_answer_gets_partial_credit():
    step = quiz.answer(quiz.start(["m"]), BY_ID["m"], "there was a loan", {})
    assert step.given.outcome is Outcome.PARTLY
    assert step.state.score == pytest.approx(0.5)
    assert step.mark is not None and step.mark.missed_points == ("agents disclosed",)


def test_skipping_reveals_and_moves_on_with_no_point():
    step = quiz.skip(quiz.start(["a", "b"]))
    assert step.given.outcome is Outcome.SKIPPED and step.mark is None
    assert step.state.index == 1 and step.state.score == 0


def test_the_last_answer_finishes_the_quiz():
    step = quiz.skip(quiz.start(["a"]))
    assert step.finished and step.state.phase is Phase.FINISHED
    assert quiz.remaining(step.state) == 0


def test_remaining_counts_the_current_question():
    assert quiz.remaining(quiz.start(["a", "b", "c"])) == 3


def test_asking_to_leave_remembers_the_question_and_staying_forgets_it():
    state = quiz.ask_to_leave(quiz.start(["a"]), "treaty-terms")
    assert state.phase is Phase.CONFIRM_LEAVE and state.leave_for == "treaty-terms"
    back = quiz.stay(state)
    assert back.phase is Phase.ASKING and back.leave_for is None


def test_the_weakest_section_is_where_most_points_were_lost():
    state = quiz.start(["a", "b", "d"])
    state = quiz.answer(state, BY_ID["a"], "stalin", {}).state
    state = quiz.skip(state).state
    state = quiz.answer(state, BY_ID["d"], "lenin", {}).state
    assert quiz.weakest_section(state, BY_ID.__getitem__) == "treaty"


def test_no_weakest_section_after_a_perfect_quiz():
    state = quiz.answer(quiz.start(["a"]), BY_ID["a"], "stalin", {}).state
    assert quiz.weakest_section(state, BY_ID.__getitem__) is None
