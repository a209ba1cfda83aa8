"""Builds interaction_model/*.json and the skill manifest from the content and templates.yaml.

The topic names and quiz answers live in the content; the sample utterances live in
interaction_model/templates.yaml. The generated files are committed, and a test fails when they
are stale, so `python -m skill model` is the only way they change.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml

from skill import intents
from skill.content import Entry, GlossaryTerm, QuizItem
from skill.dialog import LOCALES
from skill.language import sayable
from skill.tools import PROJECT_DIR

MODEL_DIR = PROJECT_DIR / "interaction_model"
TEMPLATES_PATH = MODEL_DIR / "templates.yaml"
MANIFEST_FILE = "skill.json"

# Alexa rejects slot values and synonyms longer than this.
MAX_SLOT_VALUE_CHARS = 140
# Longer topic synonyms are questions, not names; the question intents serve those.
MAX_TOPIC_SYNONYM_WORDS = 8

NAMES = {v for k, v in vars(intents).items() if k.isupper() and isinstance(v, str)}


class ModelContent(Protocol):
    """What the generator needs from the content (skill.content.Content has it)."""

    @property
    def entries(self) -> Sequence[Entry]: ...

    @property
    def items(self) -> Sequence[QuizItem]: ...

    @property
    def aliases(self) -> Mapping[str, Sequence[str]]: ...

    @property
    def glossary(self) -> Sequence[GlossaryTerm]: ...


# --- Slot value ids -------------------------------------------------------------------------------


def slug(text: str) -> str:
    """A stable id for a slot value: "three hundred million" -> "three-hundred-million"."""
    return "-".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


# --- Templates ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntentTemplate:
    """One custom intent: its slots (name -> type) and sample utterances."""

    name: str
    slots: dict[str, str]
    samples: tuple[str, ...]


@dataclass(frozen=True)
class Templates:
    """interaction_model/templates.yaml, checked against skill/intents.py."""

    invocation_name: str
    fallback_sensitivity: str
    intents: tuple[IntentTemplate, ...]
    builtins: dict[str, tuple[str, ...]]
    answer_letters: dict[str, tuple[str, ...]]
    manifest: dict[str, Any]

    @classmethod
    def load(cls, path: Path = TEMPLATES_PATH) -> Templates:
        """Read and check the templates; fails with the file and the unknown name."""
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        custom = [
            IntentTemplate(name, dict(spec.get("slots") or {}), tuple(spec["samples"]))
            for name, spec in raw["intents"].items()
        ]
        questions = raw["questions"]
        query = questions["slot"]
        for name, carrier in intents.QUESTION_CARRIERS.items():
            samples = [f"{p} {carrier} {{{query}}}".strip() for p in questions["prefixes"]]
            samples += questions["extra"].get(name, [])
            custom.append(IntentTemplate(name, {query: intents.TYPE_SEARCH_QUERY}, tuple(samples)))
        templates = cls(
            invocation_name=raw["invocation_name"],
            fallback_sensitivity=raw["fallback_sensitivity"],
            intents=tuple(custom),
            builtins={name: tuple(samples) for name, samples in raw["builtins"].items()},
            answer_letters={k: tuple(v) for k, v in raw["answer_letters"].items()},
            manifest=raw["manifest"],
        )
        templates._check(path)
        return templates

    def _check(self, path: Path) -> None:
        used = [t.name for t in self.intents] + list(self.builtins)
        used += [n for t in self.intents for n in (*t.slots, *t.slots.values())]
        unknown = sorted(set(used) - NAMES)
        if unknown:
            raise ValueError(f"{path}: names not in skill/intents.py: {', '.join(unknown)}")


# --- Slot types -----------------------------------------------------------------------------------


class _ValueSet:
    """Slot values under construction: each phrase belongs to one value only."""

    def __init__(self) -> None:
        self.values: dict[str, dict[str, Any]] = {}  # id -> {"name", "synonyms"}
        self.owner: dict[str, str] = {}  # phrase -> id

    def add(self, value_id: str, name: str, synonyms: Iterable[str] = ()) -> None:
        if not name or len(name) > MAX_SLOT_VALUE_CHARS:
            return  # too long to be a slot value; the open slot still carries the words
        if name in self.owner:
            value_id = self.owner[name]  # the same answer from another item: one value
        elif value_id in self.values:
            synonyms = (name, *synonyms)  # two phrasings with one id ("china's", "chinas")
        else:
            self.owner[name] = value_id
            self.values[value_id] = {"name": name, "synonyms": []}
        entry = self.values[value_id]
        for synonym in synonyms:
            if synonym and len(synonym) <= MAX_SLOT_VALUE_CHARS and synonym not in self.owner:
                self.owner[synonym] = value_id
                entry["synonyms"].append(synonym)

    def to_json(self) -> list[dict[str, Any]]:
        values = []
        for value_id in sorted(self.values):
            name: dict[str, Any] = {"value": self.values[value_id]["name"]}
            if self.values[value_id]["synonyms"]:
                name["synonyms"] = sorted(self.values[value_id]["synonyms"])
            values.append({"id": value_id, "name": name})
        return values


_ARTICLE = re.compile(r"^(?:the|a|an) ")
_POSSESSOR = re.compile(r"^[a-z]+'s ")  # "khrushchev's secret speech" -> "secret speech"
_TITLE_TAIL = re.compile(r"[:(,\u2013\u2014]| - | (?:of|in) \d{4}\b")  # where a title's head ends
# Questions whose whole object is a name: "what were the terms of the treaty" -> "the terms ...".
_NAMING_QUESTION = re.compile(
    r"^(?:(?:what|who) (?:is|was|are|were)|tell me about|explain|describe|summari[sz]e) (.+)$"
)


def _is_name(phrase: str) -> bool:
    """A short noun phrase ("the size of the loan"), not the rest of a question ("agreed about")."""
    words = phrase.split()
    return (
        len(words) <= MAX_TOPIC_SYNONYM_WORDS
        and words[0] in {"the", "a", "an"}
        and words[-1] != "like"
    )


def topic_names(entry: Entry, aliases: Mapping[str, Sequence[str]]) -> list[str]:
    """Short names for an entry, its sayable title first: the TOPIC value and its synonyms.

    Besides the title: its head ("the moscow conference"), questions that only name the topic
    ("what were the secret grants" -> "the secret grants"), and the content's aliases of a name.
    """
    names = [sayable(entry.title), sayable(_TITLE_TAIL.split(entry.title)[0])]
    for question in (entry.question, *entry.asked_as):
        match = _NAMING_QUESTION.match(sayable(question))
        if match and _is_name(match.group(1)):
            names.append(match.group(1))
    names += [_ARTICLE.sub("", n) for n in names]
    names += [_POSSESSOR.sub("", n) for n in names]
    said = {sayable(name): other for name, other in aliases.items()}
    names += [sayable(a) for n in list(names) for a in said.get(n, ())]
    return list(dict.fromkeys(n for n in names if n))


def topic_type(entries: Sequence[Entry], aliases: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The TOPIC slot type: one value per entry; a name two entries share is dropped from both."""
    claims: dict[str, set[str]] = {}
    for entry in entries:
        for name in topic_names(entry, aliases):
            claims.setdefault(name, set()).add(entry.id)
    values = _ValueSet()
    for entry in entries:
        title, *others = topic_names(entry, aliases)
        if claims[title] != {entry.id}:
            shared = ", ".join(sorted(claims[title]))
            raise ValueError(f"entries {shared} have the same spoken title {title!r}")
        values.add(entry.id, title, (n for n in others if claims[n] == {entry.id}))
    return {"name": intents.TYPE_TOPIC, "values": values.to_json()}


def answer_type(items: Sequence[QuizItem], letters: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The ANSWER slot type: the letters of multiple choice, then every answer the quiz knows."""
    values = _ValueSet()
    for letter, synonyms in letters.items():
        values.add(f"letter-{letter}", letter, synonyms)
    for item in items:
        answer = sayable(item.answer)
        values.add(slug(answer), answer, (sayable(a) for a in item.aliases))
        for option in (*item.options, *item.distractors):
            values.add(slug(sayable(option)), sayable(option))
        for point in item.points:
            text = sayable(point.text)
            values.add(slug(text), text, (sayable(a) for a in point.accept))
    return {"name": intents.TYPE_ANSWER, "values": values.to_json()}


def term_type(glossary: Sequence[GlossaryTerm]) -> dict[str, Any]:
    """The TERM slot type: one value per glossary term, its aliases as synonyms."""
    values = _ValueSet()
    for term in glossary:
        name = sayable(term.term)
        values.add(slug(name), name, (sayable(a) for a in term.aliases))
    return {"name": intents.TYPE_TERM, "values": values.to_json()}


# --- The generated documents ----------------------------------------------------------------------


def language_model(content: ModelContent, templates: Templates) -> dict[str, Any]:
    """One locale's interaction model document."""
    custom = [
        {
            "name": t.name,
            "samples": list(dict.fromkeys(t.samples)),
            "slots": [{"name": s, "type": ty} for s, ty in t.slots.items()],
        }
        for t in templates.intents
    ]
    builtin = [{"name": n, "samples": list(s)} for n, s in templates.builtins.items()]
    types = [
        answer_type(content.items, templates.answer_letters),
        term_type(content.glossary),
        topic_type(content.entries, content.aliases),
    ]
    return {
        "interactionModel": {
            "languageModel": {
                "invocationName": templates.invocation_name,
                "intents": sorted(custom + builtin, key=lambda i: i["name"]),
                "types": sorted(types, key=lambda t: t["name"]),
                "modelConfiguration": {
                    "fallbackIntentSensitivity": {"level": templates.fallback_sensitivity}
                },
            }
        }
    }


def manifest(templates: Templates) -> dict[str, Any]:
    """The skill manifest (skill.json): store listing per locale, privacy, endpoint."""
    m = templates.manifest
    listing = {
        "name": m["name"],
        "summary": " ".join(m["summary"].split()),
        "description": " ".join(m["description"].split()),
        "examplePhrases": list(m["example_phrases"]),
        "keywords": list(m["keywords"]),
    }
    policy = {"privacyPolicyUrl": m["privacy_policy_url"], "termsOfUseUrl": m["terms_of_use_url"]}
    return {
        "manifest": {
            "manifestVersion": "1.0",
            "publishingInformation": {
                "locales": {locale: listing for locale in LOCALES},
                "category": m["category"],
                "isAvailableWorldwide": False,
                "distributionCountries": list(m["distribution_countries"]),
                "testingInstructions": " ".join(m["testing_instructions"].split()),
            },
            "privacyAndCompliance": {
                "allowsPurchases": False,
                "containsAds": False,
                "isChildDirected": True,  # the students are under 16
                "isExportCompliant": True,
                "usesPersonalInfo": False,
                "locales": {locale: policy for locale in LOCALES},
            },
            "apis": {
                "custom": {
                    "endpoint": dict(m["endpoint"]),
                    # Alexa may ask whether the skill can take a request before it picks one.
                    "interfaces": [{"type": "CAN_FULFILL_INTENT_REQUEST"}],
                }
            },
            # Disabling the skill must forget the student: the users are children.
            "events": {
                "endpoint": {"uri": m["endpoint"]["uri"]},
                "subscriptions": [{"eventName": "SKILL_DISABLED"}],
            },
        }
    }


def generate(
    content: ModelContent | None = None, templates: Templates | None = None
) -> dict[str, dict[str, Any]]:
    """Every generated file: file name -> JSON document."""
    if content is None:
        from skill.content import load_content  # the real content, only when none is given

        content = load_content()
    templates = templates or Templates.load()
    model = language_model(content, templates)
    files = {f"{locale}.json": model for locale in LOCALES}
    files[MANIFEST_FILE] = manifest(templates)
    return files


def render(document: Mapping[str, Any]) -> str:
    """The committed form: 2-space JSON, sorted keys, trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(out_dir: Path = MODEL_DIR, content: ModelContent | None = None) -> list[Path]:
    """Regenerate the model files in out_dir; returns the paths written."""
    written = []
    for name, document in generate(content).items():
        path = out_dir / name
        path.write_text(render(document), encoding="utf-8")
        written.append(path)
    return written
