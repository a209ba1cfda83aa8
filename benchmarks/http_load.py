"""HTTP under load: gunicorn on loopback, two workers, signature checks on against off.

Both servers run the real app with gunicorn.conf.py and a temporary SQLite progress store; the
verifying one is tests.pki:create_test_app() (test root trusted, the chain served from a file, so
the certificate is fetched once and cached), the other skill.app:create_app() with
VERIFY_SIGNATURES=0. Both are up at once and driven in turn, in alternating rounds: locust,
headless, sends the same signed requests to one, a fixed number of requests with a time limit as
well, after which it stops by itself. Only 127.0.0.1 is used.
"""

from __future__ import annotations

import csv
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.report import Row, ratio_goal
from benchmarks.signed import PKI_DIR_ENV, write_requests
from skill.tools.simulator import SIMULATED_SKILL_ID

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
RATIO_GOAL = 0.8
WORKERS = 2
USERS = 8  # concurrent connections from locust
TIME_LIMIT_SECONDS = 60  # locust's own limit, whatever the count
ROUNDS = 4  # per server, alternating: one server's busy spell used to halve the ratio
START_TIMEOUT_SECONDS = 30.0
_PROXIES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@dataclass(frozen=True)
class Load:
    """What locust measured over one run."""

    requests: int
    failures: int
    per_second: float
    median_ms: float
    p99_ms: float


@dataclass(frozen=True)
class Server:
    """A running gunicorn: where it listens, and its master's process id."""

    port: int
    pid: int


def locust_available() -> bool:
    return shutil.which("locust", path=os.path.dirname(sys.executable)) is not None or (
        shutil.which("locust") is not None
    )


def _locust() -> str:
    beside = Path(sys.executable).with_name("locust")
    return str(beside) if beside.exists() else "locust"


def _environment(extra: Mapping[str, str]) -> dict[str, str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k.lower() not in _PROXIES  # loopback goes direct
    }
    return {**environment, "PYTHONPATH": str(ROOT), **extra}


@contextmanager
def gunicorn(
    app: str, directory: Path, env: Mapping[str, str], workers: int = WORKERS
) -> Iterator[Server]:
    """gunicorn serving `app` on a free loopback port until the block ends.

    The socket is bound here and handed over, so no other process can take the port between
    choosing it and gunicorn starting (tests start servers on free ports too)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    listener.set_inheritable(True)
    port = listener.getsockname()[1]
    command = [
        *(sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")),
        *("--bind", f"fd://{listener.fileno()}", "--workers", str(workers), app),
    ]
    environment = _environment(
        {
            "SKILL_ID": SIMULATED_SKILL_ID,
            "PROGRESS_STORE": f"sqlite:///{directory / 'progress.sqlite3'}",
            "LOG_LEVEL": "WARNING",
            **env,
        }
    )
    log = directory / "gunicorn.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=out,
            pass_fds=(listener.fileno(),),
        )
    listener.close()  # gunicorn has its own copy
    try:
        _wait_until_up(server, port, log)
        yield Server(port, server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_up(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}:\n{log.read_text()}")
        try:
            with opener.open(f"http://127.0.0.1:{port}/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not start:\n{log.read_text()}")


def drive(port: int, requests_file: Path, count: int, directory: Path) -> Load:
    """Run locust headless against the port for `count` requests; its aggregated figures."""
    prefix = directory / "locust"
    command = [
        *(_locust(), "-f", str(LOCUSTFILE), "--headless", "--only-summary"),
        *("--host", f"http://127.0.0.1:{port}", "-u", str(USERS), "-r", str(USERS)),
        *("--run-time", f"{TIME_LIMIT_SECONDS}s", "--stop-timeout", "5"),
        *("--csv", str(prefix), "--loglevel", "ERROR", "--exit-code-on-error", "0"),
    ]
    environment = _environment(
        {"BENCH_REQUESTS_FILE": str(requests_file), "BENCH_COUNT": str(count)}
    )
    done = subprocess.run(
        command,
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT_SECONDS + 60,
        check=False,
    )
    stats = Path(f"{prefix}_stats.csv")
    if done.returncode != 0 or not stats.exists():
        raise RuntimeError(f"locust failed ({done.returncode}):\n{done.stderr[-3000:]}")
    with stats.open(newline="", encoding="utf-8") as rows:
        total = next(r for r in csv.DictReader(rows) if r["Name"] == "Aggregated")
    return Load(
        requests=int(total["Request Count"]),
        failures=int(total["Failure Count"]),
        per_second=float(total["Requests/s"]),
        median_ms=float(total["50%"]),
        p99_ms=float(total["99%"]),
    )


@contextmanager
def _server(verified: bool, requests: Mapping[str, Any], directory: Path) -> Iterator[Server]:
    """The verifying app (tests.pki's root trusted) or the same app with verification off."""
    directory.mkdir(parents=True)
    write_requests(directory, requests)  # the PKI files the verifying app reads
    if verified:
        app, env = "tests.pki:create_test_app()", {PKI_DIR_ENV: str(directory)}
    else:
        app, env = "skill.app:create_app()", {"VERIFY_SIGNATURES": "0"}
    with gunicorn(app, directory, env) as server:
        yield server


def _combined(loads: list[Load]) -> Load:
    """Rounds taken together: all their requests over all their time; the latencies, the
    median round's."""
    seconds = sum(load.requests / load.per_second for load in loads if load.per_second)
    middle = sorted(loads, key=lambda load: load.per_second)[len(loads) // 2]
    return Load(
        requests=sum(load.requests for load in loads),
        failures=sum(load.failures for load in loads),
        per_second=sum(load.requests for load in loads) / seconds if seconds else 0.0,
        median_ms=middle.median_ms,
        p99_ms=middle.p99_ms,
    )


def measure(count: int, requests: Mapping[str, Any]) -> list[Row]:
    """Throughput and latency with verification on, against the same app with it off."""
    if not locust_available():
        note = "not run: locust is not installed (pip install -r requirements-dev.txt)"
        return [Row("http: throughput", None, None, "req/s", note=note)]
    per_round = max(count // ROUNDS, 1)
    loads: dict[bool, list[Load]] = {False: [], True: []}
    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp:
        off_dir, on_dir = Path(tmp, "off"), Path(tmp, "on")
        with (
            _server(False, requests, off_dir) as plain,
            _server(True, requests, on_dir) as checking,
        ):
            # Both up, driven in turn, the order turning each round: a busy spell of the
            # machine falls on both, not on whichever ran second.
            for round_ in range(ROUNDS):
                turns = [(False, plain, off_dir), (True, checking, on_dir)]
                for verified, server, directory in turns[:: 1 if round_ % 2 == 0 else -1]:
                    requests_file = write_requests(directory, requests)  # fresh timestamps
                    rounds = directory / f"round-{round_}"
                    rounds.mkdir()
                    loads[verified].append(drive(server.port, requests_file, per_round, rounds))
    off, on = _combined(loads[False]), _combined(loads[True])
    failures = on.failures + off.failures
    note = (
        f"{per_round * ROUNDS:,} requests per server in {ROUNDS} alternating rounds, from {USERS} "
        f"locust users (FastHttpUser), gunicorn with "
        f"{WORKERS} workers on 127.0.0.1, SQLite progress; baseline: the same app with "
        f"verification off; failures: {on.failures} on, {off.failures} off. Locust shares "
        "the machine's cores with the server"
    )
    throughput = ratio_goal(
        "http: throughput, verified", on.per_second, off.per_second, "req/s",
        at_least=RATIO_GOAL, note=note,
    )  # fmt: skip
    if failures:
        throughput = Row(**{**vars(throughput), "met": False})
    return [
        Row(**{**vars(throughput), "goal": throughput.goal + ", no errors"}),
        Row("http: latency, median", on.median_ms, off.median_ms, "ms"),
        Row("http: latency, p99", on.p99_ms, off.p99_ms, "ms"),
        Row(
            "http: failed requests",
            float(failures),
            0.0,
            "",
            goal="0",
            met=failures == 0,
        ),  # fmt: skip
    ]
