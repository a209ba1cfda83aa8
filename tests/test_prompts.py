"""The sentences the skill builds, read without a request (skill.prompts)."""

from __future__ import annotations

from skill import prompts
from skill.content import ItemKind, QuizItem
from skill.dialog import dialog_for
from skill.marking import Mark
from skill.progress import Summary
from skill.quiz import Given, Outcome, Phase, QuizState

DIALOG = dialog_for("en-GB", lambda variants: variants[0])

CHOICE = QuizItem(
    id="q1",
    kind=ItemKind.CHOICE,
    section="s",
    facts=("f1",),
    question="Which year was the treaty signed?",
    answer="1950",
    why="It was signed in Moscow.",
    hint="Think of the start of the decade.",
    options=("1949", "1950", "1953"),
)


def test_a_half_mark_is_said_as_a_half():
    assert prompts.spoken_score(DIALOG, 2.5) == "2 and a half"
    assert prompts.spoken_score(DIALOG, 3.0) == "3"


def test_a_choice_question_reads_its_options_as_a_list_ending_in_a_question():
    said = prompts.quiz_question(DIALOG, CHOICE)
    assert said == "Which year was the treaty signed? A, 1949. B, 1950. Or C, 1953?"


def test_a_wrong_multi_point_answer_says_what_counted_and_what_was_missed_then_why():
    item = CHOICE._replace(kind=ItemKind.MULTI, options=())
    mark = Mark(
        correct=False, score=0.5, matched_points=("The loan",), missed_points=("Soviet advisers",)
    )
    said = prompts.feedback(DIALOG, item, Given("q1", Outcome.PARTLY, 0.5), mark)
    assert said[1:] == [
        "You got the loan.",
        "You missed Soviet advisers.",
        "It was signed in Moscow.",
    ]


def test_a_skipped_question_gives_the_answer_inside_a_sentence():
    said = prompts.feedback(DIALOG, CHOICE, Given("q1", Outcome.SKIPPED, 0.0), None)
    assert "The answer is 1950." in said


def test_the_score_so_far_waits_for_a_first_answer():
    fresh = QuizState(Phase.ASKING, ("q1", "q2"))
    assert prompts.score_so_far(DIALOG, fresh) == []
    one_in = fresh._replace(index=1, score=1.0)
    assert prompts.score_so_far(DIALOG, one_in) == ["You have 1 out of 1 so far."]


def test_progress_with_nothing_asked_says_how_to_start():
    said = prompts.progress_report(DIALOG, None, None, None)
    assert said == [DIALOG.text("progress_none")]


def test_progress_names_the_weakest_section_only_when_one_stands_out():
    summary = Summary(secure=3, total=21, weakest_section="split", learning=2, untried=16)
    with_weak = prompts.progress_report(DIALOG, summary, "The split", None)
    without = prompts.progress_report(DIALOG, summary, None, None)
    assert "The split" in with_weak[-1]
    assert without[-1] == DIALOG.text("progress_no_weak")
