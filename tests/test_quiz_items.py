"""The quiz items in content/: every fact is tested, each item is well formed, and the marker
accepts each item's own answers and rejects the letters of its wrong options."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from skill.content import ItemKind, QuizItem, Topic, load_content
from skill.marking import mark

FACTS_MD = Path(__file__).resolve().parents[1] / "eval" / "facts.md"
LETTERS = "abc"

CONTENT = load_content()
TOPICS = {topic.id: topic for topic in CONTENT.topics}
ITEMS = [(topic, item) for topic in CONTENT.topics for item in topic.quiz]


def item_id(value: object) -> str:
    return value.id if isinstance(value, QuizItem | Topic) else str(value)


def fact_ids() -> list[str]:
    return re.findall(r"^- (F\d+)\b", FACTS_MD.read_text(encoding="utf-8"), flags=re.M)


def test_every_fact_is_tested_by_a_quiz_item():
    tested = {fact for _, item in ITEMS for fact in item.facts}
    facts = fact_ids()
    assert facts, "no fact ids found in facts.md"
    assert not set(facts) - tested, f"facts without a quiz item: {sorted(set(facts) - tested)}"


def test_the_quiz_mixes_kinds():
    kinds = [item.kind for _, item in ITEMS]
    assert kinds.count(ItemKind.SHORT) >= 3
    assert kinds.count(ItemKind.CHOICE) >= 3
    assert kinds.count(ItemKind.MULTI) >= 2


@pytest.mark.parametrize("item", [i for _, i in ITEMS if i.kind is ItemKind.CHOICE], ids=item_id)
def test_choice_items_have_three_options_including_the_answer(item):
    assert len(item.options) == 3
    assert len(set(item.options)) == 3
    assert item.answer in item.options


@pytest.mark.parametrize("item", [i for _, i in ITEMS if i.kind is ItemKind.MULTI], ids=item_id)
def test_multi_items_need_no_more_points_than_they_have(item):
    assert 1 <= item.needed <= len(item.points)
    assert all(point.accept for point in item.points)


@pytest.mark.parametrize(("topic", "item"), ITEMS, ids=item_id)
def test_each_item_accepts_its_own_answer_and_aliases(topic, item):
    for said in (item.answer, *item.aliases):
        spoken = re.sub(r"[^\w\s$,']", " ", said.lower())  # as speech recognition returns it
        assert mark(item, spoken, aliases=topic.aliases).correct, f"{said!r} marked wrong"


@pytest.mark.parametrize(("topic", "item"), ITEMS, ids=item_id)
def test_each_multi_point_is_recognised_from_its_accepted_phrasings(topic, item):
    for point in item.points:
        for said in point.accept:
            result = mark(item, said.lower(), aliases=topic.aliases)
            assert point.text in result.matched_points, f"{said!r} does not give {point.text!r}"


@pytest.mark.parametrize(
    ("topic", "item"), [(t, i) for t, i in ITEMS if i.kind is ItemKind.CHOICE], ids=item_id
)
def test_choice_items_mark_letters(topic, item):
    right = item.options.index(item.answer)
    for index, letter in enumerate(LETTERS):
        result = mark(item, letter, aliases=topic.aliases)
        assert result.correct is (index == right), f"letter {letter!r}"
        wrong_text = item.options[index].lower()
        if index != right:
            assert not mark(item, wrong_text, aliases=topic.aliases).correct, wrong_text


@pytest.mark.parametrize("item", [i for _, i in ITEMS], ids=item_id)
def test_questions_are_asked_as_questions(item):
    # The quiz speaks the question last, and every open turn must end with a question.
    assert item.question.endswith("?")
