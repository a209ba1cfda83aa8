"""AWS Lambda entry point: `lambda_function.lambda_handler` serves the same skill object.

The skill is built once, when Lambda imports the module, with its configuration from environment
variables (SKILL_ID, PROGRESS_STORE, LOG_LEVEL). Lambda's Alexa trigger checks the skill id
before invoking, and Alexa's requests reach Lambda without HTTP, so no signature is checked here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, cast

from ask_sdk_model import RequestEnvelope

from skill.builder import create_skill
from skill.config import Config
from skill.serializer import FastSerializer

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


log = logging.getLogger(__name__)

# What Lambda returns for an event the skill cannot take: a valid response that says nothing.
EMPTY_RESPONSE: dict[str, Any] = {"version": "1.0", "response": {}}


def handler_for(skill: Any) -> Handler:
    """A Lambda handler for a skill object, (de)serialising as ask-sdk-core's own does (with
    skill/serializer.py: the same objects, faster). It never raises: an event the SDK cannot take
    (a request type newer than ask-sdk-model, a malformed envelope) is logged by its type alone
    and answered with an empty response."""
    serializer = FastSerializer()

    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        try:
            envelope = serializer.read(event, RequestEnvelope)
            response = skill.invoke(request_envelope=envelope, context=context)
            return cast(dict[str, Any], serializer.serialize(response))
        except Exception as error:  # the SDK raises several kinds; the event may be anything
            log.warning("event not answered: %s", type(error).__name__)
            return dict(EMPTY_RESPONSE)

    return lambda_handler


_config = Config.from_env()
logging.getLogger().setLevel(_config.log_level)  # Lambda's runtime installs the handler
lambda_handler = handler_for(create_skill(_config))
