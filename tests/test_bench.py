"""`python -m skill bench` runs end to end with tiny counts and prints every figure.

Not a timed test: nothing here asserts on speed, only that each benchmark ran and reported.
"""

from __future__ import annotations

import json

import pytest

from benchmarks.report import Row, percentile, render
from skill.__main__ import main

TURN_ROWS = tuple(
    f"{path}: {turn}, {figure}"
    for path in ("lambda", "flask")
    for turn in ("launch", "question", "quiz answer", "quiz answer, 21 facts", "help")
    for figure in ("median", "p99")
)
ROWS = (
    *TURN_ROWS,
    "cold start: import handler, saved index",
    "cold start: import handler, no saved index",
    "cold start: import and answer a launch",
    "memory: peak after 20 requests",
    "memory: peak after 20 requests, verified",
    "http: throughput, verified",
    "http: latency, median",
    "http: latency, p99",
    "http: failed requests",
    "matching: in scope answered",
    "matching: out of scope rejected",
    "matching: time per question",
)


@pytest.fixture
def questions(tmp_path):
    path = tmp_path / "questions.json"
    path.write_text(
        json.dumps(
            {
                "in_scope": [
                    {"q": "what were the terms of the treaty of friendship", "expect": [["treaty"]]}
                ],
                "out_of_scope": ["what is the capital of france"],
            }
        )
    )
    return path


def test_bench_prints_every_figure_with_its_baseline(capsys, questions):
    status = main(
        [
            *("bench", "--turns", "20", "--cold-runs", "1", "--memory-requests", "20"),
            *("--http-requests", "40", "--questions", str(questions)),
        ]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert out.startswith("machine: ") and "Python 3." in out
    lines = {line.split("  ")[0]: line for line in out.splitlines()}
    for row in ROWS:
        assert row in lines, f"missing row {row!r} in:\n{out}"
        assert "not run" not in lines[row], lines[row]
    assert lines["http: failed requests"].split()[3:5] == ["0", "0"]  # on either server
    for row in TURN_ROWS:  # each beside both hello worlds, with both ratios
        assert len(lines[row].split("µs")) == 4, lines[row]


def test_only_runs_the_parts_asked_for(capsys, questions):
    assert main(["bench", "--only", "matching", "--questions", str(questions)]) == 0
    out = capsys.readouterr().out
    assert "matching: in scope answered" in out and "lambda:" not in out and "flask:" not in out


def test_table_shows_ratio_goal_and_missing_figures():
    table = render(
        [
            Row("a", 2.0, 1.0, "ms", goal="ratio ≤ 1.3", met=False),
            Row("b", None, None, "MB", note="not run: why"),
        ]
    )
    assert "2.00" in table and "MISSED" in table
    assert "not run" in table and "b: not run: why" in table


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 0.99) == 99
    assert percentile(values, 0.5) == 50
    assert percentile([7.0], 0.99) == 7.0
