"""The only code that reads or writes session attributes: one typed state object per session.

Session attributes come back from the device as untrusted JSON. Anything that does not parse as
the expected shape (unknown keys, wrong types, stale ids) is dropped, field by field, so a
tampered session means "start fresh", never a crash.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, cast

from ask_sdk_core.handler_input import HandlerInput

from skill import quiz as quiz_rules
from skill.quiz import Given, Outcome, Phase, QuizState

Known = Callable[[str], bool]

_KEY = "state"
MAX_OPTION_CHARS = 300
VERSION = 1


class Spoken(NamedTuple):
    """The last thing said, so "repeat" can say it again."""

    ssml: str
    reprompt: str | None = None
    card_title: str | None = None
    card_text: str | None = None


class Reading(NamedTuple):
    """A split answer part way through: "more" reads part `next_part` of the entry."""

    entry_id: str
    next_part: int


class SessionState(NamedTuple):
    """Everything the skill keeps between turns of one session."""

    last: Spoken | None = None
    reading: Reading | None = None
    quiz: QuizState | None = None
    confirm_reset: bool = False  # "reset my progress" is waiting for yes or no
    topic: str | None = None  # the entry answered last, for "why?", "more" and "what about..."
    offer: str | None = None  # an entry offered with "would you like to hear it?"

    def but(self, **changes: Any) -> SessionState:
        """A copy with some fields changed."""
        return self._replace(**changes)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# The most a kept response may hold, so that saying it again stays within Alexa's limits
# (8,000 characters of speech, 24 KB of response) whatever came back from the device.
_SPOKEN_LIMITS = {"ssml": 8000, "reprompt": 8000, "card_title": 200, "card_text": 8000}


def _spoken(raw: Any) -> Spoken | None:
    if not isinstance(raw, Mapping) or _str(raw.get("ssml")) is None:
        return None
    if any(len(_str(raw.get(k)) or "") > limit for k, limit in _SPOKEN_LIMITS.items()):
        return None
    optional = {k: _str(raw.get(k)) for k in ("reprompt", "card_title", "card_text")}
    return Spoken(ssml=raw["ssml"], **optional)


def _reading(raw: Any, entry_exists: Known) -> Reading | None:
    if not isinstance(raw, Mapping):
        return None
    entry_id, part = raw.get("entry_id"), raw.get("next_part")
    if not isinstance(entry_id, str) or type(part) is not int or part < 1:
        return None
    return Reading(entry_id, part) if entry_exists(entry_id) else None


def _number(value: Any) -> float | None:
    # bool is an int in Python, but never a score
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


# What a quiz in the session may hold, worked out once: every turn parses it.
_GIVEN_KEYS = frozenset({"item", "outcome", "points", "hinted"})
_OUTCOMES = frozenset(o.value for o in Outcome)
_PHASES = frozenset(p.value for p in Phase)


def _is_one_of(value: Any, values: frozenset[str]) -> bool:
    return isinstance(value, str) and value in values


def _given(raw: Any, item_exists: Known) -> Given | None:
    if not isinstance(raw, Mapping) or not _GIVEN_KEYS.issuperset(raw):
        return None
    item_id, points, hinted = raw.get("item"), _number(raw.get("points")), raw.get("hinted", False)
    if not isinstance(item_id, str) or not item_exists(item_id) or points is None:
        return None
    if not _is_one_of(raw.get("outcome"), _OUTCOMES) or not isinstance(hinted, bool):
        return None
    if not 0 <= points <= 1:
        return None
    return Given(item_id, Outcome(raw["outcome"]), points, hinted)


_QUIZ_KEYS = frozenset({
    "phase", "items", "index", "score", "answers", "hinted", "leave_for", "unclear", "options",
})  # fmt: skip


def quiz_from_dict(raw: Any, item_exists: Known, entry_exists: Known) -> QuizState | None:
    """A quiz from session attributes, or None if any part of it is wrong or stale."""
    if not isinstance(raw, Mapping) or not _QUIZ_KEYS.issuperset(raw):
        return None
    items, index, score = raw.get("items"), raw.get("index"), _number(raw.get("score"))
    answers, hinted, leave_for = raw.get("answers"), raw.get("hinted"), raw.get("leave_for")
    if not _is_one_of(raw.get("phase"), _PHASES) or not isinstance(items, list) or not items:
        return None
    if not all(isinstance(i, str) and item_exists(i) for i in items):
        return None
    if type(index) is not int or not 0 <= index <= len(items) or score is None:
        return None
    if not isinstance(answers, list) or len(answers) != index or not isinstance(hinted, bool):
        return None
    given = [_given(a, item_exists) for a in answers]
    if any(g is None for g in given):
        return None
    if leave_for is not None and not (isinstance(leave_for, str) and entry_exists(leave_for)):
        return None
    unclear = raw.get("unclear", 0)
    if type(unclear) is not int or not 0 <= unclear <= quiz_rules.MAX_UNCLEAR:
        return None
    # The options read out; anything else is read out afresh (the handler checks the content).
    options = raw.get("options", [])
    if not (
        isinstance(options, list)
        and len(options) <= quiz_rules.SHOWN_OPTIONS
        and all(isinstance(o, str) and 0 < len(o) <= MAX_OPTION_CHARS for o in options)
    ):
        options = []
    phase = Phase(raw["phase"])
    if (phase is Phase.FINISHED) != (index == len(items)):
        return None
    answered = tuple(g for g in given if g is not None)  # none is None: checked above
    return QuizState(
        phase, tuple(items), index, score, answered, hinted, leave_for, unclear, tuple(options)
    )


def quiz_to_dict(quiz: QuizState) -> dict[str, Any]:
    return {
        "phase": quiz.phase.value,
        "items": list(quiz.item_ids),
        "index": quiz.index,
        "score": quiz.score,
        "answers": [
            {"item": g.item_id, "outcome": g.outcome.value, "points": g.points, "hinted": g.hinted}
            for g in quiz.answers
        ],
        "hinted": quiz.hinted,
        "leave_for": quiz.leave_for,
        "unclear": quiz.unclear,
        "options": list(quiz.options),
    }


def from_attributes(
    attributes: Mapping[str, Any] | None,
    entry_exists: Known = lambda _id: True,
    item_exists: Known = lambda _id: True,
) -> SessionState:
    """Parse session attributes; anything malformed or stale is treated as absent."""
    raw = attributes.get(_KEY) if isinstance(attributes, Mapping) else None
    if not isinstance(raw, Mapping) or raw.get("v") != VERSION:
        return SessionState()
    return SessionState(
        last=_spoken(raw.get("last")),
        reading=_reading(raw.get("reading"), entry_exists),
        quiz=quiz_from_dict(raw.get("quiz"), item_exists, entry_exists),
        confirm_reset=raw.get("confirm_reset") is True,
        topic=_entry_id(raw.get("topic"), entry_exists),
        offer=_entry_id(raw.get("offer"), entry_exists),
    )


def _entry_id(raw: Any, entry_exists: Known) -> str | None:
    return raw if isinstance(raw, str) and entry_exists(raw) else None


def to_attributes(state: SessionState) -> dict[str, Any]:
    """The JSON-ready session attributes for a state."""
    raw: dict[str, Any] = {"v": VERSION}
    if state.last is not None:
        raw["last"] = {k: v for k, v in state.last._asdict().items() if v is not None}
    if state.reading is not None:
        raw["reading"] = {"entry_id": state.reading.entry_id, "next_part": state.reading.next_part}
    if state.quiz is not None:
        raw["quiz"] = quiz_to_dict(state.quiz)
    if state.confirm_reset:
        raw["confirm_reset"] = True
    if state.topic is not None:
        raw["topic"] = state.topic
    if state.offer is not None:
        raw["offer"] = state.offer
    return {_KEY: raw}


# The state last read or saved for a request, kept in the SDK's request attributes (the place
# for per-request values) with the attributes it belongs to, or _UNWRITTEN: every handler's
# can_handle asks for it, and parsing is the costly part. A turn saves up to three times (the
# state checked on the way in, the handler's, what was said), and is written once, at its end.
_CACHE = "session_state"
_UNWRITTEN = object()  # saved, not yet written into the response's session attributes


def in_session(handler_input: HandlerInput) -> bool:
    """Whether the request belongs to a session: AudioPlayer, skill events and other
    sessionless requests have none, and the SDK raises if asked for their attributes."""
    return handler_input.request_envelope.session is not None


def load(handler_input: HandlerInput, entry_exists: Known, item_exists: Known) -> SessionState:
    """The session state of the current request, parsed once per version of the attributes."""
    if not in_session(handler_input):
        return SessionState()
    manager = handler_input.attributes_manager
    attributes = manager.session_attributes
    cached = cast(tuple[object, SessionState] | None, manager.request_attributes.get(_CACHE))
    if cached is not None and (cached[0] is _UNWRITTEN or cached[0] is attributes):
        return cached[1]
    state = from_attributes(attributes, entry_exists, item_exists)
    manager.request_attributes[_CACHE] = (attributes, state)
    return state


def save(handler_input: HandlerInput, state: SessionState) -> None:
    """Keep the session state for the response (none out of session): loads in this request
    see it at once; `write` puts it into the response's session attributes."""
    if in_session(handler_input):
        handler_input.attributes_manager.request_attributes[_CACHE] = (_UNWRITTEN, state)


def write(handler_input: HandlerInput) -> None:
    """Put the state last saved into the response's session attributes: once, at the end of
    the turn (skill.handlers.builtins: the last response interceptor, the exception handler)."""
    manager = handler_input.attributes_manager
    cached = cast(tuple[object, SessionState] | None, manager.request_attributes.get(_CACHE))
    if cached is None or cached[0] is not _UNWRITTEN:
        return
    attributes = to_attributes(cached[1])
    manager.session_attributes = attributes
    # What was written is what the next load in this request would parse back.
    manager.request_attributes[_CACHE] = (attributes, cached[1])
