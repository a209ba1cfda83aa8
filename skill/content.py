"""Revision content: typed entries and quiz items, loaded once from content/*.yaml and validated.

The format is documented in content/README.md. Loading fails fast with a ContentError that names
the file, the entry id, the field and the reason, so a teacher's typo is found at start-up, not
in front of a student.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"

# Alexa speaks at most 8,000 characters per response; one answer must fit well inside that so
# that the lead, the list wording and the closing question still fit.
MAX_ANSWER_CHARS = 2000


class ContentError(ValueError):
    """A content file is invalid: names the file, entry, field and reason."""

    def __init__(self, file: str | Path, entry: str | None, field_name: str | None, reason: str):
        self.file = str(file)
        self.entry = entry
        self.field = field_name
        self.reason = reason
        where = self.file
        if entry is not None:
            where += f", entry {entry!r}"
        if field_name is not None:
            where += f", field {field_name!r}"
        super().__init__(f"{where}: {reason}")


class ItemKind(enum.StrEnum):
    """How a quiz item is asked and marked."""

    SHORT = "short"  # a short spoken answer: a name, a place, a number, a year
    CHOICE = "choice"  # multiple choice: three options, said as "A, B or C"
    MULTI = "multi"  # name N of several points, with partial credit


@dataclass(frozen=True)
class Section:
    """A part of the topic, used to say what to revise."""

    id: str
    title: str  # spoken: "the Treaty of Friendship"


@dataclass(frozen=True)
class Answer:
    """A spoken answer: one short lead sentence, then a list of points read as a list."""

    lead: str
    points: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entry:
    """One question the skill can answer."""

    id: str  # stable, kebab-case; also the TOPIC slot value id
    title: str  # card title and the TOPIC slot value
    section: str  # a Section id
    question: str  # the question this entry answers, as a student would ask it
    asked_as: tuple[str, ...]  # other ways students ask it
    facts: tuple[str, ...]  # fact ids from shared/seed/facts.md that this entry carries
    names: tuple[str, ...]  # keys of Topic.aliases for the names this entry mentions
    answer: Answer


@dataclass(frozen=True)
class Point:
    """One point of a multi-point quiz answer."""

    text: str  # how the point is said back to the student
    accept: tuple[str, ...]  # spoken phrasings that count as this point


@dataclass(frozen=True)
class QuizItem:
    """One quiz question and what counts as right."""

    id: str
    kind: ItemKind
    section: str  # a Section id
    facts: tuple[str, ...]  # fact ids this item tests
    question: str  # without the options; speech adds "A, B or C" for choice items
    answer: str  # canonical answer; for a choice item, the text of the right option
    why: str  # one line of explanation, said after marking
    hint: str
    aliases: tuple[str, ...] = ()  # other right answers (short and choice items)
    options: tuple[str, ...] = ()  # choice items: exactly three, the answer among them
    points: tuple[Point, ...] = ()  # multi items
    needed: int = 0  # multi items: how many points make a full answer


@dataclass(frozen=True)
class Topic:
    """One revision topic: its entries, quiz items and the aliases of the names in it."""

    id: str
    title: str
    sections: tuple[Section, ...]
    # canonical name -> other ways it is said or misspelled ("ussr": ["soviet union", ...])
    aliases: dict[str, tuple[str, ...]]
    entries: tuple[Entry, ...]
    quiz: tuple[QuizItem, ...] = ()
    file: str = ""
    _entries_by_id: dict[str, Entry] = field(default_factory=dict, repr=False, compare=False)
    _items_by_id: dict[str, QuizItem] = field(default_factory=dict, repr=False, compare=False)
