"""Peak memory of one gunicorn worker after many requests, the skill against a hello world.

Each app is served as production serves it: gunicorn with gunicorn.conf.py (gthread), one
worker, on 127.0.0.1. The skill is `skill.app:create_app()` with verification off and a
temporary SQLite progress store, made ready (and so created) before gunicorn starts
(benchmarks.skills.prepare: one student has all 21 facts). The baseline is
`benchmarks.hello:create_app()`, a bare Flask + ask-sdk-core hello world. The bench posts the
five requests in turn over a few keep-alive connections, then reads the worker's VmHWM from
/proc/<pid>/status: the most resident memory it ever had (Linux's ru_maxrss of a child would
also keep the peak of the process that forked it). The apps' own modules are compiled to
bytecode first, as a deployed server finds them after its first start (pip compiled the
libraries' at install): a worker compiling them from source would hold its compiler's memory.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from benchmarks.http_load import ROOT, gunicorn
from benchmarks.report import Row, ratio_goal
from benchmarks.signed import PKI_DIR_ENV, signed_requests, write_requests
from benchmarks.skills import prepare, stamped

RATIO_GOAL = 1.3
CONNECTIONS = 4  # gunicorn.conf.py gives each worker 4 threads
SKILL_APP = "skill.app:create_app()"
VERIFIED_APP = "tests.pki:create_test_app()"
HELLO_APP = "benchmarks.hello:create_app()"


def children(pid: int) -> list[int]:
    """Process ids whose parent is `pid`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def peak_kib(pid: int) -> int:
    """A process's peak resident memory (VmHWM) in KiB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmHWM for process {pid}")


def _post_all(
    port: int, posts: list[tuple[bytes, dict[str, str]]], start: int, step: int, errors: list[int]
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        for i in range(start, len(posts), step):
            body, signed = posts[i]
            headers = {"Content-Type": "application/json", **signed}
            connection.request("POST", "/alexa", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
    finally:
        connection.close()


def serve_and_measure(
    app: str,
    count: int,
    requests: Mapping[str, Any],
    directory: Path,
    store: str,
    *,
    verified: bool = False,
) -> tuple[float, int]:
    """(peak MB of the one worker, requests not answered 200) after `count` requests; with
    `verified`, the app checks signatures (tests.pki's test root) and the requests are signed."""
    directory.mkdir(parents=True, exist_ok=True)
    env = {"PROGRESS_STORE": store}
    if verified:
        write_requests(directory, requests)  # the PKI files the verifying app reads
        env[PKI_DIR_ENV] = str(directory)
    else:
        env["VERIFY_SIGNATURES"] = "0"
    with gunicorn(app, directory, env, workers=1) as server:
        workers = children(server.pid)
        if len(workers) != 1:
            raise RuntimeError(f"expected one gunicorn worker, found {workers}")
        # Stamped (and signed) now: the endpoint accepts a timestamp for 150 seconds.
        if verified:
            kinds = [(r["body"].encode(), r["headers"]) for r in signed_requests(requests)]
        else:
            kinds = [(json.dumps(e).encode(), {}) for e in stamped(requests).values()]
        posts = [kinds[i % len(kinds)] for i in range(count)]
        errors: list[int] = []
        threads = [
            threading.Thread(target=_post_all, args=(server.port, posts, i, CONNECTIONS, errors))
            for i in range(CONNECTIONS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        time.sleep(0.1)
        return peak_kib(workers[0]) / 1024, len(errors)


def compile_apps() -> None:
    """Bytecode for the served apps' modules, beside them (__pycache__, as Python writes it)."""
    sources = [str(ROOT / name) for name in ("skill", "benchmarks", "tests")]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *sources], check=False)


def measure(count: int) -> list[Row]:
    """Peak memory of a skill worker and of a hello-world worker after `count` requests."""
    compile_apps()
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        prepared = prepare(Path(tmp, "store"))
        base, base_errors = serve_and_measure(
            HELLO_APP, count, prepared.requests, Path(tmp, "hello"), prepared.store
        )
        ours, our_errors = serve_and_measure(
            SKILL_APP, count, prepared.requests, Path(tmp, "skill"), prepared.store
        )
        verified, verified_errors = serve_and_measure(
            VERIFIED_APP, count, prepared.requests, Path(tmp, "verified"), prepared.store,
            verified=True,
        )  # fmt: skip
    errors = base_errors + our_errors
    row = ratio_goal(
        f"memory: peak after {count:,} requests",
        ours,
        base,
        "MB",
        at_most=RATIO_GOAL,
        note=f"peak RSS (VmHWM) of the one gunicorn worker (gunicorn.conf.py, gthread) serving "
        f"`{SKILL_APP}`, verification off, SQLite progress (a temp file), bytecode compiled, "
        f"the five requests in turn over {CONNECTIONS} connections; baseline: `{HELLO_APP}` "
        "(bare Flask + ask-sdk-core hello world) served the same way"
        + (f"; {errors} requests were not answered 200" if errors else ""),
    )
    if errors:
        row = Row(**{**vars(row), "met": False})
    # The configuration production runs: the goal holds here too.
    production = ratio_goal(
        f"memory: peak after {count:,} requests, verified",
        verified,
        base,
        "MB",
        at_most=RATIO_GOAL,
        note="the same, with signatures checked as in production (`tests.pki:create_test_app()`:"
        " the real verifier, trusting the test root) and the requests signed"
        + (f"; {verified_errors} requests were not answered 200" if verified_errors else ""),
    )
    if verified_errors:
        production = Row(**{**vars(production), "met": False})
    return [row, production]
