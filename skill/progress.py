"""A student's learning progress per fact, and when each fact is due again: pure code, no I/O.

Scheduling is FSRS (the `fsrs` library). A right answer is rated Good; a wrong or skipped answer
Again; a right answer given after a hint Hard, since the student recalled the fact only in part.
Persistence keeps only what `Progress.to_dict` returns: fact ids, counts, times and FSRS card state.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any, NamedTuple, cast

FORMAT_VERSION = 1


# A missed fact comes back ten minutes later: in this revision session if it runs on, otherwise
# first thing next time. A fact answered right once is checked again the next day, after sleep;
# asked again sooner and answered right, it graduates to FSRS's own intervals. No fact is left
# unasked for more than two months, because the exam, not long-term memory, is the goal.
@functools.cache
def scheduler() -> Any:  # fsrs.Scheduler, imported when a fact is first scheduled
    from fsrs import Scheduler

    return Scheduler(
        learning_steps=(timedelta(minutes=10), timedelta(days=1)),
        relearning_steps=(timedelta(minutes=10),),
        maximum_interval=60,
        enable_fuzzing=False,  # deterministic: the same answers give the same plan
    )


# Predicted chance of recall a fact needs to count as secure; a little below the scheduler's
# target of 0.9, so a fact stays secure for a while after it falls due.
SECURE_RECALL = 0.8


# The key of a student's progress in the stored document (other keys belong to the skill).
PROGRESS_KEY = "progress"


@dataclass(frozen=True)
class FactRecord:
    """What one student has shown about one fact."""

    fact: str  # fact id, e.g. "F7"
    card: Mapping[str, Any]  # FSRS card state, as `fsrs.Card.to_dict()` gives it
    last_asked: datetime  # UTC
    last_right: bool  # the last answer was right without a hint
    right: int  # answers right without a hint
    wrong: int  # answers wrong, skipped, or right only after a hint

    @property
    def due(self) -> datetime:
        """When the fact should be asked again (UTC)."""
        return datetime.fromisoformat(self.card["due"])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict; the fact id is the key it is stored under."""
        stored = self._stored
        return {**stored, "card": dict(stored["card"])}  # a copy the caller may change

    @functools.cached_property
    def _stored(self) -> Mapping[str, Any]:
        # Worked out once per record: a progress document is written out on every answer,
        # and all but one of its records are the ones read in.
        return _stored_record(
            dict(self.card), self.last_asked.isoformat(), self.last_right, self.right, self.wrong
        )


def _stored_record(
    card: Mapping[str, Any], last_asked: str, last_right: bool, right: int, wrong: int
) -> dict[str, Any]:
    """A record as it is written out (FactRecord._stored), the card as given."""
    return {
        "card": card,
        "last_asked": last_asked,
        "last_right": last_right,
        "right": right,
        "wrong": wrong,
    }


@dataclass(frozen=True)
class Progress:
    """One student's records, by fact id."""

    facts: Mapping[str, FactRecord] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A read-only copy, so that a Progress cannot change under whoever holds it.
        object.__setattr__(self, "facts", MappingProxyType(dict(self.facts)))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict for persistence."""
        return {
            "version": FORMAT_VERSION,
            "facts": {fact: record.to_dict() for fact, record in self.facts.items()},
        }

    def stored_form(self) -> Mapping[str, Any]:
        """`to_dict` without copying each record's dict: to be written out, never changed."""
        return {
            "version": FORMAT_VERSION,
            "facts": {fact: record._stored for fact, record in self.facts.items()},
        }

    @classmethod
    def from_dict(cls, data: object) -> Progress:
        """Read `to_dict` output; a record that is malformed in any way is dropped, never raised."""
        facts = data.get("facts") if isinstance(data, Mapping) else None
        if not isinstance(facts, Mapping):
            return cls()
        records = (_record_from_dict(fact, value) for fact, value in facts.items())
        return cls({record.fact: record for record in records if record is not None})

    @classmethod
    def of(cls, value: object) -> Progress:
        """Progress from what a store holds: a Progress, a StoredProgress (already read), or
        `to_dict` output (read now)."""
        if isinstance(value, Progress):
            return value
        if isinstance(value, StoredProgress):
            return value.progress
        return cls.from_dict(value)


class StoredProgress(dict[str, Any]):
    """Progress as a store hands it over: the `to_dict` form (so a document read equals the
    document saved), carrying the Progress it was read into, so no one reads it again."""

    def __init__(self, progress: Progress) -> None:
        super().__init__(progress.to_dict())
        self.progress = progress


def record_answer(
    progress: Progress,
    fact_ids: Iterable[str],
    correct: bool,
    now: datetime,
    *,
    hint: bool = False,
) -> Progress:
    """Progress after one answer that tested `fact_ids`; `hint` if a hint was given first."""
    from fsrs import Card, Rating

    now = _utc(now)
    if not correct:
        rating = Rating.Again
    elif hint:
        rating = Rating.Hard
    else:
        rating = Rating.Good
    unaided_right = correct and not hint
    asked = now.isoformat()  # the records' stored time, written once for all of them
    facts = dict(progress.facts)
    # The facts an item tests are mostly asked together, so their cards are often the same:
    # each distinct card is reviewed once (the same card, rating and time give the same card).
    reviewed: dict[tuple[tuple[str, Any], ...] | None, Mapping[str, Any]] = {}
    for fact in dict.fromkeys(fact_ids):
        old = facts.get(fact)
        key = tuple(old.card.items()) if old else None
        card = reviewed.get(key)
        if card is None:
            before = Card.from_dict(cast(Any, old.card)) if old else Card(card_id=0, due=now)
            card = reviewed[key] = scheduler().review_card(before, rating, now)[0].to_dict()
        right = (old.right if old else 0) + unaided_right
        wrong = (old.wrong if old else 0) + (not unaided_right)
        record = facts[fact] = FactRecord(fact, card, now, unaided_right, right, wrong)
        # Its stored form made here, as _stored would make it (the card shared: neither is
        # ever changed): the answer is saved next, and every record of it shares the time.
        record.__dict__["_stored"] = _stored_record(card, asked, unaided_right, right, wrong)
    return Progress(facts)


# Once a student has history, a quiz leads with what is due or was missed, with this many facts
# never asked mixed in, one after every second fact, so revision and new learning go together.
NEW_MIXED_IN = 2


def order_for_quiz(progress: Progress, fact_ids: Sequence[str], now: datetime) -> list[str]:
    """`fact_ids` in the order to ask them.

    With no history, the given order (the caller shuffles it). With history: first the due facts
    last answered wrong, so what was missed last time is asked first, then the other due facts,
    most overdue first, with a new fact or two mixed in; then the other facts never asked, in
    the given order; then those not yet due, soonest first. Ties keep the given order.
    """
    now = _utc(now)
    missed: list[str] = []
    due: list[tuple[float, str]] = []
    new: list[str] = []
    later: list[tuple[float, str]] = []
    for fact in dict.fromkeys(fact_ids):
        record = progress.facts.get(fact)
        if record is None:
            new.append(fact)
            continue
        overdue = (now - record.due).total_seconds()
        if overdue < 0:
            later.append((-overdue, fact))
        elif record.last_right:
            due.append((-overdue, fact))
        else:
            missed.append(fact)
    spine = missed + [fact for _, fact in sorted(due, key=lambda pair: pair[0])]
    mixed, rest = new[:NEW_MIXED_IN], new[NEW_MIXED_IN:]
    order: list[str] = []
    for position, fact in enumerate(spine, start=1):
        order.append(fact)
        if position % 2 == 0 and mixed:
            order.append(mixed.pop(0))
    return order + mixed + rest + [fact for _, fact in sorted(later, key=lambda pair: pair[0])]


def is_secure(record: FactRecord, now: datetime) -> bool:
    """Whether the student has this fact: see the rule below."""
    # Secure: the last answer was right without a hint, there were at least two such answers,
    # FSRS has graduated the card out of its learning steps (State.Review), and its predicted
    # recall now is at least SECURE_RECALL. Recall decays, so an unrevised fact stops being
    # secure some time after it falls due.
    if not (record.last_right and record.right >= 2):
        return False
    from fsrs import Card, State

    card = Card.from_dict(cast(Any, record.card))
    if card.state != State.Review:
        return False
    return scheduler().get_card_retrievability(card, _utc(now)) >= SECURE_RECALL


class Summary(NamedTuple):
    """How far a student has got, for "how am I doing?"."""

    secure: int  # facts that are secure now
    total: int  # facts in all sections
    weakest_section: str | None  # where most facts were last answered wrong; None if nowhere
    learning: int = 0  # facts asked but not secure yet
    untried: int = 0  # facts never asked


def summarise(progress: Progress, sections: Mapping[str, Sequence[str]], now: datetime) -> Summary:
    """Count secure, learning and untried facts, and find the weakest section on evidence.

    The weakest section is the one with the largest share of its asked facts last answered
    wrong; between equals, the one practised least (fewest answers). With no fact last
    answered wrong, nothing stands out and there is none."""
    now = _utc(now)
    all_facts = dict.fromkeys(fact for facts in sections.values() for fact in facts)
    secure = {fact for fact in all_facts if _secure_fact(progress, fact, now)}
    asked = {fact for fact in all_facts if fact in progress.facts}
    weakest: str | None = None
    weakest_key = (0.0, 0)
    for section, facts in sections.items():
        records = [progress.facts[f] for f in set(facts) if f in progress.facts]
        missed = sum(not record.last_right for record in records)
        if not missed:
            continue
        answers = sum(record.right + record.wrong for record in records)
        key = (missed / len(records), -answers)
        if weakest is None or key > weakest_key:
            weakest, weakest_key = section, key
    return Summary(
        secure=len(secure),
        total=len(all_facts),
        weakest_section=weakest,
        learning=len(asked - secure),
        untried=len(all_facts) - len(asked),
    )


def merge(stored: Progress, incoming: Progress) -> Progress:
    """Combine two writers' progress: per fact the later `last_asked` wins, incoming on a tie."""
    facts = dict(stored.facts)
    for fact, record in incoming.facts.items():
        old = facts.get(fact)
        if old is None or record.last_asked >= old.last_asked:
            facts[fact] = record
    return Progress(facts)


def _secure_fact(progress: Progress, fact: str, now: datetime) -> bool:
    record = progress.facts.get(fact)
    return record is not None and is_secure(record, now)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is UTC:
        return moment
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("times must be timezone-aware")
    # fsrs accepts only datetime.UTC itself, not other zones at offset zero.
    return moment.astimezone(UTC)


def _record_from_dict(fact: object, data: object) -> FactRecord | None:
    """A record from stored data, or None if anything about it is wrong."""
    if not (isinstance(fact, str) and fact and isinstance(data, Mapping)):
        return None
    right, wrong, last_right = data.get("right"), data.get("wrong"), data.get("last_right")
    if not (_is_count(right) and _is_count(wrong) and isinstance(last_right, bool)):
        return None
    last_asked = _parse_time(data.get("last_asked"))
    card = _card_from_dict(data.get("card"))
    if last_asked is None or card is None:
        return None
    return FactRecord(fact, card, last_asked, last_right, cast(int, right), cast(int, wrong))


def _card_from_dict(data: object) -> dict[str, Any] | None:
    """A card dict that fsrs can review without failing, or None."""
    from fsrs import Card, State

    if not isinstance(data, Mapping):
        return None
    card_id, step = data.get("card_id"), data.get("step")
    stability, difficulty = data.get("stability"), data.get("difficulty")
    try:
        state = State(cast(int, data.get("state")))
    except (TypeError, ValueError):
        return None
    due, last_review = _parse_time(data.get("due")), _parse_time(data.get("last_review"))
    if not _is_count(card_id) or due is None:
        return None
    if data.get("last_review") is not None and last_review is None:
        return None
    # fsrs's own invariants: Learning and Relearning cards have a step, Review cards none;
    # only a Learning card not yet reviewed lacks a stability and a difficulty.
    if (step is None) != (state == State.Review) or not (step is None or _is_count(step)):
        return None
    if stability is None and difficulty is None:
        if state != State.Learning:
            return None
    elif _is_positive(stability) and _is_positive(difficulty):
        stability, difficulty = float(cast(float, stability)), float(cast(float, difficulty))
    else:
        return None
    card = Card(card_id, state, step, stability, difficulty, due, last_review)
    return dict(card.to_dict())


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_positive(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )


def _parse_time(value: object) -> datetime | None:
    """A UTC datetime from an ISO string with an offset, or None."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None or moment.utcoffset() is None:
            return None
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):  # not ISO, or out of range once moved to UTC
        return None
