"""Dynamic checks: the skill driven through the simulator from every state a student can reach,
sent every intent the model declares, and each response held to the rules."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ask_sdk_core.dispatch_components import AbstractExceptionHandler
from ask_sdk_core.exceptions import DispatchException
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_runtime.dispatch_components import GenericExceptionMapper
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from skill import dialog, intents, session
from skill.content import Content, Entry
from skill.language import mid_sentence, sayable
from skill.quiz import Phase
from skill.session import SessionState
from skill.speech import MAX_CARD_CHARS, MAX_RESPONSE_BYTES, MAX_SPEECH_CHARS, split_points
from skill.tools.check.failure import Failure
from skill.tools.simulator import Conversation, InProcess, RequestType, Resolution, Simulator, Turn

# --- Dynamic: probing the skill -------------------------------------------------------------------


class NoHandler(Exception):
    """No request handler took a request: recorded in place of the dispatcher's error."""


class Witness(AbstractExceptionHandler):
    """Sees every exception a request raises, then lets the skill's own exception handler answer:
    the catch-all's apology sounds fine to a listener but is a failure to the checks. A request
    no handler takes is told apart by asking the skill's request mappers, not by reading the
    error's text."""

    def __init__(self, mappers: Sequence[Any] = ()) -> None:
        self.mappers = mappers  # ask-sdk request mappers: which handler takes a request
        self.seen: list[Exception] = []

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        unhandled = isinstance(exception, DispatchException) and not any(
            mapper.get_request_handler_chain(handler_input) for mapper in self.mappers
        )
        self.seen.append(NoHandler(str(exception)) if unhandled else exception)
        return False

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Any:
        raise AssertionError("never chosen: can_handle is always False")  # pragma: no cover


class Witnessed:
    """A transport to a skill object that records the exceptions each request raised."""

    def __init__(self, skill: Any) -> None:  # ask_sdk_core.skill.CustomSkill
        self.inner = InProcess(skill)
        self.witness = Witness(skill.request_dispatcher.request_mappers)
        dispatcher = skill.request_dispatcher
        if dispatcher.exception_mapper is None:  # a skill without an exception handler
            dispatcher.exception_mapper = GenericExceptionMapper([self.witness])
        else:
            dispatcher.exception_mapper.exception_handlers.insert(0, self.witness)
        self.errors: list[BaseException] = []  # the last request's

    def __call__(self, envelope: dict[str, Any]) -> dict[str, Any]:
        self.witness.seen.clear()
        self.errors = []
        try:
            return self.inner(envelope)
        except Exception as error:  # no exception handler took it: the witness saw it first
            self.errors = [] if self.witness.seen else [error]
            return {"version": "1.0", "response": {}}
        finally:
            self.errors = [*self.witness.seen, *self.errors]


@dataclass(frozen=True)
class Probe:
    """One request sent in one state, and what came back."""

    locale: str
    state: str
    request: str  # what was sent, for the report
    before: Mapping[str, Any]  # the session attributes sent ({} in a new session)
    turn: Turn
    errors: tuple[BaseException, ...] = ()
    apologies: tuple[str, ...] = ()  # the skill's "something went wrong" phrases

    @property
    def where(self) -> str:
        return f"{self.locale}, {self.state}: {self.request}"

    @property
    def intent(self) -> str:
        """The intent name, or the request type ("LaunchRequest")."""
        return self.turn.intent

    @property
    def kind(self) -> RequestType:
        types = {t.value: t for t in RequestType}
        return types.get(self.turn.intent, RequestType.INTENT)


Step = Callable[[Conversation, Content], Turn]


@dataclass(frozen=True)
class State:
    """A state a student can reach: how to get there, and how to tell that we got there."""

    name: str
    steps: tuple[Step, ...]
    holds: Callable[[SessionState], bool]
    needs_quiz: bool = False  # only reachable when the content has quiz items


def _launch(conversation: Conversation, content: Content) -> Turn:
    return conversation.launch()


def _say(words: str) -> Step:
    return lambda conversation, content: conversation.say(words)


def _intent(name: str, **slots: str) -> Step:
    return lambda conversation, content: conversation.intent(name, **slots)


def _entry(content: Content, split: bool) -> Entry:
    """The first entry whose answer is (or is not) read in parts."""
    for entry in content.entries:
        if (len(split_points(entry.answer.lead, entry.answer.points)) > 1) == split:
            return entry
    return content.entries[0]


def _topic(split: bool) -> Step:
    """Ask for an entry by name."""
    return lambda conversation, content: conversation.intent(
        intents.TOPIC, topic=sayable(_entry(content, split).title)
    )


def _question(conversation: Conversation, content: Content) -> Turn:
    """Ask a revision question in free form."""
    title = sayable(_entry(content, split=False).title)
    return conversation.intent(intents.TELL_ME_ABOUT_QUESTION, query=title)


def _phase(phase: Phase) -> Callable[[SessionState], bool]:
    return lambda s: s.quiz is not None and s.quiz.phase is phase


STATES = (
    State("a new session", (), lambda s: True),
    State("just launched", (_launch,), lambda s: s.last is not None and s.quiz is None),
    State(
        "after an answer",
        (_launch, _topic(split=False)),
        lambda s: s.last is not None and s.reading is None and s.quiz is None,
    ),
    State("in a split answer", (_launch, _topic(split=True)), lambda s: s.reading is not None),
    State("in a quiz (asking)", (_launch, _say("quiz me")), _phase(Phase.ASKING), True),
    State(
        "in a quiz (confirm_leave)",
        (_launch, _say("quiz me"), _question),
        _phase(Phase.CONFIRM_LEAVE),
        True,
    ),
    State(
        "in a quiz (finished)",
        (_launch, _intent(intents.START_QUIZ, count="1"), _intent(intents.DONT_KNOW)),
        _phase(Phase.FINISHED),
        True,
    ),
    State(
        "after a quiz",
        (_launch, _say("quiz me"), _say("stop the quiz")),
        lambda s: s.quiz is None and s.last is not None,
        True,
    ),
    State(
        "awaiting yes or no to a reset",
        (_launch, _say("reset my progress")),
        lambda s: s.confirm_reset,
    ),
)

# Slot values for the "with slots" requests, by slot type; custom types take their first value.
SLOT_SAMPLES = {
    intents.TYPE_NUMBER: "3",
    intents.TYPE_SEARCH_QUERY: "was the treaty of friendship",
}


def requests_for(simulator: Simulator) -> list[tuple[str, Resolution]]:
    """Every intent the model declares, without and with slot values; a new launch; session end."""
    sent = [
        ("LaunchRequest", Resolution.launch()),
        ("SessionEndedRequest", Resolution.session_ended()),
    ]
    for name, slots in sorted(simulator.intent_slots.items()):
        sent.append((name, simulator.intent(name)))
        if not slots:
            continue
        values = {}
        for slot, slot_type in slots.items():
            known = sorted(simulator.values.get(slot_type, {}))
            values[slot] = SLOT_SAMPLES.get(slot_type) or (known[0] if known else "test")
        shown = ", ".join(f"{k}={v!r}" for k, v in values.items())
        sent.append((f"{name}({shown})", simulator.intent(name, **values)))
    return sent


def state_of(attributes: Mapping[str, Any], content: Content) -> SessionState:
    """Session attributes as the skill reads them (stale ids dropped)."""
    return session.from_attributes(attributes, content.has_entry, content.has_item)


def apologies_for(locale: str) -> tuple[str, ...]:
    return dialog.dialog_for(locale).variants("error")


@dataclass
class Sweep:
    """Probes of one skill in one locale, and the states it could not be brought into."""

    probes: list[Probe] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


def sweep(
    skill: Any,
    content: Content,
    simulator: Simulator,
    *,
    states: Sequence[State] = STATES,
    requests: Sequence[tuple[str, Resolution]] | None = None,
) -> Sweep:
    """From every state, send every request; each response is one Probe."""
    transport = Witnessed(skill)
    locale = simulator.locale
    apologies = apologies_for(locale)
    requests = requests_for(simulator) if requests is None else requests
    result = Sweep()

    def probe(state: State, request: str, send: Callable[[Conversation], Turn]) -> None:
        before = copy.deepcopy(conversation.attributes) if conversation.in_session else {}
        turn = send(conversation)
        if turn.intent == RequestType.LAUNCH:
            before = {}  # a launch opens a new session
        errors = tuple(transport.errors)
        result.probes.append(
            Probe(
                locale,
                state.name,
                request.replace("{intent}", turn.intent),
                before,
                turn,
                errors,
                apologies,
            )
        )

    for state in states:
        if state.needs_quiz and not content.items:
            continue  # no quiz to be in; "quiz me" itself is still probed everywhere
        conversation = Conversation(transport, simulator)
        for number, step in enumerate(state.steps, 1):
            probe(state, f"step {number} on the way ({{intent}})", taking_step(step, content))
        reached = state_of(conversation.attributes, content)
        if state.steps and not (conversation.in_session and state.holds(reached)):
            why = "not reached by its steps: " + " / ".join(t.intent for t in conversation.turns)
            result.failures.append(Failure("states", f"{locale}, {state.name}", why))
            continue
        session_id, attributes = conversation.session_id, conversation.attributes
        for request, resolution in requests:
            conversation.session_id = session_id
            conversation.attributes = copy.deepcopy(attributes)
            if resolution.kind is RequestType.LAUNCH:
                conversation.session_id = None  # a launch opens a new session
            probe(state, request, sending(resolution))
    return result


# --- Dynamic: the rules each response is held to ---------------------------------------------


def check_handled(probe: Probe) -> list[Failure]:
    """Every declared intent has a handler in every state."""
    if any(isinstance(error, NoHandler) for error in probe.errors):
        return [Failure("handled", probe.where, f"no handler serves {probe.intent} here")]
    return []


def check_no_error(probe: Probe) -> list[Failure]:
    """No exception, and so no apology from the catch-all exception handler."""
    failures = [
        Failure("no-error", probe.where, f"raised {type(e).__name__}: {str(e)[:200]}")
        for e in probe.errors
        if not isinstance(e, NoHandler)
    ]
    heads = [a.split("{")[0].strip() for a in probe.apologies]
    if not failures and not probe.errors and any(h and h in probe.turn.speech for h in heads):
        failures.append(Failure("no-error", probe.where, "the skill apologised for an error"))
    return failures


def check_open_session_asks(probe: Probe) -> list[Failure]:
    """An open session ends its speech with a question and has a reprompt that asks one too;
    nothing is said in answer to a SessionEndedRequest."""
    turn = probe.turn
    if probe.kind is RequestType.SESSION_ENDED:
        if turn.ssml is not None:
            return [Failure("open-session", probe.where, "spoke after the session ended")]
        return []
    if turn.end_session or probe.errors:
        return []
    failures = []
    if not turn.speech.rstrip().endswith("?"):
        why = f"the session stays open but the speech asks nothing: ...{turn.speech[-80:]!r}"
        failures.append(Failure("open-session", probe.where, why))
    if not turn.reprompt:
        failures.append(Failure("open-session", probe.where, "the session stays open, no reprompt"))
    elif not turn.reprompt.rstrip().endswith("?"):
        why = f"the reprompt asks nothing: ...{turn.reprompt[-80:]!r}"
        failures.append(Failure("open-session", probe.where, why))
    return failures


def check_stop_ends(probe: Probe) -> list[Failure]:
    """Stop and cancel end the session, whatever the state."""
    if probe.intent in (intents.STOP, intents.CANCEL) and probe.turn.end_session is not True:
        return [Failure("stop-ends", probe.where, f"{probe.intent} left the session open")]
    return []


def _active_quiz(attributes: Mapping[str, Any]) -> Any:
    quiz = session.from_attributes(attributes).quiz
    return quiz if quiz is not None and quiz.phase is not Phase.FINISHED else None


def check_help_keeps_quiz(probe: Probe) -> list[Failure]:
    """Help mid-quiz keeps the quiz where it was."""
    before = _active_quiz(probe.before)
    if probe.intent != intents.HELP or before is None:
        return []
    after = session.from_attributes(probe.turn.session_attributes).quiz
    if after is None or (after.item_ids, after.index) != (before.item_ids, before.index):
        return [Failure("help-keeps-quiz", probe.where, "help lost or moved the quiz")]
    return []


def _quiz_may_end(probe: Probe) -> bool:
    """The documented ways out of an active quiz."""
    name = probe.intent
    if probe.kind is not RequestType.INTENT or probe.turn.end_session:
        return True  # a new session, or the session ends
    if name in (intents.STOP, intents.CANCEL, intents.STOP_QUIZ, intents.NAVIGATE_HOME):
        return True
    if name == intents.START_OVER:
        return True  # a new quiz replaces it
    before = _active_quiz(probe.before)
    return name == intents.YES and before is not None and before.phase is Phase.CONFIRM_LEAVE


def check_quiz_kept(probe: Probe) -> list[Failure]:
    """An active quiz is not lost nor moved back, except by the documented ways out."""
    before = _active_quiz(probe.before)
    if before is None or _quiz_may_end(probe) or probe.errors:
        return []
    after = session.from_attributes(probe.turn.session_attributes).quiz
    if after is None:
        return [Failure("quiz-kept", probe.where, f"{probe.intent} lost the quiz")]
    if after.item_ids != before.item_ids or after.index < before.index:
        return [Failure("quiz-kept", probe.where, f"{probe.intent} replaced or rewound the quiz")]
    return []


def check_limits(probe: Probe) -> list[Failure]:
    """Speech and reprompt at most 8,000 characters, a card at most 8,000, the response 24 KB."""
    failures = []
    response = probe.turn.raw.get("response") or {}
    for what, output in (
        ("speech", response.get("outputSpeech")),
        ("reprompt", (response.get("reprompt") or {}).get("outputSpeech")),
    ):
        text = (output or {}).get("ssml") or (output or {}).get("text") or ""
        if len(text) > MAX_SPEECH_CHARS:
            why = f"{what} is {len(text)} characters (limit {MAX_SPEECH_CHARS})"
            failures.append(Failure("limits", probe.where, why))
    card = response.get("card") or {}
    card_chars = sum(len(card.get(k) or "") for k in ("title", "content", "text"))
    if card_chars > MAX_CARD_CHARS:
        why = f"card is {card_chars} characters (limit {MAX_CARD_CHARS})"
        failures.append(Failure("limits", probe.where, why))
    size = len(json.dumps(probe.turn.raw, ensure_ascii=False).encode("utf-8"))
    if size > MAX_RESPONSE_BYTES:
        why = f"response is {size} bytes (limit {MAX_RESPONSE_BYTES})"
        failures.append(Failure("limits", probe.where, why))
    return failures


SSML_TAGS = frozenset(
    {
        "speak", "p", "s", "break", "say-as", "prosody", "emphasis", "audio", "phoneme", "sub",
        "lang", "voice", "w", "mark",
        "amazon:effect", "amazon:domain", "amazon:emotion",
    }
)  # fmt: skip
_AMAZON_NS = "urn:alexa:amazon"  # any URI: the prefix is all Alexa looks at


def ssml_problems(ssml: str) -> list[str]:
    """Why Alexa could not read this SSML: not XML, not in <speak>, or a tag it does not know."""
    if not ssml.lstrip().startswith("<speak"):
        return ["not wrapped in <speak>"]
    # Declare the amazon: prefix so amazon:effect parses as XML.
    declared = re.sub(r"^\s*<speak\b", f'<speak xmlns:amazon="{_AMAZON_NS}"', ssml, count=1)
    try:
        root = ElementTree.fromstring(declared)
    except (ElementTree.ParseError, DefusedXmlException) as error:
        return [f"not XML: {error}"]
    problems = []
    if root.tag != "speak":
        problems.append(f"the root is <{root.tag}>, not <speak>")
    for element in root.iter():
        tag = element.tag.replace("{" + _AMAZON_NS + "}", "amazon:")
        if tag not in SSML_TAGS:
            problems.append(f"<{tag}> is not an SSML tag Alexa supports")
    return problems


def check_ssml(probe: Probe) -> list[Failure]:
    """Speech and reprompt are SSML Alexa can read."""
    response = probe.turn.raw.get("response") or {}
    failures = []
    for what, output in (
        ("speech", response.get("outputSpeech")),
        ("reprompt", (response.get("reprompt") or {}).get("outputSpeech")),
    ):
        if output and output.get("type") == "SSML":
            failures += [
                Failure("ssml", probe.where, f"{what}: {problem}")
                for problem in ssml_problems(output.get("ssml") or "")
            ]
    return failures


def check_sentence_case(probe: Probe) -> list[Failure]:
    """Content put inside the skill's sentences reads as part of them: never "First, The
    Soviet loan" or "The answer is The Soviet Union", on speech or cards."""
    card = probe.turn.card or {}
    failures = []
    for what, text in (("speech", probe.turn.speech), ("card", card.get("content", ""))):
        for found in _CAPITAL_MID_SENTENCE.finditer(text or ""):
            if mid_sentence(found["word"]) != found["word"]:
                quoted = found[0].strip()
                failures.append(Failure("sentence-case", probe.where, f"{what}: {quoted!r}"))
    return failures


# A capitalised word after a comma, or after "is"/"are"/"was"/"about": inside a sentence.
_CAPITAL_MID_SENTENCE = re.compile(r"(?:, |\b(?:is|are|was|were|about|of) )(?P<word>[A-Z][a-z]+)")


PROBE_CHECKS: tuple[Callable[[Probe], list[Failure]], ...] = (
    check_handled,
    check_no_error,
    check_open_session_asks,
    check_stop_ends,
    check_help_keeps_quiz,
    check_quiz_kept,
    check_limits,
    check_ssml,
    check_sentence_case,
)


def taking_step(step: Callable[..., Turn], content: Content) -> Callable[[Conversation], Turn]:
    """A probe's send for one step on the way to a state."""
    return lambda conversation: step(conversation, content)


def sending(resolution: Resolution) -> Callable[[Conversation], Turn]:
    """A probe's send for one request."""
    return lambda conversation: conversation.send(resolution)


def probe_failures(probes: Iterable[Probe]) -> list[Failure]:
    """Every rule on every probe."""
    return [failure for probe in probes for check in PROBE_CHECKS for failure in check(probe)]
