"""Content loading: the real topic loads and carries every fact; every kind of mistake in a
content file is refused with an error naming the file, the entry (or glossary term) and the field;
the glossary defines the words a student asks about, however they are heard."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from skill.content import (
    DEFINE_SPELLING_CUTOFF,
    MAX_ANSWER_CHARS,
    MAX_GLOSSARY_CHARS,
    ContentError,
    ItemKind,
    default_content,
    glossary_key,
    load_content,
    load_topic,
)

FACTS_MD = Path(__file__).resolve().parents[1] / "eval" / "facts.md"

# Each fact and the entry that answers a student asking about it.
FACT_ENTRIES = {
    "F1": "overview",
    "F2": "trust",
    "F3": "treaty",
    "F4": "treaty-terms",
    "F5": "treaty-defence",
    "F6": "treaty-loan",
    "F7": "treaty-agents",
    "F8": "treaty-grants",
    "F9": "treaty-grants",
    "F10": "advisers",
    "F11": "advisers",
    "F12": "khrushchev-offers",
    "F13": "khrushchev-offers",
    "F14": "nuclear",
    "F15": "nuclear",
    "F16": "politics",
    "F17": "mao-and-stalin",
    "F18": "mao-and-stalin",
    "F19": "secret-speech",
    "F20": "secret-speech",
    "F21": "moscow-conference",
}

# Figures and names a student must hear in the entry that carries the fact.
KEY_WORDS = {
    "treaty-loan": ["300 million dollars"],
    "treaty-terms": ["four", "300 million dollars", "Manchuria", "Xinjiang", "intelligence agent"],
    "treaty-grants": ["Manchuria", "Xinjiang", "secret", "protests", "hypocritical"],
    "treaty-defence": ["attacked", "invaded"],
    "advisers": ["10,000", "First Five Year Plan"],
    "khrushchev-offers": ["Khrushchev", "trade", "nuclear", "Manchuria"],
    "nuclear": ["reactor", "1960", "warhead", "1964"],
    "mao-and-stalin": ["Korean War", "weapons"],
    "secret-speech": ["Secret Speech", "Mao Zedong Thought", "politburo"],
    "moscow-conference": ["1958", "spying", "betraying"],
    "politics": ["limited"],
    "overview": ["mistrust", "cooperated"],
}


def spoken(entry_id: str) -> str:
    entry = load_content().entry(entry_id)
    return " ".join((entry.answer.lead, *entry.answer.points))


# --- The real content ------------------------------------------------------------------------


def test_real_content_loads() -> None:
    content = load_content()
    assert [s.id for s in content.sections] == ["overview", "treaty", "economy", "politics"]
    assert len(content.entries) >= 15
    assert content.entry("treaty-loan").section == "treaty"
    assert "sinkiang" in content.aliases["xinjiang"]


@pytest.mark.parametrize("fact", sorted(FACT_ENTRIES, key=lambda f: int(f[1:])))
def test_every_fact_is_carried_by_its_entry(fact: str) -> None:
    assert fact in load_content().entry(FACT_ENTRIES[fact]).facts


def test_fact_table_matches_the_fact_list() -> None:
    ids = re.findall(r"^- (F\d+) ", FACTS_MD.read_text(encoding="utf-8"), re.MULTILINE)
    assert ids == [f"F{n}" for n in range(1, 22)]
    assert set(FACT_ENTRIES) == set(ids)


def test_every_fact_is_carried_somewhere() -> None:
    carried = {fact for entry in load_content().entries for fact in entry.facts}
    assert carried >= set(FACT_ENTRIES)


@pytest.mark.parametrize("entry_id", sorted(KEY_WORDS))
def test_key_figures_are_in_the_answer(entry_id: str) -> None:
    for word in KEY_WORDS[entry_id]:
        assert word.lower() in spoken(entry_id).lower(), word


def test_answers_read_well_aloud() -> None:
    for entry in load_content().entries:
        text = spoken(entry.id)
        assert not re.search(r"[()$]|\bCCP\b|\bPRC\b|\bUSSR\b", text), entry.id
        assert len(text) <= MAX_ANSWER_CHARS


def test_f15_is_phrased_to_be_true_both_ways() -> None:
    text = spoken("nuclear")
    assert "by 1960" in text.lower() and "developing its first nuclear warhead" in text
    assert "withdrew" in text and "1964" in text


# --- The glossary ----------------------------------------------------------------------------

# Each word students ask the meaning of, as they might say it, and the term that defines it.
REQUIRED_TERMS = {
    "ideology": "ideology",
    "communism": "communism",
    "communist": "communist",
    "treaty": "treaty",
    "alliance": "alliance",
    "politburo": "Politburo",
    "mao zedong thought": "Mao Zedong Thought",
    "five year plan": "Five Year Plan",
    "intelligence agents": "intelligence agents",
    "spies": "intelligence agents",
    "superpower": "superpower",
    "soviet union": "Soviet Union",
    "ussr": "Soviet Union",
    "people's republic of china": "People's Republic of China",
    "prc": "People's Republic of China",
    "chinese communist party": "Chinese Communist Party",
    "ccp": "Chinese Communist Party",
    "hypocritical": "hypocritical",
    "de-stalinisation": "de-Stalinisation",
    "secret speech": "Secret Speech",
    "korean war": "Korean War",
    "manchuria": "Manchuria",
    "xinjiang": "Xinjiang",
    "economic rights": "economic rights",
    "concessions": "economic rights",
    "loan": "loan",
    "advisers": "advisers",
    "nuclear warhead": "nuclear warhead",
    "nuclear reactor": "nuclear reactor",
    "subjugate": "subjugate",
    "sino-soviet": "Sino-Soviet",
    "moscow conference": "Moscow Conference",
    "cold war": "Cold War",
    "capitalism": "capitalism",
    "khrushchev": "Khrushchev",
    "stalin": "Stalin",
    "mao zedong": "Mao Zedong",
}


@pytest.mark.parametrize("heard", sorted(REQUIRED_TERMS))
def test_glossary_defines_every_word_students_ask_about(heard: str) -> None:
    found = load_content().define(heard)
    assert found is not None and found.term == REQUIRED_TERMS[heard]


def test_real_content_has_a_glossary() -> None:
    content = load_content()
    assert len(content.glossary) >= 30
    assert content.topics[0].glossary[0].term == "ideology"


# (how it is heard, the term it finds)
HEARD = [
    ("ideology", "ideology"),  # the term itself
    ("Politburo", "Politburo"),  # capitals, as written
    ("polit bureau", "Politburo"),  # an alias, as speech recognition splits it
    ("politbureau", "Politburo"),
    ("the cold war", "Cold War"),  # with an article
    ("a superpower", "superpower"),
    ("an ideology", "ideology"),
    ("superpowers", "superpower"),  # plural
    ("treaties", "treaty"),
    ("spy", "intelligence agents"),  # singular of a plural alias
    ("adviser", "advisers"),  # singular of a plural term
    ("ideolgy", "ideology"),  # small misspellings
    ("stallin", "Stalin"),
    ("superpowr", "superpower"),
    ("What's de-Stalinization?", "de-Stalinisation"),  # punctuation, spelling variant
    ("Mao's thought", "Mao Zedong Thought"),  # possessive
]


@pytest.mark.parametrize(("heard", "term_found"), HEARD, ids=[h for h, _ in HEARD])
def test_define_finds_a_term_however_it_is_heard(heard: str, term_found: str) -> None:
    found = load_content().define(heard)
    assert found is not None and found.term == term_found


@pytest.mark.parametrize("heard", ["photosynthesis", "", "the", "  ", "ideas about farming"])
def test_define_finds_nothing_for_an_unknown_word(heard: str) -> None:
    assert load_content().define(heard) is None


def _misspelt(form: str, edits: list[tuple[int, str]]) -> str:
    for at, letter in edits:
        at %= len(form) + 1
        form = form[:at] + letter + form[at + 1 :] if letter != "-" else form[:at] + form[at + 1 :]
    return form


_FORMS = sorted(default_content()._definitions)
_EDITS = st.lists(st.tuples(st.integers(0, 40), st.sampled_from("aeiostr -")), max_size=4)


@given(
    st.one_of(
        st.builds(_misspelt, st.sampled_from(_FORMS), _EDITS),
        st.builds(" ".join, st.lists(st.sampled_from(_FORMS), min_size=1, max_size=3)),
        st.text(alphabet="abcdeilmnoprstuy ", max_size=40),
    )
)
def test_a_misspelt_term_is_the_nearest_of_every_form(heard: str) -> None:
    """Only forms near enough in length are compared: the same as comparing every one."""
    from rapidfuzz import fuzz, process

    content = default_content()
    key = glossary_key(heard)
    if key and key not in content._definitions:
        every = content._defined_forms
        nearest = process.extractOne(
            key, every, scorer=fuzz.ratio, score_cutoff=DEFINE_SPELLING_CUTOFF
        )
        expected = None if nearest is None else content._definitions[nearest[0]]
        assert content.define(heard) == expected


def test_glossary_meanings_are_short_sentences() -> None:
    for term in load_content().glossary:
        assert len(term.meaning) <= MAX_GLOSSARY_CHARS, term.term
        assert term.meaning.endswith("."), term.term
        assert term.example is None or term.example.endswith("."), term.term


def test_glossary_reads_well_aloud() -> None:
    for term in load_content().glossary:
        for text in (term.meaning, term.example or ""):
            assert not re.search(r"[()$]|\bCCP\b|\bPRC\b|\bUSSR\b", text), term.term


# --- Validation ------------------------------------------------------------------------------

VALID: dict[str, Any] = {
    "topic": {"id": "test-topic", "title": "A test topic"},
    "sections": [{"id": "treaty", "title": "the treaty"}],
    "aliases": {"china": ["prc"], "ussr": ["soviet union"]},
    "entries": [
        {
            "id": "loan",
            "title": "The loan",
            "section": "treaty",
            "question": "How big was the loan?",
            "asked_as": ["how much was lent"],
            "facts": ["F6"],
            "names": ["china", "ussr"],
            "answer": {"lead": "It was 300 million dollars.", "points": []},
        },
        *(
            {
                "id": f"other-{n}",
                "title": f"Another entry {n}",
                "section": "treaty",
                "question": f"What is fact {n}?",
                "asked_as": [],
                "facts": ["F1"],
                "names": [],
                "answer": {"lead": f"Fact {n} is this.", "points": []},
            }
            for n in (1, 2)
        ),
    ],
    "glossary": [
        {
            "term": "treaty",
            "meaning": "A formal agreement between countries.",
            "example": "China and the Soviet Union signed one in 1950.",
        },
        {
            "term": "Politburo",
            "aliases": ["polit bureau"],
            "meaning": "The top leaders of a communist party.",
        },
    ],
    "quiz": [
        {
            "id": "loan-size",
            "kind": "short",
            "section": "treaty",
            "facts": ["F6"],
            "question": "How big was the loan?",
            "answer": "300 million dollars",
            "why": "It was one of the terms.",
            "hint": "Millions.",
        },
        {
            "id": "loan-choice",
            "kind": "choice",
            "section": "treaty",
            "facts": ["F6"],
            "question": "How big was the loan?",
            "answer": "300 million dollars",
            "options": ["3 million dollars", "300 million dollars", "3 billion dollars"],
            "why": "It was one of the terms.",
            "hint": "Millions.",
        },
        {
            "id": "terms",
            "kind": "multi",
            "section": "treaty",
            "facts": ["F5", "F6"],
            "question": "Name two terms.",
            "answer": "defence and a loan",
            "points": [
                {"text": "defence", "accept": ["defend china"]},
                {"text": "a loan", "accept": ["loan"]},
            ],
            "needed": 2,
            "why": "Those were two of the four.",
            "hint": "Money.",
        },
    ],
}


def write(tmp_path: Path, data: object, name: str = "topic.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def broken(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = copy.deepcopy(VALID)
    change(data)
    return data


def refusal(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> ContentError:
    """The error loading the valid file with one change gives; it names the file and field."""
    path = write(tmp_path, broken(change))
    with pytest.raises(ContentError) as caught:
        load_topic(path)
    error = caught.value
    assert error.file == str(path) and str(path) in str(error)
    assert repr(error.field) in str(error)
    return error


def entry(data: dict[str, Any]) -> dict[str, Any]:
    return data["entries"][0]


def item(data: dict[str, Any], index: int = 0) -> dict[str, Any]:
    return data["quiz"][index]


def term(data: dict[str, Any], index: int = 0) -> dict[str, Any]:
    return data["glossary"][index]


def test_valid_file_loads(tmp_path: Path) -> None:
    topic = load_topic(write(tmp_path, VALID))
    assert topic.entry("loan").answer.lead == "It was 300 million dollars."
    assert topic.item("loan-choice").kind is ItemKind.CHOICE
    with_more = load_topic(
        write(tmp_path, broken(lambda d: item(d, 1).update(distractors=["30 million dollars"])))
    ).item("loan-choice")
    wrong = ("3 million dollars", "3 billion dollars", "30 million dollars")
    assert with_more.wrong_options == wrong
    assert topic.item("terms").needed == 2
    assert topic.item("terms").points[0].accept == ("defend china",)
    treaty, politburo = topic.glossary
    assert treaty.example == "China and the Soviet Union signed one in 1950."
    assert politburo.aliases == ("polit bureau",) and politburo.example is None


def test_an_entry_has_a_spoken_name_a_reason_and_sides(tmp_path: Path) -> None:
    data = broken(lambda d: entry(d).update(name="the Soviet loan", why="China needed money."))
    data["parties"] = {"china": [], "ussr": None}
    topic = load_topic(write(tmp_path, data))
    loan = topic.entry("loan")
    assert (loan.spoken_name, loan.why) == ("the Soviet loan", "China needed money.")
    assert topic.parties == {"china": (), "ussr": ()}
    assert topic.entries[1].why is None


def test_the_real_content_names_entries_for_the_middle_of_a_sentence() -> None:
    content = default_content()
    for entry_ in content.entries:
        assert not entry_.spoken_name.startswith("The "), entry_.id
    assert content.parties["ussr"] == ("stalin", "khrushchev")
    assert content.next_entry("treaty").id == "treaty-terms"
    assert content.next_entry(content.entries[-1].id) == content.entries[0]


def test_terms_in_finds_the_glossary_words_an_answer_uses_in_order() -> None:
    content = default_content()
    found = content.terms_in("After the speech, Mao Zedong Thought mattered less to the Politburo.")
    assert [t.term for t in found] == ["Mao Zedong Thought", "Politburo"]
    assert content.is_name("Mao Zedong") and not content.is_name("Politburo")


def test_glossary_may_be_left_out(tmp_path: Path) -> None:
    topic = load_topic(write(tmp_path, {k: v for k, v in VALID.items() if k != "glossary"}))
    assert topic.glossary == ()


# (case, change to the valid file, entry named, field named, words in the reason)
CASES: list[tuple[str, Callable[[dict[str, Any]], None], str | None, str, str]] = [
    (
        "distractor that is an option",
        lambda d: item(d, 1).update(distractors=["3 billion dollars"]),
        "loan-choice",
        "distractors[0]",
        "already an option",
    ),
    (
        "distractor of another kind",
        lambda d: item(d, 1).update(distractors=["a trade deal"]),
        "loan-choice",
        "distractors[0]",
        "not a number",
    ),
    (
        "distractors on a short item",
        lambda d: item(d, 0).update(distractors=["x"]),
        "loan-size",
        "distractors",
        "not allowed",
    ),
    ("empty spoken name", lambda d: entry(d).update(name=""), "loan", "name", "empty"),
    ("reason not text", lambda d: entry(d).update(why=["x"]), "loan", "why", "text"),
    (
        "party of no name",
        lambda d: d.update(parties={"china": ["mao"]}),
        None,
        "parties.china",
        "not a name in aliases",
    ),
    (
        "name on two sides",
        lambda d: d.update(parties={"china": ["ussr"], "ussr": []}),
        None,
        "parties.ussr",
        "also on the side",
    ),
    ("parties not a mapping", lambda d: d.update(parties=["china"]), None, "parties", "mapping"),
    ("missing field", lambda d: entry(d).pop("question"), "loan", "question", "missing"),
    ("unknown field", lambda d: entry(d).update(colour="red"), "loan", "colour", "unknown"),
    ("wrong type", lambda d: entry(d).update(asked_as="how much"), "loan", "asked_as", "list"),
    ("wrong type in list", lambda d: entry(d).update(facts=[6]), "loan", "facts[0]", "text"),
    ("empty lead", lambda d: entry(d)["answer"].update(lead=" "), "loan", "answer.lead", "empty"),
    (
        "answer too long",
        lambda d: entry(d)["answer"].update(points=["word " * (MAX_ANSWER_CHARS // 5)]),
        "loan",
        "answer",
        "too long",
    ),
    ("unknown section", lambda d: entry(d).update(section="economy"), "loan", "section", "unknown"),
    ("unknown name", lambda d: entry(d).update(names=["mao"]), "loan", "names[0]", "aliases"),
    ("bad fact id", lambda d: entry(d).update(facts=["fact6"]), "loan", "facts[0]", "fact id"),
    ("bad entry id", lambda d: entry(d).update(id="The Loan"), "The Loan", "id", "kebab-case"),
    (
        "duplicate entry",
        lambda d: d["entries"].append(copy.deepcopy(entry(d))),
        "loan",
        "id",
        "duplicate",
    ),
    ("unknown kind", lambda d: item(d).update(kind="essay"), "loan-size", "kind", "unknown kind"),
    (
        "duplicate quiz item",
        lambda d: d["quiz"].append(copy.deepcopy(item(d))),
        "loan-size",
        "id",
        "duplicate",
    ),
    ("quiz missing field", lambda d: item(d).pop("hint"), "loan-size", "hint", "missing"),
    ("quiz unknown field", lambda d: item(d).update(hints=[]), "loan-size", "hints", "unknown"),
    ("quiz bad fact", lambda d: item(d).update(facts=["F0"]), "loan-size", "facts[0]", "fact id"),
    ("quiz no facts", lambda d: item(d).update(facts=[]), "loan-size", "facts", "empty"),
    ("quiz section", lambda d: item(d).update(section="x"), "loan-size", "section", "unknown"),
    (
        "options on a short item",
        lambda d: item(d).update(options=["a", "b", "c"]),
        "loan-size",
        "options",
        "not allowed",
    ),
    (
        "two options",
        lambda d: item(d, 1).update(options=["3 million dollars", "300 million dollars"]),
        "loan-choice",
        "options",
        "3 different",
    ),
    (
        "answer not an option",
        lambda d: item(d, 1).update(answer="30 million dollars"),
        "loan-choice",
        "answer",
        "not one of the options",
    ),
    (
        "choice without options",
        lambda d: item(d, 1).pop("options"),
        "loan-choice",
        "options",
        "missing",
    ),
    ("needed too big", lambda d: item(d, 2).update(needed=3), "terms", "needed", "between 1 and 2"),
    ("needed zero", lambda d: item(d, 2).update(needed=0), "terms", "needed", "between 1 and 2"),
    ("needed not a number", lambda d: item(d, 2).update(needed=True), "terms", "needed", "number"),
    ("multi without points", lambda d: item(d, 2).pop("points"), "terms", "points", "missing"),
    ("empty points", lambda d: item(d, 2).update(points=[]), "terms", "points", "empty"),
    (
        "point without accept",
        lambda d: item(d, 2)["points"][0].pop("accept"),
        "terms",
        "points[0].accept",
        "missing",
    ),
    (
        "point with empty accept",
        lambda d: item(d, 2)["points"][1].update(accept=[]),
        "terms",
        "points[1].accept",
        "empty",
    ),
]


@pytest.mark.parametrize(
    ("change", "entry_id", "field_name", "reason"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_invalid_content_is_refused(
    tmp_path: Path,
    change: Callable[[dict[str, Any]], None],
    entry_id: str,
    field_name: str,
    reason: str,
) -> None:
    error = refusal(tmp_path, change)
    assert (error.entry, error.field) == (entry_id, field_name)
    assert reason in error.reason
    assert entry_id is None or repr(entry_id) in str(error)


# (case, change to the valid file, term named, field named, words in the reason)
GLOSSARY_CASES: list[tuple[str, Callable[[dict[str, Any]], None], str, str, str]] = [
    ("missing term", lambda d: term(d).pop("term"), "glossary[0]", "term", "missing"),
    ("term not text", lambda d: term(d).update(term=1950), "glossary[0]", "term", "text"),
    ("empty term", lambda d: term(d).update(term=" "), " ", "term", "empty"),
    ("missing meaning", lambda d: term(d).pop("meaning"), "treaty", "meaning", "missing"),
    ("empty meaning", lambda d: term(d).update(meaning=""), "treaty", "meaning", "empty"),
    ("meaning not text", lambda d: term(d).update(meaning=["a"]), "treaty", "meaning", "text"),
    (
        "meaning too long",
        lambda d: term(d).update(meaning="word " * (MAX_GLOSSARY_CHARS // 4)),
        "treaty",
        "meaning",
        "too long",
    ),
    (
        "example too long",
        lambda d: term(d).update(example="word " * (MAX_GLOSSARY_CHARS // 4)),
        "treaty",
        "example",
        "too long",
    ),
    ("empty example", lambda d: term(d).update(example=" "), "treaty", "example", "empty"),
    ("unknown field", lambda d: term(d).update(definition="x"), "treaty", "definition", "unknown"),
    ("aliases not a list", lambda d: term(d).update(aliases="pact"), "treaty", "aliases", "list"),
    (
        "empty alias",
        lambda d: term(d).update(aliases=["pact", ""]),
        "treaty",
        "aliases[1]",
        "empty",
    ),
    (
        "alias of no words",
        lambda d: term(d).update(aliases=["the"]),
        "treaty",
        "aliases[0]",
        "words",
    ),
    (
        "duplicate term",
        lambda d: d["glossary"].append(copy.deepcopy(term(d))),
        "treaty",
        "term",
        "a duplicate of the term 'treaty'",
    ),
    (
        "duplicate term, said another way",
        lambda d: d["glossary"].append({"term": "The Treaties", "meaning": "Agreements."}),
        "The Treaties",
        "term",
        "a duplicate of the term 'treaty'",
    ),
    (
        "alias claimed by two terms",
        lambda d: (term(d).update(aliases=["pact"]), term(d, 1)["aliases"].append("pacts")),
        "Politburo",
        "aliases[1]",
        "also an alias of the term 'treaty'",
    ),
    (
        "alias that is another term",
        lambda d: term(d, 1)["aliases"].append("treaties"),
        "Politburo",
        "aliases[1]",
        "a duplicate of the term 'treaty'",
    ),
    (
        "term that is another's alias",
        lambda d: term(d).update(aliases=["politburo"]),
        "Politburo",
        "term",
        "also an alias of the term 'treaty'",
    ),
]


@pytest.mark.parametrize(
    ("change", "term_named", "field_name", "reason"),
    [case[1:] for case in GLOSSARY_CASES],
    ids=[case[0] for case in GLOSSARY_CASES],
)
def test_invalid_glossary_term_is_refused(
    tmp_path: Path,
    change: Callable[[dict[str, Any]], None],
    term_named: str,
    field_name: str,
    reason: str,
) -> None:
    error = refusal(tmp_path, change)
    assert (error.entry, error.field) == (term_named, field_name)
    assert reason in error.reason
    assert f"term {term_named!r}" in str(error)


def test_glossary_that_is_not_a_list_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="must be a list") as caught:
        load_topic(write(tmp_path, broken(lambda d: d.update(glossary={"treaty": "A pact."}))))
    assert caught.value.field == "glossary"


def test_term_said_in_two_files_is_refused(tmp_path: Path) -> None:
    write(tmp_path, VALID, "a.yaml")
    second = {
        "topic": {"id": "other", "title": "Other"},
        "sections": [{"id": "other-section", "title": "the other section"}],
        "aliases": {},
        "entries": [],
        "glossary": [{"term": "pact", "aliases": ["treaties"], "meaning": "An agreement."}],
    }
    path = write(tmp_path, second, "b.yaml")
    with pytest.raises(ContentError, match="also said for the term 'treaty' in") as caught:
        load_content(tmp_path)
    error = caught.value
    assert (error.file, error.entry, error.field) == (str(path), "pact", "aliases[0]")


def test_entry_without_id_is_named_by_position(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as caught:
        load_topic(write(tmp_path, broken(lambda d: entry(d).pop("id"))))
    assert (caught.value.entry, caught.value.field) == ("entries[0]", "id")


def test_alias_said_for_two_names_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, broken(lambda d: d["aliases"].update(russia=["soviet union"])))
    with pytest.raises(ContentError, match="also an alias of 'ussr'") as caught:
        load_topic(path)
    assert caught.value.field == "aliases.russia"


def test_unknown_top_level_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="unknown field") as caught:
        load_topic(write(tmp_path, broken(lambda d: d.update(entires=[]))))
    assert caught.value.field == "entires"


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "topic.yaml"
    path.write_text("topic: {id: x\nsections: [\n", encoding="utf-8")
    with pytest.raises(ContentError, match="invalid YAML") as caught:
        load_topic(path)
    assert caught.value.file == str(path)
    assert str(path) in str(caught.value)


def test_file_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="mapping"):
        load_topic(write(tmp_path, ["a", "list"]))


def test_duplicate_ids_across_files_are_refused(tmp_path: Path) -> None:
    write(tmp_path, VALID, "a.yaml")
    second = broken(lambda d: d["topic"].update(id="other-topic"))
    second["sections"][0]["id"] = "other-section"
    for e in second["entries"]:
        e["section"] = "other-section"
    second["quiz"] = []
    path = write(tmp_path, second, "b.yaml")
    with pytest.raises(ContentError, match="duplicate entry id 'loan', also in") as caught:
        load_content(tmp_path)
    assert (caught.value.file, caught.value.entry, caught.value.field) == (str(path), "loan", "id")


def test_duplicate_quiz_ids_across_files_are_refused(tmp_path: Path) -> None:
    write(tmp_path, VALID, "a.yaml")
    second = broken(lambda d: d["topic"].update(id="other-topic"))
    second["sections"][0]["id"] = "other-section"
    second["entries"] = []
    for q in second["quiz"]:
        q["section"] = "other-section"
    write(tmp_path, second, "b.yaml")
    with pytest.raises(ContentError, match="duplicate quiz item id 'loan-size'"):
        load_content(tmp_path)


def test_topics_are_merged(tmp_path: Path) -> None:
    write(tmp_path, VALID, "a.yaml")
    second = {
        "topic": {"id": "other", "title": "Other"},
        "sections": [{"id": "other-section", "title": "the other section"}],
        "aliases": {"china": ["red china"]},
        "entries": [],
    }
    write(tmp_path, second, "b.yaml")
    content = load_content(tmp_path)
    assert content.aliases["china"] == ("prc", "red china")
    assert content.section("other-section").title == "the other section"
    assert content.item("terms").kind is ItemKind.MULTI
    assert [t.id for t in content.topics] == ["test-topic", "other"]
    assert [t.term for t in content.glossary] == ["treaty", "Politburo"]


def test_too_few_entries_to_give_examples_is_refused(tmp_path: Path) -> None:
    write(tmp_path, {**VALID, "entries": VALID["entries"][:2]})
    with pytest.raises(ContentError, match="at least 3") as error:
        load_content(tmp_path)
    assert error.value.field == "entries"


def test_content_without_any_quiz_item_is_refused(tmp_path: Path) -> None:
    write(tmp_path, {k: v for k, v in VALID.items() if k != "quiz"})
    with pytest.raises(ContentError, match="no quiz items") as error:
        load_content(tmp_path)
    assert error.value.field == "quiz"


def test_empty_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="no topic files"):
        load_content(tmp_path)


def test_points_are_a_list_when_the_lead_announces_how_many():
    content = default_content()
    lists = {e.id for e in content.entries if e.answer.is_list}
    assert {"treaty-terms", "economy", "politics", "split", "khrushchev-offers"} <= lists
    # "the two powers" names who, not how many points follow.
    assert "trust" not in lists and "mao-and-stalin" not in lists
