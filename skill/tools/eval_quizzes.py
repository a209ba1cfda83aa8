"""Measure how quizzes are chosen and asked: python -m skill.tools.eval_quizzes [--students N].

Each of N new students (an opaque simulated user id each, progress in memory) asks for a quiz
and answers every question right. Prints how often each letter was the right one of a choice
question, how many different first questions there were, and how many of the items were asked.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from skill import intents
from skill.content import ItemKind, QuizItem, default_content

LETTERS = "abc"


@dataclass
class Report:
    """What N new students' quizzes asked."""

    letters: Counter[str] = field(default_factory=Counter)  # the right option's letter
    first_questions: set[str] = field(default_factory=set)
    asked: set[str] = field(default_factory=set)

    def letter_share(self, letter: str) -> float:
        total = sum(self.letters.values())
        return self.letters[letter] / total if total else 0.0


def right_answer(item: QuizItem) -> str:
    """An answer that is right for the item: its answer, or enough of its points."""
    if item.kind is ItemKind.MULTI:
        return " and ".join(point.accept[0] for point in item.points[: item.needed])
    return item.answer


def evaluate(students: int, rng: random.Random | None = None) -> Report:
    """Run one quiz for each of `students` new students (`rng` fixes the draws, for tests)."""
    from skill.builder import create_skill
    from skill.config import Config
    from skill.progress_store import MemoryPersistenceAdapter
    from skill.tools.simulator import Conversation, InProcess, Simulator

    content = default_content()
    skill = create_skill(
        Config(progress_store="memory://"), progress_store=MemoryPersistenceAdapter(), rng=rng
    )
    report = Report()
    for student in range(students):
        user = f"amzn1.ask.account.EVAL-STUDENT-{student}"
        talk = Conversation(InProcess(skill), Simulator(user_id=user))
        talk.launch()
        turn = talk.say("quiz me")
        quiz = turn.session_attributes["state"]["quiz"]
        report.first_questions.add(quiz["items"][0])
        while quiz["phase"] == "asking":
            item = content.item(quiz["items"][quiz["index"]])
            report.asked.add(item.id)
            if item.kind is ItemKind.CHOICE:
                report.letters[LETTERS[quiz["options"].index(item.answer)]] += 1
            turn = talk.intent(intents.ANSWER, answer=right_answer(item))
            quiz = turn.session_attributes["state"]["quiz"]
    return report


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m skill.tools.eval_quizzes", description=__doc__)
    parser.add_argument("--students", type=int, default=300)
    args = parser.parse_args(argv)
    report = evaluate(args.students)
    items = default_content().items
    total = sum(report.letters.values())
    for letter in LETTERS:
        share = report.letter_share(letter)
        print(f"right letter {letter.upper()}: {report.letters[letter]}/{total} ({share:.0%})")
    print(f"different first questions: {len(report.first_questions)} of {len(items)} items")
    print(f"items asked at least once: {len(report.asked)} of {len(items)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
