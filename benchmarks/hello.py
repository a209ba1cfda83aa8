"""The baselines: ask-sdk-core's hello world, as its sample skill is written, served two ways.

`hello_world_skill()` is the ASK hello-world sample's handlers (launch, hello, help, cancel/stop,
fallback, session ended, intent reflector, catch-all exception), with the skill id set as ours
is, so both skills make the same id check. It is served:

- on Lambda as the sample does: `SkillBuilder.lambda_handler()` (`sdk_lambda_handler()`), which
  builds a CustomSkill and its DefaultSerializer per event;
- on Flask as a bare app (`create_app()`), `POST /alexa` deserialising with the SDK's
  DefaultSerializer, invoking, and answering the serialised response: what flask-ask-sdk's
  SkillAdapter does with verification off. `create_app(fast=True)` uses skill/serializer.py's
  FastSerializer instead: a hello world on the same serializer as ours.

Nothing here imports the skill's content, so `gunicorn 'benchmarks.hello:create_app()'` is a
worker holding Flask and ask-sdk-core alone.
"""

from __future__ import annotations

import json
from typing import Any

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils import get_intent_name, is_intent_name, is_request_type
from ask_sdk_model import RequestEnvelope, Response
from flask import Flask, request

SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"  # the simulator's


class LaunchRequestHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        speak_output = "Welcome, you can say Hello or Help. Which would you like to try?"
        return handler_input.response_builder.speak(speak_output).ask(speak_output).response


class HelloWorldIntentHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("HelloWorldIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        speak_output = "Hello World!"
        return handler_input.response_builder.speak(speak_output).response


class HelpIntentHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.HelpIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        speak_output = "You can say hello to me! How can I help?"
        return handler_input.response_builder.speak(speak_output).ask(speak_output).response


class CancelOrStopIntentHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.CancelIntent")(handler_input) or is_intent_name(
            "AMAZON.StopIntent"
        )(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.speak("Goodbye!").response


class FallbackIntentHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.FallbackIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        speech = "Hmm, I'm not sure. You can say Hello or Help. What would you like to do?"
        reprompt = "I didn't catch that. What can I help you with?"
        return handler_input.response_builder.speak(speech).ask(reprompt).response


class SessionEndedRequestHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.response


class IntentReflectorHandler(AbstractRequestHandler):
    """Any other intent: says its name (the sample's debugging handler)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("IntentRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        intent_name = str(get_intent_name(handler_input))
        speak_output = "You just triggered " + intent_name + "."
        return handler_input.response_builder.speak(speak_output).response


class CatchAllExceptionHandler(AbstractExceptionHandler):
    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        speak_output = "Sorry, I had trouble doing what you asked. Please try again."
        return handler_input.response_builder.speak(speak_output).ask(speak_output).response


def skill_builder() -> SkillBuilder:
    """The sample's SkillBuilder, handlers in the sample's order (the reflector last)."""
    builder = SkillBuilder()
    builder.skill_id = SKILL_ID  # type: ignore[assignment]  # the SDK annotates it None
    for handler in (
        LaunchRequestHandler(),
        HelloWorldIntentHandler(),
        HelpIntentHandler(),
        CancelOrStopIntentHandler(),
        FallbackIntentHandler(),
        SessionEndedRequestHandler(),
        IntentReflectorHandler(),
    ):
        builder.add_request_handler(handler)
    builder.add_exception_handler(CatchAllExceptionHandler())
    return builder


def hello_world_skill() -> CustomSkill:
    """The hello world as a skill object."""
    return skill_builder().create()


def sdk_lambda_handler() -> Any:
    """`lambda_handler = sb.lambda_handler()`, as the sample ends."""
    return skill_builder().lambda_handler()


def create_app(fast: bool = False) -> Flask:
    """A bare Flask app serving the hello world at POST /alexa, without verification."""
    if fast:
        from skill.serializer import FastSerializer

        serializer: Any = FastSerializer()
    else:
        serializer = DefaultSerializer()
    skill = hello_world_skill()
    app = Flask(__name__)

    @app.post("/alexa")
    def alexa() -> Any:
        envelope = serializer.deserialize(request.get_data(as_text=True), RequestEnvelope)
        response = skill.invoke(request_envelope=envelope, context=None)
        return app.response_class(
            json.dumps(serializer.serialize(response)), mimetype="application/json"
        )

    @app.get("/health")
    def health() -> Any:
        return {"status": "ok"}

    return app
