"""Measure quiz marking on an answer set: python -m skill.tools.eval_marking [PATH].

The set is JSON as in shared/eval/spoken_answers.json: for each fact id, "right" answers that must
be marked correct and "wrong" answers that must not be. Each answer is marked against the quiz
item that asks about the fact: its first short item, or its first item when it has no short one.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from skill.content import Content, ItemKind, QuizItem, load_content
from skill.marking import mark
from skill.tools import PROJECT_DIR

DEFAULT_ANSWERS = PROJECT_DIR / "eval" / "spoken_answers.json"

RIGHT_TARGET = 0.95
WRONG_TARGET = 0.98


@dataclass(frozen=True)
class Case:
    """One answer of the set, with the item it is marked against."""

    fact: str
    item: QuizItem
    said: str
    right: bool  # whether the answer should be marked correct


def item_for(content: Content, fact: str) -> QuizItem:
    """The item an answer about a fact is marked against: the fact's first short item, else its
    first item (short items ask about one fact; choice and multi items may ask about several)."""
    items = [item for item in content.items if fact in item.facts]
    if not items:
        raise ValueError(f"no quiz item tests {fact}")
    shorts = [item for item in items if item.kind is ItemKind.SHORT]
    return (shorts or items)[0]


def cases(answers_path: str | Path, content: Content) -> list[Case]:
    """Every answer of the set, right ones first within each fact."""
    facts = json.loads(Path(answers_path).read_text(encoding="utf-8"))["facts"]
    out: list[Case] = []
    for fact, answers in facts.items():
        item = item_for(content, fact)
        out += [Case(fact, item, said, True) for said in answers["right"]]
        out += [Case(fact, item, said, False) for said in answers["wrong"]]
    return out


@dataclass
class Report:
    """How marking did on one answer set."""

    right: int = 0
    accepted: int = 0
    wrong: int = 0
    rejected: int = 0
    failures: dict[str, list[str]] = field(default_factory=dict)  # fact -> lines to read

    @property
    def accepted_share(self) -> float:
        return self.accepted / self.right if self.right else 1.0

    @property
    def rejected_share(self) -> float:
        return self.rejected / self.wrong if self.wrong else 1.0

    @property
    def passed(self) -> bool:
        return self.accepted_share >= RIGHT_TARGET and self.rejected_share >= WRONG_TARGET


def evaluate(answers_path: str | Path, content: Content | None = None) -> Report:
    """Mark every answer of the set and count the right ones accepted, the wrong ones rejected."""
    content = content or load_content()
    report = Report()
    for case in cases(answers_path, content):
        correct = mark(case.item, case.said, aliases=content.aliases).correct
        if case.right:
            report.right += 1
            report.accepted += correct
        else:
            report.wrong += 1
            report.rejected += not correct
        if correct is not case.right:
            verdict = "right answer rejected" if case.right else "wrong answer accepted"
            report.failures.setdefault(case.fact, []).append(
                f"{case.item.id}: {verdict}: {case.said!r}"
            )
    return report


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m skill.tools.eval_marking", description=__doc__)
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_ANSWERS)
    args = parser.parse_args(argv)
    report = evaluate(args.path)
    print(f"right accepted: {report.accepted}/{report.right} ({report.accepted_share:.1%})")
    print(f"wrong rejected: {report.rejected}/{report.wrong} ({report.rejected_share:.1%})")
    for fact, lines in report.failures.items():
        print(f"{fact}:")
        for line in lines:
            print(f"  {line}")
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
