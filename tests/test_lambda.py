"""The Lambda entry point: built once at import from the environment, same skill object."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

import pytest

from skill import intents
from skill.tools.simulator import SIMULATED_SKILL_ID
from tests.requests import intent, launch


class LambdaContext:
    """The few attributes of Lambda's context object a handler might read."""

    function_name = "history-revision"
    aws_request_id = "test-request"

    def get_remaining_time_in_millis(self) -> int:
        return 3000


@pytest.fixture
def lambda_module(monkeypatch) -> ModuleType:
    """skill.lambda_function imported afresh, as Lambda imports it, with this environment."""
    monkeypatch.setenv("SKILL_ID", SIMULATED_SKILL_ID)
    monkeypatch.setenv("PROGRESS_STORE", "memory://")
    monkeypatch.delitem(sys.modules, "skill.lambda_function", raising=False)
    return importlib.import_module("skill.lambda_function")


def test_a_launch_is_answered(lambda_module):
    response = lambda_module.lambda_handler(launch(), LambdaContext())
    assert response["version"] == "1.0"
    assert "history" in response["response"]["outputSpeech"]["ssml"].lower()


def test_the_skill_is_built_once_and_keeps_progress_between_invocations(lambda_module):
    handler, context = lambda_module.lambda_handler, LambdaContext()
    quiz = handler(intent(intents.START_QUIZ), context)
    attributes = quiz["sessionAttributes"]
    assert attributes
    answer = handler(intent(intents.DONT_KNOW, attributes=attributes), context)
    assert "Question 2 of" in answer["response"]["outputSpeech"]["ssml"]


EMPTY = {"version": "1.0", "response": {}}


def test_another_skills_request_gets_an_empty_response_and_no_speech(lambda_module, caplog):
    event = launch()
    event["context"]["System"]["application"]["applicationId"] = "amzn1.ask.skill.other"
    event["session"]["application"]["applicationId"] = "amzn1.ask.skill.other"
    assert lambda_module.lambda_handler(event, LambdaContext()) == EMPTY
    assert "AskSdkException" in caplog.text and "amzn1" not in caplog.text


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"version": "1.0", "request": {"type": "Alexa.Presentation.APL.Future", "requestId": 1}},
        {"version": "1.0", "request": "not an object"},
    ],
)
def test_a_malformed_event_never_raises(lambda_module, event):
    assert lambda_module.lambda_handler(event, LambdaContext()) == EMPTY
