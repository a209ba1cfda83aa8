"""The interaction model: Amazon's rules, consistency with skill/intents.py, and staleness.

Rule tests run on the committed model and on one generated from a small fixture content that
has quiz items of every kind, so the rules hold whatever the content holds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from skill import intents
from skill.content import Answer, Entry, GlossaryTerm, ItemKind, Point, QuizItem
from skill.tools import model
from skill.tools.simulator import RequestType, Simulator

WAKE_AND_LAUNCH_WORDS = {
    "alexa", "amazon", "echo", "computer", "skill", "app",
    "launch", "ask", "open", "tell", "start", "load", "begin", "play", "resume", "run", "enable",
    "use", "talk", "stop", "cancel", "help",
}  # fmt: skip
ARTICLES_AND_PREPOSITIONS = {"a", "an", "the", "for", "to", "of", "about", "on", "in", "with"}
SAMPLE_WORD = re.compile(r"\{[a-z]+\}|[a-z]+(?:['-][a-z]+)*'?|(?:[a-z]\.)+")
SLOT_REF = re.compile(r"\{([^}]*)\}")


def entry(entry_id: str, title: str, question: str, *asked_as: str) -> Entry:
    return Entry(entry_id, title, "s", question, asked_as, ("F1",), (), Answer("Lead."))


def item(item_id: str, kind: ItemKind, answer: str, **kw: Any) -> QuizItem:
    return QuizItem(item_id, kind, "s", ("F1",), "Question?", answer, "Why.", "Hint.", **kw)


@dataclass(frozen=True)
class FixtureContent:
    entries: Sequence[Entry]
    items: Sequence[QuizItem]
    aliases: Mapping[str, Sequence[str]] = field(default_factory=dict)
    glossary: Sequence[GlossaryTerm] = ()


FIXTURE = FixtureContent(
    entries=(
        entry(
            "treaty",
            "The Treaty of Friendship (1950)",
            "What was the Treaty of Friendship?",
            "what were the terms of the treaty",
            "what was agreed in the treaty",  # not a name: no synonym
            "tell me about the treaty",
        ),
        entry("loan", "The Soviet loan", "How big was the loan?", "what was the loan"),
        entry("moscow", "The Moscow Conference of 1958", "What happened at Moscow in 1958?"),
        # Both name "the treaty": the shared name is dropped from both.
        entry("terms", "The treaty's terms", "What were the terms?", "what was the treaty"),
    ),
    items=(
        item(
            "q-loan",
            ItemKind.SHORT,
            "$300 million",
            aliases=("300 million dollars", "three hundred million"),
        ),
        item("q-leader", ItemKind.CHOICE, "Khrushchev", options=("Stalin", "Khrushchev", "Lenin")),
        item(
            "q-terms",
            ItemKind.MULTI,
            "two of the terms",
            points=(Point("a loan", ("money", "a loan")), Point("Soviet advisers", ("advisers",))),
            needed=2,
        ),
    ),
    aliases={"moscow conference": ("moscow summit",)},
)


@pytest.fixture(scope="module")
def committed() -> dict[str, dict[str, Any]]:
    return {
        path.name: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(model.MODEL_DIR.glob("*.json"))
    }


@pytest.fixture(scope="module")
def fixture_files() -> dict[str, dict[str, Any]]:
    return model.generate(FIXTURE)


@pytest.fixture(params=["committed", "fixture"])
def language(request, committed, fixture_files) -> dict[str, Any]:
    files = committed if request.param == "committed" else fixture_files
    return files["en-GB.json"]["interactionModel"]["languageModel"]


def samples_of(language: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(i["name"], s) for i in language["intents"] for s in i.get("samples", ())]


def normalised(sample: str) -> str:
    return SLOT_REF.sub(lambda m: "{" + m.group(1).strip().lower() + "}", " ".join(sample.split()))


# --- Generated files -----------------------------------------------------------------------------


def test_generated_files_are_up_to_date(committed):
    expected = {name: model.render(doc) for name, doc in model.generate().items()}
    on_disk = {name: (model.MODEL_DIR / name).read_text(encoding="utf-8") for name in committed}
    stale = sorted(name for name in expected if on_disk.get(name) != expected[name])
    assert not stale, f"{', '.join(stale)} out of date: run `python -m skill model` and commit"
    assert set(committed) == set(expected), "unexpected files in interaction_model/"


def test_every_locale_has_the_same_model(committed):
    models = [committed[f"{locale}.json"] for locale in model.LOCALES]
    assert all(m == models[0] for m in models)


def test_output_is_deterministic():
    first = {name: model.render(doc) for name, doc in model.generate(FIXTURE).items()}
    second = {name: model.render(doc) for name, doc in model.generate(FIXTURE).items()}
    assert first == second
    assert all(text.endswith("}\n") and '\n  "' in text for text in first.values())


# --- Invocation name and intents -----------------------------------------------------------------


def test_invocation_name_follows_amazons_rules(language):
    name = language["invocationName"]
    words = name.split()
    assert name == name.lower() and re.fullmatch(r"[a-z ]+", name)
    assert len(words) >= 2
    assert not set(words) & WAKE_AND_LAUNCH_WORDS
    if len(words) == 2:
        assert not set(words) & ARTICLES_AND_PREPOSITIONS


def test_intent_slot_and_type_names_are_constants_in_intents_py(language):
    names = [i["name"] for i in language["intents"]]
    names += [n for i in language["intents"] for s in i.get("slots", ()) for n in s.values()]
    names += [t["name"] for t in language["types"]]
    assert set(names) <= model.NAMES


def test_every_intent_constant_is_in_the_model(language):
    expected = {n for n in model.NAMES if n.endswith("Intent")}
    declared = {i["name"] for i in language["intents"]}
    assert expected <= declared, sorted(expected - declared)


def test_slots_are_declared_and_used(language):
    for intent in language["intents"]:
        declared = {s["name"] for s in intent.get("slots", ())}
        used = {ref for s in intent.get("samples", ()) for ref in SLOT_REF.findall(s)}
        assert used == declared, intent["name"]


def test_every_custom_type_is_used_and_every_used_type_exists(language):
    custom = {t["name"] for t in language["types"]}
    used = {s["type"] for i in language["intents"] for s in i.get("slots", ())}
    assert custom <= used
    assert used - custom <= {intents.TYPE_NUMBER, intents.TYPE_SEARCH_QUERY}


def test_fallback_sensitivity(language):
    level = language["modelConfiguration"]["fallbackIntentSensitivity"]["level"]
    assert level in {"LOW", "MEDIUM"}


# --- Sample utterances ---------------------------------------------------------------------------


def test_samples_are_lowercase_words(language):
    for intent, sample in samples_of(language):
        words = sample.split()
        assert sample == " ".join(words), (intent, sample)
        bad = [w for w in words if not SAMPLE_WORD.fullmatch(w)]
        assert not bad, f"{intent}: {sample!r} has {bad} (lowercase words, numbers as words)"


def test_no_sample_twice_in_an_intent(language):
    for intent in language["intents"]:
        samples = [normalised(s) for s in intent.get("samples", ())]
        assert len(samples) == len(set(samples)), intent["name"]


def test_no_sample_in_two_intents(language):
    owner: dict[str, str] = {}
    for intent, sample in samples_of(language):
        key = normalised(sample)
        assert owner.setdefault(key, intent) == intent, f"{sample!r}: {owner[key]} and {intent}"


def test_search_query_samples_have_a_carrier_and_no_other_slot(language):
    for intent in language["intents"]:
        types = {s["name"]: s["type"] for s in intent.get("slots", ())}
        if intents.TYPE_SEARCH_QUERY not in types.values():
            continue
        assert intent["name"] in intents.QUESTION_CARRIERS
        assert len(types) == 1
        for sample in intent["samples"]:
            literal = SLOT_REF.sub("", sample).split()
            assert literal, f"{intent['name']}: {sample!r} has no carrier phrase"
            assert sample.endswith("{" + next(iter(types)) + "}")


def test_question_carriers_belong_to_the_question_intents(language):
    """Another intent's slot sample may start with a carrier only when more literal words come
    before its slot ("is it {answer}" against "is {query}"): Alexa's more specific match wins."""
    carriers = [c.split() for c in intents.QUESTION_CARRIERS.values()]
    for intent, sample in samples_of(language):
        if intent in intents.QUESTION_CARRIERS or "{" not in sample:
            continue  # an exact phrase ("what can i ask about") outranks a carrier match
        head = sample[: sample.index("{")].split()
        for carrier in carriers:
            if head[: len(carrier)] == carrier:
                assert len(head) > len(carrier), f"{intent}: {sample!r}"


# --- Slot types ----------------------------------------------------------------------------------


def test_slot_values_are_short_sayable_and_unique(language):
    for slot_type in language["types"]:
        seen: set[str] = set()
        ids: set[str] = set()
        for value in slot_type["values"]:
            phrases = [value["name"]["value"], *value["name"].get("synonyms", ())]
            for phrase in phrases:
                assert len(phrase) <= model.MAX_SLOT_VALUE_CHARS
                assert all(SAMPLE_WORD.fullmatch(w) for w in phrase.split()), phrase
                assert phrase not in seen, f"{slot_type['name']}: {phrase!r} in two values"
                seen.add(phrase)
            assert value["id"] not in ids
            ids.add(value["id"])


def test_topic_values_are_the_content_entries(fixture_files):
    language = fixture_files["en-GB.json"]["interactionModel"]["languageModel"]
    (topic,) = [t for t in language["types"] if t["name"] == intents.TYPE_TOPIC]
    values = {v["id"]: v["name"] for v in topic["values"]}
    assert set(values) == {e.id for e in FIXTURE.entries}
    assert values["treaty"]["value"] == "the treaty of friendship nineteen fifty"
    treaty = set(values["treaty"]["synonyms"])
    assert {"the treaty of friendship", "treaty of friendship", "the terms of the treaty"} <= treaty
    assert "agreed in the treaty" not in treaty
    assert "moscow summit" in values["moscow"]["synonyms"]  # an alias of the title's head
    # "the treaty" is named by two entries, so it resolves to neither.
    assert all("the treaty" not in v.get("synonyms", ()) for v in values.values())


def test_answer_values_cover_the_quiz_and_the_letters(fixture_files):
    language = fixture_files["en-GB.json"]["interactionModel"]["languageModel"]
    (answer,) = [t for t in language["types"] if t["name"] == intents.TYPE_ANSWER]
    by_name = {v["name"]["value"]: v for v in answer["values"]}
    assert {"a", "b", "c"} <= set(by_name)
    assert {"bee", "option b"} <= set(by_name["b"]["name"]["synonyms"])
    assert {"sea", "see"} <= set(by_name["c"]["name"]["synonyms"])
    # "$300 million" and its alias "300 million dollars" are said alike: one phrase, once.
    assert by_name["three hundred million dollars"]["name"]["synonyms"] == ["three hundred million"]
    assert {"stalin", "khrushchev", "lenin", "soviet advisers"} <= set(by_name)
    assert "advisers" in by_name["soviet advisers"]["name"]["synonyms"]
    assert "money" in by_name["a loan"]["name"]["synonyms"]


def test_answer_type_with_no_quiz_still_has_the_letters():
    answer = model.answer_type((), {"a": ("ay",), "b": ("bee",), "c": ("see",)})
    assert [v["name"]["value"] for v in answer["values"]] == ["a", "b", "c"]


# --- Manifest ------------------------------------------------------------------------------------


def test_manifest_publishing_and_privacy(committed):
    manifest = committed[model.MANIFEST_FILE]["manifest"]
    publishing = manifest["publishingInformation"]
    assert publishing["category"] == "EDUCATION_AND_REFERENCE"
    assert set(publishing["locales"]) == set(model.LOCALES)
    for listing in publishing["locales"].values():
        assert listing["name"] == "History Revision"
        assert 0 < len(listing["summary"]) <= 160 and 0 < len(listing["description"]) <= 4000
        assert 1 <= len(listing["examplePhrases"]) <= 3
    privacy = manifest["privacyAndCompliance"]
    assert privacy["isChildDirected"] is True
    assert set(privacy["locales"]) == set(model.LOCALES)
    assert manifest["apis"]["custom"]["endpoint"]["uri"].startswith("https://")


@pytest.mark.parametrize("locale", model.LOCALES)
def test_example_phrases_match_real_samples(committed, locale):
    manifest = committed[model.MANIFEST_FILE]["manifest"]
    phrases = manifest["publishingInformation"]["locales"][locale]["examplePhrases"]
    simulator = Simulator(locale, model=committed[f"{locale}.json"])
    assert phrases[0].lower() == "alexa, open history revision"
    for phrase in phrases:
        lowered = phrase.lower().rstrip(".")
        assert lowered.startswith(("alexa, ask history revision", "alexa, open history revision"))
        resolution = simulator.resolve(lowered)
        if resolution.kind is RequestType.LAUNCH:
            continue
        assert resolution.sample is not None, f"{phrase!r} matches no sample"
        assert all(slot.resolved for slot in resolution.slots.values()), phrase


# --- Helpers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("intent", "query", "question"),
    [
        (intents.WHAT_QUESTION, "were the terms", "what were the terms"),
        (intents.TELL_ME_ABOUT_QUESTION, "the loan", "tell me about the loan"),
        (intents.WHY_QUESTION, "why did mao distrust stalin", "why did mao distrust stalin"),
    ],
)
def test_restore_carrier(intent, query, question):
    assert intents.restore_carrier(intent, query) == question


def test_templates_name_only_known_intents(tmp_path):
    text = model.TEMPLATES_PATH.read_text(encoding="utf-8").replace("HintIntent:", "ClueIntent:")
    path = tmp_path / "templates.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="ClueIntent"):
        model.Templates.load(path)


def test_term_values_are_the_glossary_terms_with_their_aliases(committed):
    language = committed["en-GB.json"]["interactionModel"]["languageModel"]
    terms = next(t for t in language["types"] if t["name"] == intents.TYPE_TERM)
    said = {v["name"]["value"]: set(v["name"].get("synonyms", ())) for v in terms["values"]}
    assert "ideology" in said
    assert "polit bureau" in said["politburo"]
