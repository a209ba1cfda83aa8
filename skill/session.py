"""The only code that reads or writes session attributes: one typed state object per session.

Session attributes come back from the device as untrusted JSON. Anything that does not parse as
the expected shape (unknown keys, wrong types, stale ids) is dropped, field by field, so a
tampered session means "start fresh", never a crash.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from ask_sdk_core.handler_input import HandlerInput

_KEY = "state"
VERSION = 1


@dataclass(frozen=True)
class Spoken:
    """The last thing said, so "repeat" can say it again."""

    ssml: str
    reprompt: str | None = None
    card_title: str | None = None
    card_text: str | None = None


@dataclass(frozen=True)
class Reading:
    """A split answer part way through: "more" reads part `next_part` of the entry."""

    entry_id: str
    next_part: int


@dataclass(frozen=True)
class SessionState:
    """Everything the skill keeps between turns of one session."""

    last: Spoken | None = None
    reading: Reading | None = None

    def but(self, **changes: Any) -> SessionState:
        """A copy with some fields changed."""
        return replace(self, **changes)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _spoken(raw: Any) -> Spoken | None:
    if not isinstance(raw, Mapping) or _str(raw.get("ssml")) is None:
        return None
    optional = {k: _str(raw.get(k)) for k in ("reprompt", "card_title", "card_text")}
    return Spoken(ssml=raw["ssml"], **optional)


def _reading(raw: Any, entry_exists: Any) -> Reading | None:
    if not isinstance(raw, Mapping):
        return None
    entry_id, part = raw.get("entry_id"), raw.get("next_part")
    if not isinstance(entry_id, str) or type(part) is not int or part < 1:
        return None
    return Reading(entry_id, part) if entry_exists(entry_id) else None


def from_attributes(
    attributes: Mapping[str, Any] | None, entry_exists: Any = lambda _id: True
) -> SessionState:
    """Parse session attributes; anything malformed or stale is treated as absent."""
    raw = (attributes or {}).get(_KEY)
    if not isinstance(raw, Mapping) or raw.get("v") != VERSION:
        return SessionState()
    return SessionState(
        last=_spoken(raw.get("last")),
        reading=_reading(raw.get("reading"), entry_exists),
    )


def to_attributes(state: SessionState) -> dict[str, Any]:
    """The JSON-ready session attributes for a state."""
    raw: dict[str, Any] = {"v": VERSION}
    if state.last is not None:
        raw["last"] = {k: v for k, v in vars(state.last).items() if v is not None}
    if state.reading is not None:
        raw["reading"] = {"entry_id": state.reading.entry_id, "next_part": state.reading.next_part}
    return {_KEY: raw}


def load(handler_input: HandlerInput, entry_exists: Any = lambda _id: True) -> SessionState:
    """The session state of the current request."""
    return from_attributes(handler_input.attributes_manager.session_attributes, entry_exists)


def save(handler_input: HandlerInput, state: SessionState) -> None:
    """Write the session state into the response's session attributes."""
    handler_input.attributes_manager.session_attributes = to_attributes(state)
