"""Revision content: typed entries, quiz items and glossary terms, loaded once from content/*.yaml
and validated.

The format is documented in content/README.md. Loading fails fast with a ContentError that names
the file, the entry id (or glossary term), the field and the reason, so a teacher's typo is found
at start-up, not in front of a student.
"""

from __future__ import annotations

import copy
import enum
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, cast

from skill.language import compiled, is_number, normalise, number_words, read_numbers

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"

# Alexa speaks at most 8,000 characters per response; one answer must fit well inside that so
# that the lead, the list wording and the closing question still fit.
MAX_ANSWER_CHARS = 2000
MIN_ENTRIES = 3
# A glossary meaning or example is one or two short sentences for the ear.
MAX_GLOSSARY_CHARS = 300
# rapidfuzz ratio, 0..100, at which a heard word counts as a misspelling of a glossary form:
# "ideolgy" scores 93 against "ideology", "communism" 89 against "communist".
DEFINE_SPELLING_CUTOFF = 85


class ContentError(ValueError):
    """A content file is invalid: names the file, entry (or term), field and reason."""

    def __init__(
        self,
        file: str | Path,
        entry: str | None,
        field_name: str | None,
        reason: str,
        *,
        kind: str = "entry",
    ):
        self.file = str(file)
        self.entry = entry  # the entry id, quiz item id or glossary term
        self.kind = kind  # what entry names, as the message says it: "entry" or "term"
        self.field = field_name
        self.reason = reason
        where = self.file
        if entry is not None:
            where += f", {kind} {entry!r}"
        if field_name is not None:
            where += f", field {field_name!r}"
        super().__init__(f"{where}: {reason}")


class ItemKind(enum.StrEnum):
    """How a quiz item is asked and marked."""

    SHORT = "short"  # a short spoken answer: a name, a place, a number, a year
    CHOICE = "choice"  # multiple choice: three options, said as "A, B or C"
    MULTI = "multi"  # name N of several points, with partial credit


# Immutable values are NamedTuples rather than frozen dataclasses across the skill: creating a
# frozen dataclass costs a cold start about 0.8 ms on Python 3.11 (it exec()s each generated
# method), a NamedTuple a third of that. Dataclasses stay where a field is cached or derived, or
# has a default factory.
class Section(NamedTuple):
    """A part of the topic, used to say what to revise."""

    id: str
    title: str  # spoken: "the Treaty of Friendship"


class Answer(NamedTuple):
    """A spoken answer: one short lead sentence, then points read after it."""

    lead: str
    points: tuple[str, ...] = ()

    @property
    def is_list(self) -> bool:
        """Whether the points are a list the lead announces ("The treaty had four main terms."):
        read as "First, ... Second, ..."; other points simply go on from the lead."""
        return _announces_list(self.lead, len(self.points))


@functools.lru_cache(maxsize=1024)  # asked of an entry at every answer; content is fixed
def _announces_list(lead: str, count: int) -> bool:
    """Whether a lead announces `count` points as a list."""
    said = rf"(?:{count}|{number_words(count)})"
    # "four main terms", "three reasons"; not "the two powers", which names who, not how many.
    announced = rf"(?<!\bthe )\b{said}(?: \w+)? \w+s\b"
    return count >= 2 and bool(re.search(announced, lead.lower()))


class Entry(NamedTuple):
    """One question the skill can answer."""

    id: str  # stable, kebab-case; also the TOPIC slot value id
    title: str  # card title and the TOPIC slot value
    section: str  # a Section id
    question: str  # the question this entry answers, as a student would ask it
    asked_as: tuple[str, ...]  # other ways students ask it
    facts: tuple[str, ...]  # fact ids from shared/seed/facts.md that this entry carries
    names: tuple[str, ...]  # keys of Topic.aliases for the names this entry mentions
    answer: Answer
    # how it is named mid-sentence ("the treaty's promise to defend China"); else the title
    name: str | None = None
    why: str | None = None  # the reason behind it, for "why?" after the answer

    @property
    def spoken_name(self) -> str:
        """The entry's name as said inside a sentence: "I know about the Soviet loan"."""
        if self.name:
            return self.name
        return re.sub(r"^The ", "the ", self.title)


class Point(NamedTuple):
    """One point of a multi-point quiz answer."""

    text: str  # how the point is said back to the student
    accept: tuple[str, ...]  # spoken phrasings that count as this point


class QuizItem(NamedTuple):
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
    # choice items: more wrong options of the same kind; each presentation draws two wrong
    # options from these and the other options, and shuffles them with the answer
    distractors: tuple[str, ...] = ()

    @property
    def wrong_options(self) -> tuple[str, ...]:
        """Every wrong option a choice item may show."""
        every = (*self.options, *self.distractors)
        return tuple(dict.fromkeys(option for option in every if option != self.answer))


class GlossaryTerm(NamedTuple):
    """A word a student may ask the meaning of ("what does ideology mean")."""

    term: str  # the spoken form: "ideology", "the Politburo"
    meaning: str  # one or two short sentences for the ear, in our own words
    aliases: tuple[str, ...] = ()  # other ways it is said or misheard: "polit bureau"
    example: str | None = None  # one sentence tying the term to the topic


@dataclass(frozen=True)
class Topic:
    """One revision topic: its entries, quiz items, glossary and the aliases of the names in it."""

    id: str
    title: str
    sections: tuple[Section, ...]
    # canonical name -> other ways it is said or misspelled ("ussr": ["soviet union", ...])
    aliases: dict[str, tuple[str, ...]]
    entries: tuple[Entry, ...]
    quiz: tuple[QuizItem, ...] = ()
    glossary: tuple[GlossaryTerm, ...] = ()
    file: str = ""
    # side -> the other names on it ("ussr": ["stalin", "khrushchev"]): who acts for whom, so a
    # question about what China gave is not answered with what the Soviets gave
    parties: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _entries_by_id: dict[str, Entry] = field(default_factory=dict, repr=False, compare=False)
    _items_by_id: dict[str, QuizItem] = field(default_factory=dict, repr=False, compare=False)

    def entry(self, entry_id: str) -> Entry:
        """The entry with this id (KeyError if none)."""
        return self._entries_by_id[entry_id]

    def item(self, item_id: str) -> QuizItem:
        """The quiz item with this id (KeyError if none)."""
        return self._items_by_id[item_id]


@dataclass(frozen=True)
class Content:
    """Every topic in the content directory, with lookups across all of them."""

    topics: tuple[Topic, ...]
    _entries: dict[str, Entry] = field(init=False, repr=False, compare=False)
    _items: dict[str, QuizItem] = field(init=False, repr=False, compare=False)
    _sections: dict[str, Section] = field(init=False, repr=False, compare=False)
    _aliases: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)
    _name_keys: frozenset[str] = field(init=False, repr=False, compare=False)
    # glossary_key of each term and alias -> its term; the keys again, for spelling correction
    _definitions: dict[str, GlossaryTerm] = field(init=False, repr=False, compare=False)
    _defined_forms: tuple[str, ...] = field(init=False, repr=False, compare=False)
    # By length of what is heard: the forms near enough in length to be a misspelling of it
    _forms_near: dict[int, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        aliases: dict[str, tuple[str, ...]] = {}
        for topic in self.topics:
            for name, said in topic.aliases.items():
                # Two topics may both name China; their ways of saying it are pooled.
                aliases[name] = tuple(dict.fromkeys(aliases.get(name, ()) + said))
        # object.__setattr__ because the dataclass is frozen; these are derived once, here.
        object.__setattr__(self, "_entries", {e.id: e for t in self.topics for e in t.entries})
        object.__setattr__(self, "_items", {q.id: q for t in self.topics for q in t.quiz})
        object.__setattr__(self, "_sections", {s.id: s for t in self.topics for s in t.sections})
        object.__setattr__(self, "_aliases", aliases)
        object.__setattr__(
            self,
            "_name_keys",
            frozenset(glossary_key(p) for name, said in aliases.items() for p in (name, *said)),
        )
        definitions: dict[str, GlossaryTerm] = {}
        for topic in self.topics:
            for term in topic.glossary:
                for phrase in (term.term, *term.aliases):
                    # load_content refuses a form two terms claim; the first term keeps it.
                    definitions.setdefault(glossary_key(phrase), term)
        object.__setattr__(self, "_definitions", definitions)
        object.__setattr__(self, "_defined_forms", tuple(definitions))
        object.__setattr__(self, "_forms_near", {})

    # Derived once, on first use: every request asks for these, and the content never changes.
    @functools.cached_property
    def parties(self) -> Mapping[str, tuple[str, ...]]:
        """Side -> the names that act for it, merged over all topics."""
        merged: dict[str, tuple[str, ...]] = {}
        for topic in self.topics:
            for side, names in topic.parties.items():
                merged[side] = tuple(dict.fromkeys(merged.get(side, ()) + names))
        return merged

    @functools.cached_property
    def entries(self) -> tuple[Entry, ...]:
        """All entries, topic by topic, in file order."""
        return tuple(self._entries.values())

    @functools.cached_property
    def items(self) -> tuple[QuizItem, ...]:
        """All quiz items, topic by topic, in file order."""
        return tuple(self._items.values())

    @functools.cached_property
    def sections(self) -> tuple[Section, ...]:
        """All sections, topic by topic, in file order."""
        return tuple(self._sections.values())

    @functools.cached_property
    def glossary(self) -> tuple[GlossaryTerm, ...]:
        """All glossary terms, topic by topic, in file order."""
        return tuple(term for topic in self.topics for term in topic.glossary)

    @functools.cached_property
    def facts_by_section(self) -> Mapping[str, tuple[str, ...]]:
        """Section id -> the fact ids its quiz items test."""
        sections: dict[str, list[str]] = {}
        for item in self.items:
            sections.setdefault(item.section, []).extend(item.facts)
        return {section: tuple(dict.fromkeys(facts)) for section, facts in sections.items()}

    @property
    def aliases(self) -> Mapping[str, tuple[str, ...]]:
        """Canonical name -> other ways it is said, merged over all topics."""
        return self._aliases

    def entry(self, entry_id: str) -> Entry:
        """The entry with this id (KeyError if none)."""
        return self._entries[entry_id]

    def define(self, text: str) -> GlossaryTerm | None:
        """The glossary term the heard text names, by its term or an alias, or None.

        "The Politburo", "politburos" and "polit bureau" all find the Politburo; a small
        misspelling ("ideolgy") finds the nearest form.
        """
        key = glossary_key(text)
        if not key:
            return None
        if key in self._definitions:
            return self._definitions[key]
        forms = self._near_forms(len(key))
        if not forms:  # most questions: longer than any term could be misspelt as
            return None
        from rapidfuzz import fuzz, process  # imported on first use

        nearest = process.extractOne(
            key, forms, scorer=fuzz.ratio, score_cutoff=DEFINE_SPELLING_CUTOFF
        )
        return None if nearest is None else self._definitions[nearest[0]]

    def _near_forms(self, length: int) -> tuple[str, ...]:
        """The defined forms, in order, whose likeness (fuzz.ratio) to a text of this length
        could reach the cutoff: it is at most 200 * min(a, b) / (a + b) for lengths a and b,
        since the edits between the two are at least the difference in length."""
        near = self._forms_near.get(length)
        if near is None:
            cutoff = DEFINE_SPELLING_CUTOFF
            near = self._forms_near[length] = tuple(
                form
                for form in self._defined_forms
                if 200 * min(length, len(form)) >= cutoff * (length + len(form))
            )
        return near

    def is_name(self, text: str) -> bool:
        """Whether text is one of the aliases' names or a way of saying one ("Mao Zedong")."""
        return glossary_key(text) in self._name_keys

    def terms_in(self, text: str) -> list[GlossaryTerm]:
        """The glossary terms a text uses, in the order it first uses them."""
        said = f" {glossary_key(text)} "
        found: dict[int, GlossaryTerm] = {}
        # Longest forms first, so "mao zedong thought" is found rather than "mao zedong".
        for form in sorted(self._definitions, key=len, reverse=True):
            term = self._definitions[form]
            at = said.find(f" {form} ")
            if at >= 0 and at not in found and all(t is not term for t in found.values()):
                found[at] = term
        return [found[at] for at in sorted(found)]

    @functools.cached_property
    def titled_terms(self) -> frozenset[str]:
        """Glossary terms that an entry is named after ("Secret Speech"): asked "what was it",
        the entry answers rather than the glossary."""
        return frozenset(t.term for e in self.entries for t in self.terms_in(e.title))

    def next_entry(self, entry_id: str) -> Entry:
        """The entry after this one in teaching order, the first after the last."""
        entries = self.entries
        index = next(i for i, e in enumerate(entries) if e.id == entry_id)
        return entries[(index + 1) % len(entries)]

    def has_entry(self, entry_id: str) -> bool:
        return entry_id in self._entries

    def has_item(self, item_id: str) -> bool:
        return item_id in self._items

    def item(self, item_id: str) -> QuizItem:
        """The quiz item with this id (KeyError if none)."""
        return self._items[item_id]

    def section(self, section_id: str) -> Section:
        """The section with this id (KeyError if none)."""
        return self._sections[section_id]


# Compiled when content is read from the files, which a start from the saved index never does.
ID_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
FACT_PATTERN = r"F[1-9][0-9]*"

_TOP_LEVEL = {
    "topic": True,
    "sections": True,
    "aliases": True,
    "parties": False,
    "entries": True,
    "glossary": False,
    "quiz": False,
}
_TOPIC_FIELDS = {"id": True, "title": True}
_SECTION_FIELDS = {"id": True, "title": True}
_ENTRY_FIELDS = {
    "id": True,
    "title": True,
    "section": True,
    "question": True,
    "asked_as": True,
    "facts": True,
    "names": True,
    "answer": True,
    "name": False,
    "why": False,
}
_ANSWER_FIELDS = {"lead": True, "points": False}
_ITEM_FIELDS = {
    "id": True,
    "kind": True,
    "section": True,
    "facts": True,
    "question": True,
    "answer": True,
    "why": True,
    "hint": True,
    "aliases": False,
    "options": False,
    "distractors": False,
    "points": False,
    "needed": False,
}
_POINT_FIELDS = {"text": True, "accept": True}
_GLOSSARY_FIELDS = {"term": True, "aliases": False, "meaning": True, "example": False}
# Fields a quiz item of each kind may carry beyond the common ones.
_KIND_FIELDS = {
    ItemKind.SHORT: {"aliases"},
    ItemKind.CHOICE: {"aliases", "options", "distractors"},
    ItemKind.MULTI: {"points", "needed"},
}
CHOICE_OPTIONS = 3

_ARTICLES = frozenset({"a", "an", "the"})


def glossary_key(text: str) -> str:
    """The form a glossary term is known by: normalised words, no leading article, singular.

    Terms, aliases and what a student says all pass through it, so "The Politburo's" and
    "politburo" meet, and so do "superpowers" and "superpower".
    """
    words = normalise(text).split()
    if words and words[0] in _ARTICLES:
        words = words[1:]
    return " ".join(_singular(word) for word in words)


def _singular(word: str) -> str:
    # Crude but symmetric: a term and what is heard lose the same endings ("spies" -> "spy").
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


class _Fields(NamedTuple):
    """One mapping from a content file, read field by field; every error names where it is."""

    file: Path
    entry: str | None  # entry or item id, for errors
    prefix: str  # field path of this mapping inside the entry, e.g. "answer."
    data: dict[str, Any]
    kind: str = "entry"  # what entry names, for errors: "entry" or "term"

    @classmethod
    def of(
        cls,
        raw: object,
        file: Path,
        entry: str | None,
        where: str,
        spec: Mapping[str, bool],
        *,
        kind: str = "entry",
    ) -> _Fields:
        """Check that raw is a mapping with exactly the fields spec allows (True = required)."""
        if not isinstance(raw, dict):
            reason = f"must be a mapping, not {_kind(raw)}"
            raise ContentError(file, entry, where or None, reason, kind=kind)
        prefix = f"{where}." if where else ""
        for name in raw:
            if name not in spec:
                allowed = ", ".join(spec)
                reason = f"unknown field (allowed: {allowed})"
                raise ContentError(file, entry, f"{prefix}{name}", reason, kind=kind)
        for name, required in spec.items():
            if required and name not in raw:
                raise ContentError(file, entry, f"{prefix}{name}", "missing field", kind=kind)
        return cls(file, entry, prefix, raw, kind)

    def error(self, name: str, reason: str) -> ContentError:
        return ContentError(self.file, self.entry, self.prefix + name, reason, kind=self.kind)

    def has(self, name: str) -> bool:
        return name in self.data

    def text(self, name: str) -> str:
        """A non-empty string."""
        return self._text(self.data.get(name), name)

    def ident(self, name: str) -> str:
        """A kebab-case id."""
        value = self.text(name)
        if not compiled(ID_PATTERN).fullmatch(value):
            raise self.error(name, f"{value!r} is not a kebab-case id (like 'treaty-terms')")
        return value

    def texts(self, name: str, *, allow_empty: bool = True) -> tuple[str, ...]:
        """A list of non-empty strings; absent means empty."""
        raw = self.data.get(name, [])
        if not isinstance(raw, list):
            raise self.error(name, f"must be a list, not {_kind(raw)}")
        if not raw and not allow_empty:
            raise self.error(name, "must not be empty")
        return tuple(self._text(value, f"{name}[{i}]") for i, value in enumerate(raw))

    def facts(self, name: str) -> tuple[str, ...]:
        """A non-empty list of fact ids like F12."""
        ids = self.texts(name, allow_empty=False)
        for i, fact in enumerate(ids):
            if not compiled(FACT_PATTERN).fullmatch(fact):
                raise self.error(f"{name}[{i}]", f"{fact!r} is not a fact id (like 'F12')")
        return ids

    def integer(self, name: str) -> int:
        raw = self.data.get(name)
        # bool is an int subclass, and "needed: yes" is a typo, not a count.
        if type(raw) is not int:
            raise self.error(name, f"must be a whole number, not {_kind(raw)}")
        return raw

    def list(self, name: str) -> list[Any]:
        raw = self.data.get(name, [])
        if not isinstance(raw, list):
            raise self.error(name, f"must be a list, not {_kind(raw)}")
        return raw

    def _text(self, raw: object, name: str) -> str:
        if not isinstance(raw, str):
            raise self.error(name, f"must be text, not {_kind(raw)}")
        if not raw.strip():
            raise self.error(name, "must not be empty")
        return raw.strip()


def _kind(raw: object) -> str:
    """How a YAML value's type is described to a teacher."""
    names = {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number"}
    return "nothing" if raw is None else names.get(type(raw), type(raw).__name__)


# Texts already parsed by the build, text -> what it parses to: the saved index carries the
# skill's own YAML files (phrases, quiz requests, lexicon), so a process started from it parses
# no YAML and never imports PyYAML. Keyed by the whole text, so an edited file is parsed anew.
_PARSED_YAML: dict[str, object] = {}


def read_yaml(text: str) -> object:
    """Parse YAML safely (no tags that build objects); YAMLError when it is not YAML."""
    parsed = _PARSED_YAML.get(text)
    if parsed is not None:
        return copy.deepcopy(parsed)  # a caller may change what it was given
    import yaml  # imported on first use: a cold start from a saved index reads no YAML

    # libyaml's safe loader when PyYAML was built with it: ten times faster.
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def know_yaml(parsed: Mapping[str, object]) -> None:
    """Take texts already parsed (text -> data) from the saved index."""
    _PARSED_YAML.update(parsed)


def yaml_error() -> type[Exception]:
    """PyYAML's error class, imported when a file is read."""
    import yaml

    return cast(type[Exception], yaml.YAMLError)


def load_topic(path: str | Path) -> Topic:
    """Read and validate one topic file."""
    path = Path(path)
    try:
        raw = read_yaml(path.read_text(encoding="utf-8"))
    except yaml_error() as error:
        raise ContentError(path, None, None, f"invalid YAML: {error}") from error
    top = _Fields.of(raw, path, None, "", _TOP_LEVEL)
    head = _Fields.of(top.data["topic"], path, None, "topic", _TOPIC_FIELDS)

    sections: dict[str, Section] = {}
    for i, raw_section in enumerate(top.list("sections")):
        fields = _Fields.of(raw_section, path, None, f"sections[{i}]", _SECTION_FIELDS)
        section = Section(fields.ident("id"), fields.text("title"))
        if section.id in sections:
            raise fields.error("id", f"duplicate section id {section.id!r}")
        sections[section.id] = section
    if not sections:
        raise top.error("sections", "must not be empty")

    aliases = _aliases(top, path)
    parties = _parties(top, path, aliases) if top.has("parties") else {}
    entries: dict[str, Entry] = {}
    for i, raw_entry in enumerate(top.list("entries")):
        entry = _entry(raw_entry, path, f"entries[{i}]", sections, aliases)
        if entry.id in entries:
            raise ContentError(path, entry.id, "id", "duplicate entry id")
        entries[entry.id] = entry
    items: dict[str, QuizItem] = {}
    for i, raw_item in enumerate(top.list("quiz")):
        item = _item(raw_item, path, f"quiz[{i}]", sections)
        if item.id in items:
            raise ContentError(path, item.id, "id", "duplicate quiz item id")
        items[item.id] = item
    glossary = _glossary(top, path)
    return Topic(
        id=head.ident("id"),
        title=head.text("title"),
        sections=tuple(sections.values()),
        aliases=aliases,
        entries=tuple(entries.values()),
        quiz=tuple(items.values()),
        glossary=glossary,
        file=str(path),
        parties=parties,
        _entries_by_id=entries,
        _items_by_id=items,
    )


def _aliases(top: _Fields, path: Path) -> dict[str, tuple[str, ...]]:
    raw = top.data["aliases"]
    if not isinstance(raw, dict):
        raise top.error("aliases", f"must be a mapping, not {_kind(raw)}")
    aliases: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}  # each way of saying a name -> its canonical name
    fields = _Fields(path, None, "aliases.", raw)
    for name in raw:
        if not isinstance(name, str) or not name.strip():
            raise top.error("aliases", f"name {name!r} must be non-empty text")
        said = fields.texts(name)
        for phrase in (name, *said):
            key = phrase.lower()
            if owner.get(key, name) != name:
                raise fields.error(name, f"{phrase!r} is also an alias of {owner[key]!r}")
            owner[key] = name
        aliases[name] = said
    return aliases


def _parties(
    top: _Fields, path: Path, aliases: Mapping[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    """Sides and the names acting for them; every name must be one of the aliases' names."""
    raw = top.data["parties"]
    if not isinstance(raw, dict):
        raise top.error("parties", f"must be a mapping, not {_kind(raw)}")
    fields = _Fields(path, None, "parties.", raw)
    parties: dict[str, tuple[str, ...]] = {}
    side_of: dict[str, str] = {}
    for side in raw:
        members = fields.texts(side) if raw[side] is not None else ()
        for name in (side, *members):
            if name not in aliases:
                raise fields.error(str(side), f"{name!r} is not a name in aliases")
            if side_of.setdefault(name, side) != side:
                raise fields.error(str(side), f"{name!r} is also on the side of {side_of[name]!r}")
        parties[side] = members
    return parties


def _glossary(top: _Fields, path: Path) -> tuple[GlossaryTerm, ...]:
    terms: list[GlossaryTerm] = []
    owner: dict[str, int] = {}  # glossary_key of each term and alias -> index of the term saying it
    for i, raw_term in enumerate(top.list("glossary")):
        term = _glossary_term(raw_term, path, f"glossary[{i}]")
        for name, phrase in _glossary_forms(term):
            key = glossary_key(phrase)
            if not key:
                reason = f"{phrase!r} has no words to look it up by"
                raise ContentError(path, term.term, name, reason, kind="term")
            if owner.setdefault(key, i) != i:
                other = terms[owner[key]].term
                said = "a duplicate of" if glossary_key(other) == key else "also an alias of"
                reason = f"{phrase!r} is {said} the term {other!r}"
                raise ContentError(path, term.term, name, reason, kind="term")
        terms.append(term)
    return tuple(terms)


def _glossary_term(raw: object, path: Path, where: str) -> GlossaryTerm:
    # Until the term is read, errors name it by its place in the list.
    label = raw.get("term") if isinstance(raw, dict) and isinstance(raw.get("term"), str) else where
    fields = _Fields.of(raw, path, label, "", _GLOSSARY_FIELDS, kind="term")
    term = fields.text("term")
    fields = fields._replace(entry=term)
    meaning = fields.text("meaning")
    example = fields.text("example") if fields.has("example") else None
    for name, text in (("meaning", meaning), ("example", example or "")):
        if len(text) > MAX_GLOSSARY_CHARS:
            reason = f"too long to speak: {len(text)} characters, at most {MAX_GLOSSARY_CHARS}"
            raise fields.error(name, reason)
    return GlossaryTerm(
        term=term,
        meaning=meaning,
        aliases=fields.texts("aliases"),
        example=example,
    )


def _glossary_forms(term: GlossaryTerm) -> list[tuple[str, str]]:
    """(field, phrase) for the term and each alias: the ways a student can name it."""
    return [("term", term.term)] + [(f"aliases[{i}]", a) for i, a in enumerate(term.aliases)]


def _entry(
    raw: object,
    path: Path,
    where: str,
    sections: Mapping[str, Section],
    aliases: Mapping[str, tuple[str, ...]],
) -> Entry:
    # Until the id is read, errors name the entry by its place in the list.
    entry_id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else where
    fields = _Fields.of(raw, path, entry_id, "", _ENTRY_FIELDS)
    entry_id = fields.ident("id")
    section = fields.text("section")
    if section not in sections:
        raise fields.error("section", f"unknown section {section!r} (known: {', '.join(sections)})")
    names = fields.texts("names")
    for i, name in enumerate(names):
        if name not in aliases:
            raise fields.error(f"names[{i}]", f"{name!r} is not a name in aliases")
    answer_fields = _Fields.of(fields.data["answer"], path, entry_id, "answer", _ANSWER_FIELDS)
    answer = Answer(answer_fields.text("lead"), answer_fields.texts("points"))
    length = len(answer.lead) + sum(len(point) + 1 for point in answer.points)
    if length > MAX_ANSWER_CHARS:
        raise fields.error(
            "answer", f"too long to speak: {length} characters, at most {MAX_ANSWER_CHARS}"
        )
    return Entry(
        id=entry_id,
        title=fields.text("title"),
        section=section,
        question=fields.text("question"),
        asked_as=fields.texts("asked_as"),
        facts=fields.facts("facts"),
        names=names,
        answer=answer,
        name=fields.text("name") if fields.has("name") else None,
        why=fields.text("why") if fields.has("why") else None,
    )


def _item(raw: object, path: Path, where: str, sections: Mapping[str, Section]) -> QuizItem:
    item_id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else where
    fields = _Fields.of(raw, path, item_id, "", _ITEM_FIELDS)
    item_id = fields.ident("id")
    kind_text = fields.text("kind")
    try:
        kind = ItemKind(kind_text)
    except ValueError:
        kinds = ", ".join(k.value for k in ItemKind)
        raise fields.error("kind", f"unknown kind {kind_text!r} (known: {kinds})") from None
    for name in sorted(set().union(*_KIND_FIELDS.values()) - _KIND_FIELDS[kind]):
        if fields.has(name):
            raise fields.error(name, f"not allowed in a {kind} item")
    section = fields.text("section")
    if section not in sections:
        raise fields.error("section", f"unknown section {section!r} (known: {', '.join(sections)})")
    answer = fields.text("answer")
    options: tuple[str, ...] = ()
    distractors: tuple[str, ...] = ()
    points: tuple[Point, ...] = ()
    needed = 0
    if kind is ItemKind.CHOICE:
        if not fields.has("options"):
            raise fields.error("options", "missing field (a choice item has three options)")
        options = fields.texts("options")
        if len(options) != CHOICE_OPTIONS or len(set(options)) != CHOICE_OPTIONS:
            raise fields.error("options", f"must be {CHOICE_OPTIONS} different options")
        if answer not in options:
            raise fields.error("answer", f"{answer!r} is not one of the options")
        distractors = fields.texts("distractors")
        for i, distractor in enumerate(distractors):
            if distractor == answer or distractor in options or distractors.index(distractor) < i:
                raise fields.error(f"distractors[{i}]", f"{distractor!r} is already an option")
            # Plausible means the same kind of thing: a year or amount among numbers.
            if _is_amount(distractor) != _is_amount(answer):
                wanted = "a number" if _is_amount(answer) else "words"
                reason = f"{distractor!r} is not {wanted}, as the answer is"
                raise fields.error(f"distractors[{i}]", reason)
    elif kind is ItemKind.MULTI:
        for name in ("points", "needed"):
            if not fields.has(name):
                raise fields.error(name, "missing field (a multi item has points and needed)")
        points = tuple(
            _point(raw_point, path, item_id, f"points[{i}]")
            for i, raw_point in enumerate(fields.list("points"))
        )
        if not points:
            raise fields.error("points", "must not be empty")
        needed = fields.integer("needed")
        if not 1 <= needed <= len(points):
            raise fields.error("needed", f"must be between 1 and {len(points)}, not {needed}")
    return QuizItem(
        id=item_id,
        kind=kind,
        section=section,
        facts=fields.facts("facts"),
        question=fields.text("question"),
        answer=answer,
        why=fields.text("why"),
        hint=fields.text("hint"),
        aliases=fields.texts("aliases"),
        options=options,
        points=points,
        needed=needed,
        distractors=distractors if kind is ItemKind.CHOICE else (),
    )


def _is_amount(text: str) -> bool:
    """Whether an option is a number, year or amount ("four", "1958", "300 million dollars"),
    not words that use a small number ("split it into two countries")."""
    words = read_numbers(text).split()
    numbers = [float(w) for w in words if is_number(w)]
    return bool(numbers) and (len(words) == 1 or max(numbers) >= 100)


def _point(raw: object, path: Path, item_id: str, where: str) -> Point:
    fields = _Fields.of(raw, path, item_id, where, _POINT_FIELDS)
    return Point(fields.text("text"), fields.texts("accept", allow_empty=False))


def load_content(directory: str | Path = CONTENT_DIR) -> Content:
    """Read and validate every *.yaml topic in directory; ids must be unique across files."""
    directory = Path(directory)
    topics = tuple(load_topic(path) for path in sorted(directory.glob("*.yaml")))
    if not topics:
        raise ContentError(directory, None, None, "no topic files (*.yaml) found")
    seen: dict[tuple[str, str], str] = {}  # (what, id) -> file that first used it
    for topic in topics:
        used = [("topic", topic.id)]
        used += [("section", s.id) for s in topic.sections]
        used += [("entry", e.id) for e in topic.entries]
        used += [("quiz item", q.id) for q in topic.quiz]
        for what, ident in used:
            if (what, ident) in seen:
                entry = None if what in {"topic", "section"} else ident
                reason = f"duplicate {what} id {ident!r}, also in {seen[what, ident]}"
                raise ContentError(topic.file, entry, "id", reason)
            seen[what, ident] = topic.file
    _check_glossary_across(topics)
    # The skill names two example questions and three things it can answer, and a quiz needs
    # a question: less content would fail on every launch rather than here.
    entries = sum(len(topic.entries) for topic in topics)
    if entries < MIN_ENTRIES:
        reason = f"{entries} entries in all; the skill needs at least {MIN_ENTRIES}"
        raise ContentError(directory, None, "entries", reason)
    if not any(topic.quiz for topic in topics):
        raise ContentError(directory, None, "quiz", "no quiz items in any topic")
    return Content(topics)


def _check_glossary_across(topics: tuple[Topic, ...]) -> None:
    """A way of naming a glossary term may belong to one term in one file only."""
    claimed: dict[str, tuple[str, str]] = {}  # glossary_key -> (term, file) that first claimed it
    for topic in topics:
        for term in topic.glossary:
            for name, phrase in _glossary_forms(term):
                first_term, first_file = claimed.setdefault(
                    glossary_key(phrase), (term.term, topic.file)
                )
                if first_file != topic.file:
                    reason = f"{phrase!r} is also said for the term {first_term!r} in {first_file}"
                    raise ContentError(topic.file, term.term, name, reason, kind="term")


def default_content() -> Content:
    """The skill's content, loaded and validated once per process (or loaded as the Lambda
    build saved it: skill.index)."""
    from skill.index import built  # built from this module: imported when first asked

    return built()[0]
