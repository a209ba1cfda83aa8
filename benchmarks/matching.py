"""Matching: accuracy and time per question of the matcher, against a word-overlap matcher.

The question set is skill.tools.eval_matching's format. The baseline answers with the entry whose
questions share the most words with the question, and nothing when under half its words are
shared: what matching would be without BM25, stemming, aliases and spelling correction.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.report import Row, bound_goal, ratio_goal
from skill.content import default_content
from skill.language import normalise
from skill.matching import STOPWORDS, default_matcher
from skill.tools.eval_matching import TARGET, Answerer, Reply, evaluate, spoken_text

BASELINE_SHARE = 0.5


def word_overlap() -> Answerer:
    """The baseline answerer."""
    entries = default_content().entries
    words = [
        {w for t in (e.question, *e.asked_as, e.title) for w in normalise(t).split()} - STOPWORDS
        for e in entries
    ]

    def answer(question: str) -> Reply | None:
        asked = set(normalise(question).split()) - STOPWORDS
        if not asked:
            return None
        shared, best = max((len(asked & w), i) for i, w in enumerate(words))
        if shared < BASELINE_SHARE * len(asked):
            return None
        return Reply(spoken_text(entries[best]), entries[best].id)

    return answer


def measure(questions: Path | None) -> list[Row]:
    """Rows for the question set, or one row saying why there are none."""
    if questions is None or not questions.exists():
        note = f"not run: no question set ({questions or 'give --questions PATH'})"
        return [Row("matching: in scope answered", None, None, "%", note=note)]
    ours = evaluate(questions, default_matcher())
    base = evaluate(questions, word_overlap())
    size = ours.in_scope + ours.out_of_scope
    accuracy = bound_goal(
        Row(
            "matching: in scope answered",
            100 * ours.in_scope_share,
            100 * base.in_scope_share,
            "%",
            note=f"{questions} ({size} questions); baseline: word overlap with the entries' "
            f"questions, answering at {BASELINE_SHARE:.0%} of the words shared",
        ),
        f"≥ {TARGET:.0%}",
        lambda share: share >= 100 * TARGET,
    )
    rejected = bound_goal(
        Row(
            "matching: out of scope rejected",
            100 * ours.rejected / max(ours.out_of_scope, 1),
            100 * base.rejected / max(base.out_of_scope, 1),
            "%",
        ),
        "100%",
        lambda share: share == 100,
    )
    per_query = ratio_goal(
        "matching: time per question",
        ours.seconds_per_query * 1e6,
        base.seconds_per_query * 1e6,
        "µs",
    )
    return [accuracy, rejected, per_query]
