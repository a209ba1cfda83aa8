"""create_skill: the one place handlers are registered, in the order they are tried.

The first handler whose can_handle says yes wins, so the order is a design decision:
- launch and session end come first, as they are request types, not intents;
- "more" sits before "yes"-as-home, so "yes" to "would you like to hear more?" continues;
- questions come after the commands, so a command word is never taken for a question.
"""

from __future__ import annotations

import random

from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder

from skill.config import Config
from skill.content import Content, default_content
from skill.dialog import Chooser
from skill.handlers import builtins, questions
from skill.handlers.common import Services
from skill.matching import Matcher, default_matcher


def create_skill(
    config: Config | None = None,
    *,
    content: Content | None = None,
    matcher: Matcher | None = None,
    choose: Chooser = random.choice,
    rng: random.Random | None = None,
) -> CustomSkill:
    """Build the skill object that the simulator, the Flask endpoint and Lambda all serve."""
    config = config or Config()
    if content is None:
        content, matcher = default_content(), matcher or default_matcher()
    services = Services(
        content=content,
        matcher=matcher or Matcher(content.entries, content.aliases),
        choose=choose,
        rng=rng or random.Random(),
    )
    builder = CustomSkillBuilder()
    builder.skill_id = config.skill_id
    for handler in (
        builtins.LaunchHandler,
        builtins.SessionEndedHandler,
        builtins.StopHandler,
        builtins.HelpHandler,
        builtins.RepeatHandler,
        questions.MoreHandler,
        builtins.NoHandler,
        builtins.HomeHandler,
        questions.ListTopicsHandler,
        questions.QuestionHandler,
        builtins.FallbackHandler,
    ):
        builder.add_request_handler(handler(services))
    builder.add_global_response_interceptor(builtins.RememberLastResponse(services.has_entry))
    builder.add_exception_handler(builtins.CatchAllExceptionHandler())
    return builder.create()
