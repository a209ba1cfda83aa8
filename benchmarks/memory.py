"""Peak memory of one worker after many requests: `python -m benchmarks.memory` in a fresh process.

The worker is the Flask app as gunicorn serves it, signature checks on against the test PKI
(tests.pki.create_test_app), progress in a temporary SQLite file, driven through Flask's test
client with the four signed requests in turn. The baseline is the same app serving the
hello-world skill. The figure is the most resident memory the process ever had: VmHWM from
/proc/self/status, which is ru_maxrss of this program alone (Linux's ru_maxrss also keeps the
peak of the process that forked it, here the bench with its own skill loaded).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from benchmarks.report import Row, bound_goal, ratio_goal, run_for_json
from benchmarks.signed import PKI_DIR_ENV, write_requests
from skill.tools.simulator import SIMULATED_SKILL_ID

ROOT = Path(__file__).resolve().parent.parent
GOAL_MB = 60.0


def _hello_app() -> Any:
    """The endpoint app serving the hello-world skill, verifying as create_test_app does."""
    from benchmarks.skills import hello_world_skill
    from tests.pki import create_test_app

    return create_test_app(skill=hello_world_skill())


def serve(which: str, count: int, requests_path: Path) -> dict[str, Any]:
    """In this process: build the worker's app, post `count` requests, report peak memory."""
    import logging

    logging.disable(logging.WARNING)  # the app warns once per worker; nothing to see here
    from tests.pki import create_test_app

    app = create_test_app() if which == "skill" else _hello_app()
    requests = json.loads(requests_path.read_text(encoding="utf-8"))
    client = app.test_client()
    errors = 0
    for i in range(count):
        request = requests[i % len(requests)]
        response = client.post("/alexa", data=request["body"], headers=request["headers"])
        errors += response.status_code != 200
    return {"peak_mb": peak_kib() / 1024, "errors": errors}


def peak_kib() -> int:
    """This program's peak resident memory in KiB."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def _run_worker(which: str, count: int, requests: Mapping[str, Any], directory: Path) -> dict:
    path = write_requests(directory, requests)  # signed now: timestamps are fresh
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        PKI_DIR_ENV: str(directory),
        "SKILL_ID": SIMULATED_SKILL_ID,
        "PROGRESS_STORE": f"sqlite:///{directory / 'progress.sqlite3'}",
        "LOG_LEVEL": "WARNING",
    }
    return run_for_json(
        [sys.executable, "-m", "benchmarks.memory", which, str(count), str(path)],
        cwd=ROOT,
        env=environment,
        timeout=300,
        what="memory worker",
    )


def measure(count: int, requests: Mapping[str, Any]) -> list[Row]:
    """Peak memory of a skill worker and of a hello-world worker after `count` requests."""
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        base = _run_worker("hello", count, requests, Path(tmp, "hello"))
        ours = _run_worker("skill", count, requests, Path(tmp, "skill"))
    errors = ours["errors"] + base["errors"]
    row = ratio_goal(
        f"memory: peak after {count:,} requests",
        ours["peak_mb"],
        base["peak_mb"],
        "MB",
        note="peak RSS (VmHWM) of a fresh process serving the Flask app through its test client, "
        "verification on (test PKI), SQLite progress; baseline: the same app serving hello world"
        + (f"; {errors} requests were not answered 200" if errors else ""),
    )
    return [bound_goal(row, f"< {GOAL_MB:g} MB", lambda mb: mb < GOAL_MB and errors == 0)]


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory", description=__doc__)
    parser.add_argument("which", choices=("skill", "hello"))
    parser.add_argument("count", type=int)
    parser.add_argument("requests", type=Path, help="signed requests (benchmarks.signed)")
    args = parser.parse_args(argv)
    print(json.dumps(serve(args.which, args.count, args.requests)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
