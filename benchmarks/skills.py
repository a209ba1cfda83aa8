"""What the benchmarks send and to whom: the skill, a hello-world baseline, and four requests."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ask_sdk_core.dispatch_components import (
    AbstractExceptionHandler,
    AbstractRequestHandler,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import RequestEnvelope, Response

from skill.tools.simulator import SIMULATED_SKILL_ID, Simulator

# The turns every benchmark sends, by name, in this order.
TURNS = ("launch", "question", "quiz answer", "help")
QUESTION = "what were the terms of the treaty of friendship"


# --- the baseline: ask-sdk-core's hello world, as its sample skill is written ---------------------


class _LaunchHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        speech = "Welcome, you can say Hello or Help. Which would you like to try?"
        return handler_input.response_builder.speak(speech).ask(speech).response


class _HelpHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.HelpIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        speech = "You can say hello to me! How can I help?"
        return handler_input.response_builder.speak(speech).ask(speech).response


class _SessionEndedHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.response


class _HelloHandler(AbstractRequestHandler):
    """Any other intent: hello world."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("IntentRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.speak("Hello World!").response


class _CatchAll(AbstractExceptionHandler):
    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        speech = "Sorry, I had trouble doing what you asked. Please try again."
        return handler_input.response_builder.speak(speech).ask(speech).response


def hello_world_skill() -> CustomSkill:
    """The baseline: a minimal ask-sdk-core skill, with the same skill id check as ours."""
    builder = SkillBuilder()
    builder.skill_id = SIMULATED_SKILL_ID  # type: ignore[assignment]  # the SDK annotates it None
    for handler in (_LaunchHandler, _HelpHandler, _SessionEndedHandler, _HelloHandler):
        builder.add_request_handler(handler())
    builder.add_exception_handler(_CatchAll())
    return builder.create()


# --- the skill and the requests ------------------------------------------------------------------


def our_skill(progress_store: str = "memory://") -> CustomSkill:
    """The skill as the endpoint builds it, with the given progress store."""
    from skill.builder import create_skill
    from skill.config import Config

    return create_skill(Config(skill_id=SIMULATED_SKILL_ID, progress_store=progress_store))


def envelopes(skill: CustomSkill) -> dict[str, dict[str, Any]]:
    """The four requests, built by the simulator; the quiz answer carries a live quiz, made by
    saying "quiz me" to `skill` once."""
    from skill.tools.simulator import Conversation, InProcess

    simulator = Simulator("en-GB", skill_id=SIMULATED_SKILL_ID)
    talk = Conversation(InProcess(skill), simulator)
    talk.launch()
    quiz = talk.say("quiz me").session_attributes
    if "quiz" not in json.dumps(quiz):
        raise RuntimeError('"quiz me" did not start a quiz')
    session_id = talk.session_id
    return {
        "launch": simulator.envelope(simulator.resolve("open history revision")),
        "question": simulator.envelope(
            simulator.resolve(QUESTION), session_id=session_id, new=False
        ),
        "quiz answer": simulator.envelope(
            simulator.resolve("a"), attributes=quiz, session_id=session_id, new=False
        ),
        "help": simulator.envelope(simulator.resolve("help"), session_id=session_id, new=False),
    }


class Turn:
    """One turn as the endpoint does it: JSON text in, deserialise, invoke, serialise, JSON out."""

    def __init__(self, skill: CustomSkill) -> None:
        self.skill = skill
        self.serializer = DefaultSerializer()

    def __call__(self, body: str) -> str:
        envelope = self.serializer.deserialize(body, RequestEnvelope)
        response = self.skill.invoke(request_envelope=envelope, context=None)
        return json.dumps(self.serializer.serialize(response))


def bodies(requests: Mapping[str, dict[str, Any]]) -> dict[str, str]:
    """The requests as the JSON text that arrives over the wire."""
    return {name: json.dumps(envelope) for name, envelope in requests.items()}
