"""Answering revision questions, turn by turn, as a student hears it."""

from __future__ import annotations

import json
import logging
import random

import pytest

from skill import intents
from skill.builder import create_skill
from skill.config import Config
from skill.content import default_content
from skill.dialog import dialog_for
from skill.speech import MAX_RESPONSE_BYTES, MAX_SPEECH_CHARS, split_points
from skill.tools.simulator import SIMULATED_SKILL_ID, SIMULATED_USER_ID, InProcess, Simulator

from .conftest import Talk

DIALOG = dialog_for("en-GB")
CONTENT = default_content()


def said(turn, key: str) -> bool:
    """Whether the turn said one of the variants of a dialog key (fields ignored)."""
    return DIALOG.said(turn.speech, key)


# Launch


def test_launch_welcomes_gives_two_example_questions_and_asks_one_back(talk):
    turn = talk.launch()
    assert said(turn, "welcome")
    questions = [e.question for e in CONTENT.entries if e.question in turn.speech]
    assert len(questions) == 2
    assert turn.end_session is False


# Questions


def test_the_treaty_terms_are_read_as_a_list_of_four(talk):
    turn = talk.say("what were the terms of the treaty of friendship")
    assert turn.intent == intents.WHAT_QUESTION
    assert "four" in turn.speech.lower()
    for ordinal in ("First,", "Second,", "Third,", "Fourth,"):
        assert ordinal in turn.speech
    assert "300 million" in turn.speech and "Manchuria" in turn.speech
    assert turn.card["title"] == CONTENT.entry("treaty-terms").title
    assert "• " in turn.card["content"] and "<" not in turn.card["content"]


def test_a_narrow_question_gets_a_narrow_answer(talk):
    turn = talk.say("how big was the loan")
    assert "300 million" in turn.speech
    assert "Manchuria" not in turn.speech and "intelligence" not in turn.speech


def test_a_topic_name_reads_that_entry(talk):
    entry = CONTENT.entry("secret-speech")
    turn = talk.intent(intents.TOPIC, topic=entry.title.lower())
    assert turn.card["title"] == entry.title
    assert entry.answer.lead in turn.speech


def test_every_question_intent_restores_its_carrier(talk):
    turn = talk.say("why did mao distrust stalin")
    assert turn.intent == intents.WHY_QUESTION
    assert turn.slots[intents.SLOT_QUERY] == "did mao distrust stalin"
    assert "Korean War" in turn.speech


def test_aliases_and_misspellings_find_the_entry(talk):
    assert "Moscow" in talk.say("tell me about the moscow conference").speech
    assert "Stalin" in talk.say("what did kruschev say about stalin").speech


def test_an_off_topic_question_is_not_answered_but_named_alternatives_are(talk):
    turn = talk.say("who was the first man on the moon")
    assert said(turn, "dont_know")
    assert said(turn, "can_answer")
    # Nothing in the notes is near "the moon": two parts of the topic are named instead.
    named = [s.title for s in CONTENT.sections if s.title in turn.speech]
    assert len(named) == 2
    assert turn.card is None
    for fact_word in ("300 million", "Manchuria", "Korean War"):
        assert fact_word not in turn.speech


def test_a_refusal_names_the_topics_nearest_to_the_words_heard(talk):
    turn = talk.say("what was the treaty of versailles")
    assert said(turn, "dont_know") and turn.card is None
    assert "the Treaty of Friendship" in turn.speech


def test_an_empty_question_gets_help_not_a_crash(talk):
    turn = talk.intent(intents.WHAT_QUESTION)
    assert said(turn, "dont_know")


# Long answers


def split_entry():
    for entry in CONTENT.entries:
        if len(split_points(entry.answer.lead, entry.answer.points)) > 1:
            return entry
    pytest.skip("no entry is long enough to be split")


def test_a_long_answer_is_split_and_more_continues_it(talk):
    entry = split_entry()
    parts = split_points(entry.answer.lead, entry.answer.points)
    first = talk.intent(intents.TOPIC, topic=entry.title.lower())
    assert said(first, "more_question")
    point = entry.answer.points[parts[1].first].lower()  # a list point reads mid-sentence
    assert point not in first.speech.lower()
    second = talk.say("more")
    assert point in second.speech.lower()
    assert said(second, "continuing")
    if len(parts) == 2:
        assert said(second, "after_answer_question")
        assert said(talk.say("more"), "nothing_more")


def test_yes_to_hear_more_continues_and_no_moves_on(talk):
    entry = split_entry()
    parts = split_points(entry.answer.lead, entry.answer.points)
    talk.intent(intents.TOPIC, topic=entry.title.lower())
    assert entry.answer.points[parts[1].first].lower() in talk.say("yes").speech.lower()
    talk.intent(intents.TOPIC, topic=entry.title.lower())
    turn = talk.say("no")
    assert turn.end_session is False and said(turn, "after_answer_question")


def test_more_with_nothing_pending_says_so(talk):
    talk.launch()
    assert said(talk.say("more"), "nothing_more")


# Repeat, help, lists


def test_repeat_says_the_last_response_again_exactly(talk):
    answer = talk.say("what happened at the moscow conference")
    again = talk.intent(intents.REPEAT)
    assert again.ssml == answer.ssml and again.reprompt == answer.reprompt
    assert again.card == answer.card


def test_repeat_after_launch_repeats_the_welcome(talk):
    welcome = talk.launch()
    assert talk.say("repeat").ssml == welcome.ssml


def test_repeat_with_nothing_said_yet_is_not_a_dead_end(talk):
    turn = talk.intent(intents.REPEAT)
    assert said(turn, "nothing_to_repeat")


def test_what_can_i_ask_names_the_sections(talk):
    turn = talk.say("what can i ask about")
    assert turn.intent == intents.LIST_TOPICS
    for section in CONTENT.sections:
        assert section.title in turn.speech


def test_help_explains_and_gives_examples(talk):
    turn = talk.say("help")
    assert said(turn, "help") and said(turn, "help_commands")
    assert sum(e.question in turn.speech for e in CONTENT.entries) == 2


def test_help_in_a_split_answer_is_about_hearing_more(talk):
    entry = split_entry()
    talk.intent(intents.TOPIC, topic=entry.title.lower())
    turn = talk.say("help")
    assert said(turn, "help_more") and said(turn, "more_question")
    parts = split_points(entry.answer.lead, entry.answer.points)
    assert entry.answer.points[parts[1].first].lower() in talk.say("more").speech.lower()


# Leaving, going home, falling back


@pytest.mark.parametrize("words", ["stop", "cancel"])
def test_stop_and_cancel_say_goodbye_and_end_the_session(talk, words):
    talk.launch()
    turn = talk.say(words)
    assert said(turn, "goodbye")
    assert turn.end_session is True and turn.reprompt is None


def test_no_with_nothing_pending_is_goodbye(talk):
    talk.launch()
    assert talk.say("no").end_session is True


def test_fallback_reprompts_with_examples(talk):
    turn = talk.intent(intents.FALLBACK)
    assert said(turn, "fallback")
    assert sum(e.question in turn.speech for e in CONTENT.entries) == 2


@pytest.mark.parametrize("name", [intents.NAVIGATE_HOME, intents.START_OVER])
def test_going_home_starts_again_with_examples(talk, name):
    entry = split_entry()
    talk.intent(intents.TOPIC, topic=entry.title.lower())
    turn = talk.intent(name)
    assert said(turn, "home")
    assert said(talk.say("more"), "nothing_more")  # the half-read answer was let go


def test_session_ended_says_nothing(talk):
    talk.launch()
    turn = talk.end("EXCEEDED_MAX_REPROMPTS")
    assert turn.ssml is None and turn.card is None


# Errors


class Broken:
    def match(self, question):
        raise RuntimeError(f"cannot match {question}")


def test_an_error_gets_an_apology_and_a_way_on_and_logs_nothing_personal(clock, store, caplog):
    config = Config(skill_id=SIMULATED_SKILL_ID, progress_store="memory://")
    skill = create_skill(config, content=CONTENT, matcher=Broken(), progress_store=store)
    talk = Talk(InProcess(skill), Simulator("en-GB", clock=clock))
    with caplog.at_level(logging.DEBUG):
        turn = talk.say("why did mao distrust stalin")
    assert said(turn, "error")
    assert turn.end_session is False
    assert "RuntimeError" in caplog.text
    assert "stalin" not in caplog.text.lower()
    assert SIMULATED_USER_ID not in caplog.text


def test_a_request_for_another_skill_is_refused(clock, store):
    config = Config(skill_id="amzn1.ask.skill.someone-else", progress_store="memory://")
    skill = create_skill(config, progress_store=store)
    talk = Talk(InProcess(skill), Simulator("en-GB", clock=clock))
    with pytest.raises(Exception, match="Skill ID"):
        talk.launch()


# Locales and limits


def test_american_english_uses_american_words(make_talk):
    turn = make_talk("en-US").say("help")
    assert "review" in turn.speech and "revise" not in turn.speech


@pytest.mark.parametrize("entry", CONTENT.entries, ids=lambda e: e.id)
def test_every_answer_fits_alexas_limits(talk, entry):
    turn = talk.intent(intents.TOPIC, topic=entry.title.lower())
    while True:
        assert len(turn.ssml) <= MAX_SPEECH_CHARS
        assert len(json.dumps(turn.raw).encode()) <= MAX_RESPONSE_BYTES
        if not said(turn, "more_question"):
            break
        turn = talk.say("more")


def test_the_examples_vary(clock, store):
    config = Config(skill_id=SIMULATED_SKILL_ID, progress_store="memory://")
    skill = create_skill(config, progress_store=store, rng=random.Random(1))
    talk = Talk(InProcess(skill), Simulator("en-GB", clock=clock))
    welcomes = {talk.launch().speech for _ in range(5)}
    assert len(welcomes) > 1


@pytest.mark.parametrize("words", ["what can i ask about", "how am i doing"])
def test_yes_after_another_question_does_not_read_an_old_answer(talk, words):
    entry = split_entry()
    parts = split_points(entry.answer.lead, entry.answer.points)
    talk.intent(intents.TOPIC, topic=entry.title.lower())
    talk.say(words)
    assert entry.answer.points[parts[1].first] not in talk.say("yes").speech
