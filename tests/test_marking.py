"""Marking spoken answers: the development set against the real quiz, general rules against
small items built here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skill.content import ItemKind, Point, QuizItem, load_content
from skill.marking import MAX_ANSWER_WORDS, Mark, mark
from skill.tools.eval_marking import DEFAULT_ANSWERS, RIGHT_TARGET, WRONG_TARGET, evaluate

DEV_ANSWERS = Path(__file__).resolve().parents[1] / "eval" / "dev_answers.json"

CONTENT = load_content()

ALIASES = {
    "khrushchev": ("kruschev", "khruschev", "nikita khrushchev"),
    "stalin": ("joseph stalin", "josef stalin"),
    "ussr": ("soviet union", "soviet", "soviets", "russia"),
    "china": ("chinese", "prc"),
    "xinjiang": ("sinkiang",),
}


def short(answer: str, *aliases: str, question: str = "Who?", why: str = "Because.") -> QuizItem:
    return QuizItem(
        id="test-short",
        kind=ItemKind.SHORT,
        section="test",
        facts=("F1",),
        question=question,
        answer=answer,
        why=why,
        hint="A hint.",
        aliases=aliases,
    )


def choice(answer: str, options: tuple[str, str, str], *aliases: str) -> QuizItem:
    return QuizItem(
        id="test-choice",
        kind=ItemKind.CHOICE,
        section="test",
        facts=("F1",),
        question="Which?",
        answer=answer,
        why="Because.",
        hint="A hint.",
        aliases=aliases,
        options=options,
    )


TERMS = QuizItem(
    id="test-multi",
    kind=ItemKind.MULTI,
    section="test",
    facts=("F1",),
    question="Name two of the treaty's terms.",
    answer="defence, a loan, spies disclosed, rights in Manchuria and Xinjiang",
    why="Because.",
    hint="A hint.",
    points=(
        Point("the Soviet Union would defend China", ("defend", "protect", "military support")),
        Point("a loan of 300 million dollars", ("loan", "lend", "300 million")),
        Point("Soviet agents were disclosed", ("spies", "agents")),
        Point("rights in Manchuria and Xinjiang", ("manchuria", "xinjiang")),
    ),
    needed=2,
)

LOAN = short("300 million dollars", "300 million", question="How much did they lend?")
YEAR = short("1960", question="By which year?", why="It was tested later, in 1964.")
KHRUSHCHEV = short("Khrushchev", question="Which Soviet leader?")
LEADERS = choice("Khrushchev", ("Stalin", "Khrushchev", "Lenin"))


def right(item: QuizItem, spoken: str) -> bool:
    return mark(item, spoken, aliases=ALIASES).correct


# ---- the development set --------------------------------------------------------------------


def dev_cases() -> list[tuple[str, str, str, bool]]:
    """(fact, item id, answer, should be right) for every answer in the development set."""
    facts = json.loads(DEV_ANSWERS.read_text(encoding="utf-8"))["facts"]
    cases = []
    for fact, answers in facts.items():
        items = [item for item in CONTENT.items if fact in item.facts]
        assert items, f"no quiz item tests {fact}"
        shorts = [item for item in items if item.kind is ItemKind.SHORT]
        item = (shorts or items)[0]
        cases += [(fact, item.id, said, True) for said in answers["right"]]
        cases += [(fact, item.id, said, False) for said in answers["wrong"]]
    return cases


@pytest.mark.parametrize(("fact", "item_id", "said", "expected"), dev_cases())
def test_development_answers(fact, item_id, said, expected):
    item = CONTENT.item(item_id)
    result = mark(item, said, aliases=CONTENT.aliases)
    assert result.correct is expected, f"{fact} {item_id}: {said!r}"


@pytest.fixture(scope="module")
def spoken_report():
    return evaluate(DEFAULT_ANSWERS, CONTENT)


def test_spoken_right_answers_are_accepted(spoken_report):
    assert spoken_report.accepted_share >= RIGHT_TARGET, spoken_report.failures


def test_spoken_wrong_answers_are_rejected(spoken_report):
    assert spoken_report.rejected_share >= WRONG_TARGET, spoken_report.failures


# ---- numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "said",
    [
        "300 million dollars",
        "three hundred million dollars",
        "three hundred million",
        "300 million",
        "$300 million",
        "300,000,000",
        "$300,000,000",
        "$300m",
        "3 hundred million",
        "a loan of three hundred million us dollars",
    ],
)
def test_a_number_is_accepted_in_every_spoken_form(said):
    assert right(LOAN, said)


@pytest.mark.parametrize(
    "said",
    [
        "three hundred thousand",
        "three hundred thousand dollars",
        "three million",
        "thirty million",
        "three billion",
        "three hundred",
        "300",
        "three hundred million or three billion",
    ],
)
def test_other_numbers_are_wrong(said):
    assert not right(LOAN, said)


def test_a_small_number_is_not_its_thousands():
    advisers = short("10,000 advisers", "10,000", question="How many advisers?")
    assert right(advisers, "ten thousand")
    assert right(advisers, "10000")
    assert not right(advisers, "ten")
    assert not right(advisers, "a hundred thousand")


@pytest.mark.parametrize("said", ["1960", "nineteen sixty", "in nineteen sixty", "sixty", "in 60"])
def test_a_year_in_every_spoken_form(said):
    assert right(YEAR, said)


@pytest.mark.parametrize(
    "said", ["1964", "nineteen sixty four", "sixty four", "nineteen fifty", "1960 or 1964", "2060"]
)
def test_other_years_are_wrong_even_when_the_explanation_mentions_them(said):
    assert not right(YEAR, said)


# ---- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "said",
    ["khrushchev", "nikita khrushchev", "kruschev", "khrushchov", "krushchev", "mr khrushchev"],
)
def test_names_through_aliases_and_close_misspellings(said):
    assert right(KHRUSHCHEV, said)


@pytest.mark.parametrize(
    "said", ["gorbachev", "stalin", "brezhnev", "nikita", "stalin or khrushchev", "cruise jeff"]
)
def test_other_names_and_hedges_are_wrong(said):
    assert not right(KHRUSHCHEV, said)


def test_another_name_in_a_full_sentence_is_not_a_hedge():
    aliases = {**ALIASES, "secret speech": ("the speech",), "mao": ("chairman mao",)}
    speech = short("the Secret Speech", question="In which speech did Khrushchev criticise Stalin?")
    said = "khrushchev's secret speech criticised stalin and mao felt criticised too"
    assert mark(speech, said, aliases=aliases).correct
    assert right(KHRUSHCHEV, "i think it was khrushchev because he took over after stalin died")
    assert not right(KHRUSHCHEV, "i think it was khrushchev or stalin")


def test_two_names_are_both_needed():
    regions = short("Manchuria and Xinjiang", question="Which two regions?")
    assert right(regions, "xinjiang and manchuria")
    assert right(regions, "manchuria and sinkiang")
    assert not right(regions, "manchuria")
    assert not right(regions, "manchuria and tibet")
    assert not right(regions, "manchuria xinjiang and tibet")


# ---- what speech recognition mishears ---------------------------------------------------------

MISTRUST = short("mistrust", "distrust", question="What was there from the start?")
SECRET = short("to avoid protests", "hypocritical", question="Why secret?")
REGIONS = short("Manchuria and Xinjiang", question="Which two regions?")


@pytest.mark.parametrize(
    ("item", "said"),
    [
        (KHRUSHCHEV, "crew chef"),
        (KHRUSHCHEV, "crush chev"),
        (MISTRUST, "there was miss trust from the start"),
        (REGIONS, "man curia and xinjiang"),
        (REGIONS, "man jury a and shin jang"),
        (SECRET, "it would look hippo critical"),
    ],
)
def test_words_heard_as_sound_alikes_are_the_items_words_and_names(item, said):
    assert right(item, said)


@pytest.mark.parametrize(
    ("item", "said"),
    [
        (KHRUSHCHEV, "christian"),
        (KHRUSHCHEV, "crucial"),
        (MISTRUST, "there was mister trust"),
        (MISTRUST, "must rest"),
        (REGIONS, "mention and xinjiang"),
    ],
)
def test_sound_alikes_need_the_same_first_sound_and_a_like_spelling(item, said):
    assert not right(item, said)


@pytest.mark.parametrize(
    ("item", "said"),
    [
        (SECRET, "to avoid pro tests"),
        (MISTRUST, "there was dis trust"),
        (short("10,000 advisers", "10,000", question="How many?"), "ten thou sand"),
        (YEAR, "nine teen sixty"),
    ],
)
def test_a_word_heard_in_parts_is_the_word(item, said):
    assert right(item, said)


@pytest.mark.parametrize("said", ["for", "there were for terms", "it had fore main terms"])
def test_a_word_that_sounds_like_a_number_is_it_where_a_number_is_asked_for(said):
    count = short("four", "four terms", question="How many terms?")
    assert right(count, said)
    assert not right(short("eight", question="How many?"), said)


def test_a_number_sound_alike_stays_a_word_beside_a_number_or_where_none_is_asked_for():
    assert right(LOAN, "they lent three hundred million dollars for the treaty")
    assert right(YEAR, "it was nineteen sixty for sure")
    result = mark(TERMS, "a loan for china and to defend them", aliases=ALIASES)
    assert result.matched_points == (TERMS.points[0].text, TERMS.points[1].text)


def test_spoken_shorthand_for_a_scale():
    assert right(LOAN, "three hundred mil")
    assert not right(LOAN, "three mil")


def test_a_name_said_in_the_plural_is_the_name():
    plan = short("the First Five Year Plan", "five year plan", question="Which plan?")
    assert right(plan, "the first five year plans")


# ---- meaning ----------------------------------------------------------------------------------


def test_an_answer_containing_an_alias_is_right():
    agents = short("Soviet intelligence agents", "spies", "agents", question="Whose agents?")
    assert right(agents, "the soviet spies")
    assert right(agents, "their spies")
    assert right(agents, "spies working in china")


def test_a_name_the_item_does_not_mention_qualifies_the_answer_wrongly():
    agents = short("Soviet intelligence agents", "spies", "agents", question="Whose agents?")
    for said in ["american spies", "chinese spies", "british intelligence agents"]:
        assert not right(agents, said), said


def test_negation_makes_an_answer_wrong_unless_the_phrasing_is_negative():
    defend = short("defend China", "defend", "help", question="What if China was attacked?")
    assert right(defend, "they would help china")
    assert not right(defend, "they would not help china")
    assert not right(defend, "they wouldnt defend china")
    assert not right(defend, "they would invade china")
    secret = short("to avoid protests", "protest", "no protests", question="Why secret?")
    assert right(secret, "because people would protest")
    assert right(secret, "so there wouldn't be protests")
    assert right(secret, "so nobody would protest")


def test_saying_the_opposite_of_the_items_own_words_is_wrong():
    policy = short("Mao Zedong Thought", question="Which policy became less important?")
    assert right(policy, "mao zedong thought became less important")
    assert not right(policy, "mao zedong thought became more important")
    cooperate = short("shared beliefs", question="What led China and the USSR to cooperate?")
    assert not right(cooperate, "shared beliefs led them into war with each other")
    charged = short("the Korean War", question="During which war did Stalin charge China?")
    assert not right(charged, "in the korean war stalin gave china weapons for free")
    grew = short("mistrust", question="What was there, and grew over time?")
    assert right(grew, "mistrust and it grew")
    assert not right(grew, "mistrust but it disappeared over time")
    assert right(grew, "mistrust and it never disappeared")
    ideology = choice("a communist ideology", ("a communist ideology", "trade", "fear"), "ideology")
    assert right(ideology, "they shared an ideology")
    assert not right(ideology, "they shared a capitalist ideology")


def test_word_endings_do_not_matter():
    secret = short("to avoid protests", "hypocritical", question="Why secret?")
    assert right(secret, "to avoid protesting")
    assert right(secret, "it would look hypocritical")


def test_marking_reads_the_aliases_as_they_are_when_it_marks():
    """Marks reuse what they made of the same aliases; a mapping changed since is read again."""
    aliases = {"mao zedong thought": ("maoism",)}
    thought = short("Mao Zedong Thought", question="Which policy?")
    assert not mark(thought, "mao's ideas", aliases=aliases).correct
    aliases["mao zedong thought"] = ("maoism", "mao's ideas")
    assert mark(thought, "mao's ideas", aliases=aliases).correct
    del aliases["mao zedong thought"]
    assert not mark(thought, "maoism", aliases=aliases).correct


def test_an_ordinal_the_item_does_not_have_is_wrong():
    plan = short("the First Five Year Plan", "five year plan", question="Which plan?")
    assert right(plan, "the five-year plan")
    assert right(plan, "the first 5 year plan")
    assert not right(plan, "the second five year plan")


def test_a_longer_name_is_not_its_shorter_part():
    aliases = {"mao zedong thought": ("maoism", "mao's thought"), "mao": ("mao zedong",)}
    thought = short("Mao Zedong Thought", "thought of mao", question="Which policy?")
    for said in ["mao zedong thought", "maoism", "mao's thought", "the thought of mao zedong"]:
        assert mark(thought, said, aliases=aliases).correct, said
    for said in ["mao zedong", "mao", "communism"]:
        assert not mark(thought, said, aliases=aliases).correct, said


def test_ones_is_a_pronoun_not_a_number():
    count = short("four", "four terms", question="How many terms?")
    assert right(count, "four main ones")
    assert not right(count, "four or three")


# ---- choice items -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "said",
    [
        "b",
        "bee",
        "be",
        "option b",
        "letter b",
        "answer b",
        "it's b",
        "two",
        "2",
        "the second one",
        "khrushchev",
        "kruschev",
        "it was khrushchev",
    ],
)
def test_choice_accepts_the_letter_its_sound_alikes_position_and_text(said):
    assert right(LEADERS, said)


@pytest.mark.parametrize(
    "said",
    ["a", "ay", "eh", "c", "see", "sea", "si", "one", "3", "the third one", "stalin", "lenin", "d"],
)
def test_choice_rejects_the_other_options(said):
    assert not right(LEADERS, said)


def test_choice_rejects_two_options_at_once():
    assert not right(LEADERS, "b or c")
    assert not right(LEADERS, "khrushchev or stalin")


def test_choice_with_number_options_reads_numbers_as_options():
    terms = choice("four", ("three", "four", "five"))
    assert right(terms, "four")
    assert right(terms, "4")
    assert right(terms, "b")
    assert not right(terms, "two")  # the number 2, not option B


# ---- multi items ------------------------------------------------------------------------------


def test_multi_full_marks_name_the_points_given():
    result = mark(
        TERMS, "they would defend china and lend them 300 million dollars", aliases=ALIASES
    )
    assert result.correct
    assert result.score == 1.0
    assert result.matched_points == (TERMS.points[0].text, TERMS.points[1].text)
    assert result.missed_points == (TERMS.points[2].text, TERMS.points[3].text)


def test_multi_partial_credit_names_what_was_missed():
    result = mark(TERMS, "a loan", aliases=ALIASES)
    assert result == Mark(
        correct=False,
        score=0.5,
        matched_points=(TERMS.points[1].text,),
        missed_points=(TERMS.points[0].text, TERMS.points[2].text, TERMS.points[3].text),
    )


def test_multi_more_points_than_needed_score_one():
    result = mark(TERMS, "protect china a loan spies and manchuria", aliases=ALIASES)
    assert result.correct and result.score == 1.0 and not result.missed_points


def test_multi_a_negated_point_does_not_count():
    result = mark(TERMS, "they would not defend china but they did lend money", aliases=ALIASES)
    assert not result.correct
    assert result.matched_points == (TERMS.points[1].text,)


def test_multi_a_wrong_number_does_not_earn_its_point():
    result = mark(TERMS, "a loan of three million dollars and to defend china", aliases=ALIASES)
    assert not result.correct
    assert result.matched_points == (TERMS.points[0].text,)
    assert TERMS.points[1].text in result.missed_points
    result = mark(
        TERMS, "a loan of three hundred million dollars and to defend china", aliases=ALIASES
    )
    assert result.correct
    treaty = CONTENT.item("treaty-terms")
    said = "a loan of three million dollars and defence"
    assert mark(treaty, said, aliases=CONTENT.aliases).score == 0.5


def test_multi_a_number_in_another_clause_belongs_to_another_point():
    said = "they would defend china with 10000 troops and lend 300 million dollars"
    result = mark(TERMS, said, aliases=ALIASES)
    assert result.matched_points == (TERMS.points[0].text, TERMS.points[1].text)


# ---- empty, long and junk answers --------------------------------------------------------------


@pytest.mark.parametrize("item", [LOAN, KHRUSHCHEV, LEADERS, TERMS], ids=lambda i: i.id)
@pytest.mark.parametrize(
    "said",
    [
        "",
        "   ",
        "i don't know",
        "asdf qwerty zxcv",
        "??? !!! ...",
        "ж中文 ünïcödé",
        " ".join(["khrushchev defend loan spies manchuria 300 million b"] * MAX_ANSWER_WORDS),
    ],
)
def test_empty_junk_and_overlong_answers_are_wrong(item, said):
    result = mark(item, said, aliases=ALIASES)
    assert not result.correct
    assert result.score == 0.0


def test_marking_works_without_aliases():
    assert mark(KHRUSHCHEV, "khrushchev").correct
    assert mark(LOAN, "three hundred million").correct


# ---- wrong facts around a right answer ------------------------------------------------------


def test_another_name_in_place_of_the_answers_is_wrong():
    relations = choice(
        "relations between the Soviet Union and China",
        ("relations between the Soviet Union and China", "the end of a war", "a border"),
        "relations",
    )
    assert right(relations, "relations between china and the soviet union")
    assert not right(relations, "relations between china and america")


def test_a_word_the_item_qualifies_by_name_takes_only_that_name():
    speech = short(
        "the Secret Speech",
        question="In which speech did Khrushchev criticise Stalin?",
        why="Khrushchev's Secret Speech attacked Stalin.",
    )
    assert right(speech, "khrushchev's secret speech")
    assert right(speech, "it was the secret speech")
    assert not right(speech, "stalin's secret speech")


def test_a_year_the_item_never_gives_is_a_wrong_claim():
    mistrust = short("mistrust", question="What was there from the very start?")
    assert right(mistrust, "there was mistrust")
    assert not right(mistrust, "mistrust only started after 1962")


def test_who_does_it_to_whom_is_kept_when_both_sides_are_named():
    defend = short("defend China", question="What would the USSR do if China was attacked?")
    assert right(defend, "the soviet union would defend china")
    assert not right(defend, "china would defend the soviet union")
