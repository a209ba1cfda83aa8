"""Measure question matching on a question set: python -m skill.eval_matching [PATH].

The set is JSON as in shared/eval/dev_questions.json: "in_scope" questions, each with "expect"
groups (the spoken answer must contain one alternative of every group), "out_of_scope" questions
that must match nothing, and "forbidden_in_out_of_scope" strings no such answer may contain.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from skill.content import Entry
from skill.matching import Matcher, default_matcher

DEFAULT_QUESTIONS = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev_questions.json"


def spoken_text(entry: Entry) -> str:
    """An entry's answer as it is compared with expectations: lowercase, no commas in numbers."""
    return " ".join((entry.answer.lead, *entry.answer.points)).lower().replace(",", "")


def answers(entry: Entry | None, expect: Sequence[Sequence[str]]) -> bool:
    """Whether an entry's answer contains one alternative from every expected group."""
    text = spoken_text(entry) if entry else ""
    return entry is not None and all(any(a.lower() in text for a in group) for group in expect)


@dataclass
class Report:
    """How a matcher did on one question set."""

    in_scope: int = 0
    answered: int = 0
    out_of_scope: int = 0
    rejected: int = 0
    misses: list[str] = field(default_factory=list)  # one line per failure, for reading
    seconds_per_query: float = 0.0

    @property
    def in_scope_share(self) -> float:
        return self.answered / self.in_scope if self.in_scope else 1.0


def evaluate(questions_path: str | Path, matcher: Matcher | None = None) -> Report:
    """Run every question of the set through the matcher and count what it got right."""
    matcher = matcher or default_matcher()
    data = json.loads(Path(questions_path).read_text(encoding="utf-8"))
    forbidden = [f.lower() for f in data.get("forbidden_in_out_of_scope", [])]
    report = Report()
    started = time.perf_counter()
    for case in data["in_scope"]:
        match = matcher.match(case["q"])
        report.in_scope += 1
        if answers(match.entry if match else None, case["expect"]):
            report.answered += 1
        else:
            got = f"{match.entry.id} ({match.confidence:.2f})" if match else "nothing"
            report.misses.append(f"in scope: {case['q']!r} -> {got}, expected {case['expect']}")
    for question in data["out_of_scope"]:
        match = matcher.match(question)
        report.out_of_scope += 1
        if match is None:
            report.rejected += 1
            continue
        said = [f for f in forbidden if f in spoken_text(match.entry)]
        report.misses.append(
            f"out of scope: {question!r} -> {match.entry.id} ({match.confidence:.2f})"
            + (f", saying {said}" if said else "")
        )
    queries = report.in_scope + report.out_of_scope
    report.seconds_per_query = (time.perf_counter() - started) / max(queries, 1)
    return report


def main(argv: Sequence[str]) -> int:
    path = Path(argv[0]) if argv else DEFAULT_QUESTIONS
    matcher = default_matcher()  # built before timing starts
    report = evaluate(path, matcher)
    print(f"in scope: {report.answered}/{report.in_scope} ({report.in_scope_share:.1%}) answered")
    print(f"out of scope: {report.rejected}/{report.out_of_scope} rejected")
    print(f"time per question: {report.seconds_per_query * 1e6:.0f} microseconds")
    for miss in report.misses:
        print(f"  miss: {miss}")
    return 0 if report.in_scope_share >= 0.95 and report.rejected == report.out_of_scope else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
