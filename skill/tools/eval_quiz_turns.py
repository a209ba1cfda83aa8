"""Measure how quiz turns are understood: python -m skill.tools.eval_quiz_turns [PATH].

Each utterance of the set (shared/eval/dev_quiz_turns.json: "turns", each with "utterance" and
the label it "means") is resolved by the simulator against the interaction model, as Alexa would
mid-quiz, and taken as the quiz takes it (skill.quiz_turns.understand). Prints the share taken as
labelled, the confusion table (rows: labels, columns: taken as) and each miss.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from skill import intents
from skill.quiz_turns import Turn, understand
from skill.tools import PROJECT_DIR
from skill.tools.simulator import Simulator

DEFAULT_TURNS = PROJECT_DIR / "eval" / "dev_quiz_turns.json"
TARGET = 0.95
NOT_UNDERSTOOD = "none"


@dataclass
class Report:
    """How the turns of one set were taken."""

    total: int = 0
    right: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.right / self.total if self.total else 1.0


def taken_as(simulator: Simulator, utterance: str) -> str:
    """What the quiz takes an utterance as, resolved as Alexa would resolve it."""
    resolution = simulator.resolve(utterance)
    slot = resolution.slots.get(intents.SLOT_ANSWER) or resolution.slots.get(intents.SLOT_TOPIC)
    turn = understand(resolution.intent or "", slot.value if slot else "")
    return turn.value if turn else NOT_UNDERSTOOD


def evaluate(path: str | Path, simulator: Simulator | None = None) -> Report:
    """Take every turn of the set and count those taken as labelled."""
    simulator = simulator or Simulator()
    report = Report()
    for turn in json.loads(Path(path).read_text(encoding="utf-8"))["turns"]:
        got = taken_as(simulator, turn["utterance"])
        report.total += 1
        report.confusion[(turn["means"], got)] += 1
        if got == turn["means"]:
            report.right += 1
        else:
            report.misses.append(f"{turn['utterance']!r}: {turn['means']}, taken as {got}")
    return report


def table(report: Report) -> str:
    """The confusion table: one row per label, one column per way it was taken."""
    labels = [t.value for t in Turn]
    columns = labels + [NOT_UNDERSTOOD]
    width = max(map(len, columns)) + 1
    lines = [" " * width + "".join(c[:9].rjust(10) for c in columns)]
    for label in labels:
        counts = [report.confusion[(label, c)] for c in columns]
        if any(counts):
            lines.append(label.ljust(width) + "".join(str(n or ".").rjust(10) for n in counts))
    return "\n".join(lines)


def main(argv: Sequence[str]) -> int:
    prog = "python -m skill.tools.eval_quiz_turns"
    parser = argparse.ArgumentParser(prog=prog, description=__doc__)
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_TURNS)
    report = evaluate(parser.parse_args(argv).path)
    print(f"taken as labelled: {report.right}/{report.total} ({report.share:.1%})")
    print(table(report))
    for miss in report.misses:
        print(f"  miss: {miss}")
    return 0 if report.share >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
