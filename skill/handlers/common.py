"""What every handler shares: its services, the session state, and one way to reply."""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from ask_sdk_core.dispatch_components import AbstractRequestHandler, AbstractRequestInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_locale
from ask_sdk_model import IntentRequest, Response
from ask_sdk_model.ui import SimpleCard

from skill import intents, progress, session
from skill.content import Answer, Content, Entry
from skill.dialog import Chooser, Dialog, dialog_for
from skill.handlers.routing import is_taken
from skill.matching import Matcher
from skill.quiz import Phase, QuizState
from skill.session import SessionState
from skill.speech import Speech, card_text, slowed


@functools.cache
def intent_in(*names: str) -> Callable[[HandlerInput], bool]:
    """A predicate, as ask-sdk's is_intent_name, for an intent request of any of `names`.

    Made once for each set of names: handlers ask for one in every can_handle, and a request
    goes through most of them (a question, through 26)."""
    wanted = frozenset(names)

    def predicate(handler_input: HandlerInput) -> bool:
        request = handler_input.request_envelope.request
        intent = request.intent if isinstance(request, IntentRequest) else None
        return intent is not None and intent.name in wanted

    return predicate


YES_OR_NO = intent_in(intents.YES, intents.NO)

_DIALOG = "dialog"  # the request attribute holding the request's Dialog


@dataclass(frozen=True)
class Services:
    """What handlers need, built once per process by create_skill."""

    content: Content
    matcher: Matcher
    choose: Chooser = random.choice  # picks dialog variants and examples; tests may fix it
    rng: random.Random = field(default_factory=random.Random)

    def has_entry(self, entry_id: str) -> bool:
        return self.content.has_entry(entry_id)

    def has_item(self, item_id: str) -> bool:
        return self.content.has_item(item_id)

    def state(self, handler_input: HandlerInput) -> SessionState:
        """This session's state; ids that no longer exist in the content count as no state."""
        return session.load(handler_input, self.has_entry, self.has_item)


def _build_dialog(services: Services, handler_input: HandlerInput) -> Dialog:
    locale = str(get_locale(handler_input) or "") or None
    return dialog_for(locale, services.choose)


class PrepareRequest(AbstractRequestInterceptor):
    """Per-request values, made once before any handler runs and kept in the SDK's request
    attributes (where alexa-samples' skills keep their localised strings): the dialog for the
    request's locale."""

    def __init__(self, services: Services):
        self.services = services

    def process(self, handler_input: HandlerInput) -> None:
        attributes = handler_input.attributes_manager.request_attributes
        attributes[_DIALOG] = _build_dialog(self.services, handler_input)


def dialog_of(services: Services, handler_input: HandlerInput) -> Dialog:
    """The request's dialog, as PrepareRequest made it (or made now, for an exception handler
    reached before the interceptors ran)."""
    attributes = handler_input.attributes_manager.request_attributes
    found = attributes.get(_DIALOG)
    if not isinstance(found, Dialog):
        found = attributes[_DIALOG] = _build_dialog(services, handler_input)
    return found


def active_quiz(services: Services, handler_input: HandlerInput) -> QuizState | None:
    """The quiz waiting for an answer (or for a yes/no about leaving it), if any."""
    state = services.state(handler_input).quiz
    return state if state is not None and state.phase is not Phase.FINISHED else None


def in_phase(services: Services, *phases: Phase) -> Callable[[HandlerInput], bool]:
    """A predicate: the session's quiz is in one of `phases`."""

    def predicate(handler_input: HandlerInput) -> bool:
        state = services.state(handler_input).quiz
        return state is not None and state.phase in phases

    return predicate


def quiz_active(services: Services) -> Callable[[HandlerInput], bool]:
    """A predicate: a quiz is running (not finished)."""
    return lambda handler_input: active_quiz(services, handler_input) is not None


def end_with(
    services: Services,
    handler_input: HandlerInput,
    speech: Speech,
    question_key: str,
    reprompt_key: str,
) -> Response:
    """End the turn with one of the skill's questions and its reprompt, by dialog key."""
    dialog = dialog_of(services, handler_input)
    return reply(
        handler_input,
        speech,
        question=dialog.text(question_key),
        reprompt=dialog.text(reprompt_key),
    )


def what_next(services: Services, handler_input: HandlerInput, speech: Speech) -> Response:
    """End the turn by asking what to revise, the skill's home question.

    That question replaces any yes/no question asked before it ("hear more?", "another
    quiz?"), so a later "yes" cannot answer one the student no longer hears."""
    drop_pending(services, handler_input)
    return end_with(services, handler_input, speech, "launch_question", "reprompt")


def after_answer(services: Services, handler_input: HandlerInput, speech: Speech) -> Response:
    """End the turn after an answer (or a "don't know") by asking for the next question."""
    drop_pending(services, handler_input)
    return end_with(services, handler_input, speech, "after_answer_question", "answer_reprompt")


def offer_more(services: Services, handler_input: HandlerInput, speech: Speech) -> Response:
    """End the turn by asking again whether to hear the rest of a split answer."""
    return end_with(services, handler_input, speech, "more_question", "more_reprompt")


def drop_pending(services: Services, handler_input: HandlerInput) -> None:
    """Forget a yes/no question the next question replaces: "hear more?" of a split answer,
    an offered topic, and "another quiz?" of a finished quiz (a quiz still running is kept)."""
    state = services.state(handler_input)
    finished = state.quiz is not None and state.quiz.phase is Phase.FINISHED
    if state.reading is not None or state.offer is not None or finished:
        quiz = None if finished else state.quiz
        session.save(handler_input, state.but(reading=None, offer=None, quiz=quiz))


def examples(services: Services, handler_input: HandlerInput) -> str:
    """Two example questions, different each time."""
    first, second = services.rng.sample(services.content.entries, 2)
    return dialog_of(services, handler_input).text(
        "examples", first=first.question, second=second.question
    )


def some_sections(services: Services, count: int = 2) -> Sequence[str]:
    """A few parts of the topic, for when the skill can't answer what was asked and no entry
    is near the words heard: broad names, not facts from an entry picked at random."""
    sections = services.content.sections
    return [s.title for s in services.rng.sample(sections, min(count, len(sections)))]


class SkillHandler(AbstractRequestHandler):
    """A request handler with the skill's services at hand. Handlers share steps through the
    functions of this package, called with `self.services`, not through subclasses.

    `takes` names the intents and request types (ANY_INTENT: every intent) that can_handle can
    say yes to, so that the request mapper (skill.handlers.routing) asks only the handlers that
    could; None: any request. can_handle says yes to all of them, unless a handler adds a
    condition of its own (calling this one first)."""

    takes: ClassVar[frozenset[str] | None] = None

    def __init__(self, services: Services):
        self.services = services

    def can_handle(self, handler_input: HandlerInput) -> bool:
        # A handler that names nothing it takes and says nothing of its own takes nothing.
        return self.takes is not None and is_taken(self.takes, handler_input)

    def dialog(self, handler_input: HandlerInput) -> Dialog:
        return dialog_of(self.services, handler_input)

    def state(self, handler_input: HandlerInput) -> SessionState:
        return self.services.state(handler_input)


def reply(
    handler_input: HandlerInput,
    speech: Speech,
    *,
    question: str | None,
    reprompt: str | None = None,
    card: Entry | None = None,
    slow: bool = False,
) -> Response:
    """Finish a turn. With a question the session stays open, and the reprompt ends with the
    question again; without one the session ends. `slow` reads the speech more slowly."""
    builder = handler_input.response_builder
    if question is None:
        builder.speak(speech.ssml()).set_should_end_session(True)
    else:
        speech.pause().say(question)
        ssml = slowed(speech.ssml()) if slow else speech.ssml()
        # The reprompt says what can be said, then asks the question again.
        builder.speak(ssml).ask(Speech().say(reprompt or "", question).ssml())
    if card is not None:
        builder.set_card(SimpleCard(title=card.title, content=entry_card_text(card)))
    return builder.response


def entry_card_text(entry: Entry) -> str:
    return _card_text(entry.answer)


@functools.lru_cache(maxsize=1024)  # an entry's card is the same every time it is answered
def _card_text(answer: Answer) -> str:
    return card_text(answer.lead, answer.points, is_list=answer.is_list)


_PAUSED_KEY = "paused_quiz"  # a quiz the student paused: item ids and score, nothing personal


def now_of(handler_input: HandlerInput) -> datetime:
    """The request's own time, so a replayed conversation is scheduled the same way."""
    stamp = getattr(handler_input.request_envelope.request, "timestamp", None)
    if not isinstance(stamp, datetime):
        return datetime.now(UTC)
    # In datetime.UTC: the SDK's own zone (dateutil's, as its serializer reads "Z") answers
    # each offset asked of it in Python, and scheduling asks several times a turn.
    return stamp.astimezone(UTC) if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def load_progress(handler_input: HandlerInput) -> progress.Progress:
    """The student's progress, as the store read it (once per request)."""
    attributes = handler_input.attributes_manager.persistent_attributes
    return progress.Progress.of(attributes.get(progress.PROGRESS_KEY))


def save_progress(
    handler_input: HandlerInput, learnt: progress.Progress, paused: QuizState | None = None
) -> None:
    """Store the student's progress, and the quiz they paused (or none: any other save means
    the paused quiz was taken up again or given up)."""
    manager = handler_input.attributes_manager
    document: dict[str, Any] = {progress.PROGRESS_KEY: learnt}  # the store writes it out
    if paused is not None:
        document[_PAUSED_KEY] = session.quiz_to_dict(paused)
    elif manager.persistent_attributes.get(_PAUSED_KEY) is not None:
        document[_PAUSED_KEY] = None  # the store drops a key saved as None
    manager.persistent_attributes = document
    manager.save_persistent_attributes()


def load_paused(handler_input: HandlerInput, services: Services) -> QuizState | None:
    """The quiz the student paused last time, if it is still one the content can ask."""
    attributes = handler_input.attributes_manager.persistent_attributes
    raw = attributes.get(_PAUSED_KEY)
    return session.quiz_from_dict(raw, services.has_item, services.has_entry)
