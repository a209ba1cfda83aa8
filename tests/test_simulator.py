"""The offline simulator: utterance resolution, request envelopes, conversations and the CLI.

Resolution is tested on a model generated from the real templates and a small fixture content,
so that the cases do not move when the content does; the skill is a tiny stand-in.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import IntentRequest, LaunchRequest, RequestEnvelope, SessionEndedRequest
from ask_sdk_model.slu.entityresolution import StatusCode

from skill import __main__ as cli
from skill import intents
from skill.content import Answer, Entry, GlossaryTerm, ItemKind, QuizItem
from skill.tools import model
from skill.tools.simulator import (
    SIMULATED_SKILL_ID,
    Conversation,
    InProcess,
    RequestType,
    Simulator,
)
from tests import requests

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class FixtureContent:
    entries: tuple[Entry, ...]
    items: tuple[QuizItem, ...]
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    glossary: tuple[GlossaryTerm, ...] = ()


CONTENT = FixtureContent(
    entries=(
        Entry("treaty", "The Treaty of Friendship", "s", "What was the Treaty of Friendship?",
              (), ("F3",), (), Answer("Lead.")),
        Entry("loan", "The Soviet loan", "s", "How much was the loan?", (), ("F6",), (),
              Answer("Lead.")),
    ),
    items=(
        QuizItem("q-leader", ItemKind.CHOICE, "s", ("F17",), "Who?", "Stalin", "Why.", "Hint.",
                 options=("Stalin", "Lenin", "Trotsky")),
    ),
    aliases={"treaty of friendship": ("friendship treaty",)},
)  # fmt: skip


@pytest.fixture(scope="module")
def simulator() -> Simulator:
    document = model.generate(CONTENT)["en-GB.json"]
    return Simulator(model=document, clock=lambda: NOW)


@pytest.fixture(scope="module")
def committed() -> Simulator:
    """The simulator over the committed model of the real content."""
    return Simulator(clock=lambda: NOW)


def deserialise(envelope: dict) -> RequestEnvelope:
    return DefaultSerializer().deserialize(json.dumps(envelope), RequestEnvelope)


# --- Resolution ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("utterance", "intent", "query"),
    [
        (
            "what were the terms of the treaty",
            intents.WHAT_QUESTION,
            "were the terms of the treaty",
        ),
        ("What were the terms?", intents.WHAT_QUESTION, "were the terms"),
        ("so why did mao distrust stalin", intents.WHY_QUESTION, "did mao distrust stalin"),
        ("tell me about the loan", intents.TELL_ME_ABOUT_QUESTION, "the loan"),
        ("can you explain the split", intents.EXPLAIN_QUESTION, "the split"),
    ],
)
def test_search_query_loses_its_carrier(simulator, utterance, intent, query):
    resolution = simulator.resolve(utterance)
    assert (resolution.intent, resolution.slots[intents.SLOT_QUERY].value) == (intent, query)
    restored = intents.restore_carrier(intent, query)
    assert restored.startswith(intents.QUESTION_CARRIERS[intent])


def test_custom_slot_value_resolves_with_its_id(simulator):
    resolution = simulator.resolve("revise the treaty of friendship")
    topic = resolution.slots[intents.SLOT_TOPIC]
    assert resolution.intent == intents.TOPIC
    assert (topic.status, topic.value_id, topic.value) == (
        "ER_SUCCESS_MATCH",
        "treaty",
        "the treaty of friendship",
    )


def test_synonym_resolves_to_the_canonical_value(simulator):
    topic = simulator.resolve("friendship treaty").slots[intents.SLOT_TOPIC]
    assert (topic.value, topic.value_id, topic.value_name) == (
        "friendship treaty",
        "treaty",
        "the treaty of friendship",
    )


def test_unknown_value_is_no_match_with_the_words_said(simulator):
    resolution = simulator.resolve("quiz me on the cold war")
    topic = resolution.slots[intents.SLOT_TOPIC]
    assert resolution.intent == intents.START_QUIZ
    assert (topic.value, topic.status, topic.value_id) == (
        "the cold war",
        "ER_SUCCESS_NO_MATCH",
        None,
    )
    slot = simulator.envelope(resolution)["request"]["intent"]["slots"][intents.SLOT_TOPIC]
    (authority,) = slot["resolutions"]["resolutionsPerAuthority"]
    assert authority["status"]["code"] == "ER_SUCCESS_NO_MATCH" and "values" not in authority
    assert authority["authority"] == f"amzn1.er-authority.echo-sdk.{SIMULATED_SKILL_ID}.TOPIC"


@pytest.mark.parametrize(
    ("utterance", "value", "status"),
    [
        ("is it bananas", "bananas", "ER_SUCCESS_NO_MATCH"),
        ("stalin", "stalin", "ER_SUCCESS_MATCH"),
        ("i think it was lenin", "lenin", "ER_SUCCESS_MATCH"),
        ("bee", "bee", "ER_SUCCESS_MATCH"),
        ("option c", "c", "ER_SUCCESS_MATCH"),
    ],
)
def test_answers(simulator, utterance, value, status):
    resolution = simulator.resolve(utterance)
    answer = resolution.slots[intents.SLOT_ANSWER]
    assert (resolution.intent, answer.value, answer.status) == (intents.ANSWER, value, status)


def test_letters_resolve_to_their_letter(simulator):
    assert simulator.resolve("bee").slots[intents.SLOT_ANSWER].value_id == "letter-b"


@pytest.mark.parametrize(
    ("utterance", "intent", "slot", "value"),
    [
        ("give me ten questions", intents.START_QUIZ, intents.SLOT_COUNT, "10"),
        ("give me 5 questions", intents.START_QUIZ, intents.SLOT_COUNT, "5"),
        ("three hundred million", intents.ANSWER, intents.SLOT_NUMBER, "300000000"),
        ("is it four", intents.ANSWER, intents.SLOT_NUMBER, "4"),  # a number beats an open answer
        ("nineteen fifty", intents.ANSWER, intents.SLOT_NUMBER, "1950"),
    ],
)
def test_numbers_arrive_as_digits(simulator, utterance, intent, slot, value):
    resolution = simulator.resolve(utterance)
    assert (resolution.intent, resolution.slots[slot].value) == (intent, value)


@pytest.mark.parametrize(
    ("utterance", "intent"),
    [
        ("what can i ask about", intents.LIST_TOPICS),  # exact beats "what {query}"
        ("how many questions are left", intents.HOW_MANY_LEFT),
        ("tell me more", intents.MORE),
        ("stop", intents.STOP),
        ("stop the quiz", intents.STOP_QUIZ),
        ("yes", intents.YES),
        ("repeat the question", intents.REPEAT),
        ("i don't know", intents.DONT_KNOW),
        ("ask history revision to quiz me", intents.START_QUIZ),
        ("Alexa, tell history revision to give me a hint", intents.HINT),
        ("ask history revision what was the treaty", intents.WHAT_QUESTION),
    ],
)
def test_literal_words_win(simulator, utterance, intent):
    assert simulator.resolve(utterance).intent == intent


def test_fallback_when_nothing_matches(simulator):
    resolution = simulator.resolve("please set a timer for ten minutes in the kitchen right now")
    assert (resolution.intent, dict(resolution.slots)) == (intents.FALLBACK, {})
    request = simulator.envelope(resolution)["request"]
    assert request["intent"] == {"name": intents.FALLBACK, "confirmationStatus": "NONE"}


@pytest.mark.parametrize(
    "utterance",
    ["", "open history revision", "Alexa, launch history revision", "history revision",
     "ask history revision"],
)  # fmt: skip
def test_launch_phrases(simulator, utterance):
    assert simulator.resolve(utterance).kind is RequestType.LAUNCH


def test_exit_ends_the_session(simulator):
    resolution = simulator.resolve("exit")
    assert (resolution.kind, resolution.reason) == (RequestType.SESSION_ENDED, "USER_INITIATED")


# --- Envelopes -----------------------------------------------------------------------------------


def test_launch_envelope_deserialises(simulator):
    envelope = simulator.envelope(simulator.resolve("open history revision"))
    request = deserialise(envelope)
    assert isinstance(request.request, LaunchRequest)
    assert request.session.new is True
    assert request.session.session_id.startswith("amzn1.echo-api.session.")
    assert request.request.request_id.startswith("amzn1.echo-api.request.")
    assert request.session.application.application_id == SIMULATED_SKILL_ID
    assert request.context.system.application.application_id == SIMULATED_SKILL_ID
    assert request.context.system.user.user_id == request.session.user.user_id
    assert request.context.system.device.device_id
    assert request.context.system.api_endpoint == "https://api.eu.amazonalexa.com"
    assert request.request.locale == "en-GB"
    assert envelope["request"]["timestamp"] == "2026-11-26T12:00:00Z"
    assert envelope["version"] == "1.0"


def test_intent_envelope_deserialises_with_slots(simulator):
    resolution = simulator.resolve("quiz me on the treaty of friendship with five questions")
    envelope = simulator.envelope(resolution, attributes={"quiz": None}, new=False)
    request = deserialise(envelope)
    assert isinstance(request.request, IntentRequest)
    assert request.session.new is False and request.session.attributes == {"quiz": None}
    intent = request.request.intent
    assert intent.name == intents.START_QUIZ
    topic, count = intent.slots[intents.SLOT_TOPIC], intent.slots[intents.SLOT_COUNT]
    assert (topic.value, count.value) == ("the treaty of friendship", "5")
    (authority,) = topic.resolutions.resolutions_per_authority
    assert authority.status.code is StatusCode.ER_SUCCESS_MATCH
    assert (authority.values[0].value.id, authority.values[0].value.name) == (
        "treaty",
        "the treaty of friendship",
    )
    assert count.resolutions is None


def test_unsaid_slots_are_sent_empty(simulator):
    envelope = simulator.envelope(simulator.resolve("quiz me"))
    slots = envelope["request"]["intent"]["slots"]
    assert slots == {
        "topic": {"name": "topic", "confirmationStatus": "NONE"},
        "count": {"name": "count", "confirmationStatus": "NONE"},
    }
    assert deserialise(envelope).request.intent.slots["count"].value is None


def test_session_ended_envelope_deserialises(simulator):
    envelope = simulator.envelope(simulator.resolve("exit"), new=False)
    request = deserialise(envelope)
    assert isinstance(request.request, SessionEndedRequest)
    assert request.request.reason.value == "USER_INITIATED"


def test_request_builders():
    request = requests.as_envelope(requests.intent(intents.TOPIC, topic="friendship treaty"))
    assert request.request.intent.name == intents.TOPIC and request.session.new is True
    attributes = {"turns": 2}
    request = requests.as_envelope(requests.say("tell me more", attributes=attributes))
    assert request.request.intent.name == intents.MORE
    assert request.session.new is False and request.session.attributes == attributes
    assert isinstance(requests.as_envelope(requests.launch()).request, LaunchRequest)
    ended = requests.as_envelope(requests.session_ended("EXCEEDED_MAX_REPROMPTS"))
    assert ended.request.reason.value == "EXCEEDED_MAX_REPROMPTS"
    with pytest.raises(KeyError):
        requests.intent(intents.TOPIC, colour="red")


# --- Conversations over a stand-in skill --------------------------------------------------------


def stand_in_skill():
    """Counts turns in the session, says what it heard, ends the session on "stop"."""
    builder = SkillBuilder()
    builder.skill_id = SIMULATED_SKILL_ID

    @builder.request_handler(can_handle_func=is_request_type("SessionEndedRequest"))
    def ended(handler_input):
        return handler_input.response_builder.response

    @builder.request_handler(can_handle_func=is_intent_name(intents.STOP))
    def stop(handler_input):
        return (
            handler_input.response_builder.speak("Bye &amp; good luck")
            .set_should_end_session(True)
            .response
        )

    @builder.request_handler(can_handle_func=lambda handler_input: True)
    def echo(handler_input):
        attributes = handler_input.attributes_manager.session_attributes
        attributes["turns"] = attributes.get("turns", 0) + 1
        request = handler_input.request_envelope.request
        heard = getattr(getattr(request, "intent", None), "name", None) or request.object_type
        return (
            handler_input.response_builder.speak(f"<p>Turn {attributes['turns']}: {heard}</p>")
            .ask("<s>Anything else?</s>")
            .set_card(_card(heard))
            .set_should_end_session(False)
            .response
        )

    return builder.create()


def _card(title: str):
    from ask_sdk_model.ui import SimpleCard

    return SimpleCard(title=title, content="Q & A")


@pytest.fixture
def conversation(simulator) -> Conversation:
    return Conversation(InProcess(stand_in_skill()), simulator)


def test_conversation_carries_the_session(conversation):
    first = conversation.launch()
    session_id = conversation.session_id
    second = conversation.say("tell me more")
    assert (first.speech, second.speech) == ("Turn 1: LaunchRequest", "Turn 2: MoreIntent")
    assert second.session_attributes == {"turns": 2} and conversation.session_id == session_id
    assert second.reprompt == "Anything else?"
    assert second.card == {"title": intents.MORE, "content": "Q & A"}
    assert second.end_session is False
    assert second.ssml.startswith("<speak>")


def test_a_new_session_after_the_skill_ends_one(conversation):
    conversation.launch()
    conversation.say("tell me more")
    goodbye = conversation.say("stop")
    assert (goodbye.speech, goodbye.end_session) == ("Bye & good luck", True)
    assert not conversation.in_session
    again = conversation.say("tell me more")
    assert again.speech == "Turn 1: MoreIntent"
    assert again.raw["sessionAttributes"] == {"turns": 1}


def test_end_sends_session_ended(conversation):
    conversation.launch()
    turn = conversation.end()
    assert turn is not None and turn.intent == "SessionEndedRequest"
    assert conversation.end() is None


# --- CLI -----------------------------------------------------------------------------------------


@pytest.fixture
def stand_in_cli(monkeypatch):
    monkeypatch.setattr(cli, "_create_skill", lambda config: stand_in_skill())
    monkeypatch.delenv("SKILL_ID", raising=False)


def test_ask_json_lines(stand_in_cli, capsys):
    assert cli.main(["ask", "--json", "quiz me", "what were the terms"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["intent"] for line in lines] == [intents.START_QUIZ, intents.WHAT_QUESTION]
    keys = {"utterance", "intent", "slots", "speech", "ssml", "reprompt", "card", "end_session"}
    assert all(set(line) == keys for line in lines)
    assert lines[1]["slots"] == {"query": "were the terms"}
    assert lines[0]["speech"] == "Turn 1: StartQuizIntent"  # each utterance a new session


def test_ask_plain(stand_in_cli, capsys):
    cli.main(["ask", "open history revision"])
    assert capsys.readouterr().out == "Turn 1: LaunchRequest\n"


def test_chat_reads_stdin_until_the_session_ends(stand_in_cli, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("tell me more\n\nstop\nnever read\n"))
    cli.main(["chat"])
    assert capsys.readouterr().out.splitlines() == [
        "Alexa: Turn 1: LaunchRequest",
        "Alexa: Turn 2: MoreIntent",
        "Alexa: Bye & good luck",
    ]


def test_chat_ends_the_session_at_end_of_input(stand_in_cli, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("tell me more\n"))
    cli.main(["chat", "--json"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["intent"] for line in lines] == [
        "LaunchRequest",
        intents.MORE,
        "SessionEndedRequest",
    ]


@pytest.mark.parametrize(
    "utterance",
    [
        "bananas",  # no word of any value
        "people say cuba had missiles",  # a statement without a carrier sample
        "the loan and the advisers and the treaty",  # value words, but longer than a slot value
    ],
)
def test_a_bare_slot_is_biased_toward_its_values(committed, utterance):
    """Alexa fills a custom slot alone as a sample only with something like its values; other
    speech goes to FallbackIntent, which carries no text."""
    resolution = committed.resolve(utterance)
    assert (resolution.intent, dict(resolution.slots)) == (intents.FALLBACK, {})


@pytest.mark.parametrize(
    ("utterance", "intent"),
    [
        ("the soviet advisers", intents.TOPIC),  # a listed value
        ("name the four terms of the treaty", intents.NAME_QUESTION),
        ("in what ways did the soviets help china", intents.IN_WHAT_WAYS_QUESTION),
        ("to what extent was soviet influence limited", intents.TO_WHAT_EXTENT_QUESTION),
        ("did ten thousand advisers go to china", intents.DID_QUESTION),
        ("were china and russia friends", intents.WERE_QUESTION),
        ("is it true the loan was small", intents.ANSWER),  # "is it {answer}" is more specific
        ("what about the loan", intents.WHAT_ABOUT_QUESTION),
        ("ok so what was the deal with the loan", intents.WHAT_QUESTION),
    ],
)
def test_every_question_form_has_a_sample(committed, utterance, intent):
    assert committed.resolve(utterance).intent == intent
