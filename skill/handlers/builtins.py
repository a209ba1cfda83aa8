"""Launch, help, repeat, stop, fallback and the other turns every skill needs."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import (
    AbstractExceptionHandler,
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, get_request_type, is_intent_name, is_request_type
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from skill import intents, session
from skill.dialog import dialog_for
from skill.handlers.common import (
    YES_OR_NO,
    Services,
    SkillHandler,
    after_answer,
    dialog_of,
    examples,
    intent_in,
    load_progress,
    offer_more,
    reply,
    what_next,
)
from skill.handlers.routing import ANY_INTENT
from skill.language import plain_text
from skill.speech import Speech, is_own_ssml, slowed

log = logging.getLogger(__name__)


class LaunchHandler(SkillHandler):
    """ "Open history revision": a welcome, two example questions, and a question back."""

    takes = frozenset({"LaunchRequest"})

    def handle(self, handler_input: HandlerInput) -> Response:
        dialog = self.dialog(handler_input)
        returning = bool(load_progress(handler_input).facts)
        speech = Speech().say(dialog.text("welcome_back" if returning else "welcome"))
        speech.pause().say(examples(self.services, handler_input))
        if returning:
            speech.say(dialog.text("launch_quiz_offer"))
        session.save(handler_input, session.SessionState())
        return what_next(self.services, handler_input, speech)


class HelpHandler(SkillHandler):
    """Help that fits where the student is: part way through an answer, or anywhere else."""

    takes = frozenset({intents.HELP})

    def handle(self, handler_input: HandlerInput) -> Response:
        dialog = self.dialog(handler_input)
        state = self.state(handler_input)
        if state.reading is not None:
            speech = Speech().say(dialog.text("help_more"), dialog.text("help_commands"))
            return offer_more(self.services, handler_input, speech)
        speech = Speech().say(dialog.text("help"), examples(self.services, handler_input))
        return what_next(self.services, handler_input, speech.say(dialog.text("help_commands")))


def goodbye(services: Services, handler_input: HandlerInput) -> Response:
    """Goodbye, and the session ends."""
    dialog = dialog_of(services, handler_input)
    return reply(handler_input, Speech().say(dialog.text("goodbye")), question=None)


class StopHandler(SkillHandler):
    """Stop and cancel: goodbye, and the session ends."""

    takes = frozenset({intents.STOP, intents.CANCEL})

    def handle(self, handler_input: HandlerInput) -> Response:
        return goodbye(self.services, handler_input)


class NoHandler(SkillHandler):
    """ "No" to "would you like to hear more?" or to an offered topic moves on; "no" to
    anything else is goodbye."""

    takes = frozenset({intents.NO})

    def handle(self, handler_input: HandlerInput) -> Response:
        state = self.state(handler_input)
        if state.reading is None and state.offer is None:
            return goodbye(self.services, handler_input)
        return after_answer(self.services, handler_input, Speech())


class HomeHandler(SkillHandler):
    """Navigate home, start over, or a "yes" with nothing pending: back to the start."""

    takes = frozenset({intents.NAVIGATE_HOME, intents.START_OVER, intents.YES})

    def handle(self, handler_input: HandlerInput) -> Response:
        dialog = self.dialog(handler_input)
        state = self.state(handler_input).but(reading=None, quiz=None, topic=None, offer=None)
        session.save(handler_input, state)
        speech = Speech().say(dialog.text("home"), examples(self.services, handler_input))
        return what_next(self.services, handler_input, speech)


class FallbackHandler(SkillHandler):
    """Words the model could not place: say so, and offer examples."""

    takes = frozenset({ANY_INTENT})

    def can_handle(self, handler_input: HandlerInput) -> bool:
        # "Um", "let me think" outside a quiz say as little as speech Alexa could not place.
        if intent_in(intents.FALLBACK, intents.THINKING)(handler_input):
            return True
        # An intent this code does not know (a model deployed ahead of it) is words we could
        # not place, not an error on our side.
        if is_request_type("IntentRequest")(handler_input):
            name = get_intent_name(handler_input)
            if name not in intents.KNOWN_INTENTS:
                log.warning("unknown intent %s taken as fallback", _loggable(name))
                return True
        return False

    def handle(self, handler_input: HandlerInput) -> Response:
        dialog = self.dialog(handler_input)
        state = self.state(handler_input)
        speech = Speech().say(dialog.text("fallback"))
        if state.reading is not None:
            return offer_more(self.services, handler_input, speech)
        return what_next(
            self.services, handler_input, speech.say(examples(self.services, handler_input))
        )


class RepeatHandler(SkillHandler):
    """ "Repeat": say the last response again, exactly, from the session; "slower please" says
    it again at a slower rate."""

    takes = frozenset({intents.REPEAT, intents.SLOWER})

    def handle(self, handler_input: HandlerInput) -> Response:
        last = self.state(handler_input).last
        if last is None or not replayable(last):
            dialog = self.dialog(handler_input)
            return what_next(
                self.services, handler_input, Speech().say(dialog.text("nothing_to_repeat"))
            )
        slower = is_intent_name(intents.SLOWER)(handler_input)
        builder = handler_input.response_builder.speak(slowed(last.ssml) if slower else last.ssml)
        builder.ask(last.reprompt or "")  # replayable: there is one
        if last.card_title and last.card_text:
            builder.set_card(SimpleCard(title=last.card_title, content=last.card_text))
        return builder.response


def replayable(last: session.Spoken) -> bool:
    """Whether the last response kept in the session is still one the skill would say: speech
    and reprompt are its own SSML, and the reprompt asks a question."""
    return (
        is_own_ssml(last.ssml)
        and last.reprompt is not None
        and is_own_ssml(last.reprompt)
        and plain_text(last.reprompt).endswith("?")
    )


# Requests a person is waiting on; every other type (AudioPlayer, PlaybackController, skill
# events, messages, System.ExceptionEncountered) has no one to speak to, and Alexa forbids speech
# and an open session in the answer.
SPOKEN_REQUESTS = frozenset(
    {"LaunchRequest", "IntentRequest", "SessionEndedRequest", "CanFulfillIntentRequest"}
)


def is_silent(handler_input: HandlerInput) -> bool:
    """Whether the request must be answered without speech."""
    return get_request_type(handler_input) not in SPOKEN_REQUESTS


class SkillDisabledHandler(SkillHandler):
    """The student turned the skill off: forget them. The users are children."""

    takes = frozenset({"AlexaSkillEvent.SkillDisabled"})

    def handle(self, handler_input: HandlerInput) -> Response:
        handler_input.attributes_manager.delete_persistent_attributes()
        log.info("skill disabled: progress deleted")
        return handler_input.response_builder.response


class SilentRequestHandler(SkillHandler):
    """Every request with no one to speak to: an empty response. Alexa's report of an error in
    our last response is logged by its type, which names no student."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_silent(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        if get_request_type(handler_input) == "System.ExceptionEncountered":
            error = getattr(request, "error", None)
            kind = getattr(error, "object_type", None) or getattr(error, "type", None)
            log.warning("Alexa reported an error in a response: %s", _loggable(kind))
        return handler_input.response_builder.response


def _loggable(value: object) -> str:
    """A value for a log line: printable ASCII only, short, so nothing forges a line."""
    text = "".join(c if c.isprintable() and c.isascii() else "?" for c in str(value))
    return text[:80]


class SessionEndedHandler(SkillHandler):
    """The session closed (timeout, error, user left): nothing may be said."""

    takes = frozenset({"SessionEndedRequest"})

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.response


class RememberLastResponse(AbstractResponseInterceptor):
    """Keep what was just said in the session, so one RepeatHandler serves every turn."""

    def __init__(self, services: Services):
        self.services = services

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        ssml = getattr(response.output_speech, "ssml", None) if response else None
        if ssml is None or response.should_end_session:
            return
        reprompt_speech = response.reprompt.output_speech if response.reprompt else None
        reprompt = getattr(reprompt_speech, "ssml", None)
        card = response.card if isinstance(response.card, SimpleCard) else None
        last = session.Spoken(
            ssml=ssml,
            reprompt=reprompt,
            card_title=card.title if card else None,
            card_text=card.content if card else None,
        )
        state = self.services.state(handler_input)
        session.save(handler_input, state.but(last=last))


class WriteSession(AbstractResponseInterceptor):
    """The last response interceptor: the session state saved during the turn (by the
    interceptors and the handler, however many times) goes into the response, once."""

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        session.write(handler_input)


class KeepOnlyValidSession(AbstractRequestInterceptor):
    """Session attributes come back from the device: what does not parse as the skill's state
    is dropped on the way in, so it is never echoed back (nor grows a response past Alexa's
    limits)."""

    def __init__(self, services: Services):
        self.services = services

    def process(self, handler_input: HandlerInput) -> None:
        if session.in_session(handler_input):
            session.save(handler_input, self.services.state(handler_input))


class ForgetUnansweredConfirmation(AbstractRequestInterceptor):
    """A yes/no question (reset, an offered topic) answered with anything else is dropped, so
    a later "yes" can't confirm it by surprise."""

    def __init__(self, services: Services):
        self.services = services

    def process(self, handler_input: HandlerInput) -> None:
        if YES_OR_NO(handler_input):
            return
        state = self.services.state(handler_input)
        if state.confirm_reset or state.offer is not None:
            session.save(handler_input, state.but(confirm_reset=False, offer=None))


class CatchAllExceptionHandler(AbstractExceptionHandler):
    """Any error: a spoken apology and a way on. Logged without ids, slot values or bodies."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        # The exception's message may quote what the student said, so log its type and place only.
        frame = exception.__traceback__
        while frame is not None and frame.tb_next is not None:
            frame = frame.tb_next
        where = f"{frame.tb_frame.f_code.co_filename}:{frame.tb_lineno}" if frame else "?"
        log.error(
            "handler error %s at %s for %s",
            type(exception).__name__,
            where,
            get_request_type(handler_input),
        )
        session.write(handler_input)  # the response interceptors that would have are not run
        if is_silent(handler_input):
            return handler_input.response_builder.response
        dialog = dialog_for(getattr(handler_input.request_envelope.request, "locale", None))
        return reply(
            handler_input,
            Speech().say(dialog.text("error")),
            question=dialog.text("error_question"),
            reprompt=dialog.text("reprompt"),
        )
