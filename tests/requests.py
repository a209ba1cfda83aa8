"""Request envelopes for tests, built by the simulator from the committed interaction model.

    from tests.requests import intent, launch, say, session_ended

    envelope = intent(intents.TOPIC, topic="the treaty of friendship")
    response = skill.invoke(request_envelope=as_envelope(envelope), context=None)

Envelopes are JSON-ready dicts carrying the simulated skill id (`SIMULATED_SKILL_ID`), so a skill
built with `Config(skill_id=SIMULATED_SKILL_ID)` accepts them. `new` defaults to True unless
session attributes are given, as in the middle of a session.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from skill.tools.simulator import SIMULATED_SKILL_ID, Resolution, Simulator

__all__ = ["SIMULATED_SKILL_ID", "as_envelope", "intent", "launch", "say", "session_ended"]

Attributes = Mapping[str, Any] | None


@functools.cache
def simulator(locale: str = "en-GB") -> Simulator:
    """One simulator per locale, shared by the tests."""
    return Simulator(locale)


def _envelope(
    resolution: Resolution, attributes: Attributes, new: bool | None, locale: str
) -> dict[str, Any]:
    new = not attributes if new is None else new
    return simulator(locale).envelope(resolution, attributes=attributes, new=new)


def launch(*, attributes: Attributes = None, new: bool | None = None, locale: str = "en-GB"):
    """A LaunchRequest ("Alexa, open history revision")."""
    return _envelope(Resolution.launch(), attributes, new, locale)


def intent(
    name: str,
    *,
    attributes: Attributes = None,
    new: bool | None = None,
    locale: str = "en-GB",
    **slots: str | int,
) -> dict[str, Any]:
    """An IntentRequest with these slot values, resolved against the model as Alexa would."""
    return _envelope(simulator(locale).intent(name, **slots), attributes, new, locale)


def say(
    utterance: str, *, attributes: Attributes = None, new: bool | None = None, locale: str = "en-GB"
) -> dict[str, Any]:
    """The request Alexa would send for a spoken utterance."""
    return _envelope(simulator(locale).resolve(utterance), attributes, new, locale)


def session_ended(
    reason: str = "USER_INITIATED", *, attributes: Attributes = None, locale: str = "en-GB"
) -> dict[str, Any]:
    """A SessionEndedRequest (USER_INITIATED, EXCEEDED_MAX_REPROMPTS or ERROR)."""
    return _envelope(Resolution.session_ended(reason), attributes, False, locale)


def as_envelope(envelope: dict[str, Any]) -> RequestEnvelope:
    """The SDK object for an envelope dict, deserialised as the SDK does for a real request."""
    return DefaultSerializer().deserialize(json.dumps(envelope), RequestEnvelope)
