"""In-process turn cost: the skill against ask-sdk-core's hello world, on the same four requests.

A turn is what the endpoint and Lambda do per request: JSON text in, the SDK's deserialisation
into a RequestEnvelope, `skill.invoke`, the SDK's serialisation, JSON text out. The skill uses
the memory progress store, so the figure is the skill's own work, not disk I/O. The two skills
are timed in alternating rounds, so that a busy moment of the machine falls on both.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from benchmarks.report import Row, bound_goal, median, percentile, ratio_goal
from benchmarks.skills import TURNS, Turn, bodies, envelopes, hello_world_skill, our_skill

RATIO_GOAL = 1.3
P99_GOAL_MS = 5.0
ROUNDS = 10
WARM_UP = 50


def _times(turn: Callable[[str], str], body: str, count: int) -> list[float]:
    """Seconds per turn, `count` turns."""
    clock = time.perf_counter
    times = []
    for _ in range(count):
        started = clock()
        turn(body)
        times.append(clock() - started)
    return times


def measure(count: int) -> list[Row]:
    """Median and p99 per request kind, `count` turns of each skill for each kind."""
    skill = our_skill("memory://")
    requests = bodies(envelopes(skill))
    ours, hello = Turn(skill), Turn(hello_world_skill())
    per_round = max(1, count // ROUNDS)
    rows = []
    for name in TURNS:
        body = requests[name]
        _times(ours, body, WARM_UP), _times(hello, body, WARM_UP)
        mine: list[float] = []
        base: list[float] = []
        for _ in range(max(1, count // per_round)):
            mine += _times(ours, body, per_round)
            base += _times(hello, body, per_round)
        us = 1e6
        rows.append(
            ratio_goal(
                f"turn: {name}, median",
                median(mine) * us,
                median(base) * us,
                "µs",
                at_most=RATIO_GOAL,
            )
        )
        p99 = ratio_goal(f"turn: {name}, p99", percentile(mine, 0.99) * us, None, "µs")
        p99 = Row(**{**vars(p99), "baseline": percentile(base, 0.99) * us})
        rows.append(bound_goal(p99, f"< {P99_GOAL_MS:g} ms", lambda v: v < P99_GOAL_MS * 1000))
    first = rows[0]
    rows[0] = Row(
        **{
            **vars(first),
            "note": f"{count} turns per request kind; memory progress store; baseline: "
            "ask-sdk-core hello world (launch, help, any intent), same envelopes",
        }
    )
    return rows
