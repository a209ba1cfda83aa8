"""The quiz, turn by turn, through the simulator: what the student hears and what is kept."""

from __future__ import annotations

import json
import random

import pytest

from skill import intents
from skill.content import ItemKind, QuizItem, default_content
from skill.dialog import dialog_for
from skill.tools.eval_quizzes import evaluate as evaluate_quizzes
from skill.tools.eval_quizzes import right_answer
from skill.tools.simulator import SIMULATED_USER_ID

DIALOG = dialog_for("en-GB")
CONTENT = default_content()
if not CONTENT.items:
    pytest.skip("the content has no quiz items", allow_module_level=True)


def said(turn, key: str) -> bool:
    """Whether the turn said one of the variants of a dialog key (the text before any field)."""
    return DIALOG.said(turn.speech, key)


def quiz_of(turn) -> dict | None:
    return turn.session_attributes.get("state", {}).get("quiz")


def current_item(turn) -> QuizItem:
    quiz = quiz_of(turn)
    return CONTENT.item(quiz["items"][quiz["index"]])


WRONG = "the treaty of versailles"


def start(talk, words: str = "quiz me"):
    talk.launch()
    turn = talk.say(words)
    assert quiz_of(turn)["phase"] == "asking"
    return turn


def run_quiz(talk, answer) -> list:
    """Answer every question with answer(item); return the turns."""
    turn = start(talk)
    turns = [turn]
    while quiz_of(turn)["phase"] == "asking":
        turn = talk.intent(intents.ANSWER, answer=answer(current_item(turn)))
        turns.append(turn)
    return turns


def test_quiz_me_asks_the_first_of_five_numbered_questions(talk):
    turn = start(talk)
    assert "Question 1 of 5." in turn.speech
    item = current_item(turn)
    assert item.question in turn.speech
    assert DIALOG.variants("quiz_reprompt")[0] in turn.reprompt
    assert turn.reprompt.endswith("?")


def test_a_choice_question_reads_its_options_as_a_b_or_c(talk):
    turn = start(talk, "quiz me with ten questions")
    for _ in range(10):
        item = current_item(turn)
        if item.kind is ItemKind.CHOICE:
            a, b, c = quiz_of(turn)["options"]  # as read out: the answer and two wrong ones
            assert f"A, {a}. B, {b}. Or C, {c}?" in turn.speech
            assert item.answer in (a, b, c) and {a, b, c} <= {item.answer, *item.wrong_options}
            return
        turn = talk.say("skip")
    pytest.skip("no choice item in the first ten questions")


def test_all_right_scores_full_marks_and_offers_another_quiz(talk):
    turns = run_quiz(talk, right_answer)
    for turn in turns[1:]:
        assert said(turn, "right"), turn.speech
    last = turns[-1]
    assert "You scored 5 out of 5." in last.speech
    assert said(last, "perfect") and said(last, "another_quiz")
    assert quiz_of(last)["phase"] == "finished"
    assert (
        "Question 3 of 5." in turns[2].speech and "You have 2 out of 2 so far." in turns[2].speech
    )


def test_all_wrong_gives_the_answers_a_zero_and_the_section_to_revise(talk):
    turns = run_quiz(talk, lambda item: WRONG)
    for turn, asked in zip(turns[1:], turns, strict=False):
        item = current_item(asked)
        assert said(turn, "wrong") or said(turn, "partly")
        assert item.why in turn.speech
        if item.kind is ItemKind.MULTI:
            assert all(point.text in turn.speech for point in item.points)
        else:
            assert item.answer in turn.speech
    last = turns[-1]
    assert "You scored 0 out of 5." in last.speech
    assert any(section.title in last.speech for section in CONTENT.sections)


def test_skip_reveals_the_answer_and_moves_on_without_a_point(talk):
    turn = start(talk)
    item = current_item(turn)
    turn = talk.say("i don't know")
    assert turn.intent == intents.DONT_KNOW
    assert said(turn, "skipped") and right_answer(item).split()[0] in turn.speech
    assert quiz_of(turn)["index"] == 1 and quiz_of(turn)["score"] == 0


def test_a_hint_helps_but_costs_the_point(talk):
    turn = start(talk)
    item = current_item(turn)
    turn = talk.say("give me a hint")
    assert item.hint in turn.speech and item.question in turn.speech
    turn = talk.intent(intents.ANSWER, answer=right_answer(item))
    assert said(turn, "right_after_hint")
    assert quiz_of(turn)["score"] == 0 and quiz_of(turn)["index"] == 1


def test_how_many_left_counts_the_current_question(talk):
    start(talk)
    talk.say("skip")
    turn = talk.say("how many questions are left")
    assert "There are 4 questions left" in turn.speech
    assert quiz_of(turn)["index"] == 1


@pytest.mark.parametrize(
    ("words", "key"),
    [("help", "quiz_help"), ("repeat the question", None), ("what can i ask about", "quiz_later")],
)
def test_help_and_repeat_keep_the_quiz_and_ask_the_question_again(talk, words, key):
    first = start(talk)
    item = current_item(first)
    turn = talk.say(words)
    if key:
        assert said(turn, key)
    assert item.question in turn.speech and "Question 1 of 5." in turn.speech
    assert quiz_of(turn)["index"] == 0


def test_fallback_mid_quiz_keeps_the_quiz(talk):
    first = start(talk)
    turn = talk.intent(intents.FALLBACK)
    assert said(turn, "quiz_fallback")
    assert quiz_of(turn)["items"] == quiz_of(first)["items"]


def test_a_revision_question_mid_quiz_asks_before_leaving(talk):
    first = start(talk)
    turn = talk.say("what were the terms of the treaty of friendship")
    assert said(turn, "confirm_leave")
    assert quiz_of(turn)["phase"] == "confirm_leave"
    back = talk.say("no")
    assert said(back, "back_to_quiz") and current_item(first).question in back.speech
    assert quiz_of(back)["phase"] == "asking"
    talk.say("what were the terms of the treaty of friendship")
    left = talk.say("yes")
    assert "300 million" in left.speech
    assert quiz_of(left) is None


def test_stop_the_quiz_gives_the_score_and_goes_back_to_questions(talk):
    turn = start(talk)
    talk.intent(intents.ANSWER, answer=right_answer(current_item(turn)))
    turn = talk.say("stop the quiz")
    assert said(turn, "quiz_stopped") and "You have 1 out of 1 so far." in turn.speech
    assert quiz_of(turn) is None and turn.end_session is False
    assert "300 million" in talk.say("how big was the loan").speech


def test_stop_mid_quiz_says_goodbye(talk):
    start(talk)
    turn = talk.say("stop")
    assert said(turn, "goodbye") and turn.end_session is True


def test_quiz_on_a_topic_asks_only_that_section(talk):
    turn = start(talk, "quiz me on the treaty of friendship")
    section = CONTENT.entry("treaty").section
    assert said(turn, "quiz_start_section")
    for item_id in quiz_of(turn)["items"]:
        assert CONTENT.item(item_id).section == section


@pytest.mark.parametrize(("words", "entry"), [("the loan", "treaty-loan"), ("the split", "split")])
def test_a_topic_in_other_words_is_found_by_the_matcher(talk, words, entry):
    turn = start(talk, f"quiz me on {words}")
    section = CONTENT.entry(entry).section
    assert all(CONTENT.item(i).section == section for i in quiz_of(turn)["items"])


def test_a_topic_with_too_few_questions_is_topped_up_from_the_nearest(talk):
    turn = start(talk, "quiz me on the overview")
    assert said(turn, "quiz_start_topped_up")
    sections = [CONTENT.item(i).section for i in quiz_of(turn)["items"]]
    assert len(sections) == 5 and sections.count("overview") == 2
    # The next section in teaching order comes next: the treaty.
    assert sections[2:] == ["treaty"] * 3


def test_the_number_of_questions_can_be_chosen(talk):
    turn = start(talk, "give me three questions")
    assert "Question 1 of 3." in turn.speech
    assert len(quiz_of(turn)["items"]) == 3


def test_yes_to_another_quiz_starts_one_and_no_goes_back_to_questions(talk):
    run_quiz(talk, right_answer)
    assert "Question 1 of 5." in talk.say("yes").speech
    run_quiz(talk, right_answer)
    turn = talk.say("no")
    assert said(turn, "home") and quiz_of(turn) is None and turn.end_session is False


@pytest.mark.parametrize("words", ["give me a hint", "how many left", "stop the quiz", "skip"])
def test_quiz_commands_without_a_quiz_say_how_to_start_one(talk, words):
    talk.launch()
    turn = talk.say(words)
    assert said(turn, "not_in_quiz")


def test_the_next_session_starts_with_the_facts_missed_in_the_last(talk, clock):
    turns = run_quiz(talk, lambda item: WRONG)
    missed = {
        fact for item_id in quiz_of(turns[0])["items"] for fact in CONTENT.item(item_id).facts
    }
    talk.say("stop")
    clock.advance(days=7)
    turn = start(talk)
    assert set(current_item(turn).facts) & missed


def test_a_second_quiz_in_the_same_week_asks_new_facts_first(talk):
    first = run_quiz(talk, right_answer)
    asked = set(quiz_of(first[0])["items"])
    turn = talk.say("yes")
    assert not asked & set(quiz_of(turn)["items"])


def test_how_am_i_doing_before_and_after_a_quiz(talk):
    talk.launch()
    assert said(talk.say("how am i doing"), "progress_none")
    run_quiz(talk, lambda item: WRONG)
    turn = talk.say("how am i doing")
    assert said(turn, "progress_session") and "you scored 0 out of 5" in turn.speech
    assert "you have 0 facts secure" in turn.speech and said(turn, "progress_weakest")
    assert any(section.title in turn.speech for section in CONTENT.sections)


def test_reset_asks_first_and_no_keeps_the_progress(talk):
    run_quiz(talk, right_answer)
    talk.say("no")
    assert said(talk.say("reset my progress"), "reset_confirm")
    assert said(talk.say("no"), "reset_kept")
    assert not said(talk.say("how am i doing"), "progress_none")
    talk.say("reset my progress")
    assert said(talk.say("yes"), "reset_done")
    assert said(talk.say("how am i doing"), "progress_none")


def test_a_reset_question_left_unanswered_is_forgotten(talk):
    run_quiz(talk, right_answer)
    talk.say("no")
    talk.say("reset my progress")
    talk.say("how big was the loan")
    talk.say("yes")  # not a confirmation any more
    assert not said(talk.say("how am i doing"), "progress_none")


def test_only_the_opaque_user_id_and_progress_are_stored(talk, store):
    run_quiz(talk, right_answer)
    documents = store._documents
    assert list(documents) == [SIMULATED_USER_ID]
    document = json.loads(documents[SIMULATED_USER_ID])
    assert set(document) == {"progress"}
    assert set(document["progress"]) == {"version", "facts"}
    assert all(fact.startswith("F") for fact in document["progress"]["facts"])


def test_a_returning_student_is_welcomed_back_and_offered_a_quiz(talk):
    run_quiz(talk, right_answer)
    talk.say("stop")
    turn = talk.launch()
    assert said(turn, "welcome_back") and said(turn, "launch_quiz_offer")


@pytest.mark.parametrize("words", ["how am i doing", "help", "what can i ask about"])
def test_yes_after_another_question_does_not_start_an_unoffered_quiz(talk, words):
    run_quiz(talk, right_answer)
    turn = talk.say(words)
    assert not said(turn, "another_quiz") and quiz_of(turn) is None
    assert "Question 1 of" not in talk.say("yes").speech


def test_the_answer_is_said_with_one_full_stop(talk):
    start(talk)
    assert ".." not in talk.say("skip").speech


# Full-sentence answers, as teachers train students to give them.
SENTENCE = "i think the answer is {answer} and i am fairly sure about that because we went over it in class last week"  # noqa: E501


def test_a_full_sentence_answer_of_about_25_words_is_heard_and_marked(talk):
    turn = start(talk)
    while quiz_of(turn)["phase"] == "asking":
        item = current_item(turn)
        said = SENTENCE.format(answer=right_answer(item))
        assert 20 <= len(said.split()) <= 30
        turn = talk.say(said)
        assert turn.intent == intents.ANSWER, said
        assert said_right(turn), (said, turn.speech)


def said_right(turn) -> bool:
    return said(turn, "right") or said(turn, "right_after_hint")


def test_a_partly_right_answer_says_which_points_counted(talk):
    turn = start(talk, "quiz me with ten questions")
    while current_item(turn).kind is not ItemKind.MULTI:
        turn = talk.intent(intents.ANSWER, answer=right_answer(current_item(turn)))
    item = current_item(turn)
    first = item.points[0]
    turn = talk.intent(intents.ANSWER, answer=first.accept[0])
    assert said(turn, "partly") and said(turn, "got_points") and said(turn, "missed_points")
    assert first.text.rstrip(".") in turn.speech


def test_a_misheard_right_answer_is_marked_right(talk):
    """Speech recognition writes "mistrust" as "miss trust": the sound is what counts."""
    turn = start(talk, "quiz me with ten questions")
    for _ in range(50):  # quizzes are shuffled: answer until the question comes up
        if quiz_of(turn)["phase"] == "finished":
            turn = talk.say("yes")
        if current_item(turn).answer == "mistrust":
            break
        turn = talk.intent(intents.ANSWER, answer=right_answer(current_item(turn)))
    assert current_item(turn).answer == "mistrust"
    turn = talk.say("i think it was miss trust")
    assert said_right(turn), turn.speech


def test_choice_options_are_shuffled_so_each_letter_is_right_a_third_of_the_time():
    """300 quizzes for 300 new students: the right letter, the first question and every item."""
    report = evaluate_quizzes(300, random.Random(11))
    assert all(0.25 <= report.letter_share(letter) <= 0.42 for letter in "abc"), report.letters
    assert len(report.first_questions) >= 10, report.first_questions
    assert report.asked == {item.id for item in CONTENT.items}


def asking(talk, item_id: str):
    """A quiz whose current question is the item's."""
    start(talk)
    quiz = talk.attributes["state"]["quiz"]
    quiz["items"][0], quiz["options"] = item_id, []


def test_an_answer_whose_first_word_alexa_took_for_a_carrier_is_still_right(talk):
    # "mao {answer}" is a sample for full-sentence answers: "Mao Zedong Thought" can come as
    # AnswerIntent with answer "zedong thought".
    asking(talk, "mao-thought")
    turn = talk.say("Mao Zedong Thought")
    assert turn.slots.get(intents.SLOT_ANSWER) == "zedong thought"  # as the simulator heard it
    assert quiz_of(turn)["answers"][0]["outcome"] == "right"


def test_a_subject_put_back_does_not_make_a_wrong_answer_right(talk):
    asking(talk, "mao-thought")
    turn = talk.intent(intents.ANSWER, answer="stalin")
    assert quiz_of(turn)["answers"][0]["outcome"] == "wrong"
