"""The only code that writes SSML: escaping, lists read as lists, pauses, and length budgets.

Everything spoken passes through `Speech`, which escapes each piece of text it is given, so
content with "&" or "<" can never break the markup, and which refuses to grow past Alexa's limits.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import NamedTuple

from skill.language import mid_sentence

# Alexa's limits: outputSpeech and reprompt each at most 8,000 characters; the whole response
# at most 24 KB. Cards share the speech limit on their text.
MAX_SPEECH_CHARS = 8000
MAX_RESPONSE_BYTES = 24 * 1024
MAX_CARD_CHARS = 8000

# A listener keeps about this much in mind at once; longer answers are read in parts and
# "more" continues them. Well under MAX_SPEECH_CHARS so the closing question always fits.
PART_BUDGET_CHARS = 500

SHORT_PAUSE = '<break time="300ms"/>'
LIST_PAUSE = '<break time="500ms"/>'

# "&" first, so the other entities are not escaped twice.
_ENTITIES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&apos;"))


def escape(text: str) -> str:
    """Escape text for SSML; quotes too, since text may end up in attributes. (Written here:
    xml.sax.saxutils, for one function, imports urllib, http.client and email at a cold start.)"""
    for character, entity in _ENTITIES:
        if character in text:
            text = text.replace(character, entity)
    return text


# The only tags this module writes; anything else did not come from here.
_OWN_TAGS = frozenset({"speak", "break", "prosody"})
SLOW_RATE = "slow"  # Alexa's SSML prosody rate for "slower please"


def is_own_ssml(ssml: str) -> bool:
    """Whether SSML could have been written by this module: it parses, uses only our tags and
    fits the limit. Speech kept in a session comes back from the device, so it is checked
    before it is said again."""
    if len(ssml) > MAX_SPEECH_CHARS:
        return False
    # This module never writes a DTD, entity declaration or processing instruction; the standard
    # parser would expand entities declared in one.
    if "<!" in ssml or "<?" in ssml:
        return False
    from xml.etree import ElementTree  # only for speech replayed from the session

    try:
        root = ElementTree.fromstring(ssml)
    except ElementTree.ParseError:
        return False
    return root.tag == "speak" and all(element.tag in _OWN_TAGS for element in root.iter())


class SpeechTooLong(ValueError):
    """Raised when speech would pass Alexa's limit; a bug in the caller's budgeting."""


class Speech:
    """Builds one SSML utterance from plain-text sentences, lists and pauses."""

    def __init__(self) -> None:
        self._parts: list[str] = []

    def say(self, *sentences: str) -> Speech:
        """Add sentences, escaped."""
        for sentence in sentences:  # a loop, not a generator: speech is made many times a turn
            sentence = sentence.strip() if sentence else ""
            if sentence:
                self._parts.append(escape(sentence))
        return self

    def pause(self, markup: str = SHORT_PAUSE) -> Speech:
        """Add a short pause."""
        if self._parts:
            self._parts.append(markup)
        return self

    def items(self, points: Sequence[str], ordinals: Sequence[str], start: int = 0) -> Speech:
        """Read points as a spoken list: "First, ... Second, ...", with a pause between.

        A single point is no list, so it is read without "First"."""
        if start == 0 and len(points) == 1:
            return self.pause(LIST_PAUSE).say(points[0])
        listed = _listed(tuple(points), tuple(ordinals), start)
        # With nothing said yet, no pause before the first point.
        self._parts.extend(listed if self._parts else listed[1:])
        return self

    def sentences(self, points: Sequence[str]) -> Speech:
        """Read points that are not a list as sentences that go on from the lead, paced."""
        for point in points:
            self.pause().say(point)
        return self

    def ssml(self) -> str:
        """The SSML document; raises SpeechTooLong past Alexa's limit."""
        text = "<speak>" + " ".join(self._parts) + "</speak>"
        if len(text) > MAX_SPEECH_CHARS:
            raise SpeechTooLong(f"{len(text)} characters of speech (limit {MAX_SPEECH_CHARS})")
        return text


@functools.lru_cache(maxsize=1024)  # an entry's points read the same at every answer
def _listed(points: tuple[str, ...], ordinals: tuple[str, ...], start: int) -> tuple[str, ...]:
    """The parts of points read as a list, "First, ... Second, ...", each after a pause."""
    parts: list[str] = []
    for number, point in enumerate(points, start=start):
        label = ordinals[number] if number < len(ordinals) else f"Point {number + 1}"
        parts += (LIST_PAUSE, escape(f"{label}, {mid_sentence(point)}".strip()))
    return tuple(parts)


def slowed(ssml: str) -> str:
    """The same speech read more slowly; speech already slowed keeps its one prosody tag."""
    inner = ssml.removeprefix("<speak>").removesuffix("</speak>")
    if inner.startswith("<prosody "):
        return ssml
    text = f'<speak><prosody rate="{SLOW_RATE}">{inner}</prosody></speak>'
    if len(text) > MAX_SPEECH_CHARS:
        raise SpeechTooLong(f"{len(text)} characters of speech (limit {MAX_SPEECH_CHARS})")
    return text


class Part(NamedTuple):
    """One spoken part of an answer: the points it reads, by index."""

    first: int  # index of the first point read in this part
    count: int  # type: ignore[assignment]  # how many points (hides tuple.count, unused)


def split_points(lead: str, points: Sequence[str], budget: int = PART_BUDGET_CHARS) -> list[Part]:
    """Split an answer's points into parts that each fit the listening budget.

    The first part carries the lead; every part reads at least one point so "more" always
    makes progress. An answer without points is one part.
    """
    parts: list[Part] = []
    first, used = 0, len(lead)
    for index, point in enumerate(points):
        if index > first and used + len(point) > budget:
            parts.append(Part(first, index - first))
            first, used = index, 0
        used += len(point)
    parts.append(Part(first, len(points) - first))
    return parts


def card_text(lead: str, points: Sequence[str], *, is_list: bool = True) -> str:
    """Plain text for a Simple card in the Alexa app: the lead, then one bullet a line for a
    list, or one paragraph."""
    if is_list:
        text = "\n".join([lead, *(f"• {point}" for point in points)])
    else:
        text = " ".join([lead, *points])
    return text if len(text) <= MAX_CARD_CHARS else text[: MAX_CARD_CHARS - 1] + "…"
