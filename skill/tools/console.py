"""The test console: talk to the skill in a browser, hear it, and see every request and response.

    python -m skill serve --dev            then open http://127.0.0.1:8000/console

`mount_console(app)` adds a blueprint to the app that `serve --dev` runs: the page (console/ beside
this file: index.html, console.css and console.js, served as they are, no build step) and a JSON
API that drives the same `Conversation`, `Simulator` and `InProcess` as `python -m skill chat`,
on the skill object the app serves at /alexa. It refuses an app that verifies signatures: the
console talks to the skill as any student, so it belongs on a developer's own machine only.

    GET  /console/                          the page
    GET  /console/api/options               locales and limits, for the page's controls
    POST /console/api/sessions              {"locale", "student": "new" | "returning", "name"}
    POST /console/api/sessions/<id>/turns   {"action": "say" | "launch" | "end", "utterance"}

Each browser tab has a console session of its own: a `Conversation`, kept here under a random id
in a table bounded in size and idle time. Keeping it here, rather than having the page send the
session attributes back every turn, means the console runs chat's own code and the request it
shows is exactly the one the skill got; the cost is that a restarted server forgets its console
sessions (the page then opens a new one). Nothing here logs an utterance, a name or a user id.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, request

from skill.app import ENDPOINT_EXTENSION, AlexaEndpoint
from skill.content import Content, default_content
from skill.quiz import Phase
from skill.session import from_attributes
from skill.tools.conversations import canonical_answer
from skill.tools.model import LOCALES
from skill.tools.simulator import (
    SIMULATED_SKILL_ID,
    Conversation,
    InProcess,
    Resolution,
    Simulator,
    Turn,
    user_id,
)

PAGE_DIR = Path(__file__).with_name("console")
PATH = "/console"

# Limits on what the page may send. An utterance of 30 words (the most the simulator takes as an
# answer) is under 200 characters; 300 leaves room and refuses pasted essays with a clear reason.
MAX_UTTERANCE_CHARS = 300
MAX_NAME_CHARS = 40
MAX_BODY_BYTES = 4096
# Console sessions kept: one per open tab, the least recently used dropped first.
MAX_SESSIONS = 64
IDLE_SECONDS = 2 * 60 * 60
STUDENTS = ("new", "returning")
ACTIONS = ("say", "launch", "end")

# The page's own files only: no inline script or style, nothing fetched from elsewhere.
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' https: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class BadInput(ValueError):
    """A request the API refuses, with a message for the developer and an HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class ConsoleSession:
    """One tab's conversation with the skill, as one student on one device."""

    conversation: Conversation
    locale: str
    student: str  # "new" or "returning"
    lock: threading.Lock = field(default_factory=threading.Lock)  # one turn at a time


class Sessions:
    """Console sessions by random id, at most `limit`, each forgotten after `idle` seconds."""

    def __init__(
        self,
        limit: int = MAX_SESSIONS,
        idle: float = IDLE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.idle = idle
        self.clock = clock
        self._sessions: OrderedDict[str, tuple[float, ConsoleSession]] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, session: ConsoleSession) -> str:
        """Keep a new session; returns its id."""
        session_id = secrets.token_urlsafe(16)
        with self._lock:
            self._forget_idle()
            self._sessions[session_id] = (self.clock(), session)
            while len(self._sessions) > self.limit:
                self._sessions.popitem(last=False)
        return session_id

    def get(self, session_id: str) -> ConsoleSession | None:
        """The session, marked as just used; None if unknown or forgotten."""
        with self._lock:
            self._forget_idle()
            kept = self._sessions.pop(session_id, None)
            if kept is None:
                return None
            self._sessions[session_id] = (self.clock(), kept[1])
            return kept[1]

    def __len__(self) -> int:
        return len(self._sessions)

    def _forget_idle(self) -> None:
        cutoff = self.clock() - self.idle
        while self._sessions and next(iter(self._sessions.values()))[0] < cutoff:
            self._sessions.popitem(last=False)


def mount_console(app: Flask) -> str:
    """Add the console to an endpoint app without signature checks; returns its path."""
    endpoint: AlexaEndpoint | None = app.extensions.get(ENDPOINT_EXTENSION)
    if endpoint is None:
        raise ValueError("the console mounts on an app made by skill.app.create_app")
    if endpoint.verifier.check_signatures:
        raise ValueError("the console is for `serve --dev` only: this app verifies signatures")
    skill_id = endpoint.verifier.skill_id or SIMULATED_SKILL_ID
    app.register_blueprint(console_blueprint(endpoint.skill, skill_id))
    return PATH + "/"


def console_blueprint(
    skill: Any, skill_id: str = SIMULATED_SKILL_ID, sessions: Sessions | None = None
) -> Blueprint:
    """The page and its API, talking to `skill` in process as `chat` does."""
    sessions = Sessions() if sessions is None else sessions
    transport = InProcess(skill)
    content = default_content()
    blueprint = Blueprint(
        "console", __name__, static_folder=PAGE_DIR, static_url_path="/static", url_prefix=PATH
    )

    @blueprint.get("/")
    def page() -> Response:
        return blueprint.send_static_file("index.html")

    @blueprint.get("/api/options")
    def options() -> Response:
        return _json(
            {
                "locales": list(LOCALES),
                "students": list(STUDENTS),
                "max_utterance_chars": MAX_UTTERANCE_CHARS,
                "max_name_chars": MAX_NAME_CHARS,
            }
        )

    @blueprint.post("/api/sessions")
    def new_session() -> Response:
        document = _json_body()
        locale = _choice(document, "locale", LOCALES, "en-GB")
        student = _choice(document, "student", STUDENTS, "new")
        if student == "returning":
            name = _text(document, "name", MAX_NAME_CHARS)
        else:  # a name never used before, so a student with no progress
            name = secrets.token_hex(16)
        simulator = Simulator(locale, skill_id=skill_id, user_id=user_id(name))
        session = ConsoleSession(Conversation(transport, simulator), locale, student)
        session_id = sessions.add(session)
        return _json({"id": session_id, "locale": locale, "student": student}, 201)

    @blueprint.post("/api/sessions/<session_id>/turns")
    def turn(session_id: str) -> Response:
        document = _json_body()
        action = _choice(document, "action", ACTIONS, "say")
        utterance = _text(document, "utterance", MAX_UTTERANCE_CHARS) if action == "say" else ""
        session = sessions.get(session_id)
        if session is None:
            raise BadInput("no such console session (the server may have restarted)", 404)
        with session.lock:
            conversation = session.conversation
            if action == "say":
                said: Turn | None = conversation.say(utterance)
            elif action == "launch":
                said = conversation.launch()
            else:
                said = conversation.end()
            in_session = conversation.in_session
        return _json({"turn": None if said is None else turn_json(said, content, in_session)})

    @blueprint.errorhandler(BadInput)
    def bad_input(error: BadInput) -> Response:
        return _json({"error": str(error)}, error.status)

    @blueprint.after_request
    def secure(response: Response) -> Response:
        response.headers.update(_SECURITY_HEADERS)
        return response

    return blueprint


# --- what a turn shows ----------------------------------------------------------------------------


def turn_json(turn: Turn, content: Content, in_session: bool) -> dict[str, Any]:
    """Everything the page shows of a turn: reply, resolution, both envelopes, and the state
    after it, which is what the next request carries: nothing once the session has ended, as
    Alexa drops a closed session's attributes (the response still shows what the skill sent)."""
    attributes = turn.session_attributes if in_session else {}
    return {
        **turn.to_json(),
        "resolution": resolution_json(turn.resolution),
        "request": turn.request,
        "response": turn.raw,
        "session_attributes": attributes,
        "quiz": quiz_json(attributes, content),
        "in_session": in_session,
    }


def resolution_json(resolution: Resolution) -> dict[str, Any]:
    """What the simulator understood: request type, intent, the sample matched, the slots."""
    return {
        "type": resolution.kind.value,
        "intent": resolution.intent,
        "sample": resolution.sample,
        "slots": [
            {
                "name": slot.name,
                "type": slot.type,
                "value": slot.value,
                "status": slot.status,
                "resolved": slot.value_name,
                "id": slot.value_id,
            }
            for slot in resolution.slots.values()
        ],
    }


def quiz_json(attributes: Mapping[str, Any], content: Content) -> dict[str, Any] | None:
    """The quiz after a turn, read as the skill reads it (skill.session), with the answer key."""
    quiz = from_attributes(attributes, content.has_entry, content.has_item).quiz
    if quiz is None:
        return None
    asking = quiz.index < len(quiz.item_ids) and quiz.phase is not Phase.FINISHED
    item = content.item(quiz.item_ids[quiz.index]) if asking else None
    return {
        "phase": quiz.phase.value,
        "question": quiz.index + 1 if asking else None,
        "questions": len(quiz.item_ids),
        "score": quiz.score,
        "answers": [
            {"item": given.item_id, "outcome": given.outcome.value, "points": given.points}
            for given in quiz.answers
        ],
        "hinted": quiz.hinted,
        "asking": None
        if item is None
        else {
            "item": item.id,
            "question": item.question,
            "options": list(quiz.options),  # a choice question's, in the order read out
            "answer": canonical_answer(item),
        },
    }


# --- input and output -----------------------------------------------------------------------------


def _json(document: Any, status: int = 200) -> Response:
    return Response(json.dumps(document), status=status, mimetype="application/json")


def _json_body() -> dict[str, Any]:
    """The request's JSON object; only JSON is taken, so a page on another site cannot post
    here without a CORS preflight, which this server never grants."""
    if request.mimetype != "application/json":
        raise BadInput("send JSON, with Content-Type: application/json", 415)
    body = request.get_data(cache=False)
    if len(body) > MAX_BODY_BYTES:
        raise BadInput(f"the body is over {MAX_BODY_BYTES} bytes", 413)
    try:
        document = json.loads(body) if body.strip() else {}
    except (ValueError, RecursionError):  # RecursionError: JSON nested too deeply
        raise BadInput("the body is not valid JSON") from None
    if not isinstance(document, dict):
        raise BadInput("the body must be a JSON object")
    return document


def _choice(document: Mapping[str, Any], key: str, choices: tuple[str, ...], default: str) -> str:
    value = document.get(key, default)
    if value not in choices:
        raise BadInput(f"{key} must be one of: {', '.join(choices)}")
    return str(value)


def _text(document: Mapping[str, Any], key: str, limit: int) -> str:
    """A required, non-blank string of at most `limit` characters, its spaces tidied."""
    value = document.get(key)
    if not isinstance(value, str) or not value.strip():
        raise BadInput(f"{key} must be a non-empty string")
    value = " ".join(value.split())
    if len(value) > limit:
        raise BadInput(f"{key} is longer than {limit} characters")
    return value
