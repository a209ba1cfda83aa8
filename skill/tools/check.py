"""Certification checks, offline: the faults Amazon rejects skills for, found before submission.

    python -m skill check [--locale L]

Static checks read the generated interaction model, the manifest and the dialog files. Dynamic
checks drive the skill through the simulator from every state a student can reach (just launched,
after an answer, part way through a split answer, each quiz phase, after a quiz, awaiting a yes or
no) and send every intent the model declares, with and without slot values; each response is then
held to the rules (no error, an open session asks a question and has a reprompt, stop ends, help
keeps the quiz, sizes within Alexa's limits, SSML Alexa can read).

Each check is a small function returning a list of `Failure`; it takes what it checks (a model, a
probe of the skill, the dialogs) as parameters, so a test can hand it one broken in one way.
"""

from __future__ import annotations

import ast
import copy
import json
import random
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from string import Formatter
from typing import Any

from ask_sdk_core.dispatch_components import AbstractExceptionHandler
from ask_sdk_core.handler_input import HandlerInput
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from skill import dialog, intents, session
from skill.content import Content, Entry
from skill.language import mid_sentence, sayable
from skill.quiz import Phase
from skill.session import SessionState
from skill.speech import MAX_CARD_CHARS, MAX_RESPONSE_BYTES, MAX_SPEECH_CHARS, split_points
from skill.tools import RUNTIME_DIR, model
from skill.tools.simulator import Conversation, InProcess, RequestType, Resolution, Simulator, Turn


@dataclass(frozen=True)
class Failure:
    """One failed check: which check, where (locale, state, request), and why."""

    check: str
    where: str
    why: str

    def __str__(self) -> str:
        return f"{self.check}: {self.where}: {self.why}"


Language = Mapping[str, Any]  # interactionModel.languageModel of one locale

# --- Static: the invocation name ------------------------------------------------------------------

# Words an invocation name may not contain: wake words, launch phrases, connecting words.
FORBIDDEN_INVOCATION_WORDS = frozenset(
    {
        "alexa", "amazon", "echo", "computer", "skill", "app",
        "launch", "ask", "open", "tell", "start", "load", "begin", "play", "resume", "run",
        "enable", "use", "talk", "stop", "cancel", "help",
    }
)  # fmt: skip
ARTICLES_AND_PREPOSITIONS = frozenset(
    {"a", "an", "the", "for", "to", "of", "about", "on", "in", "with", "by", "from", "at"}
)
# Lowercase letters and spaces; possessive apostrophes; periods in spelled abbreviations ("a. b.").
_INVOCATION = re.compile(r"[a-z]+(?:'s)?|(?:[a-z]\.)+")
MAX_INVOCATION_CHARS = 50


def check_invocation_name(language: Language) -> list[Failure]:
    """Amazon's invocation name rules."""
    name = language.get("invocationName", "")
    where = f"invocation name {name!r}"
    fail = []
    words = name.split()
    if " ".join(words) != name:
        fail.append("has leading, trailing or double spaces")
    bad = [w for w in words if not _INVOCATION.fullmatch(w)]
    if bad:
        fail.append(f"{bad} are not lowercase words (no digits or punctuation)")
    if not 2 <= len(name) <= MAX_INVOCATION_CHARS:
        fail.append(f"must be 2 to {MAX_INVOCATION_CHARS} characters")
    if len(words) < 2:
        fail.append("a one-word name needs brand rights; use two words or more")
    forbidden = sorted(set(words) & FORBIDDEN_INVOCATION_WORDS)
    if forbidden:
        fail.append(f"contains {forbidden}, a wake word or launch phrase")
    if len(words) == 2 and set(words) & ARTICLES_AND_PREPOSITIONS:
        fail.append("a two-word name may not contain an article or preposition")
    return [Failure("invocation-name", where, why) for why in fail]


# --- Static: sample utterances --------------------------------------------------------------------

SLOT_REF = re.compile(r"\{([^{}]*)\}")
# A sample word: letters with in-word apostrophes or hyphens ("china's", "re-read"), a trailing
# possessive apostrophe ("students'"), or a spelled acronym with periods ("u.s.s.r.").
_SAMPLE_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*'?|(?:[^\W\d_]\.)+", re.UNICODE)


def _normalised(sample: str) -> str:
    """A sample as Alexa compares them: case, spacing and slot-name case ignored."""
    text = SLOT_REF.sub(lambda m: "{" + m.group(1).strip().lower() + "}", sample.lower())
    return " ".join(text.split())


def _slots_of(intent: Mapping[str, Any]) -> dict[str, str]:
    return {s["name"]: s["type"] for s in intent.get("slots", ()) or ()}


def check_sample_words(language: Language) -> list[Failure]:
    """Samples are words: no punctuation but apostrophes, acronym periods and in-word hyphens;
    numbers said as words; every slot a sample names is declared."""
    failures = []
    for intent in language.get("intents", ()):
        slots = _slots_of(intent)
        for sample in intent.get("samples", ()):
            where = f"{intent['name']} sample {sample!r}"
            refs = SLOT_REF.findall(sample)
            undeclared = [r for r in refs if r not in slots]
            if undeclared:
                failures.append(Failure("sample-slots", where, f"undeclared slot {undeclared}"))
            words = SLOT_REF.sub(" ", sample).split()
            if not refs and not words:
                failures.append(Failure("sample-words", where, "is empty"))
            digits = [w for w in words if any(c.isdigit() for c in w)]
            if digits:
                failures.append(Failure("sample-words", where, f"{digits}: say numbers as words"))
            bad = [w for w in words if w not in digits and not _SAMPLE_WORD.fullmatch(w)]
            if bad:
                failures.append(
                    Failure("sample-words", where, f"{bad}: punctuation Alexa does not accept")
                )
    return failures


def check_duplicate_samples(language: Language) -> list[Failure]:
    """No sample twice in one intent, nor in two intents."""
    failures = []
    owner: dict[str, str] = {}
    for intent in language.get("intents", ()):
        seen: set[str] = set()
        for sample in intent.get("samples", ()):
            key = _normalised(sample)
            where = f"{intent['name']} sample {sample!r}"
            if key in seen:
                failures.append(Failure("duplicate-sample", where, "twice in this intent"))
                continue
            seen.add(key)
            other = owner.setdefault(key, intent["name"])
            if other != intent["name"]:
                failures.append(Failure("duplicate-sample", where, f"also a sample of {other}"))
    return failures


def check_search_query_samples(language: Language) -> list[Failure]:
    """An AMAZON.SearchQuery slot never stands alone and never shares a sample with a slot."""
    failures = []
    for intent in language.get("intents", ()):
        slots = _slots_of(intent)
        for sample in intent.get("samples", ()):
            refs = SLOT_REF.findall(sample)
            queries = [r for r in refs if slots.get(r) == intents.TYPE_SEARCH_QUERY]
            if not queries:
                continue
            where = f"{intent['name']} sample {sample!r}"
            if not SLOT_REF.sub(" ", sample).split():
                failures.append(Failure("search-query", where, "needs a carrier phrase"))
            if len(refs) > 1:
                failures.append(Failure("search-query", where, "shares the sample with a slot"))
    return failures


# --- Static: slot types ---------------------------------------------------------------------------


def check_slot_values(language: Language) -> list[Failure]:
    """Slot values and synonyms: present, and at most 140 characters."""
    failures = []
    for slot_type in language.get("types", ()):
        for value in slot_type.get("values", ()):
            name = value.get("name", {})
            for phrase in (name.get("value", ""), *name.get("synonyms", ())):
                where = f"slot type {slot_type['name']} value {phrase[:40]!r}"
                if not phrase.strip():
                    failures.append(Failure("slot-values", where, "is empty"))
                elif len(phrase) > model.MAX_SLOT_VALUE_CHARS:
                    why = f"{len(phrase)} characters (limit {model.MAX_SLOT_VALUE_CHARS})"
                    failures.append(Failure("slot-values", where, why))
    return failures


def check_slot_types(language: Language) -> list[Failure]:
    """Every custom slot type is used by a slot, and every custom type a slot uses is declared."""
    declared = {t["name"] for t in language.get("types", ())}
    used = {ty for i in language.get("intents", ()) for ty in _slots_of(i).values()}
    failures = [
        Failure("slot-types", f"slot type {name}", "declared but used by no slot")
        for name in sorted(declared - used)
    ]
    failures += [
        Failure("slot-types", f"slot type {name}", "used by a slot but not declared")
        for name in sorted(used - declared)
        if not name.startswith("AMAZON.")
    ]
    return failures


# --- Static: intents ------------------------------------------------------------------------------

REQUIRED_BUILTINS = (intents.HELP, intents.STOP, intents.CANCEL, intents.NAVIGATE_HOME)
INTENT_CONSTANTS = frozenset(n for n in model.NAMES if n.endswith("Intent"))


def check_intent_names(
    language: Language, constants: Collection[str] = INTENT_CONSTANTS
) -> list[Failure]:
    """The model declares the required built-ins, and exactly the intents skill/intents.py names."""
    declared = [i["name"] for i in language.get("intents", ())]
    failures = [
        Failure("intents", name, "declared twice")
        for name in sorted({n for n in declared if declared.count(n) > 1})
    ]
    failures += [
        Failure("intents", name, "required built-in intent missing from the model")
        for name in REQUIRED_BUILTINS
        if name not in declared
    ]
    failures += [
        Failure("intents", name, "declared in the model but not a constant in skill/intents.py")
        for name in sorted(set(declared) - set(constants))
    ]
    failures += [
        Failure("intents", name, "a constant in skill/intents.py but not in the model")
        for name in sorted(set(constants) - set(declared))
    ]
    return failures


def check_same_intents(languages: Mapping[str, Language]) -> list[Failure]:
    """Every locale declares the same intents, with the same slots."""
    shapes = {
        locale: {i["name"]: _slots_of(i) for i in language.get("intents", ())}
        for locale, language in languages.items()
    }
    if not shapes:
        return []
    first, *others = shapes
    failures = []
    for locale in others:
        for name in sorted(set(shapes[first]) - set(shapes[locale])):
            failures.append(Failure("locales", locale, f"lacks {name}, which {first} declares"))
        for name in sorted(set(shapes[locale]) - set(shapes[first])):
            failures.append(Failure("locales", locale, f"declares {name}, which {first} lacks"))
        for name in sorted(set(shapes[first]) & set(shapes[locale])):
            if shapes[first][name] != shapes[locale][name]:
                failures.append(Failure("locales", locale, f"{name} has other slots than {first}"))
    return failures


# --- Static: the manifest's example phrases -------------------------------------------------------

_LAUNCH_PHRASES = ("open", "launch", "start", "ask", "tell", "begin", "load", "play", "use")
MAX_EXAMPLE_PHRASES = 3


def check_example_phrases(
    manifest: Mapping[str, Any], languages: Mapping[str, Language]
) -> list[Failure]:
    """Each example phrase starts "Alexa, <open|ask> <invocation name>" and matches a sample."""
    failures = []
    listings = manifest.get("manifest", {}).get("publishingInformation", {}).get("locales", {})
    for locale, listing in listings.items():
        phrases = listing.get("examplePhrases") or []
        if not 1 <= len(phrases) <= MAX_EXAMPLE_PHRASES:
            why = f"{len(phrases)} example phrases (1 to {MAX_EXAMPLE_PHRASES})"
            failures.append(Failure("example-phrases", locale, why))
        language = languages.get(locale)
        if language is None:
            failures.append(Failure("example-phrases", locale, "no interaction model"))
            continue
        simulator = Simulator(locale, model={"interactionModel": {"languageModel": language}})
        name = language.get("invocationName", "")
        for phrase in phrases:
            where = f"{locale} example phrase {phrase!r}"
            said = " ".join(phrase.lower().rstrip(".?!").split())
            starts = tuple(f"alexa, {verb} {name}" for verb in _LAUNCH_PHRASES)
            if not said.startswith(starts):
                why = f'must start "Alexa, open {name}" or "Alexa, ask {name}"'
                failures.append(Failure("example-phrases", where, why))
                continue
            resolution = simulator.resolve(said)
            if resolution.kind is RequestType.LAUNCH:
                continue
            if resolution.sample is None:
                failures.append(Failure("example-phrases", where, "matches no sample utterance"))
            elif not all(slot.resolved for slot in resolution.slots.values()):
                unresolved = [n for n, s in resolution.slots.items() if not s.resolved]
                why = f"slot {unresolved} matches no slot value ({resolution.sample!r})"
                failures.append(Failure("example-phrases", where, why))
    return failures


# --- Static: dialog files -------------------------------------------------------------------------

Texts = Mapping[str, Sequence[str]]  # dialog key -> variants


def _fields(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in Formatter().parse(text) if name is not None}
    except ValueError:
        return {"<unbalanced braces>"}


def check_dialogs(
    base: Texts, locales: Mapping[str, Texts], used: Collection[str]
) -> list[Failure]:
    """Every locale has every key of the base; every key the code uses exists; each variant
    fills only fields the base's variants of that key fill (the handlers pass those)."""
    failures = [
        Failure("dialog", f"key {key!r}", "used by the code but not in the base dialog")
        for key in sorted(set(used) - set(base))
    ]
    allowed = {key: set().union(*(_fields(v) for v in variants)) for key, variants in base.items()}
    for locale, texts in locales.items():
        for key in sorted(set(base) - set(texts)):
            failures.append(Failure("dialog", f"{locale} key {key!r}", "missing"))
        for key in sorted(set(texts) - set(base)):
            failures.append(Failure("dialog", f"{locale} key {key!r}", "not in the base dialog"))
        for key, variants in texts.items():
            if not variants:
                failures.append(Failure("dialog", f"{locale} key {key!r}", "has no variants"))
            for variant in variants:
                extra = _fields(variant) - allowed.get(key, set())
                if extra and key in base:
                    why = (
                        f"variant {variant[:40]!r} uses {sorted(extra)}, which no base variant does"
                    )
                    failures.append(Failure("dialog", f"{locale} key {key!r}", why))
    return failures


_DIALOG_CALLS = {"text", "variants"}


def _on_dialog(call: ast.Call) -> bool:
    """`dialog.text(...)`, `self.dialog(handler_input).variants(...)`, `DIALOG.text(...)`."""
    return (
        isinstance(call.func, ast.Attribute)
        and call.func.attr in _DIALOG_CALLS
        and "dialog" in ast.unparse(call.func.value).lower()
    )


def dialog_keys_used(sources: Iterable[Path]) -> set[str]:
    """Dialog keys the code names literally: the first argument of a dialog's `.text(...)` or
    `.variants(...)` (both branches of a conditional count)."""
    keys: set[str] = set()
    for path in sources:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _on_dialog(node) and node.args:
                keys |= {
                    n.value
                    for n in ast.walk(node.args[0])
                    if isinstance(n, ast.Constant) and isinstance(n.value, str)
                }
    return keys


def project_dialogs() -> tuple[Texts, dict[str, Texts], list[Failure]]:
    """The base dialog, every locale's dialog as served (overlay on the base), and load errors."""
    failures = []
    base: Texts = {}
    locales: dict[str, Texts] = {}
    try:
        base = dialog._read(dialog.LOCALE_DIR / f"{dialog.BASE}.yaml")
    except dialog.DialogError as error:
        failures.append(Failure("dialog", f"{dialog.BASE}.yaml", str(error)))
    for locale in dialog.LOCALES:
        try:
            locales[locale] = dialog._overlay(locale)
        except dialog.DialogError as error:
            failures.append(Failure("dialog", locale, str(error)))
    return base, locales, failures


# --- Static: freshness ----------------------------------------------------------------------------


def check_model_fresh(
    committed: Mapping[str, Mapping[str, Any]], generated: Mapping[str, Mapping[str, Any]]
) -> list[Failure]:
    """The committed model is what `python -m skill model` generates now."""
    failures = []
    for name in sorted(set(generated) | set(committed)):
        if name not in committed:
            failures.append(
                Failure("model-fresh", name, "not generated: run python -m skill model")
            )
        elif name not in generated:
            failures.append(Failure("model-fresh", name, "not a generated file"))
        elif model.render(committed[name]) != model.render(generated[name]):
            failures.append(Failure("model-fresh", name, "stale: run python -m skill model"))
    return failures


# --- Dynamic: probing the skill -------------------------------------------------------------------

NO_HANDLER = "Unable to find a suitable request handler"


class Witness(AbstractExceptionHandler):
    """Sees every exception a request raises, then lets the skill's own exception handler answer:
    the catch-all's apology sounds fine to a listener but is a failure to the checks."""

    def __init__(self) -> None:
        self.seen: list[Exception] = []

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        self.seen.append(exception)
        return False

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Any:
        raise AssertionError("never chosen: can_handle is always False")  # pragma: no cover


class Witnessed:
    """A transport to a skill object that records the exceptions each request raised."""

    def __init__(self, skill: Any) -> None:  # ask_sdk_core.skill.CustomSkill
        self.inner = InProcess(skill)
        self.witness = Witness()
        mapper = skill.request_dispatcher.exception_mapper
        if mapper is not None:
            mapper.exception_handlers.insert(0, self.witness)
        self.errors: list[BaseException] = []  # the last request's

    def __call__(self, envelope: dict[str, Any]) -> dict[str, Any]:
        self.witness.seen.clear()
        self.errors = []
        try:
            return self.inner(envelope)
        except Exception as error:  # a skill without an exception handler
            self.errors = [error]
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
    if any(NO_HANDLER in str(error) for error in probe.errors):
        return [Failure("handled", probe.where, f"no handler serves {probe.intent} here")]
    return []


def check_no_error(probe: Probe) -> list[Failure]:
    """No exception, and so no apology from the catch-all exception handler."""
    failures = [
        Failure("no-error", probe.where, f"raised {type(e).__name__}: {str(e)[:200]}")
        for e in probe.errors
        if NO_HANDLER not in str(e)
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


# --- Running every check --------------------------------------------------------------------------


def load_models(model_dir: Path = model.MODEL_DIR) -> dict[str, dict[str, Any]]:
    """The committed interaction model files: file name -> document."""
    return {
        path.name: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(model_dir.glob("*.json"))
    }


def languages_of(files: Mapping[str, Mapping[str, Any]]) -> dict[str, Language]:
    """Locale -> languageModel, from the model files."""
    return {
        name.removesuffix(".json"): doc["interactionModel"]["languageModel"]
        for name, doc in files.items()
        if name != model.MANIFEST_FILE
    }


LANGUAGE_CHECKS: tuple[Callable[[Language], list[Failure]], ...] = (
    check_invocation_name,
    check_sample_words,
    check_duplicate_samples,
    check_search_query_samples,
    check_slot_values,
    check_slot_types,
    check_intent_names,
)


def static_failures(
    files: Mapping[str, Mapping[str, Any]], locales: Sequence[str] | None = None
) -> list[Failure]:
    """The model, manifest and dialog checks."""
    languages = languages_of(files)
    chosen = [locale for locale in languages if locales is None or locale in locales]
    failures = [
        Failure(f.check, f"{locale}, {f.where}", f.why)
        for locale in chosen
        for check in LANGUAGE_CHECKS
        for f in check(languages[locale])
    ]
    failures += check_same_intents(languages)
    manifest = files.get(model.MANIFEST_FILE)
    if manifest is None:
        failures.append(Failure("example-phrases", model.MANIFEST_FILE, "missing"))
    else:
        failures += [
            f for f in check_example_phrases(manifest, languages) if f.where.split()[0] in chosen
        ]
    base, served, load_errors = project_dialogs()
    sources = sorted(RUNTIME_DIR.rglob("*.py"))
    failures += load_errors + check_dialogs(base, served, dialog_keys_used(sources))
    failures += check_model_fresh(files, model.generate())
    return failures


def default_skill() -> Any:
    """The skill as the endpoint builds it, with a progress store in memory and fixed choices."""
    from skill.builder import create_skill
    from skill.config import Config

    rng = random.Random(0)
    return create_skill(Config(progress_store="memory://"), choose=rng.choice, rng=rng)


def run_checks(locales: Sequence[str] | None = None) -> tuple[list[Failure], int]:
    """Every check on the committed model and the skill; returns the failures and probe count."""
    from skill.content import default_content

    files = load_models()
    failures = static_failures(files, locales)
    content = default_content()
    chosen = [loc for loc in languages_of(files) if locales is None or loc in locales]
    probes = 0
    for locale in chosen:
        result = sweep(default_skill(), content, Simulator(locale))
        probes += len(result.probes)
        failures += result.failures + probe_failures(result.probes)
    return failures, probes
