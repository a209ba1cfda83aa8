"""Static checks of the interaction model and the manifest: invocation name, samples, slot
types, intents, example phrases, and that the committed model is freshly generated."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any

from skill import intents
from skill.tools import model
from skill.tools.check.failure import Failure
from skill.tools.simulator import RequestType, Simulator

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


# --- Reading the committed model ------------------------------------------------------------------


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
