"""`python -m skill bench`: run the benchmarks and print one table, each figure with its baseline.

python -m skill bench              full counts
python -m skill bench --quick      smaller counts
python -m skill bench --only lambda --only flask
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.report import Row, machine, render
from skill.tools.eval_matching import DEFAULT_QUESTIONS

PARTS = ("lambda", "flask", "cold", "memory", "http", "matching")
# (full, --quick) counts
TURNS = (5000, 500)
COLD_RUNS = (15, 3)
MEMORY_REQUESTS = (10_000, 2000)  # the goal is stated for 10,000
HTTP_REQUESTS = (5000, 1000)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `python -m skill bench`."""
    parser.add_argument("--quick", action="store_true", help="smaller counts")
    parser.add_argument(
        "--only", action="append", choices=PARTS, help="run only this part (repeatable)"
    )
    parser.add_argument("--turns", type=int, help="turns per request kind, path and skill")
    parser.add_argument("--cold-runs", type=int, help="fresh processes per cold start figure")
    parser.add_argument("--memory-requests", type=int, help="requests before reading peak memory")
    parser.add_argument("--http-requests", type=int, help="requests per server under load")
    parser.add_argument(
        "--questions",
        type=Path,
        default=DEFAULT_QUESTIONS if DEFAULT_QUESTIONS.exists() else None,
        help="question set for matching (default: ../shared/eval/dev_questions.json)",
    )


def _count(given: int | None, counts: tuple[int, int], quick: bool) -> int:
    return given if given is not None else counts[1 if quick else 0]


def rows(args: argparse.Namespace, progress: Callable[[str], None] = lambda _: None) -> list[Row]:
    """Every figure the arguments ask for, in the table's order."""
    from benchmarks import cold_start, http_load, matching, memory, turns
    from benchmarks.skills import http_requests

    parts = args.only or PARTS
    table: list[Row] = []
    steps: dict[str, Callable[[], list[Row]]] = {
        "lambda": lambda: turns.measure("lambda", _count(args.turns, TURNS, args.quick)),
        "flask": lambda: turns.measure("flask", _count(args.turns, TURNS, args.quick)),
        "cold": lambda: cold_start.measure(_count(args.cold_runs, COLD_RUNS, args.quick)),
        "memory": lambda: memory.measure(_count(args.memory_requests, MEMORY_REQUESTS, args.quick)),
        "http": lambda: http_load.measure(
            _count(args.http_requests, HTTP_REQUESTS, args.quick), http_requests()
        ),
        "matching": lambda: matching.measure(args.questions),
    }
    for part in PARTS:
        if part in parts:
            started = time.monotonic()
            progress(f"bench: {part}...")
            table += steps[part]()
            progress(f"bench: {part} took {time.monotonic() - started:.0f} s")
    return table


def run(args: argparse.Namespace) -> int:
    """Print the table; exit status 0 whether or not the goals are met (it is a measurement)."""
    started = time.monotonic()
    table = rows(args, lambda line: print(line, file=sys.stderr, flush=True))
    print(f"machine: {machine()}")
    print(render(table))
    print(f"\n{len(table)} figures in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return 0
