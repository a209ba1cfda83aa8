"""Cold start: importing the Lambda handler (which builds the skill: content, matching index)
against importing ask-sdk-core and flask alone, each in fresh interpreters.

Each run is a new `python -c` process timing its own imports with perf_counter, so interpreter
start-up (the same for both) is left out. One run of each is made first and discarded, so that
both find their bytecode compiled and their files in the page cache.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from benchmarks.report import Row, median, ratio_goal, run_for_json
from skill.tools.simulator import SIMULATED_SKILL_ID

ROOT = Path(__file__).resolve().parent.parent
RATIO_GOAL = 1.5

_TIMED = """\
import time
started = time.perf_counter()
{imports}
print(time.perf_counter() - started)
"""
SKILL_IMPORTS = "import skill.lambda_function"
BASELINE_IMPORTS = "import ask_sdk_core.skill_builder, ask_sdk_core.serialize, flask"


def _environment() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PROGRESS_STORE": "memory://",
        "SKILL_ID": SIMULATED_SKILL_ID,
        "LOG_LEVEL": "WARNING",
    }


def time_imports(imports: str) -> float:
    """Seconds a fresh interpreter takes to run `imports`."""
    seconds = run_for_json(
        [sys.executable, "-c", _TIMED.format(imports=imports)],
        cwd=ROOT,
        env=_environment(),
        timeout=120,
        what="cold start run",
    )
    return float(seconds)


def measure(runs: int) -> list[Row]:
    """Median over `runs` fresh processes each, alternating skill and baseline."""
    time_imports(SKILL_IMPORTS), time_imports(BASELINE_IMPORTS)
    ours, base = [], []
    for _ in range(runs):
        ours.append(time_imports(SKILL_IMPORTS))
        base.append(time_imports(BASELINE_IMPORTS))
    return [
        ratio_goal(
            "cold start: import handler + build",
            median(ours) * 1000,
            median(base) * 1000,
            "ms",
            at_most=RATIO_GOAL,
            note=f"median of {runs} fresh processes; `{SKILL_IMPORTS}` (memory store) "
            f"against `{BASELINE_IMPORTS}`",
        )
    ]
