"""A corpus of request envelopes, one per request type Alexa can send to a custom skill (from
Amazon's request types reference), replayed over HTTP and through lambda_handler: no 5xx, and
every response valid. Then malformed envelopes, generated, get the same."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from defusedxml import ElementTree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skill.app import create_app
from skill.builder import create_skill
from skill.config import Config
from skill.lambda_function import handler_for
from skill.progress_store import MemoryPersistenceAdapter
from skill.tools.simulator import SIMULATED_SKILL_ID, Simulator
from skill.verify import Verifier
from tests.pki import Clock

CONFIG = Config(skill_id=SIMULATED_SKILL_ID, progress_store="memory://")
SPOKEN = {"LaunchRequest", "IntentRequest", "CanFulfillIntentRequest"}

# One request of each type, as Amazon's reference describes its fields.
CORPUS: list[dict[str, Any]] = [
    {"type": "LaunchRequest"},
    {"type": "IntentRequest", "dialogState": "STARTED",
     "intent": {"name": "AMAZON.HelpIntent", "confirmationStatus": "NONE"}},
    {"type": "SessionEndedRequest", "reason": "ERROR",
     "error": {"type": "INVALID_RESPONSE", "message": "x"}},
    {"type": "CanFulfillIntentRequest",
     "intent": {"name": "WhatQuestionIntent",
                "slots": {"query": {"name": "query", "value": "was the loan"}}}},
    {"type": "AudioPlayer.PlaybackStarted", "token": "t", "offsetInMilliseconds": 0},
    {"type": "AudioPlayer.PlaybackFinished", "token": "t", "offsetInMilliseconds": 10},
    {"type": "AudioPlayer.PlaybackStopped", "token": "t", "offsetInMilliseconds": 10},
    {"type": "AudioPlayer.PlaybackNearlyFinished", "token": "t", "offsetInMilliseconds": 10},
    {"type": "AudioPlayer.PlaybackFailed", "token": "t",
     "error": {"type": "MEDIA_ERROR_UNKNOWN", "message": "x"}},
    {"type": "PlaybackController.NextCommandIssued"},
    {"type": "PlaybackController.PauseCommandIssued"},
    {"type": "PlaybackController.PlayCommandIssued"},
    {"type": "PlaybackController.PreviousCommandIssued"},
    {"type": "System.ExceptionEncountered", "error": {"type": "INVALID_RESPONSE", "message": "x"},
     "cause": {"requestId": "amzn1.echo-api.request.0"}},
    {"type": "AlexaSkillEvent.SkillEnabled"},
    {"type": "AlexaSkillEvent.SkillDisabled"},
    {"type": "AlexaSkillEvent.SkillAccountLinked", "body": {"accessToken": "x"}},
    {"type": "AlexaSkillEvent.SkillPermissionAccepted",
     "body": {"acceptedPermissions": [{"scope": "alexa::profile:name:read"}]}},
    {"type": "AlexaSkillEvent.SkillPermissionChanged", "body": {"acceptedPermissions": []}},
    {"type": "Display.ElementSelected", "token": "t"},
    {"type": "Alexa.Presentation.APL.UserEvent", "token": "t", "arguments": ["x"]},
    {"type": "Connections.Response", "name": "Buy", "status": {"code": "200", "message": "OK"},
     "payload": {}, "token": "t"},
    {"type": "Messaging.MessageReceived", "message": {"x": 1}},
]  # fmt: skip


def envelope_of(request: dict[str, Any], clock: Clock) -> dict[str, Any]:
    simulator = Simulator(clock=clock)
    envelope = simulator.envelope(simulator.resolve("open history revision"))
    envelope["request"] = {**envelope["request"], **request}
    if request["type"] not in SPOKEN | {"SessionEndedRequest"}:
        del envelope["session"]  # Alexa sends these without a session
    return envelope


def check_valid(body: dict[str, Any], request_type: str) -> None:
    """A response Alexa accepts for this request type."""
    assert body.get("version") == "1.0" and isinstance(body.get("response"), dict)
    response = body["response"]
    assert len(json.dumps(body).encode("utf-8")) <= 24 * 1024
    if request_type not in SPOKEN:
        assert "outputSpeech" not in response and "reprompt" not in response, request_type
    reprompt = (response.get("reprompt") or {}).get("outputSpeech")
    for speech in (response.get("outputSpeech"), reprompt):
        if speech and speech.get("type") == "SSML":
            assert len(speech["ssml"]) <= 8000
            ElementTree.fromstring(speech["ssml"])  # well-formed, no DTD


@pytest.fixture(scope="module")
def skill():
    return create_skill(CONFIG, progress_store=MemoryPersistenceAdapter())


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def client(skill, clock):
    verifier = Verifier(skill_id=SIMULATED_SKILL_ID, check_signatures=False, clock=clock)
    return create_app(CONFIG, skill=skill, verifier=verifier).test_client()


@pytest.mark.parametrize("request_", CORPUS, ids=[r["type"] for r in CORPUS])
def test_every_request_type_over_http(client, clock, request_):
    response = client.post("/alexa", json=envelope_of(request_, clock))
    assert response.status_code == 200, response.get_data(as_text=True)
    check_valid(response.get_json(), request_["type"])


@pytest.mark.parametrize("request_", CORPUS, ids=[r["type"] for r in CORPUS])
def test_every_request_type_through_lambda(skill, clock, request_):
    body = handler_for(skill)(envelope_of(request_, clock), None)
    check_valid(body, request_["type"])


# --- malformed envelopes ---------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
PATHS = [
    ("request",), ("request", "type"), ("request", "intent"), ("request", "intent", "slots"),
    ("request", "locale"), ("request", "timestamp"), ("session",), ("session", "attributes"),
    ("session", "attributes", "state"), ("session", "user"), ("context",), ("context", "System"),
    ("context", "System", "application"), ("context", "System", "user"), ("version",),
]  # fmt: skip


def mutated(envelope: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """The envelope with the value at `path` replaced (or added)."""
    out = copy.deepcopy(envelope)
    holder = out
    for key in path[:-1]:
        if not isinstance(holder.get(key), dict):
            holder[key] = {}
        holder = holder[key]
    holder[path[-1]] = value
    return out


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    request_=st.sampled_from(CORPUS),
    path=st.sampled_from(PATHS),
    value=JSON_VALUES,
)
def test_a_malformed_envelope_gets_a_clear_answer_never_a_5xx(
    client, skill, clock, request_, path, value
):
    envelope = mutated(envelope_of(request_, clock), path, value)
    response = client.post("/alexa", data=json.dumps(envelope), content_type="application/json")
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    if response.status_code == 200:
        check_valid(response.get_json(), str(envelope.get("request", {}).get("type")))
    body = handler_for(skill)(envelope, None)  # never raises
    assert body.get("version") == "1.0"
