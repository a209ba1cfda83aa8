"""skill.language: text as Alexa hears it and says it, spoken numbers both ways, and SSML."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skill.language import (
    ENGLISH_STOPWORDS,
    TENS_WORDS,
    UNIT_WORDS,
    as_year,
    format_number,
    heard,
    heard_by_rules,
    is_number,
    mid_sentence,
    normalise,
    normalised_by_rules,
    number_words,
    numbers_read_by_rules,
    plain_text,
    read_number,
    read_numbers,
    sayable,
    sound_key,
    sound_keys,
    words_as_digits,
    year_words,
)

# --- Text as speech recognition returns it ------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "recognised"),
    [
        ("What were the terms?", "what were the terms"),
        ("China's share", "china's share"),  # an apostrophe inside a word stays
        ("Khrushchev's 'Secret Speech'", "khrushchev's secret speech"),  # quote marks go
        ("the students' views", "the students views"),
        ("the soviets\u2019 agents", "the soviets agents"),
        ("Mao Tse-tung", "mao tse tung"),
        ("the U.S.S.R. and China", "the ussr and china"),
        ("10,000 advisers", "10000 advisers"),
        ("1.5 million", "1.5 million"),  # a decimal point is not punctuation
        ("It ended in 1964.", "it ended in 1964"),
        ("$300 million", "300 million dollars"),
        ("$300m", "300 million dollars"),
        ("$5", "5 dollars"),
        ("Trade & aid", "trade and aid"),
        ("50%", "50 percent"),
        ("1949-62", "1949 to 62"),
        ("  many   spaces\n", "many spaces"),
        ("", ""),
    ],
)
def test_heard_is_lowercase_words_without_punctuation(written, recognised):
    assert heard(written) == recognised


@given(
    st.one_of(
        st.text(alphabet="abz019 ", max_size=30),  # as recognisers send it
        st.text(alphabet="abzAZ019 .,'$%&-\u2019\n\t", max_size=30),
    )
)
def test_text_already_as_recognisers_send_it_is_heard_as_every_rule_would_hear_it(text):
    assert heard(text) == heard_by_rules(text)


# Number words, what alpha2digit reads only beside them, and words it leaves alone.
_NUMBERISH = [
    *UNIT_WORDS, *filter(None, TENS_WORDS), "hundred", "thousand", "million", "billion",
    "hundreds", "thousands", "millions", "first", "second", "third", "fifth", "twelfth",
    "twentieth", "hundredth", "nought", "ones", "a", "an", "and", "point", "minus", "oh", "o",
    "half", "quarter", "dozen", "once", "twice", "the", "soviet", "loan", "dollars", "of", "in",
    "plan", "year", "seconds", "300", "1960", "3.5", "19", "2nd",
]  # fmt: skip


@given(st.lists(st.sampled_from(_NUMBERISH), max_size=8).map(" ".join))
def test_numbers_are_read_as_alpha2digit_reads_them_whichever_words_come(text):
    from text_to_num import alpha2digit

    assert words_as_digits(text) == alpha2digit(text, "en", threshold=0)


# Words as questions and answers bring them: plain words, years said in halves, number words,
# possessives, digits and written forms.
_SAID = st.lists(
    st.one_of(
        st.sampled_from(_NUMBERISH),
        st.sampled_from(["nineteen", "twenty", "eleven", "fifty", "eight", "oh", "sixty"]),
        st.sampled_from(["china's", "soviets'", "don't", "$300m", "10,000", "five-year", "£5"]),
        st.text(alphabet="abinostz", min_size=1, max_size=6),
    ),
    max_size=8,
)


@given(st.one_of(_SAID.map(" ".join), st.text(alphabet="abz19 '", max_size=20)))
def test_text_of_plain_words_is_normalised_as_every_rule_would_normalise_it(text):
    assert normalise(text) == normalised_by_rules(text)


@given(st.one_of(_SAID.map(" ".join), st.text(alphabet="abz19 '", max_size=20)))
def test_text_of_plain_words_has_its_numbers_read_as_every_rule_would_read_them(text):
    assert read_numbers(text) == numbers_read_by_rules(text)


# --- Text as Alexa says it ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("The Treaty of Friendship (1950)", "the treaty of friendship nineteen fifty"),
        ("$300 million", "three hundred million dollars"),
        ("10,000 advisers", "ten thousand advisers"),
        (
            "Sino-Soviet relations, 1949-62",
            "sino soviet relations nineteen forty nine to sixty two",
        ),
        ("Khrushchev's 'Secret Speech'", "khrushchev's secret speech"),
        ("1905", "nineteen oh five"),
        ("1,000,000", "one million"),
        ("1.5 million", "one point five million"),
        ("50%", "fifty percent"),
    ],
)
def test_sayable_spells_numbers_out(text, said):
    assert sayable(text) == said


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "zero"),
        (13, "thirteen"),
        (40, "forty"),
        (42, "forty two"),
        (100, "one hundred"),
        (156, "one hundred fifty six"),
        (10_000, "ten thousand"),
        (2_500_000, "two million five hundred thousand"),
        (300_000_000, "three hundred million"),
    ],
)
def test_number_words(number, words):
    assert number_words(number) == words


@pytest.mark.parametrize(
    ("year", "words"),
    [
        (1949, "nineteen forty nine"),
        (1905, "nineteen oh five"),
        (1900, "nineteen hundred"),
        (2005, "two thousand five"),  # the 2000s are said as numbers
        (2026, "twenty twenty six"),
        (1066, "one thousand sixty six"),
    ],
)
def test_year_words(year, words):
    assert year_words(year) == words


# --- Spoken numbers as digits -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("three hundred million dollars", "300000000 dollars"),
        ("300 million", "300000000"),
        ("$300 million", "300000000"),
        ("300,000,000", "300000000"),
        ("$300m", "300000000"),
        ("3 hundred million", "300000000"),
        ("one point five million", "1500000"),
        ("three billion", "3000000000"),
        ("ten thousand advisers", "10000 advisers"),
        ("a hundred thousand", "a 100000"),  # in running text "a" stays a word
        ("ten", "10"),
        ("one", "1"),
        ("two", "2"),
        ("nineteen sixty", "1960"),
        ("in nineteen fifty eight", "in 1958"),
        ("nineteen oh five", "1905"),
        ("19 60", "1960"),  # a year split in two, in digits or half and half
        ("nineteen 60", "1960"),
        ("nineteen hundred", "1900"),
        ("nineteen hundred and five", "1905"),
        ("twenty twenty six", "2026"),
        ("sixty", "60"),
        ("the first five-year plan", "the 1st 5 year plan"),
        ("no numbers here", "no numbers here"),
        ("", ""),
    ],
)
def test_read_numbers_in_running_text(text, expected):
    assert read_numbers(text) == expected


@pytest.mark.parametrize(
    ("said", "number"),
    [
        ("ten thousand", 10000),
        ("a hundred and fifty six", 156),  # alone in a number slot, "a" is one
        ("a million", 1_000_000),
        ("nineteen forty nine", 1949),
        ("nineteen oh five", 1905),
        ("twenty twenty six", 2026),
        ("300 million", 300_000_000),
        ("two million five hundred thousand", 2_500_000),
        ("one two", None),
        ("a", None),
        ("first", None),
        ("one point five", None),  # AMAZON.NUMBER holds whole numbers
        ("stalin", None),
    ],
)
def test_read_number_reads_a_whole_phrase_as_one_number(said, number):
    assert read_number(said) == number


def test_numbers_and_years_said_by_sayable_read_back_as_their_digits():
    for n in [*range(3000), 10_000, 65_000, 2_500_000, 300_000_000, 3_000_000_000]:
        assert read_numbers(sayable(str(n))) == str(n), sayable(str(n))


def test_money_said_by_sayable_reads_back_as_its_value():
    assert read_numbers(sayable("$300 million")) == "300000000 dollars"
    assert read_numbers(sayable("$300,000,000")) == "300000000 dollars"
    assert read_numbers(sayable("$300m")) == "300000000 dollars"


def test_number_words_read_back_as_one_number():
    for n in [*range(0, 1000, 7), 1_000_000, 2_500_000, 300_000_000]:
        assert read_number(number_words(n)) == n


def test_as_year_reads_two_digits_in_the_century():
    assert as_year(60) == 1960
    assert as_year(58, 1900) == 1958
    assert as_year(1964) == 1964
    assert as_year(5) == 5


def test_digits_for_values():
    assert format_number(300_000_000.0) == "300000000"
    assert format_number(1.5) == "1.5"
    assert is_number("1958") and is_number("1.5")
    assert not is_number("1st") and not is_number("fifty")


# --- Text for comparing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What were the Treaty of Friendship's terms?", "what were the treaty of friendship terms"),
        ("The PRC received $300 million.", "the prc received 300 million dollars"),
        ("10,000 advisers", "10000 advisers"),
        ("ten thousand advisers", "ten thousand advisers"),  # only years are read
        ("nineteen fifty eight", "1958"),
        ("twenty twenty six", "2026"),
        ("in nineteen sixty", "in 1960"),
        ("Mao Tse-tung", "mao tse tung"),
        ("the soviets\u2019 agents", "the soviets agents"),
        ("they didn't", "they didnt"),
    ],
)
def test_normalise_brings_written_and_spoken_text_together(text, expected):
    assert normalise(text) == expected


def test_written_and_spoken_forms_normalise_alike():
    assert normalise("The Treaty's loan, agreed in 1950.") == normalise(
        "the treaty loan agreed in nineteen fifty"
    )


# --- SSML as the listener hears it --------------------------------------------------------------


@pytest.mark.parametrize(
    ("ssml", "text"),
    [
        ("<speak>Mao &amp; Stalin<break time='1s'/>fell out</speak>", "Mao & Stalin fell out"),
        ("<speak>&lt;b&gt; &quot;bold&quot; Mao&apos;s</speak>", '<b> "bold" Mao\'s'),
        ("<speak>&amp;lt; stays escaped once</speak>", "&lt; stays escaped once"),
        ("<speak>caf&#233; &#x2013; bar</speak>", "caf\u00e9 \u2013 bar"),
        ("<speak>&#99999999; no such character</speak>", "&#99999999; no such character"),
        ('<speak>First<break time="300ms"/>, then</speak>', "First, then"),
        ("<speak>  </speak>", ""),
    ],
)
def test_plain_text_strips_tags_and_decodes_entities(ssml, text):
    assert plain_text(ssml) == text


# --- Stopwords ----------------------------------------------------------------------------------


def test_stopwords_are_lowercase_words_and_include_contractions():
    assert {"the", "was", "what", "didn't"} <= ENGLISH_STOPWORDS
    assert all(word == word.lower() and " " not in word for word in ENGLISH_STOPWORDS)
    assert "treaty" not in ENGLISH_STOPWORDS


def test_sound_keys_ignore_spelling_that_is_not_heard() -> None:
    assert sound_key("khrushchev") == sound_key("krushchev") == sound_key("crewchev")
    assert sound_key("manchuria") == sound_key("mancheria")
    assert sound_key("stalin") != sound_key("berlin")
    assert sound_keys("xinjiang")[-1] == sound_key("shinyang")  # "j" heard as "y"


@pytest.mark.parametrize(
    ("text", "inside"),
    [
        ("The Soviet loan", "the Soviet loan"),
        ("During the Korean War, Stalin lied.", "during the Korean War, Stalin lied."),
        ("It set out four terms.", "it set out four terms."),
        ("Mao distrusted Stalin.", "Mao distrusted Stalin."),  # a name keeps its capital
        ("China's loan", "China's loan"),
        ("USSR", "USSR"),
        ("", ""),
    ],
)
def test_text_put_inside_a_sentence_keeps_only_the_capitals_of_names(text, inside):
    assert mid_sentence(text) == inside
