"""Quiz rules as pure code: a state goes in, a new state comes out. No SDK, no I/O.

The handlers turn these values into speech; session.py turns the state into session attributes.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from skill.content import QuizItem

if TYPE_CHECKING:  # marking is imported by the first answer: a cold start to a launch skips it
    from skill.marking import Mark

DEFAULT_QUESTIONS = 5
MAX_QUESTIONS = 10
# A question whose answer was not understood this many times in a row is moved on from, so the
# same question is never asked more than twice running.
MAX_UNCLEAR = 2


class Phase(enum.StrEnum):
    """Where a quiz is."""

    ASKING = "asking"  # a question is waiting for its answer
    CONFIRM_LEAVE = "confirm_leave"  # a revision question came mid-quiz: leave the quiz?
    FINISHED = "finished"  # the score was given; another quiz is on offer


class Outcome(enum.StrEnum):
    """How one question went."""

    RIGHT = "right"
    PARTLY = "partly"  # a multi-point answer with some of the points
    WRONG = "wrong"
    SKIPPED = "skipped"


class Given(NamedTuple):
    """One question's result."""

    item_id: str
    outcome: Outcome
    points: float  # 0..1; a hint costs the point
    hinted: bool = False


class QuizState(NamedTuple):
    """A quiz in progress."""

    phase: Phase
    item_ids: tuple[str, ...]  # the questions, in the order they are asked
    # the question being asked; the name hides tuple.index, which nothing here uses
    index: int = 0  # type: ignore[assignment]
    score: float = 0.0
    answers: tuple[Given, ...] = ()
    hinted: bool = False  # a hint was given for the current question
    leave_for: str | None = None  # CONFIRM_LEAVE: the entry id the student asked about
    unclear: int = 0  # turns in a row on this question that were not understood
    options: tuple[str, ...] = ()  # a choice question's options, in the order they were read


class Step(NamedTuple):
    """The result of answering or skipping: the new state and what to tell the student."""

    state: QuizState
    given: Given
    mark: Mark | None  # None when skipped

    @property
    def finished(self) -> bool:
        return self.state.phase is Phase.FINISHED


def question_count(requested: int | None, available: int) -> int:
    """How many questions to ask: the student's number, kept between 1 and what there is."""
    wanted = DEFAULT_QUESTIONS if requested is None else requested
    return max(1, min(wanted, MAX_QUESTIONS, available))


def choose_items(
    items: Sequence[QuizItem],
    fact_order: Sequence[str],
    count: int,
    section: str | None = None,
    rng: random.Random | None = None,
) -> tuple[str, ...]:
    """Pick `count` items, those testing the earliest facts in `fact_order` first (due and
    weakest facts come first there); one item per fact where possible, for variety. With `rng`,
    items that tie are taken in a random order, so every item gets its turn."""
    pool = [item for item in items if section is None or item.section == section] or list(items)
    if rng is not None:
        pool = rng.sample(pool, len(pool))
    return _by_priority(pool, fact_order, count)


def topped_up(
    items: Sequence[QuizItem],
    chosen: Sequence[str],
    count: int,
    section: str,
    section_order: Sequence[str],
    fact_order: Sequence[str],
) -> tuple[str, ...]:
    """A topic quiz with too few questions of its own, topped up to `count` from the nearest
    sections in teaching order (due and weakest facts first among equally near ones)."""
    where = {name: index for index, name in enumerate(section_order)}
    by_id = {item.id: item for item in items}

    def distance(item_id: str) -> int:
        return abs(where.get(by_id[item_id].section, len(where)) - where.get(section, 0))

    others = [item for item in items if item.id not in chosen and item.section != section]
    # A stable sort keeps the priority order among items equally near.
    extra = sorted(_by_priority(others, fact_order, len(others)), key=distance)
    return (*chosen, *extra[: max(0, count - len(chosen))])


def _by_priority(
    pool: Sequence[QuizItem], fact_order: Sequence[str], count: int
) -> tuple[str, ...]:
    """`count` items of the pool, those testing the earliest facts in `fact_order` first."""
    rank = {fact: position for position, fact in enumerate(fact_order)}

    def priority(item: QuizItem) -> int:
        return min((rank.get(fact, len(rank)) for fact in item.facts), default=len(rank))

    ordered = sorted(pool, key=priority)  # stable: the pool's order breaks ties
    chosen: list[QuizItem] = []
    seen_facts: set[str] = set()
    for item in ordered:
        if not seen_facts.issuperset(item.facts):
            chosen.append(item)
            seen_facts.update(item.facts)
    chosen += [item for item in ordered if item not in chosen]
    return tuple(item.id for item in chosen[:count])


def interleaved(facts_by_section: Mapping[str, Sequence[str]], rng: random.Random) -> list[str]:
    """Every fact, sections taking turns in a random order, each section's facts shuffled: a
    new student's quiz covers the topic broadly, and no two quizzes start alike."""
    queues = [rng.sample(list(facts), len(facts)) for facts in facts_by_section.values()]
    rng.shuffle(queues)
    order: list[str] = []
    while any(queues):
        for queue in queues:
            if queue:
                order.append(queue.pop())
    return list(dict.fromkeys(order))


def start(item_ids: Sequence[str]) -> QuizState:
    if not item_ids:
        raise ValueError("a quiz needs at least one question")
    return QuizState(phase=Phase.ASKING, item_ids=tuple(item_ids))


def current(state: QuizState) -> str:
    """The id of the question being asked."""
    return state.item_ids[min(state.index, len(state.item_ids) - 1)]


def number(state: QuizState) -> tuple[int, int]:
    """ "Question n of total"."""
    return min(state.index + 1, len(state.item_ids)), len(state.item_ids)


def remaining(state: QuizState) -> int:
    """Questions still to answer, counting the current one."""
    return max(0, len(state.item_ids) - state.index)


def _advance(state: QuizState, given: Given) -> QuizState:
    index = state.index + 1
    return state._replace(
        index=index,
        score=state.score + given.points,
        answers=(*state.answers, given),
        hinted=False,
        unclear=0,
        options=(),
        phase=Phase.FINISHED if index >= len(state.item_ids) else Phase.ASKING,
    )


def answer(
    state: QuizState,
    item: QuizItem,
    spoken: str,
    aliases: Mapping[str, Sequence[str]],
    subjects: Sequence[str] = (),
) -> Step:
    """Mark a spoken answer to the current question and move on. `subjects`: words the answer
    may have started with that Alexa took as the sample's carrier ("mao {answer}"). An answer
    not marked right is marked once more with the subject put back, if the item's answer says
    that subject just before the answer's first word; the better mark is kept."""
    from skill.marking import carried_subject, mark

    shown = presented(state, item)
    result = mark(shown, spoken, aliases=aliases)
    subject = None if result.correct else carried_subject(shown, spoken, subjects)
    if subject is not None:
        again = mark(shown, f"{subject} {spoken}", aliases=aliases)
        result = again if again.score > result.score else result
    if result.correct:
        outcome = Outcome.RIGHT
    elif result.score > 0:
        outcome = Outcome.PARTLY
    else:
        outcome = Outcome.WRONG
    points = 0.0 if state.hinted else result.score
    given = Given(item.id, outcome, points, state.hinted)
    return Step(_advance(state, given), given, result)


def skip(state: QuizState) -> Step:
    """ "I don't know" or "skip": no point, reveal, move on."""
    given = Given(current(state), Outcome.SKIPPED, 0.0, state.hinted)
    return Step(_advance(state, given), given, None)


def take_hint(state: QuizState) -> QuizState:
    """A hint costs the point for the current question."""
    return state._replace(hinted=True)


def ask_to_leave(state: QuizState, entry_id: str | None) -> QuizState:
    """A revision question came mid-quiz: ask before leaving, remembering what was asked."""
    return state._replace(phase=Phase.CONFIRM_LEAVE, leave_for=entry_id)


# Options read out for a choice question: the answer and this many wrong ones.
SHOWN_OPTIONS = 3


def present(state: QuizState, item: QuizItem, rng: random.Random) -> QuizState:
    """A choice question's options for this presentation: the answer and two wrong options
    drawn from the item's, in a random order, so each letter is right a third of the time."""
    wrong = rng.sample(item.wrong_options, min(SHOWN_OPTIONS - 1, len(item.wrong_options)))
    options = [item.answer, *wrong]
    rng.shuffle(options)
    return state._replace(options=tuple(options))


def presented(state: QuizState, item: QuizItem) -> QuizItem:
    """The item as this quiz shows it: a choice item with the options read out."""
    if item.options and state.options:
        return item._replace(options=state.options)
    return item


def not_understood(state: QuizState) -> QuizState:
    """One more turn on this question that could not be understood."""
    return state._replace(unclear=state.unclear + 1)


def stay(state: QuizState) -> QuizState:
    """Back to the question after deciding not to leave."""
    return state._replace(phase=Phase.ASKING, leave_for=None)


def weakest_section(state: QuizState, item_by_id: Callable[[str], QuizItem]) -> str | None:
    """The section that lost most points in this quiz, or None when nothing was lost."""
    lost: dict[str, float] = {}
    for given in state.answers:
        if given.points < 1:
            section = item_by_id(given.item_id).section
            lost[section] = lost.get(section, 0.0) + 1 - given.points
    return max(lost, key=lambda section: lost[section]) if lost else None
