"""The model, the intent constants and the handlers agree: every intent has a handler."""

from __future__ import annotations

import json

import pytest
from ask_sdk_core.exceptions import DispatchException

from skill import intents
from skill.builder import HANDLERS
from skill.content import default_content
from skill.dialog import LOCALES
from skill.tools.check import probes
from skill.tools.model import MODEL_DIR
from skill.tools.simulator import InProcess, Simulator

from .conftest import Talk


def declared(locale: str) -> list[str]:
    model = json.loads((MODEL_DIR / f"{locale}.json").read_text(encoding="utf-8"))
    return [intent["name"] for intent in model["interactionModel"]["languageModel"]["intents"]]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_declared_intent_is_a_constant(locale):
    constants = {v for k, v in vars(intents).items() if k.isupper() and isinstance(v, str)}
    assert set(declared(locale)) <= constants


@pytest.fixture
def strict_skill(skill):
    # Without the catch-all, a request no handler takes raises instead of apologising.
    skill.request_dispatcher.exception_mapper = None
    return skill


@pytest.mark.parametrize("state", probes.STATES, ids=lambda state: state.name)
def test_every_declared_intent_has_a_handler_in_every_state(strict_skill, clock, state):
    """The states `python -m skill check` probes, reached the same way."""
    content = default_content()
    if state.needs_quiz and not content.items:
        pytest.skip("the content has no quiz items")
    for name in declared("en-GB"):
        talk = Talk(InProcess(strict_skill), Simulator("en-GB", clock=clock))
        for step in state.steps:
            step(talk, content)
        try:
            talk.intent(name)
        except DispatchException as error:  # pragma: no cover - the failure we look for
            pytest.fail(f"{name} has no handler {state.name}: {error}")


def test_an_intent_without_a_handler_is_caught(monkeypatch, store, clock):
    from skill import builder
    from skill.config import Config
    from skill.handlers.questions import ListTopicsHandler

    monkeypatch.setattr(
        builder, "HANDLERS", tuple(h for h in HANDLERS if h is not ListTopicsHandler)
    )
    skill = builder.create_skill(Config(progress_store="memory://"), progress_store=store)
    skill.request_dispatcher.exception_mapper = None
    talk = Talk(InProcess(skill), Simulator("en-GB", clock=clock))
    with pytest.raises(DispatchException):
        talk.intent(intents.LIST_TOPICS)


def test_no_handler_is_registered_twice():
    # Each handler class is registered once; a duplicate would shadow itself.
    assert len(HANDLERS) == len(set(HANDLERS))


def test_every_handler_but_the_silent_one_names_what_it_takes():
    # The mapper asks a handler that names nothing about every request (skill.handlers.routing).
    from skill.handlers.builtins import SilentRequestHandler

    assert [h.__name__ for h in HANDLERS if h.takes is None] == [SilentRequestHandler.__name__]


def test_what_handlers_take_is_in_the_model_or_a_request_type():
    constants = {v for k, v in vars(intents).items() if k.isupper() and isinstance(v, str)}
    names = set(declared("en-GB")) | constants
    types = {"LaunchRequest", "SessionEndedRequest", "CanFulfillIntentRequest", "IntentRequest",
             "AlexaSkillEvent.SkillDisabled"}  # fmt: skip
    taken = {name for h in HANDLERS for name in h.takes or ()}
    assert taken <= names | types


@pytest.mark.parametrize("locale", LOCALES)
def test_the_answer_subjects_are_the_models_carriers(locale):
    model = json.loads((MODEL_DIR / f"{locale}.json").read_text(encoding="utf-8"))
    intents_declared = model["interactionModel"]["languageModel"]["intents"]
    samples = next(i["samples"] for i in intents_declared if i["name"] == intents.ANSWER)
    for subject in intents.ANSWER_SUBJECTS:
        assert f"{subject} {{answer}}" in samples, subject
