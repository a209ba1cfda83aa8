"""Measure question matching on a question set.

    python -m skill.tools.eval_matching [--spoken] [PATH]

The set is JSON as in shared/eval/dev_questions.json: "in_scope" questions, each with "expect"
groups (the spoken answer must contain one alternative of every group), "out_of_scope" questions
that must match nothing, and "forbidden_in_out_of_scope" strings no such answer may contain.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from skill.content import Entry
from skill.matching import Matcher, default_matcher
from skill.tools import PROJECT_DIR

DEFAULT_QUESTIONS = PROJECT_DIR / "eval" / "dev_questions.json"


def spoken_text(entry: Entry) -> str:
    """An entry's answer as it is compared with expectations."""
    return " ".join((entry.answer.lead, *entry.answer.points))


def _contains(text: str, expect: Sequence[Sequence[str]]) -> bool:
    """Whether text has one alternative from every expected group (no commas in numbers)."""
    text = text.lower().replace(",", "")
    return all(any(a.lower() in text for a in group) for group in expect)


class Reply(NamedTuple):
    """What the skill said to a question: its text, a label to read, and whether it answered
    (an entry's answer, with its card) or declined (a refusal or an offer, no card)."""

    text: str
    label: str
    answered: bool = True


# An answerer gives, for a question, what was said, or None when nothing was.
Answerer = Callable[[str], Reply | None]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def first_sentence(text: str) -> str:
    """The first sentence of a reply, where a listener hears what it is about."""
    return _SENTENCE_END.split(text.strip(), maxsplit=1)[0]


def by_matcher(matcher: Matcher) -> Answerer:
    """Answers as the matcher picks them: the matched entry's text."""

    def answer(question: str) -> Reply | None:
        match = matcher.match(question)
        if match is None:
            return None
        return Reply(spoken_text(match.entry), f"{match.entry.id} ({match.confidence:.2f})")

    return answer


def by_skill() -> Answerer:
    """Answers as a student hears them: each question a one-shot request through the simulator
    and the whole skill, as `python -m skill ask` sends it. A turn without a card answered
    nothing (the skill said it doesn't know, or offered a neighbouring topic)."""
    from skill.builder import create_skill
    from skill.config import Config
    from skill.progress_store import MemoryPersistenceAdapter
    from skill.tools.simulator import Conversation, InProcess, Simulator

    skill = create_skill(
        Config(progress_store="memory://"), progress_store=MemoryPersistenceAdapter()
    )
    simulator = Simulator()

    def answer(question: str) -> Reply | None:
        turn = Conversation(InProcess(skill), simulator).say(question)
        if turn.card is None:
            return Reply(turn.speech, f"{turn.intent}, no answer", answered=False)
        return Reply(turn.speech, f"{turn.intent}: {turn.card['title']}")

    return answer


@dataclass
class Report:
    """How the answers did on one question set."""

    in_scope: int = 0
    answered: int = 0
    out_of_scope: int = 0
    rejected: int = 0
    misses: list[str] = field(default_factory=list)  # one line per failure, for reading
    seconds_per_query: float = 0.0
    # kind -> [right, asked] for in-scope questions; kind -> [leaked, asked] for off-topic ones
    by_kind: dict[str, list[int]] = field(default_factory=dict)
    leaks_by_kind: dict[str, list[int]] = field(default_factory=dict)

    @property
    def in_scope_share(self) -> float:
        return self.answered / self.in_scope if self.in_scope else 1.0

    @property
    def passed(self) -> bool:
        return (
            self.in_scope_share >= TARGET
            and self.rejected == self.out_of_scope
            and all(right >= KIND_TARGET * asked for right, asked in self.by_kind.values())
        )

    def kind_share(self, kind: str) -> float:
        right, asked = self.by_kind[kind]
        return right / asked if asked else 1.0


TARGET = 0.95
KIND_TARGET = 0.9
# Questions of the first development set carry no kind.
UNTAGGED = "original"


def _tally(table: dict[str, list[int]], kind: str, hit: bool) -> None:
    counts = table.setdefault(kind, [0, 0])
    counts[0] += hit
    counts[1] += 1


def evaluate(questions_path: str | Path, answerer: Answerer | Matcher | None = None) -> Report:
    """Run every question of the set and count what was answered right and rejected."""
    if answerer is None or isinstance(answerer, Matcher):
        answerer = by_matcher(answerer or default_matcher())
    data = json.loads(Path(questions_path).read_text(encoding="utf-8"))
    forbidden = [f.lower() for f in data.get("forbidden_in_out_of_scope", [])]
    off_topic_kinds = data.get("out_of_scope_kinds", {})
    report = Report()
    started = time.perf_counter()
    for case in data["in_scope"]:
        got = answerer(case["q"])
        report.in_scope += 1
        right = got is not None and got.answered and _contains(got.text, case["expect"])
        _tally(report.by_kind, case.get("kind", UNTAGGED), right)
        if right:
            report.answered += 1
        else:
            label = got.label if got else "nothing"
            report.misses.append(f"in scope: {case['q']!r} -> {label}, expected {case['expect']}")
    for question in data["out_of_scope"]:
        got = answerer(question)
        report.out_of_scope += 1
        # A leak: an answer with a card, or the topic's facts in the first thing heard.
        opening = first_sentence(got.text).lower() if got else ""
        said = [f for f in forbidden if f in (got.text.lower() if got else "")]
        leaked = got is not None and (got.answered or any(f in opening for f in forbidden))
        _tally(report.leaks_by_kind, off_topic_kinds.get(question, UNTAGGED), leaked)
        if not leaked:
            report.rejected += 1
            continue
        assert got is not None
        report.misses.append(
            f"out of scope: {question!r} -> {got.label}" + (f", saying {said}" if said else "")
        )
    queries = report.in_scope + report.out_of_scope
    report.seconds_per_query = (time.perf_counter() - started) / max(queries, 1)
    return report


def main(argv: Sequence[str]) -> int:
    prog = "python -m skill.tools.eval_matching"
    parser = argparse.ArgumentParser(prog=prog, description=__doc__)
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument(
        "--spoken",
        action="store_true",
        help="ask each question through the simulator and the whole skill, and judge the speech",
    )
    args = parser.parse_args(argv)
    # Built before timing starts.
    answerer = by_skill() if args.spoken else by_matcher(default_matcher())
    report = evaluate(args.path, answerer)
    print(f"in scope: {report.answered}/{report.in_scope} ({report.in_scope_share:.1%}) answered")
    print(f"out of scope: {report.rejected}/{report.out_of_scope} rejected")
    for kind, (right, asked) in sorted(report.by_kind.items()):
        print(f"  {kind}: {right}/{asked} ({right / asked:.0%})")
    for kind, (leaked, asked) in sorted(report.leaks_by_kind.items()):
        print(f"  off topic, {kind}: {leaked} of {asked} answered")
    print(f"time per question: {report.seconds_per_query * 1e6:.0f} microseconds")
    for miss in report.misses:
        print(f"  miss: {miss}")
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
