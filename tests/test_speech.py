"""Speech: what the student hears is escaped, read as a list, paced, and inside Alexa's limits."""

from xml.etree import ElementTree

import pytest

from skill.dialog import LOCALES, dialog_for
from skill.language import plain_text
from skill.speech import (
    MAX_SPEECH_CHARS,
    PART_BUDGET_CHARS,
    Speech,
    SpeechTooLong,
    card_text,
    escape,
    is_own_ssml,
    slowed,
    split_points,
)

ORDINALS = ("First", "Second", "Third", "Fourth")


def parses(ssml: str) -> ElementTree.Element:
    return ElementTree.fromstring(ssml)


def test_text_with_markup_characters_is_escaped_and_still_parses():
    ssml = Speech().say('Trade & aid <b>"bold"</b> and Mao\'s view').ssml()
    root = parses(ssml)
    assert root.tag == "speak"
    assert "&amp;" in ssml and "&lt;b&gt;" in ssml
    assert plain_text(ssml) == 'Trade & aid <b>"bold"</b> and Mao\'s view'


def test_escape_covers_quotes_for_attributes():
    assert escape("a\"b'c") == "a&quot;b&apos;c"


def test_a_list_is_read_as_a_list_with_pauses():
    ssml = (
        Speech()
        .say("The treaty had three terms.")
        .items(["Defence if attacked.", "A loan.", "Agents disclosed."], ORDINALS)
        .ssml()
    )
    parses(ssml)
    spoken = plain_text(ssml)
    assert spoken.startswith("The treaty had three terms. First, Defence")
    assert "Second, A loan." in spoken and "Third, Agents disclosed." in spoken
    assert ssml.count("<break") == 3


def test_list_numbering_can_continue_from_an_earlier_part():
    spoken = plain_text(Speech().items(["The fourth point."], ORDINALS, start=3).ssml())
    assert spoken == "Fourth, the fourth point."  # sentence case after the ordinal


def test_a_list_said_first_starts_without_a_pause_and_the_same_list_again_reads_the_same():
    first = Speech().items(["A loan.", "Advisers."], ORDINALS).ssml()
    assert first.startswith("<speak>First, A loan.") and first.count("<break") == 1
    assert Speech().items(["A loan.", "Advisers."], ORDINALS).ssml() == first
    after = Speech().say("Two terms.").items(["A loan.", "Advisers."], ORDINALS).ssml()
    assert after.count("<break") == 2 and after.endswith("Second, Advisers.</speak>")


def test_points_keep_their_capitals_so_names_stay_names():
    spoken = plain_text(Speech().items(["USSR aid.", "China gave rights."], ORDINALS).ssml())
    assert "First, USSR aid." in spoken and "Second, China gave rights." in spoken


def test_a_single_point_is_read_without_an_ordinal():
    assert plain_text(Speech().say("Lead.").items(["Only point."], ORDINALS).ssml()) == (
        "Lead. Only point."
    )


def test_speech_over_alexas_limit_is_refused():
    with pytest.raises(SpeechTooLong):
        Speech().say("x" * MAX_SPEECH_CHARS).ssml()


def test_long_answers_are_split_into_parts_that_each_read_something():
    points = ["p" * 300] * 5
    parts = split_points("Lead.", points)
    assert len(parts) > 1
    assert sum(part.count for part in parts) == len(points)
    assert all(part.count >= 1 for part in parts)
    for part in parts:
        size = sum(len(p) for p in points[part.first : part.first + part.count])
        assert part.count == 1 or size <= PART_BUDGET_CHARS


def test_a_point_longer_than_the_budget_is_still_read_alone():
    parts = split_points("Lead.", ["q" * (PART_BUDGET_CHARS * 2), "short"])
    assert [(p.first, p.count) for p in parts] == [(0, 1), (1, 1)]


def test_an_answer_without_points_is_one_part():
    assert len(split_points("Just a sentence.", [])) == 1


def test_card_text_is_plain_with_bullets():
    assert card_text("Lead.", ["One", "Two"]) == "Lead.\n• One\n• Two"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_has_every_phrase_and_fills_its_fields(locale):
    dialog = dialog_for(locale)
    base = dialog_for("en-GB")
    assert dialog.keys() == base.keys()
    for key in sorted(dialog.keys()):
        for variant in dialog.variants(key):
            assert variant.strip()


def test_unknown_locale_falls_back_to_british_english():
    assert dialog_for("fr-FR").locale == "en-GB"


def test_lists_are_joined_as_speech():
    dialog = dialog_for("en-GB")
    assert dialog.join(["a", "b", "c"]) == "a, b and c"
    assert dialog.join(["a", "b"], "or") == "a or b"
    assert dialog.join(["a"]) == "a"


def test_only_our_own_ssml_is_trusted_again():
    from skill.speech import is_own_ssml

    assert is_own_ssml(Speech().say("Fish & chips?").pause().say("Yes.").ssml())
    assert not is_own_ssml("<speak>Q & A < b</speak>")  # does not parse
    assert not is_own_ssml('<speak><audio src="https://example.org/x.mp3"/></speak>')
    assert not is_own_ssml("<speak>" + "x" * MAX_SPEECH_CHARS + "</speak>")
    assert not is_own_ssml("<p>not speak</p>")


def test_slower_speech_is_the_same_words_at_a_slower_rate():
    ssml = Speech().say("The loan was 300 million dollars & more.").pause().say("Next?").ssml()
    slow = slowed(ssml)
    assert parses(slow).find("prosody").get("rate") == "slow"
    assert plain_text(slow) == plain_text(ssml)
    assert is_own_ssml(slow)  # so "repeat" after "slower" still replays it
    assert slowed(slow) == slow  # asking twice does not nest


def test_slower_speech_stays_inside_alexas_limit():
    with pytest.raises(SpeechTooLong):
        slowed("<speak>" + "a" * (MAX_SPEECH_CHARS - 20) + "</speak>")


def test_points_that_are_not_a_list_go_on_from_the_lead_without_ordinals():
    speech = Speech().say("Mao distrusted Stalin.").sentences(["During the war, he overcharged."])
    spoken = plain_text(speech.ssml())
    assert spoken == "Mao distrusted Stalin. During the war, he overcharged."


@pytest.mark.parametrize(
    "ssml",
    [
        '<!DOCTYPE speak [<!ENTITY e "boom">]><speak>&e;</speak>',
        '<?xml version="1.0"?><speak>Hi</speak>',
    ],
)
def test_ssml_with_a_dtd_or_processing_instruction_is_not_our_own(ssml):
    assert not is_own_ssml(ssml)


def test_a_dialog_key_is_recognised_in_speech_by_the_text_before_its_fields():
    dialog = dialog_for("en-GB")
    spoken = dialog.text("the_answer_is", answer="the Soviet loan")
    assert dialog.said(f"Not quite. {spoken} Next?", "the_answer_is")
    assert not dialog.said("Not quite.", "the_answer_is")
