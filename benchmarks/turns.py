"""Turn cost, through Lambda's handler and through the Flask app, against two hello worlds.

Each path runs in a fresh process (`python -m benchmarks.turns lambda|flask ...`) whose
environment is what the deployed skill has: SKILL_ID, and PROGRESS_STORE naming a SQLite file
made ready by benchmarks.skills.prepare (one returning student has all 21 facts).

lambda  `skill.lambda_function.lambda_handler(event, context)`, imported as Lambda imports it,
        the event a dict; against `SkillBuilder.lambda_handler()` of ask-sdk-core's hello world
        as the sample is written (DefaultSerializer, a CustomSkill per event), and against the
        hello world behind our own handler (`handler_for`, skill/serializer.py's FastSerializer).
flask   a WSGI call into `skill.app.create_app()` with verification off (a prepared environ,
        the body read from wsgi.input, the response iterated), as gunicorn calls it; against a
        bare Flask + ask-sdk-core hello world app (benchmarks/hello.py) with DefaultSerializer,
        and the same app on FastSerializer.

The three are timed in alternating rounds (the order turning each round), so a busy moment of
the machine falls on all of them. Figures are medians and p99s in microseconds.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from benchmarks.report import Row, bound_goal, median, percentile, ratio_goal, run_for_json
from benchmarks.skills import TURNS, prepare, save, stamped
from skill.tools.simulator import SIMULATED_SKILL_ID

ROOT = Path(__file__).resolve().parent.parent
PATHS = ("lambda", "flask")
# The goals on median / the hello world as written (issue 14); None: shown, no goal.
RATIO_GOALS: dict[str, float | None] = {
    "launch": 1.0,
    "question": 1.0,
    "quiz answer": 1.3,
    "quiz answer, 21 facts": 1.3,
    "help": None,
}
P99_GOAL_MS = 5.0
ROUNDS = 10
WARM_UP = 50
CONTENDERS = ("ours", "sdk", "fast")

Call = Callable[[], Any]


class LambdaContext:
    """The attributes of Lambda's context object a handler might read."""

    function_name = "history-revision"
    aws_request_id = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 3000


# --- in the measuring process ------------------------------------------------------------


def _lambda_calls() -> Callable[[dict[str, Any]], dict[str, Call]]:
    import skill.lambda_function as ours
    from benchmarks.hello import hello_world_skill, sdk_lambda_handler

    sdk = sdk_lambda_handler()
    fast = ours.handler_for(hello_world_skill())
    handlers = {"ours": ours.lambda_handler, "sdk": sdk, "fast": fast}
    context = LambdaContext()

    def calls(event: dict[str, Any]) -> dict[str, Call]:
        def call(handler: Any) -> Call:
            def once() -> Any:
                response = handler(event, context)
                if not response.get("response"):
                    raise RuntimeError("empty response")  # the handler refused the event
                return response

            return once

        return {name: call(handler) for name, handler in handlers.items()}

    return calls


def _flask_calls() -> Callable[[dict[str, Any]], dict[str, Call]]:
    from werkzeug.test import EnvironBuilder

    from benchmarks.hello import create_app as hello_app
    from skill.app import create_app

    apps = {"ours": create_app(), "sdk": hello_app(), "fast": hello_app(fast=True)}

    def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
        if not status.startswith("200"):
            raise RuntimeError(f"answered {status}")

    def calls(event: dict[str, Any]) -> dict[str, Call]:
        body = json.dumps(event).encode("utf-8")
        builder = EnvironBuilder(
            path="/alexa", method="POST", data=body, content_type="application/json"
        )
        base = builder.get_environ()
        builder.close()

        def call(app: Any) -> Call:
            def once() -> bytes:
                environ = dict(base)
                environ["wsgi.input"] = io.BytesIO(body)
                result = app(environ, start_response)
                try:
                    return b"".join(result)
                finally:
                    if hasattr(result, "close"):
                        result.close()

            return once

        return {name: call(app) for name, app in apps.items()}

    return calls


def _times(call: Call, count: int, into: list[float]) -> None:
    clock = time.perf_counter
    for _ in range(count):
        started = clock()
        call()
        into.append(clock() - started)


def run_path(path: str, count: int, requests: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """In this process: {turn: {contender: [median µs, p99 µs]}}, `count` turns each."""
    import logging

    logging.disable(logging.WARNING)  # "verification is OFF", once; nothing per request
    calls_for = _lambda_calls() if path == "lambda" else _flask_calls()
    per_round = max(1, count // ROUNDS)
    figures: dict[str, Any] = {}
    for name in TURNS:
        calls = calls_for(stamped({name: requests[name]})[name])  # fresh for the verifier
        for call in calls.values():
            _times(call, WARM_UP, [])
        times: dict[str, list[float]] = {contender: [] for contender in CONTENDERS}
        for round_number in range(max(1, -(-count // per_round))):
            turn = round_number % len(CONTENDERS)
            for contender in CONTENDERS[turn:] + CONTENDERS[:turn]:
                _times(calls[contender], per_round, times[contender])
        figures[name] = {
            contender: [median(t) * 1e6, percentile(t, 0.99) * 1e6]
            for contender, t in times.items()
        }
    return figures


# --- in the bench ----------------------------------------------------------------------------


def measure(path: str, count: int) -> list[Row]:
    """Median and p99 per turn through `path` ("lambda" or "flask")."""
    with tempfile.TemporaryDirectory(prefix=f"bench-{path}-") as tmp:
        prepared = prepare(Path(tmp))
        requests = save(Path(tmp, "requests.json"), prepared.requests)
        environment = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "SKILL_ID": SIMULATED_SKILL_ID,
            "PROGRESS_STORE": prepared.store,
            "VERIFY_SIGNATURES": "0",
            "LOG_LEVEL": "WARNING",
        }
        figures = run_for_json(
            [sys.executable, "-m", "benchmarks.turns", path, str(count), str(requests)],
            cwd=ROOT,
            env=environment,
            timeout=1800,
            what=f"{path} turns",
        )
    rows: list[Row] = []
    for name in TURNS:
        ours, sdk, fast = (figures[name][c] for c in CONTENDERS)
        goal = RATIO_GOALS[name]
        middle = ratio_goal(f"{path}: {name}, median", ours[0], sdk[0], "µs", at_most=goal)
        rows.append(middle.with_second(fast[0]))
        p99 = Row(f"{path}: {name}, p99", ours[1], sdk[1], "µs", baseline2=fast[1])
        rows.append(bound_goal(p99, f"< {P99_GOAL_MS:g} ms", lambda us: us < P99_GOAL_MS * 1000))
    what = (
        "`skill.lambda_function.lambda_handler(event dict, context)`; baseline: "
        "`SkillBuilder().lambda_handler()` of ask-sdk-core's hello world as written "
        "(DefaultSerializer); baseline 2: the hello world behind our handler (FastSerializer)"
        if path == "lambda"
        else "WSGI call into `skill.app.create_app()`, verification off; baseline: a bare "
        "Flask + ask-sdk-core hello world app (benchmarks/hello.py, DefaultSerializer); "
        "baseline 2: the same app on FastSerializer"
    )
    note = (
        f"{count:,} turns of each per request kind, in a fresh process, alternating rounds; "
        f"{what}; SQLite progress store (a temp file); the 21-facts student's stored progress "
        f"has all {prepared.facts} facts"
    )
    rows[0] = rows[0].with_note(note)
    return rows


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.turns", description=__doc__)
    parser.add_argument("path", choices=PATHS)
    parser.add_argument("count", type=int)
    parser.add_argument("requests", type=Path, help="JSON: request envelopes by turn name")
    args = parser.parse_args(argv)
    requests = json.loads(args.requests.read_text(encoding="utf-8"))
    print(json.dumps(run_path(args.path, args.count, requests)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
