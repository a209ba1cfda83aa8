"""Locust user for benchmarks/http_load.py: posts the signed requests in turn, then stops.

Read from the environment: BENCH_REQUESTS_FILE (JSON from benchmarks.signed) and BENCH_COUNT,
the number of requests after which the whole run quits.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path
from typing import Any

import gevent
from locust import FastHttpUser, events, task

REQUESTS = json.loads(Path(os.environ["BENCH_REQUESTS_FILE"]).read_text(encoding="utf-8"))
COUNT = int(os.environ["BENCH_COUNT"])
_next = itertools.count()
_done = itertools.count(1)
_environment: list[Any] = []


class AlexaUser(FastHttpUser):
    """Alexa's service: no think time, each request one of the four in turn."""

    @task
    def post(self) -> None:
        number = next(_next)
        if number >= COUNT:
            gevent.sleep(1)  # the run is quitting
            return
        request = REQUESTS[number % len(REQUESTS)]
        self.client.post(
            "/alexa", data=request["body"], headers=request["headers"], name=request["name"]
        )


@events.init.add_listener
def _keep_environment(environment: Any, **kwargs: Any) -> None:
    _environment.append(environment)


@events.request.add_listener
def _stop_after_count(**kwargs: Any) -> None:
    if next(_done) == COUNT:
        gevent.spawn(_environment[0].runner.quit)
