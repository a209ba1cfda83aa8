"""`python -m benchmarks.profile`: where a turn's time goes, through Lambda's handler.

Makes the bench's SQLite store ready in a temporary directory (benchmarks.skills.prepare),
imports skill.lambda_function with PROGRESS_STORE pointing at it, as Lambda imports it, then
runs one turn (default: the quiz answer) many times under cProfile and prints the top functions
by own time and by cumulative time.

    python -m benchmarks.profile                                # quiz answer, 2,000 turns
    python -m benchmarks.profile --turn "quiz answer, 21 facts" --turns 5000
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from benchmarks.skills import TURNS, prepare, stamped
from skill.tools.simulator import SIMULATED_SKILL_ID

TOP = 20


def profile(turn: str, count: int, top: int = TOP) -> str:
    """The report for `count` calls of `turn` through lambda_handler."""
    import logging

    from benchmarks.turns import WARM_UP, LambdaContext

    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        prepared = prepare(Path(tmp))
        os.environ.update(
            {
                "SKILL_ID": SIMULATED_SKILL_ID,
                "PROGRESS_STORE": prepared.store,
                "LOG_LEVEL": "WARNING",
            }
        )
        logging.disable(logging.WARNING)
        import skill.lambda_function as lambda_function

        handler, context = lambda_function.lambda_handler, LambdaContext()
        event = stamped(prepared.requests)[turn]
        for _ in range(WARM_UP):
            handler(event, context)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(count):
            handler(event, context)
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    print(f"{count:,} turns of {turn!r} through lambda_handler, SQLite store\n", file=out)
    print("--- by own time", file=out)
    stats.sort_stats("tottime").print_stats(top)
    print("--- by cumulative time", file=out)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__)
    parser.add_argument("--turn", choices=TURNS, default="quiz answer")
    parser.add_argument("--turns", type=int, default=2000, help="turns profiled")
    parser.add_argument("--top", type=int, default=TOP, help="functions listed")
    args = parser.parse_args(argv)
    print(profile(args.turn, args.turns, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
