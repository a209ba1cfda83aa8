"""Quiz turns: what a student says mid-quiz is taken as an answer or as the request it makes,
before anything is marked."""

from __future__ import annotations

import pytest

from skill import intents
from skill.quiz_turns import Turn, asked_term, request_in, understand
from skill.tools.eval_quiz_turns import DEFAULT_TURNS, TARGET, evaluate, table


@pytest.mark.parametrize(
    ("said", "turn"),
    [
        ("could you give me a little clue", Turn.HINT),
        ("what's the first letter", Turn.HINT),
        ("can we skip it", Turn.SKIP),
        ("say it again", Turn.REPEAT),
        ("a bit slower", Turn.SLOWER),
        ("what does subjugate mean", Turn.MEANING),
        ("what does ccp stand for", Turn.MEANING),
        ("ummm", Turn.FILLER),
        ("hmm erm", Turn.FILLER),
        ("hang on a sec", Turn.FILLER),
        ("i need a break", Turn.PAUSE),
        ("ok bye", Turn.END_SESSION),
        ("stop the quiz please", Turn.STOP_QUIZ),
        ("what's my score", Turn.PROGRESS),
        ("how does this work", Turn.HELP),
    ],
)
def test_a_request_in_the_answer_slot_is_recognised(said: str, turn: Turn) -> None:
    assert understand(intents.ANSWER, said) is turn


@pytest.mark.parametrize(
    "said",
    [
        "they promised to help china if it was attacked",  # "help" inside an answer
        "to stop people protesting",  # "stop" inside an answer
        "the soviets had to reveal all their spies and pass on their names to mao",
        "stalin",
        "three hundred million dollars",
        "",
    ],
)
def test_an_answer_that_uses_request_words_is_still_an_answer(said: str) -> None:
    assert understand(intents.ANSWER, said) is Turn.ANSWER


def test_a_long_utterance_is_never_a_request() -> None:
    assert request_in("hint " * 9) is None


@pytest.mark.parametrize(
    ("intent", "turn"),
    [
        (intents.HINT, Turn.HINT),
        (intents.DONT_KNOW, Turn.SKIP),
        (intents.STOP, Turn.END_SESSION),
        (intents.STOP_QUIZ, Turn.STOP_QUIZ),
        (intents.THINKING, Turn.FILLER),
        (intents.PAUSE, Turn.PAUSE),
        (intents.WHAT_QUESTION, Turn.QUESTION),
        (intents.HOW_MANY_LEFT, Turn.PROGRESS),
    ],
)
def test_a_request_alexa_routed_to_its_intent_is_taken_as_that(intent: str, turn: Turn) -> None:
    assert understand(intent) is turn


@pytest.mark.parametrize("intent", [intents.FALLBACK, intents.YES, intents.NO, intents.MORE])
def test_what_the_quiz_does_not_take_is_left_to_the_stray_handler(intent: str) -> None:
    assert understand(intent) is None


def test_the_development_turns_are_taken_as_labelled() -> None:
    report = evaluate(DEFAULT_TURNS)
    assert report.share >= TARGET, "\n" + table(report) + "\n" + "\n".join(report.misses)


@pytest.mark.parametrize(
    ("said", "term"),
    [
        ("what does prc stand for", "prc"),
        ("sorry what does the word subjugate mean", "subjugate"),
        ("what's the meaning of the word disclosure", "disclosure"),
        ("i don't get what mistrust means", "mistrust"),
        ("give me a hint", ""),
    ],
)
def test_the_word_asked_about_is_found_in_the_request(said: str, term: str) -> None:
    assert asked_term(said) == term


def test_every_kind_of_turn_has_a_step() -> None:
    from skill.handlers.quiz import QuizTurnHandler

    assert set(QuizTurnHandler.STEPS) == set(Turn)
