"""What the benchmarks send: five requests, and the SQLite store they are answered from.

`prepare(directory)` makes the progress store the deployed skill uses by default (a SQLite file),
gives one returning student progress on every fact, and builds the requests with the simulator:
a launch, a question, a quiz answer from a student with one fact in their progress, the same
from the student with every fact, and help. The quiz answers carry a live quiz, made by saying
"quiz me" to the skill once (for the returning student, a quiz chosen from their history).
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from skill.tools.simulator import SIMULATED_SKILL_ID, Simulator, user_id

# The turns the bench times, by name, in this order.
TURNS = ("launch", "question", "quiz answer", "quiz answer, 21 facts", "help")
# The four the HTTP part sends (as it did before the 21-fact student).
HTTP_TURNS = ("launch", "question", "quiz answer", "help")
QUESTION = "what were the terms of the treaty of friendship"
RETURNING_STUDENT = "bench returning student"
STORE_NAME = "progress.sqlite3"


@dataclass(frozen=True)
class Prepared:
    """A store made ready, and the requests to send to a skill using it."""

    store: str  # the PROGRESS_STORE URL
    requests: dict[str, dict[str, Any]]  # by turn name, envelopes as JSON-ready dicts
    facts: int  # how many facts the returning student's progress holds


# The seed of the skill that makes the requests: so the quiz answered is the same in every run
# (what marking an answer costs depends on the question).
QUIZ_SEED = 7


def our_skill(progress_store: str = "memory://", seed: int | None = None) -> Any:
    """The skill as the endpoint and Lambda build it, with the given progress store; its quiz
    order fixed by `seed` if one is given."""
    from skill.builder import create_skill
    from skill.config import Config

    config = Config(skill_id=SIMULATED_SKILL_ID, progress_store=progress_store)
    return create_skill(config, rng=random.Random(seed) if seed is not None else None)


def every_fact_progress(now: datetime, seed: int = 14) -> Any:
    """A returning student's progress with every fact of the content in it, made with
    skill.progress as the quiz makes it: each fact answered a few times over three weeks,
    mostly right."""
    from skill.content import default_content
    from skill.progress import Progress, record_answer

    facts = sorted({f for entry in default_content().entries for f in entry.facts})
    rng = random.Random(seed)
    progress = Progress()
    for days_ago in (21, 14, 7, 2):
        for fact in facts:
            when = now - timedelta(days=days_ago, minutes=rng.randrange(60))
            progress = record_answer(progress, [fact], rng.random() < 0.75, when)
    return progress


def prepare(directory: Path) -> Prepared:
    """A SQLite store in `directory` (created and opened once, so no server creates it) with
    the returning student in it, and the requests."""
    from ask_sdk_model import RequestEnvelope

    from skill.progress import PROGRESS_KEY
    from skill.progress_store import open_store
    from skill.serializer import FastSerializer
    from skill.tools.simulator import InProcess

    directory.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{directory / STORE_NAME}"
    skill = our_skill(url, seed=QUIZ_SEED)
    now = datetime.now(UTC)
    progress = every_fact_progress(now)
    returning = Simulator("en-GB", skill_id=SIMULATED_SKILL_ID, user_id=user_id(RETURNING_STUDENT))
    store = open_store(url)
    envelope = FastSerializer().deserialize(
        json.dumps(returning.envelope(returning.resolve("help"))), RequestEnvelope
    )
    store.save_attributes(envelope, {PROGRESS_KEY: progress.to_dict()})
    if hasattr(store, "close"):
        store.close()

    requests: dict[str, dict[str, Any]] = {}
    new = Simulator("en-GB", skill_id=SIMULATED_SKILL_ID)
    for name, simulator in (("quiz answer", new), ("quiz answer, 21 facts", returning)):
        requests[name] = _marked_answer(InProcess(skill), simulator, name)
    session = requests["quiz answer"]["session"]["sessionId"]
    requests["launch"] = new.envelope(new.resolve("open history revision"))
    requests["question"] = new.envelope(new.resolve(QUESTION), session_id=session, new=False)
    requests["help"] = new.envelope(new.resolve("help"), session_id=session, new=False)
    adapter = skill.persistence_adapter
    if hasattr(adapter, "close"):
        adapter.close()  # the servers and subprocesses open their own connections
    return Prepared(url, {name: requests[name] for name in TURNS}, len(progress.facts))


def _marked_answer(transport: Any, simulator: Simulator, name: str) -> dict[str, Any]:
    """An answer "a" to the first question of a quiz started by "quiz me", one that the skill
    marks (so the turn records the answer in the store); tried on a few quizzes, since a quiz's
    first question may be one "a" does not answer."""
    from skill.tools.simulator import Conversation

    for _ in range(20):
        talk = Conversation(transport, simulator)
        talk.launch()
        quiz = talk.say("quiz me").session_attributes
        if "quiz" not in json.dumps(quiz):
            raise RuntimeError(f'"quiz me" did not start a quiz ({name})')
        answer = simulator.envelope(
            simulator.resolve("a"), attributes=quiz, session_id=talk.session_id, new=False
        )
        speech = json.dumps(transport(copy.deepcopy(answer)))
        if " out of " in speech:  # the running score: the answer was marked
            return answer
    raise RuntimeError(f'no quiz had a first question that "a" answers ({name})')


def http_requests() -> dict[str, dict[str, Any]]:
    """The four HTTP requests, built against a skill with the memory store."""
    from skill.tools.simulator import Conversation, InProcess

    skill = our_skill("memory://")
    simulator = Simulator("en-GB", skill_id=SIMULATED_SKILL_ID)
    talk = Conversation(InProcess(skill), simulator)
    talk.launch()
    quiz = talk.say("quiz me").session_attributes
    session = talk.session_id
    return {
        "launch": simulator.envelope(simulator.resolve("open history revision")),
        "question": simulator.envelope(simulator.resolve(QUESTION), session_id=session, new=False),
        "quiz answer": simulator.envelope(
            simulator.resolve("a"), attributes=quiz, session_id=session, new=False
        ),
        "help": simulator.envelope(simulator.resolve("help"), session_id=session, new=False),
    }


def stamped(requests: Mapping[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The requests with a timestamp of now (the endpoint accepts 150 seconds either way)."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    fresh = {}
    for name, envelope in requests.items():
        envelope = copy.deepcopy(envelope)
        envelope["request"]["timestamp"] = now
        fresh[name] = envelope
    return fresh


def save(path: Path, requests: Mapping[str, dict[str, Any]]) -> Path:
    path.write_text(json.dumps(requests), encoding="utf-8")
    return path
