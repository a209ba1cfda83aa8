"""Question matching: spoken questions find the entry that answers them, off-topic ones none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skill.content import load_content
from skill.matching import HEDGE_THRESHOLD, Matcher, _Phrases, default_matcher, load_lexicon
from skill.tools.eval_matching import (
    DEFAULT_QUESTIONS,
    Reply,
    Report,
    by_skill,
    evaluate,
    first_sentence,
    spoken_text,
)

DEV = json.loads(DEFAULT_QUESTIONS.read_text(encoding="utf-8"))
# The larger development set, of the same kinds of speech as the held-out set.
SPOKEN_QUESTIONS = DEFAULT_QUESTIONS.with_name("spoken_questions.json")


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return default_matcher()


def matched(matcher: Matcher, question: str) -> str | None:
    match = matcher.match(question)
    return match.entry.id if match else None


# --- The development set -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def spoken_report() -> Report:
    """The spoken development set asked through the simulator and the whole skill."""
    return evaluate(SPOKEN_QUESTIONS, by_skill())


def test_spoken_set_in_scope_questions_get_the_right_facts(spoken_report: Report) -> None:
    assert spoken_report.in_scope_share >= 0.95, spoken_report.misses


@pytest.mark.parametrize(
    "kind", ["casual", "fragment", "exam", "misheard", "indirect", "numbers", "synonym"]
)
def test_spoken_set_every_kind_of_speech_is_understood(spoken_report: Report, kind: str) -> None:
    assert spoken_report.kind_share(kind) >= 0.9, spoken_report.misses


def test_spoken_set_off_topic_gets_no_card_and_no_topic_facts_first(
    spoken_report: Report,
) -> None:
    """Near misses ("the second five year plan") included: declined or offered, never
    answered as if they were the neighbouring fact."""
    assert spoken_report.rejected == spoken_report.out_of_scope, spoken_report.misses
    assert sum(leaked for leaked, _ in spoken_report.leaks_by_kind.values()) == 0


def test_dev_set_matcher_alone(matcher: Matcher) -> None:
    report = evaluate(DEFAULT_QUESTIONS, matcher)
    assert report.in_scope_share >= 0.95, report.misses
    assert report.rejected == report.out_of_scope, report.misses


@pytest.mark.parametrize("question", DEV.get("out_of_scope", []))
def test_dev_off_topic_question_matches_nothing(matcher: Matcher, question: str) -> None:
    assert matcher.match(question) is None


@pytest.mark.parametrize("case", DEV.get("in_scope", []), ids=lambda case: case["q"])
def test_dev_in_scope_question_is_matched(matcher: Matcher, case: dict) -> None:
    # Every in-scope question must at least be accepted; the share with the expected answer
    # is held to 95% above, since a few may fairly land on a neighbouring entry.
    match = matcher.match(case["q"])
    assert match is not None


# --- Hand-written cases, not from the development set ----------------------------------------

NARROW = [
    ("how big was the loan", "treaty-loan"),
    ("what was the size of the soviet loan to the prc", "treaty-loan"),
    ("did the russians promise to protect china", "treaty-defence"),
    ("did the russians have to name their intelligence agents", "treaty-agents"),
    ("why were the grants kept secret", "treaty-grants"),
    ("how many soviet advisors came", "advisers"),
    ("did china build a nuclear reactor", "nuclear"),
    ("did stalin overcharge china for weapons", "mao-and-stalin"),
    ("what was de stalinisation", "secret-speech"),
    ("what did china accuse the russians of at the conference", "moscow-conference"),
    ("why did the sino soviet split happen", "split"),
    ("was soviet political influence limited", "politics"),
]


@pytest.mark.parametrize(("question", "entry_id"), NARROW)
def test_narrow_question_gets_the_narrow_entry(
    matcher: Matcher, question: str, entry_id: str
) -> None:
    assert matched(matcher, question) == entry_id


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("what rights did the soviets get in sinkiang", "treaty-grants"),
        ("why did mao tse tung distrust stalin", "mao-and-stalin"),
        ("what did the soviets offer the people's republic", "khrushchev-offers"),
        ("what did the prc receive under the treaty", "treaty-terms"),
        ("what did kruschev offer china", "khrushchev-offers"),
        ("what did krushchev offer china", "khrushchev-offers"),
        ("what did nikita khrushchov offer china", "khrushchev-offers"),
        ("what did kruschiev offer china", "khrushchev-offers"),  # no alias: spelling correction
        ("who helped with the 5 year plan", "advisers"),
        ("what happened to maoism after the speech", "secret-speech"),
    ],
)
def test_aliases_and_misspellings_find_the_name(
    matcher: Matcher, question: str, entry_id: str
) -> None:
    assert matched(matcher, question) == entry_id


# How speech recognition writes names and terms it mishears: the sound finds the word.
MISHEARD = [
    ("what did crew chef offer china", "khrushchev-offers"),  # Khrushchev, two words
    ("what did china give russia in man curia", "treaty-grants"),  # Manchuria
    ("what was the secret bit about shin jang", "treaty-grants"),  # Xinjiang
    ("how much was the lone", "treaty-loan"),  # a real word for another
    ("what did the you ess ess are promise to do if china was invaded", "treaty-defence"),
    ("how did the korea war affect mao and stalin", "mao-and-stalin"),
    ("what happened to mao say dong thought", "secret-speech"),
]


@pytest.mark.parametrize(("question", "entry_id"), MISHEARD)
def test_misheard_names_find_their_entry(matcher: Matcher, question: str, entry_id: str) -> None:
    assert matched(matcher, question) == entry_id


@pytest.mark.parametrize(
    ("said", "known"),
    [("crew chef", "khrushchev"), ("new clear", "nuclear"), ("friend ship", "friendship")],
)
def test_words_heard_apart_are_joined_into_the_word_they_sound_like(
    matcher: Matcher, said: str, known: str
) -> None:
    assert matcher.terms(said) == matcher.terms(known)


@pytest.mark.parametrize("said", ["play some music", "the people's communes", "tibet"])
def test_other_words_are_not_heard_as_content_words(matcher: Matcher, said: str) -> None:
    """Real words that merely share a sound key ("music", "moscow") stay themselves."""
    assert matcher.terms(said) == matcher.terms(said.replace("'", "x"))  # nothing was replaced
    assert matched(matcher, f"what was {said}") is None


# How students talk: slang, exam wording, phrasal verbs, other names for the same country.
PHRASED = [
    ("were china and the soviets mates or not", "overview"),
    ("why was mao so salty about stalin", "mao-and-stalin"),
    ("how come china kept the manchuria stuff on the down low", "treaty-grants"),
    ("what did the soviets have to own up to in the treaty", "treaty-agents"),
    ("why did mao think stalin was trying to keep china down", "mao-and-stalin"),
    ("how did moscow help beijing's economy", "economy"),
    ("would the kremlin defend china if it was invaded", "treaty-defence"),
    ("give two reasons why relations got worse", "split"),
    ("in nineteen fifty eight what did china say about the soviets", "moscow-conference"),
    ("what did china accuse moscow of in fifty eight", "moscow-conference"),
]


@pytest.mark.parametrize(("question", "entry_id"), PHRASED)
def test_the_way_students_say_things_finds_the_entry(
    matcher: Matcher, question: str, entry_id: str
) -> None:
    assert matched(matcher, question) == entry_id


def test_who_did_what_to_whom_decides_between_neighbours(matcher: Matcher) -> None:
    """China gave the Soviets rights in Manchuria; the Soviets later left Manchuria."""
    assert matched(matcher, "what did china give the soviets in manchuria") == "treaty-grants"
    assert matched(matcher, "when did the soviets leave manchuria") == "khrushchev-offers"


# Near misses: the words the entry does not cover ("second", "die", "took over", a year or
# another party doing it) decline them, however many topic words they share.
NEAR_MISSES = [
    "what was china's second five year plan",
    "when did stalin die",
    "who took over from khrushchev",
    "what happened to khrushchev in 1964",
    "when did the soviet union test its first atomic bomb",
    "who won the war in korea",
    "who was the leader of north korea",
]


@pytest.mark.parametrize("question", NEAR_MISSES)
def test_near_misses_are_not_answered(matcher: Matcher, question: str) -> None:
    assert matcher.match(question) is None


def test_a_near_miss_has_a_nearest_entry_to_offer(matcher: Matcher) -> None:
    nearest = matcher.nearest("what was china's second five year plan")
    assert nearest and nearest[0].entry.id == "advisers"
    assert nearest[0].confidence >= HEDGE_THRESHOLD


def test_one_of_the_amounts_offered_is_enough(matcher: Matcher) -> None:
    assert matched(matcher, "was the loan three hundred million or three million") == "treaty-loan"
    assert matched(matcher, "was the loan three million dollars") is None


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("were the terms of the treaty of friendship", "treaty-terms"),
        ("was the loan", "treaty-loan"),
        ("happened at the moscow conference", "moscow-conference"),
        ("caused the sino soviet split", "split"),
    ],
)
def test_carrier_stripped_question_still_matches(
    matcher: Matcher, question: str, entry_id: str
) -> None:
    assert matched(matcher, question) == entry_id


@pytest.mark.parametrize("question", ["", "   ", "what", "what is it", "um"])
def test_empty_question_matches_nothing(matcher: Matcher, question: str) -> None:
    assert matcher.match(question) is None
    assert matcher.rank(question) == [] or matcher.rank(question)[0].confidence == 0


@pytest.mark.parametrize(
    "question",
    [
        "blah blah flibbertigibbet",
        "what were the terms of the treaty of versailles",
        "what caused the first world war",
        "what were the causes of the russian revolution",
        "what is the capital of russia",
        "what was the marshall plan",
        "when did the berlin wall fall",
        "who won the second world war",
        "what was the great leap forward",
        "tell me a joke",
    ],
)
def test_nonsense_and_other_history_match_nothing(matcher: Matcher, question: str) -> None:
    assert matcher.match(question) is None


def test_rank_orders_by_confidence_and_honours_k(matcher: Matcher) -> None:
    ranked = matcher.rank("what were the terms of the treaty of friendship", k=2)
    assert len(ranked) == 2
    assert ranked[0].entry.id == "treaty-terms"
    assert all(0 <= m.confidence <= 1 for m in ranked)


def _questions_said() -> list[str]:
    texts: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in (DEFAULT_QUESTIONS, SPOKEN_QUESTIONS):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return sorted({t for t in texts if 3 < len(t) < 200})


def test_the_k_best_are_the_first_k_of_every_entry_ranked(matcher: Matcher) -> None:
    # rank looks at an entry's confidence only while it could still come into the k best.
    every = len(matcher.entries)
    for question in _questions_said():
        whole = matcher.rank(question, k=every)
        for k in (1, 2, 3):
            assert matcher.rank(question, k=k) == whole[:k], (question, k)


def test_threshold_is_the_matchers_own(matcher: Matcher) -> None:
    content = load_content()
    strict = Matcher(content.entries, content.aliases, threshold=1.01)
    assert strict.match("how big was the loan") is None
    assert matcher.match("how big was the loan") is not None


def test_default_matcher_is_built_once() -> None:
    assert default_matcher() is default_matcher()


# --- The evaluation helpers -----------------------------------------------------------------


def test_the_answer_text_is_the_lead_and_the_points() -> None:
    entry = load_content().entry("treaty-loan")
    assert spoken_text(entry).startswith(entry.answer.lead)
    assert all(point in spoken_text(entry) for point in entry.answer.points)


def test_evaluate_reports_misses(tmp_path: Path, matcher: Matcher) -> None:
    questions = {
        "in_scope": [
            {"q": "how big was the loan", "expect": [["300 million"]]},
            {"q": "how big was the loan", "expect": [["tibet"]]},
        ],
        "out_of_scope": ["what is photosynthesis", "how big was the loan"],
        "forbidden_in_out_of_scope": ["300 million"],
    }
    path = tmp_path / "questions.json"
    path.write_text(json.dumps(questions), encoding="utf-8")
    report = evaluate(path, matcher)
    assert (report.answered, report.in_scope, report.rejected, report.out_of_scope) == (1, 2, 1, 2)
    assert len(report.misses) == 2
    assert "saying ['300 million']" in report.misses[1]


def test_evaluate_judges_replies_by_card_and_first_sentence(tmp_path: Path) -> None:
    questions = {
        "in_scope": [
            {"q": "answered", "kind": "exam", "expect": [["loan"]]},
            {"q": "offered", "kind": "exam", "expect": [["loan"]]},
        ],
        "out_of_scope": ["offered", "facts first"],
        "out_of_scope_kinds": {"offered": "near_miss", "facts first": "near_miss"},
        "forbidden_in_out_of_scope": ["300 million"],
    }
    replies = {
        "answered": Reply("The loan was 300 million dollars.", "loan"),
        # A hedge that names the facts only after its first sentence declines fairly.
        "offered": Reply("Not in my notes. The loan was 300 million.", "hedge", answered=False),
        "facts first": Reply("The loan was 300 million. Want more?", "refusal", answered=False),
    }
    path = tmp_path / "questions.json"
    path.write_text(json.dumps(questions), encoding="utf-8")
    report = evaluate(path, replies.get)
    assert report.by_kind == {"exam": [1, 2]}
    assert report.leaks_by_kind == {"near_miss": [1, 2]}
    assert report.kind_share("exam") == 0.5


def test_first_sentence_is_what_is_heard_first() -> None:
    assert first_sentence("I don't know. The loan was big.") == "I don't know."
    assert first_sentence("No full stop") == "No full stop"


def test_our_bm25_scores_as_bm25s_does(matcher: Matcher) -> None:
    # Matching carries its own BM25 to keep numpy out of the skill; it must agree with bm25s.
    bm25s = pytest.importorskip("bm25s")
    from skill.matching import _Index

    entries = load_content().entries
    documents = [matcher.terms(text) for e in entries for text in (e.question, *e.asked_as)]
    ours = _Index(documents)
    theirs = bm25s.BM25()
    theirs.index(documents, show_progress=False)
    for question in ("how big was the loan", "why did mao distrust stalin", "treaty terms"):
        terms = list(dict.fromkeys(matcher.terms(question)))
        expected = sum(
            theirs.get_scores([theirs.vocab_dict[t]]) for t in terms if t in theirs.vocab_dict
        )
        found = ours.scores(terms, [1.0] * len(terms))  # only documents with a term
        got = [found.get(document, 0.0) for document in range(len(documents))]
        assert got == pytest.approx(list(expected), rel=1e-5, abs=1e-6)


def test_the_lexicon_gives_each_way_of_saying_one_meaning() -> None:
    lexicon = load_lexicon()
    said = [phrase for phrases in lexicon.values() for phrase in phrases]
    assert len(said) == len(set(said)), [p for p in said if said.count(p) > 1]
    assert all(p == p.lower() and p.strip() == p for p in said)


# --- finding phrases without a regular expression -------------------------------------------


def _phrase_tables() -> dict[str, _Phrases]:
    matcher = default_matcher()
    return {"aliases": matcher._aliases, "lexicon": matcher._lexicon_phrases}


def _words_around(phrases: _Phrases) -> list[str]:
    """The phrases' own words, and a few others, for texts where phrases meet and overlap."""
    words = sorted({w for p in phrases._phrases for w in p.split(" ") if w != "*"})
    return [*words, "china", "the", "of", "zzz", "1958", "x"]


@pytest.mark.parametrize("table", ["aliases", "lexicon"])
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_phrases_are_found_as_the_regular_expression_finds_them(table, data):
    phrases = _phrase_tables()[table]
    vocabulary = _words_around(phrases)
    # Whole phrases run together, with loose words between, so longer phrases compete.
    pieces = data.draw(
        st.lists(
            st.one_of(st.sampled_from(phrases._phrases), st.sampled_from(vocabulary)),
            min_size=1,
            max_size=8,
        )
    )
    text = " ".join(pieces)
    filled = " ".join(
        data.draw(st.sampled_from(vocabulary)) if w == "*" else w for w in text.split()
    )
    mark = lambda said: f"<{said}>"  # noqa: E731
    assert phrases.sub(mark, filled) == phrases._pattern().sub(lambda m: mark(m[0]), filled)
    # Questions are read as words: the same, split.
    assert phrases.sub_words(mark, filled.split(" ")) == phrases.sub(mark, filled).split()


@pytest.mark.parametrize("question", [q for q, _ in (*NARROW, *MISHEARD, *PHRASED)])
def test_plain_words_read_as_words_give_the_terms_the_text_gives(matcher, question):
    """A question of plain words is read word by word; other text (with "2.5") goes through
    the regular expressions: the two ways give the same terms."""
    words = matcher._words_heard(question)
    assert matcher.terms(question) == matcher._terms_of_text(" ".join(words))


def test_text_that_is_not_plain_words_goes_through_the_regular_expression():
    phrases = _phrase_tables()["aliases"]
    text = "did the 2.5 ussr, and mao  meet"
    assert phrases.sub(str.upper, text) == phrases._pattern().sub(lambda m: m[0].upper(), text)
