"""create_skill: the one place handlers are registered, in the order they are tried.

The first handler whose can_handle says yes wins, so the order is a design decision:
1. request types (skill events and other requests with no one to speak to, CanFulfillIntent,
   launch, session end), which always mean the same;
2. answers to a pending yes/no question (reset, leaving the quiz, another quiz), before any
   handler that takes "yes" or "no" in general;
3. the quiz, gated on a quiz being active: each turn is taken once as an answer or a request
   (skill.quiz_turns) before anything is marked, and anything else keeps the quiz and asks the
   question again; stop and cancel after it, so that mid-quiz they end with the score;
4. answering questions, follow-ups to the last answer ("more", "yes" to an offered topic,
   "why?", "what does that mean?") and the general built-ins, last the free-form question
   intents, so a command word is never taken for a question.
"""

from __future__ import annotations

import random

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder

from skill.config import Config
from skill.content import Content, default_content
from skill.dialog import Chooser
from skill.handlers import builtins, questions, quiz
from skill.handlers.common import PrepareRequest, Services
from skill.handlers.routing import RoutedRequestMapper
from skill.matching import Matcher, default_matcher, matcher_for
from skill.progress_store import open_store

HANDLERS = (
    # Requests no one is waiting on, and Alexa asking whether the skill can take a request.
    builtins.SkillDisabledHandler,
    builtins.SilentRequestHandler,
    questions.CanFulfillHandler,
    quiz.ResumeQuizHandler,  # a launch with a paused quiz carries on with it
    builtins.LaunchHandler,
    builtins.SessionEndedHandler,
    # Pending yes/no questions.
    quiz.ConfirmResetHandler,
    quiz.LeaveQuizHandler,
    quiz.AnotherQuizHandler,
    # The quiz: every turn it understands, then anything else mid-quiz, before the general ones.
    quiz.StartQuizHandler,
    quiz.QuizTurnHandler,
    quiz.QuizStrayHandler,
    # Stop and cancel end the session; mid-quiz the turn handler says the score first.
    builtins.StopHandler,
    quiz.NotInQuizHandler,
    quiz.ProgressHandler,
    quiz.ResetProgressHandler,
    # Answering and the general built-ins; "yes" to "hear more?" before "yes" as go home.
    questions.MoreHandler,
    questions.OfferHandler,
    questions.WhyHandler,
    questions.DefineHandler,
    builtins.HelpHandler,
    builtins.RepeatHandler,
    builtins.NoHandler,
    builtins.HomeHandler,
    questions.ListTopicsHandler,
    questions.QuestionHandler,
    builtins.FallbackHandler,
)


def create_skill(
    config: Config | None = None,
    *,
    content: Content | None = None,
    matcher: Matcher | None = None,
    progress_store: AbstractPersistenceAdapter | None = None,
    choose: Chooser = random.choice,
    rng: random.Random | None = None,
) -> CustomSkill:
    """Build the skill object that the simulator, the Flask endpoint and Lambda all serve."""
    config = config or Config()
    if content is None:
        content, matcher = default_content(), matcher or default_matcher()
    services = Services(
        content=content,
        matcher=matcher or matcher_for(content),
        choose=choose,
        rng=rng or random.Random(),
    )
    builder = CustomSkillBuilder(
        persistence_adapter=progress_store or open_store(config.progress_store)
    )
    builder.skill_id = config.skill_id  # type: ignore[assignment]  # the SDK annotates it None
    for handler in HANDLERS:
        builder.add_request_handler(handler(services))
    builder.add_global_request_interceptor(PrepareRequest(services))  # first: others use it
    builder.add_global_request_interceptor(builtins.KeepOnlyValidSession(services))
    builder.add_global_request_interceptor(builtins.ForgetUnansweredConfirmation(services))
    builder.add_global_response_interceptor(builtins.RememberLastResponse(services))
    builder.add_global_response_interceptor(builtins.WriteSession())  # last: after every save
    builder.add_exception_handler(builtins.CatchAllExceptionHandler())
    configuration = builder.skill_configuration
    # The SDK's mapper asks every handler in turn; this one only those that name the request.
    (mapper,) = configuration.request_mappers
    configuration.request_mappers = [RoutedRequestMapper(mapper.request_handler_chains)]
    return CustomSkill(skill_configuration=configuration)
