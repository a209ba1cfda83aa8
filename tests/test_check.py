"""python -m skill check: it passes on the project, and each check fails on a model, a manifest,
a dialog or a handler set broken in that check's own way."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from skill import builder, intents, session
from skill.__main__ import main
from skill.content import default_content
from skill.handlers import builtins, questions, quiz
from skill.handlers.common import Services, SkillHandler, reply
from skill.matching import default_matcher
from skill.speech import Speech
from skill.tools import check, model
from skill.tools.check import dialog_rules, model_rules, probes
from skill.tools.check.failure import Failure
from skill.tools.check.probes import Probe
from skill.tools.simulator import RequestType, Resolution, Simulator, Turn

CONTENT = default_content()
needs_quiz = pytest.mark.skipif(not CONTENT.items, reason="the content has no quiz items yet")


def names(failures: list[Failure]) -> set[str]:
    return {f.check for f in failures}


# --- The project passes ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def files() -> dict[str, dict[str, Any]]:
    return model_rules.load_models()


def test_the_static_checks_pass_on_the_project(files):
    assert check.static_failures(files) == []


def test_the_dynamic_checks_pass_on_the_skill():
    result = probes.sweep(check.default_skill(), CONTENT, Simulator("en-GB"))
    assert result.failures == []
    assert probes.probe_failures(result.probes) == []
    reached = {p.state for p in result.probes}
    expected = {s.name for s in probes.STATES if CONTENT.items or not s.needs_quiz}
    assert reached == expected
    # Every declared intent, with and without slots, from every state.
    sent = {p.intent for p in result.probes}
    assert {i["name"] for i in files_language()["intents"]} <= sent


def files_language() -> dict[str, Any]:
    return model_rules.load_models()["en-GB.json"]["interactionModel"]["languageModel"]


def test_the_command_prints_one_line_per_failure_and_exits_non_zero(monkeypatch, capsys):
    failures = [Failure("stop-ends", "en-GB, just launched: AMAZON.StopIntent", "left it open")]
    monkeypatch.setattr(check, "run_checks", lambda locales: (failures, 3))
    assert main(["check"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "stop-ends: en-GB, just launched: AMAZON.StopIntent: left it open\n"
    assert "1 failed" in captured.err


def test_the_command_passes_on_the_project(capsys):
    assert main(["check", "--locale", "en-GB"]) == 0
    assert "all passed" in capsys.readouterr().err


# --- Static checks, each on a model broken one way ----------------------------------------------


@pytest.fixture
def language() -> dict[str, Any]:
    """A small model that passes every language check."""
    return {
        "invocationName": "history revision",
        "intents": [
            {"name": name, "samples": []}
            for name in (intents.HELP, intents.STOP, intents.CANCEL, intents.NAVIGATE_HOME)
        ]
        + [
            {
                "name": intents.TOPIC,
                "slots": [{"name": "topic", "type": "TOPIC"}],
                "samples": [
                    "revise {topic}",
                    "china's {topic}",
                    "the u.s.s.r. and {topic}",
                    "a re-read of {topic}",
                    "the students' {topic}",
                ],
            },  # fmt: skip
            {
                "name": intents.WHAT_QUESTION,
                "slots": [{"name": "query", "type": intents.TYPE_SEARCH_QUERY}],
                "samples": ["what {query}"],
            },
        ],
        "types": [
            {
                "name": "TOPIC",
                "values": [
                    {"id": "treaty", "name": {"value": "the treaty", "synonyms": ["treaty"]}}
                ],
            }
        ],
    }


def constants(language: dict[str, Any]) -> set[str]:
    return {i["name"] for i in language["intents"]}


def run_language_checks(language: dict[str, Any]) -> list[Failure]:
    failures = []
    for language_check in model_rules.LANGUAGE_CHECKS:
        if language_check is model_rules.check_intent_names:
            failures += language_check(language, constants(language))
        else:
            failures += language_check(language)
    return failures


def samples(language: dict[str, Any], intent: str) -> list[str]:
    return next(i for i in language["intents"] if i["name"] == intent)["samples"]


def test_the_small_model_passes(language):
    assert run_language_checks(language) == []


@pytest.mark.parametrize(
    "name",
    ["history", "alexa history", "open history revision", "the history", "history 2",
     "History Revision", "history  revision", "history, revision"],
)  # fmt: skip
def test_an_invocation_name_that_breaks_the_rules(language, name):
    language["invocationName"] = name
    assert names(model_rules.check_invocation_name(language)) == {"invocation-name"}


@pytest.mark.parametrize(
    ("sample", "why"),
    [
        ("revise {topic}?", "punctuation"),
        ("revise, {topic}", "punctuation"),
        ("revise {topic} & more", "punctuation"),
        ("give me 3 {topic}", "say numbers as words"),
        ("revise {subject}", "undeclared slot"),
    ],
)
def test_a_sample_with_punctuation_digits_or_an_unknown_slot(language, sample, why):
    samples(language, intents.TOPIC).append(sample)
    failures = model_rules.check_sample_words(language)
    assert len(failures) == 1 and why in failures[0].why
    assert sample in failures[0].where


def test_a_duplicate_sample_within_an_intent(language):
    samples(language, intents.TOPIC).append("Revise  {Topic}")
    (failure,) = model_rules.check_duplicate_samples(language)
    assert failure.check == "duplicate-sample" and "twice" in failure.why


def test_a_duplicate_sample_across_intents(language):
    language["intents"].append(
        {"name": intents.START_QUIZ, "slots": [{"name": "topic", "type": "TOPIC"}],
         "samples": ["revise {topic}"]}
    )  # fmt: skip
    (failure,) = model_rules.check_duplicate_samples(language)
    assert failure.why == f"also a sample of {intents.TOPIC}"


def test_a_search_query_alone(language):
    samples(language, intents.WHAT_QUESTION).append("{query}")
    (failure,) = model_rules.check_search_query_samples(language)
    assert failure.check == "search-query" and "carrier" in failure.why


def test_a_search_query_with_another_slot(language):
    question = next(i for i in language["intents"] if i["name"] == intents.WHAT_QUESTION)
    question["slots"].append({"name": "topic", "type": "TOPIC"})
    question["samples"].append("what {query} about {topic}")
    (failure,) = model_rules.check_search_query_samples(language)
    assert "shares the sample" in failure.why


def test_an_over_long_synonym(language):
    language["types"][0]["values"][0]["name"]["synonyms"].append("word " * 29)  # 145 characters
    (failure,) = model_rules.check_slot_values(language)
    assert failure.check == "slot-values" and "145 characters" in failure.why


def test_an_unused_slot_type(language):
    language["types"].append(
        {"name": "COLOUR", "values": [{"id": "red", "name": {"value": "red"}}]}
    )
    (failure,) = model_rules.check_slot_types(language)
    assert failure.where == "slot type COLOUR" and "used by no slot" in failure.why


def test_a_slot_type_used_but_not_declared(language):
    language["types"] = []
    (failure,) = model_rules.check_slot_types(language)
    assert failure.where == "slot type TOPIC" and "not declared" in failure.why


def test_intents_that_do_not_match_the_constants(language):
    known = constants(language)
    language["intents"] = [i for i in language["intents"] if i["name"] != intents.HELP]
    language["intents"].append({"name": "DanceIntent", "samples": ["dance"]})
    whys = {(f.where, f.why) for f in model_rules.check_intent_names(language, known)}
    assert whys == {
        (intents.HELP, "required built-in intent missing from the model"),
        (intents.HELP, "a constant in skill/intents.py but not in the model"),
        ("DanceIntent", "declared in the model but not a constant in skill/intents.py"),
    }


def test_a_locale_missing_an_intent(language):
    other = copy.deepcopy(language)
    other["intents"] = [i for i in other["intents"] if i["name"] != intents.TOPIC]
    (failure,) = model_rules.check_same_intents({"en-GB": language, "en-US": other})
    assert failure.where == "en-US" and intents.TOPIC in failure.why


def test_a_locale_with_other_slots(language):
    other = copy.deepcopy(language)
    other["intents"][-1]["slots"][0]["type"] = "TOPIC"
    (failure,) = model_rules.check_same_intents({"en-GB": language, "en-AU": other})
    assert "other slots" in failure.why


# --- The manifest's example phrases ---------------------------------------------------------------


def manifest_with(*phrases: str) -> dict[str, Any]:
    listing = {"examplePhrases": list(phrases)}
    return {"manifest": {"publishingInformation": {"locales": {"en-GB": listing}}}}


def test_example_phrases_that_match(language):
    manifest = manifest_with(
        "Alexa, open history revision",
        "Alexa, ask history revision to revise the treaty.",
        "Alexa, ask history revision what is the treaty",
    )
    assert model_rules.check_example_phrases(manifest, {"en-GB": language}) == []


@pytest.mark.parametrize(
    ("phrase", "why"),
    [
        ("Alexa, ask history revision to sing", "matches no sample"),
        ("Alexa, ask history revision to revise the moon", "matches no slot value"),
        ("Alexa, ask history quiz to revise the treaty", "must start"),
        ("Revise the treaty", "must start"),
    ],
)
def test_an_example_phrase_that_matches_nothing(language, phrase, why):
    (failure,) = model_rules.check_example_phrases(manifest_with(phrase), {"en-GB": language})
    assert failure.check == "example-phrases" and why in failure.why


def test_too_many_example_phrases(language):
    manifest = manifest_with(*["Alexa, open history revision"] * 4)
    (failure,) = model_rules.check_example_phrases(manifest, {"en-GB": language})
    assert "4 example phrases" in failure.why


# --- Dialogs and freshness ------------------------------------------------------------------------

BASE = {"greet": ("Hello {name}.", "Hi {name}."), "bye": ("Bye.",)}


def test_the_project_dialogs_have_every_key():
    base, served, errors = dialog_rules.project_dialogs()
    used = dialog_rules.dialog_keys_used(
        sorted(model.MODEL_DIR.parent.joinpath("skill").rglob("*.py"))
    )
    assert errors == [] and {"welcome", "quiz_number", "right", "letters"} <= used
    assert dialog_rules.check_dialogs(base, served, used) == []


def test_a_dialog_missing_a_key():
    (failure,) = dialog_rules.check_dialogs(
        BASE, {"en-GB": BASE, "en-US": {"greet": BASE["greet"]}}, ()
    )
    assert (failure.where, failure.why) == ("en-US key 'bye'", "missing")


def test_a_dialog_key_the_code_uses_but_no_file_has():
    (failure,) = dialog_rules.check_dialogs(BASE, {"en-GB": BASE}, {"greet", "farewell"})
    assert failure.where == "key 'farewell'"


def test_a_locale_variant_with_a_field_the_handlers_do_not_fill():
    us = {**BASE, "greet": ("Howdy {nickname}.",)}
    (failure,) = dialog_rules.check_dialogs(BASE, {"en-US": us}, ())
    assert "nickname" in failure.why


def test_dialog_keys_are_found_in_both_branches_of_a_conditional(tmp_path):
    source = tmp_path / "h.py"
    source.write_text(
        'dialog.text("a" if x else "b")\nself.dialog(h).variants("c")\nfields.text("no")\n',
        encoding="utf-8",
    )
    assert dialog_rules.dialog_keys_used([source]) == {"a", "b", "c"}


def test_a_stale_model(files):
    generated = model.generate()
    stale = copy.deepcopy(dict(files))
    stale["en-GB.json"]["interactionModel"]["languageModel"]["invocationName"] = "old name"
    (failure,) = model_rules.check_model_fresh(stale, generated)
    assert failure.where == "en-GB.json" and "stale" in failure.why


# --- Dynamic checks, each on a handler set broken one way ----------------------------------------


class Mumble(SkillHandler):
    """Leaves the session open without a question."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name(intents.PROGRESS)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.speak("Hmm.").set_should_end_session(False).response


class StopThatAsks(SkillHandler):
    """A stop that does not stop."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name(intents.STOP)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return reply(handler_input, Speech(), question="Are you sure?", reprompt="Well?")


class HelpThatDropsTheQuiz(SkillHandler):
    """Help that clears the session, quiz and all."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name(intents.HELP)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        session.save(handler_input, session.SessionState())
        return reply(handler_input, Speech().say("I help."), question="What now?")


def help_that_says(speech: str, reprompt: str = "What now?", card: str | None = None) -> type:
    class RawHelp(SkillHandler):
        def can_handle(self, handler_input: HandlerInput) -> bool:
            return is_intent_name(intents.HELP)(handler_input)

        def handle(self, handler_input: HandlerInput) -> Response:
            builder = handler_input.response_builder.speak(speech).ask(reprompt)
            if card is not None:
                builder.set_card(SimpleCard(title="Help", content=card))
            return builder.response

    return RawHelp


class HelpThatCrashes(SkillHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name(intents.HELP)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        raise ValueError("broken on purpose")


@pytest.fixture
def build(monkeypatch):
    """A skill whose handlers are HANDLERS with some put first and some left out."""

    def make(*first: type, without: tuple[type, ...] = ()) -> Any:
        handlers = (*first, *(h for h in builder.HANDLERS if h not in without))
        monkeypatch.setattr(builder, "HANDLERS", handlers)
        return check.default_skill()

    return make


def probe(skill: Any, states: tuple[str, ...], *sent: str) -> tuple[list[Failure], list[Failure]]:
    """Sweep the named states with the named intents; (state failures, probe failures)."""
    simulator = Simulator("en-GB")
    chosen = [s for s in probes.STATES if s.name in states]
    assert len(chosen) == len(states)
    requests = [(name, simulator.intent(name)) for name in sent]
    result = probes.sweep(skill, CONTENT, simulator, states=chosen, requests=requests)
    return result.failures, probes.probe_failures(result.probes)


def test_an_intent_without_a_handler(build):
    skill = build(without=(questions.ListTopicsHandler,))
    _, failures = probe(skill, ("just launched", "after an answer"), intents.LIST_TOPICS)
    assert [(f.check, f.where) for f in failures] == [
        ("handled", "en-GB, just launched: ListTopicsIntent"),
        ("handled", "en-GB, after an answer: ListTopicsIntent"),
    ]
    assert failures[0].why == "no handler serves ListTopicsIntent here"


@needs_quiz
def test_a_state_the_skill_can_no_longer_reach(build):
    skill = build(without=(quiz.StartQuizHandler,))
    states, _ = probe(skill, ("in a quiz (asking)",), intents.HELP)
    assert [(f.check, f.where) for f in states] == [("states", "en-GB, in a quiz (asking)")]


def test_a_handler_that_leaves_the_session_open_without_a_question(build):
    _, failures = probe(build(Mumble), ("just launched",), intents.PROGRESS)
    whys = [f.why for f in failures if f.check == "open-session"]
    assert len(whys) == 2
    assert "asks nothing" in whys[0] and "no reprompt" in whys[1]


def test_a_stop_that_does_not_end(build):
    _, failures = probe(build(StopThatAsks), ("just launched",), intents.STOP, intents.CANCEL)
    assert [(f.check, f.why) for f in failures] == [
        ("stop-ends", "AMAZON.StopIntent left the session open")
    ]


@needs_quiz
def test_a_help_that_drops_the_quiz(build):
    skill = build(HelpThatDropsTheQuiz)
    _, failures = probe(skill, ("in a quiz (asking)", "in a quiz (confirm_leave)"), intents.HELP)
    assert names(failures) == {"help-keeps-quiz", "quiz-kept"}
    assert len([f for f in failures if f.check == "help-keeps-quiz"]) == 2


@needs_quiz
def test_a_quiz_lost_by_an_intent_that_should_keep_it(build):
    # Nothing else serves it: not "lost"...
    skill = build(without=(quiz.ProgressHandler, quiz.QuizTurnHandler, quiz.QuizStrayHandler))
    _, failures = probe(skill, ("in a quiz (asking)",), intents.PROGRESS)
    assert names(failures) == {"handled"}

    class ProgressThatDropsTheQuiz(HelpThatDropsTheQuiz):
        def can_handle(self, handler_input: HandlerInput) -> bool:
            return is_intent_name(intents.PROGRESS)(handler_input)

    _, failures = probe(build(ProgressThatDropsTheQuiz), ("in a quiz (asking)",), intents.PROGRESS)
    assert [(f.check, f.why) for f in failures] == [("quiz-kept", "ProgressIntent lost the quiz")]


def test_content_capitalised_inside_a_sentence(build):
    _, failures = probe(
        build(help_that_says("The answer is The Soviet loan. First, It was big. Ask?")),
        ("just launched",),
        intents.HELP,
    )
    assert [f.check for f in failures] == ["sentence-case", "sentence-case"]
    _, failures = probe(
        build(help_that_says("First, Mao distrusted Stalin. It is Khrushchev's. Ask?")),
        ("just launched",),
        intents.HELP,
    )
    assert failures == []


def test_an_oversized_speech(build):
    _, failures = probe(
        build(help_that_says("word " * 1700 + "ok?")), ("just launched",), intents.HELP
    )
    (failure,) = failures
    assert failure.check == "limits" and failure.why.startswith("speech is 85")


def test_an_oversized_response(build):
    big = "x" * 7900
    skill = build(help_that_says(big + "?", big + "?", card=big))
    _, failures = probe(skill, ("just launched",), intents.HELP)
    (failure,) = failures
    assert failure.check == "limits" and "bytes (limit 24576)" in failure.why


@pytest.mark.parametrize(
    ("speech", "why"),
    [
        ("<blink>Hi</blink> What now?", "<blink> is not an SSML tag Alexa supports"),
        ("Q & A. What now?", "not XML"),
        ("<p>Hi<p> What now?", "not XML"),
    ],
)
def test_bad_ssml(build, speech, why):
    _, failures = probe(build(help_that_says(speech)), ("just launched",), intents.HELP)
    (failure,) = failures
    assert failure.check == "ssml" and why in failure.why


def test_ssml_alexa_supports_passes():
    ssml = (
        '<speak><p><s>Hi <emphasis level="strong">there</emphasis></s></p><break time="1s"/>'
        '<amazon:effect name="whispered">psst</amazon:effect><say-as interpret-as="digits">12'
        '</say-as><sub alias="ussr">USSR</sub><lang xml:lang="fr-FR">oui</lang></speak>'
    )
    assert probes.ssml_problems(ssml) == []
    assert probes.ssml_problems("Hi") == ["not wrapped in <speak>"]
    assert probes.ssml_problems('<speak><!DOCTYPE x [<!ENTITY a "b">]>&a;</speak>')


def test_a_handler_that_raises_is_a_failure_though_the_catch_all_apologises(build):
    _, failures = probe(build(HelpThatCrashes), ("just launched",), intents.HELP)
    (failure,) = failures
    assert failure.check == "no-error" and failure.why == "raised ValueError: broken on purpose"


class HelpNamingStop(SkillHandler):
    """Help whose `takes` names the wrong intent: its own can_handle would take help."""

    takes = frozenset({intents.STOP})

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name(intents.HELP)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return reply(handler_input, Speech().say("I help."), question="What now?")


def test_a_handler_whose_takes_leaves_out_what_it_handles(build):
    skill = build(HelpNamingStop)
    _, failures = probe(skill, ("just launched",), intents.HELP)
    assert [(f.check, f.where) for f in failures] == [
        ("no-error", f"en-GB, just launched: {intents.HELP}")
    ]
    assert "RoutingError: HelpNamingStop takes the request" in failures[0].why


def test_a_skill_without_an_exception_handler():
    skill_builder = CustomSkillBuilder()
    skill_builder.add_request_handler(builtins.LaunchHandler(Services(CONTENT, default_matcher())))
    skill = skill_builder.create()
    _, failures = probe(skill, ("a new session",), intents.HELP)
    assert [f.check for f in failures] == ["handled"]


def turn_of(ssml: str, *, reprompt: str | None = "<speak>Well?</speak>") -> Turn:
    response: dict[str, Any] = {"outputSpeech": {"type": "SSML", "ssml": ssml}}
    if reprompt is not None:
        response["reprompt"] = {"outputSpeech": {"type": "SSML", "ssml": reprompt}}
    response["shouldEndSession"] = False
    return Turn.of(Resolution(RequestType.INTENT, "", intents.HELP), {"response": response})


def test_the_catch_all_apology_alone_is_a_failure():
    apologies = probes.apologies_for("en-GB")
    turn = turn_of(f"<speak>{apologies[0]} Could you try again?</speak>")
    failures = probes.check_no_error(Probe("en-GB", "s", "r", {}, turn, (), apologies))
    assert [f.why for f in failures] == ["the skill apologised for an error"]


def test_speech_after_the_session_ended_is_a_failure():
    raw = {"response": {"outputSpeech": {"type": "SSML", "ssml": "<speak>Bye</speak>"}}}
    turn = Turn.of(Resolution.session_ended(), raw)
    (failure,) = probes.check_open_session_asks(Probe("en-GB", "s", "r", {}, turn))
    assert failure.why == "spoke after the session ended"


def test_a_reprompt_that_asks_nothing():
    turn = turn_of("<speak>What now?</speak>", reprompt="<speak>Say something.</speak>")
    (failure,) = probes.check_open_session_asks(Probe("en-GB", "s", "r", {}, turn))
    assert "reprompt asks nothing" in failure.why


def test_failures_print_as_check_where_why():
    assert str(Failure("ssml", "en-GB, x", "bad")) == "ssml: en-GB, x: bad"
    assert json.dumps(probes.SLOT_SAMPLES)  # plain data
