"""Every request type Alexa can send to a custom skill gets a valid answer: speech only where a
person is waiting, an empty response elsewhere, and the student forgotten when they disable the
skill."""

from __future__ import annotations

import copy
import json

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from skill import intents
from skill.tools.simulator import SIMULATED_USER_ID, InProcess, Simulator

SIMULATOR = Simulator()


def envelope_of(request: dict, *, session: bool) -> dict:
    """A request envelope of any type, with or without a session, as Alexa sends it."""
    base = SIMULATOR.envelope(SIMULATOR.resolve("open history revision"))
    base["request"] = {**base["request"], **request}
    if not session:
        del base["session"]
    return base


def send(skill, envelope: dict) -> dict:
    return InProcess(skill)(copy.deepcopy(envelope))


# Requests with no one to speak to, one per kind Alexa sends to a custom skill.
SILENT = [
    {"type": "AudioPlayer.PlaybackStarted", "token": "t", "offsetInMilliseconds": 0},
    {"type": "AudioPlayer.PlaybackFailed", "token": "t"},
    {"type": "PlaybackController.PlayCommandIssued"},
    {"type": "System.ExceptionEncountered", "error": {"type": "INVALID_RESPONSE", "message": "x"},
     "cause": {"requestId": "amzn1.echo-api.request.1"}},
    {"type": "AlexaSkillEvent.SkillEnabled"},
    {"type": "AlexaSkillEvent.SkillPermissionAccepted", "body": {}},
    {"type": "Messaging.MessageReceived", "message": {"x": 1}},
]  # fmt: skip


@pytest.mark.parametrize("request_", SILENT, ids=[r["type"] for r in SILENT])
def test_a_request_with_no_one_to_speak_to_gets_an_empty_response(skill, request_):
    response = send(skill, envelope_of(request_, session=False))["response"]
    assert "outputSpeech" not in response and "reprompt" not in response
    assert not response.get("shouldEndSession")


def test_alexa_reporting_an_error_is_logged_without_its_message(skill, caplog):
    send(skill, envelope_of(SILENT[3], session=False))
    assert "INVALID_RESPONSE" in caplog.text and "amzn1" not in caplog.text


def test_disabling_the_skill_forgets_the_student(skill, store, talk):
    talk.say("quiz me")
    talk.say("skip")  # an answer: the student's progress is stored
    assert SIMULATED_USER_ID in store._documents
    send(skill, envelope_of({"type": "AlexaSkillEvent.SkillDisabled"}, session=False))
    assert SIMULATED_USER_ID not in store._documents


def test_an_intent_the_code_does_not_know_is_taken_as_words_it_could_not_place(skill, caplog):
    request = SIMULATOR.envelope(SIMULATOR.intent(intents.HELP))
    request["request"]["intent"] = {"name": "SomeNewIntent", "confirmationStatus": "NONE"}
    response = send(skill, request)["response"]
    assert "went wrong" not in json.dumps(response)
    assert response["outputSpeech"] and response["shouldEndSession"] is False
    assert "unknown intent SomeNewIntent" in caplog.text
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def can_fulfill(skill, intent: str, query: str | None) -> dict:
    slots = {}
    if query is not None:
        slots = {intents.SLOT_QUERY: {"name": intents.SLOT_QUERY, "value": query}}
    envelope = envelope_of(
        {"type": "CanFulfillIntentRequest",
         "intent": {"name": intent, "confirmationStatus": "NONE", "slots": slots}},
        session=True,
    )  # fmt: skip
    return send(skill, envelope)["response"]["canFulfillIntent"]


@pytest.mark.parametrize(
    ("intent", "query", "verdict"),
    [
        (intents.WHAT_QUESTION, "were the terms of the treaty of friendship", "YES"),
        (intents.WHAT_QUESTION, "was china's second five year plan", "MAYBE"),
        (intents.WHO_QUESTION, "was the first man on the moon", "NO"),
        (intents.START_QUIZ, None, "YES"),
        ("SomeoneElsesIntent", None, "NO"),
    ],
)
def test_can_fulfill_answers_from_the_matchers_confidence(skill, intent, query, verdict):
    answer = can_fulfill(skill, intent, query)
    assert answer["canFulfill"] == verdict
    if query is not None:
        expected = "NO" if verdict == "NO" else "YES"
        assert answer["slots"][intents.SLOT_QUERY]["canUnderstand"] == expected


def test_the_sdk_models_every_request_type_used_here():
    for request_ in SILENT:
        envelope = envelope_of(request_, session=False)
        DefaultSerializer().deserialize(json.dumps(envelope), RequestEnvelope)


# Tampered session attributes: nothing the skill did not write is said, echoed or kept.


def test_a_huge_kept_card_is_not_replayed_past_alexas_limits(talk):
    talk.say("what was the loan")
    talk.attributes["state"]["last"]["card_text"] = "x" * 100_000
    turn = talk.say("repeat")
    assert len(json.dumps(turn.raw).encode("utf-8")) <= 24 * 1024
    assert turn.card is None or len(turn.card["content"]) < 8000


def test_ssml_with_a_dtd_is_never_said_again(talk):
    talk.say("what was the loan")
    talk.attributes["state"]["last"]["ssml"] = (
        '<!DOCTYPE speak [<!ENTITY e "boom">]><speak>&e;</speak>'
    )
    turn = talk.say("repeat")
    assert "boom" not in turn.speech and "<!" not in (turn.ssml or "")


def test_junk_session_attributes_are_dropped_not_echoed(talk):
    talk.say("what was the loan")
    talk.attributes["junk"] = {"deep": ["x" * 50_000]}
    turn = talk.say("help")
    assert "junk" not in turn.session_attributes
    assert len(json.dumps(turn.raw).encode("utf-8")) <= 24 * 1024


def test_a_turn_that_fails_answers_with_the_checked_session_junk_dropped(talk, monkeypatch):
    from skill.handlers.builtins import HelpHandler

    def fails(self, handler_input):
        raise RuntimeError("a bug")

    talk.say("what was the loan")
    topic = talk.attributes["state"]["topic"]
    talk.attributes["junk"] = {"deep": ["x" * 50_000]}
    monkeypatch.setattr(HelpHandler, "handle", fails)
    turn = talk.say("help")
    assert turn.speech.startswith("Sorry") and not turn.end_session
    assert "junk" not in turn.session_attributes
    assert turn.session_attributes["state"]["topic"] == topic
