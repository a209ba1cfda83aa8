"""The test console's API and mounting: `serve --dev` serves /console, a verifying server never."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from flask import Flask

from skill.__main__ import main
from skill.app import create_app
from skill.builder import create_skill
from skill.config import Config
from skill.progress_store import MemoryPersistenceAdapter
from skill.tools.console import (
    MAX_BODY_BYTES,
    MAX_UTTERANCE_CHARS,
    ConsoleSession,
    Sessions,
    mount_console,
)
from skill.tools.simulator import SIMULATED_SKILL_ID, Conversation, InProcess, Simulator, user_id
from skill.verify import Verifier

CONFIG = Config(skill_id=SIMULATED_SKILL_ID, verify_signatures=False, progress_store="memory://")


@pytest.fixture(scope="module")
def served_skill():
    return create_skill(CONFIG, progress_store=MemoryPersistenceAdapter(), rng=random.Random(7))


@pytest.fixture
def client(served_skill):
    """The app as `serve --dev` runs it, with the console mounted."""
    verifier = Verifier(skill_id=SIMULATED_SKILL_ID, check_signatures=False)
    app = create_app(CONFIG, skill=served_skill, verifier=verifier)
    assert mount_console(app) == "/console/"
    return app.test_client()


class Console:
    """A browser tab's calls, for tests that read like the page's use."""

    def __init__(self, client: Any, **who: str) -> None:
        self.client = client
        response = client.post("/console/api/sessions", json=who)
        assert response.status_code == 201, response.get_json()
        self.id = response.get_json()["id"]

    def post(self, **body: Any) -> Any:
        return self.client.post(f"/console/api/sessions/{self.id}/turns", json=body)

    def turn(self, **body: Any) -> dict[str, Any]:
        response = self.post(**body)
        assert response.status_code == 200, response.get_json()
        return response.get_json()["turn"]

    def say(self, utterance: str) -> dict[str, Any]:
        return self.turn(action="say", utterance=utterance)


# --- the page ------------------------------------------------------------------------------------


def test_the_page_and_its_files_are_served(client):
    assert client.get("/console").status_code == 308  # to /console/, so relative paths work
    page = client.get("/console/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert 'src="static/console.js"' in html and 'href="static/console.css"' in html
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    for name, mimetype in (("console.js", "text/javascript"), ("console.css", "text/css")):
        response = client.get(f"/console/static/{name}")
        assert response.status_code == 200 and response.mimetype == mimetype


def test_the_page_fetches_nothing_from_elsewhere(client):
    html = client.get("/console/").get_data(as_text=True)
    assert "http://" not in html and "https://" not in html
    assert "<script>" not in html  # no inline script: the policy would refuse it


def test_options_name_the_locales_and_limits(client):
    options = client.get("/console/api/options").get_json()
    assert options["locales"][0] == "en-GB" and "en-US" in options["locales"]
    assert options["students"] == ["new", "returning"]
    assert options["max_utterance_chars"] == MAX_UTTERANCE_CHARS


# --- conversations -------------------------------------------------------------------------------


def test_a_question_shows_the_reply_resolution_and_both_envelopes(client):
    turn = Console(client).say("how big was the loan")
    assert "300 million" in turn["speech"] and turn["ssml"].startswith("<speak>")
    assert turn["in_session"] is True
    request = turn["request"]
    assert request["request"]["type"] == "IntentRequest"
    assert request["request"]["intent"]["name"] == turn["intent"] == turn["resolution"]["intent"]
    assert request["session"]["new"] is True
    assert turn["response"]["response"]["outputSpeech"]["ssml"] == turn["ssml"]
    assert turn["resolution"]["sample"]


def test_resolved_slots_are_shown_with_their_entity_resolution(client):
    turn = Console(client).say("quiz me on mao and stalin")
    slots = {slot["name"]: slot for slot in turn["resolution"]["slots"]}
    assert slots["topic"]["value"] == "mao and stalin"
    assert slots["topic"]["status"] == "ER_SUCCESS_MATCH" and slots["topic"]["resolved"]


def test_a_quiz_conversation_shows_the_quiz_after_each_turn(client):
    console = Console(client)
    started = console.say("quiz me")
    quiz = started["quiz"]
    assert quiz["phase"] == "asking" and quiz["question"] == 1 and quiz["answers"] == []
    assert started["session_attributes"]["state"]["quiz"]["index"] == 0
    assert quiz["asking"]["question"] in started["speech"]

    answered = console.say(quiz["asking"]["answer"])
    assert answered["request"]["session"]["new"] is False  # the same Alexa session
    assert answered["request"]["session"]["attributes"] == started["session_attributes"]
    assert answered["quiz"]["question"] == 2
    assert answered["quiz"]["answers"][0]["outcome"] == "right"

    for _ in range(answered["quiz"]["questions"] - 1):
        last = console.say("skip")
    assert last["quiz"]["phase"] == "finished" and last["quiz"]["asking"] is None


def test_new_session_launches_and_end_session_ends_it(client):
    console = Console(client)
    launched = console.turn(action="launch")
    assert launched["intent"] == "LaunchRequest" and launched["in_session"] is True
    ended = console.turn(action="end")
    assert ended["intent"] == "SessionEndedRequest" and ended["in_session"] is False
    assert ended["request"]["request"]["reason"] == "USER_INITIATED"
    assert console.turn(action="end") is None  # nothing open to end


def test_stop_closes_the_session(client):
    console = Console(client)
    console.say("quiz me")
    stopped = console.say("stop")
    assert stopped["end_session"] is True and stopped["in_session"] is False
    assert stopped["quiz"] is None


def test_each_console_session_is_a_conversation_of_its_own(client):
    first, second = Console(client), Console(client)
    first.say("quiz me")
    assert second.say("how big was the loan")["request"]["session"]["new"] is True


def test_a_returning_student_is_the_same_user_and_a_new_one_never_is(client):
    def user(**who: str) -> str:
        return Console(client, **who).say("hello")["request"]["session"]["user"]["userId"]

    assert user(student="returning", name="Sam") == user(student="returning", name="sam")
    assert user(student="returning", name="sam") == user_id("sam")  # as `chat --user sam`
    assert user(student="new") != user(student="new")


def test_a_returning_student_hears_their_progress(client):
    sam = Console(client, student="returning", name="sam")
    sam.say("quiz me")
    for _ in range(5):
        sam.say("skip")
    sam.say("no")
    returning = "test yourself again"  # the launch offer only a returning student hears
    assert (
        returning
        in Console(client, student="returning", name="sam").turn(action="launch")["speech"]
    )
    assert returning not in Console(client, student="new").turn(action="launch")["speech"]


def test_the_locale_chosen_is_the_requests(client):
    turn = Console(client, locale="en-US").say("how big was the loan")
    assert turn["request"]["request"]["locale"] == "en-US"


# --- input checks --------------------------------------------------------------------------------


def turn_error(client: Any, data: bytes | str, content_type: str = "application/json") -> Any:
    console = Console(client)
    return client.post(
        f"/console/api/sessions/{console.id}/turns", data=data, content_type=content_type
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"utterance": ', "the body is not valid JSON"),
        (b"\xff\xfe{", "the body is not valid JSON"),
        ("[" * 2000 + "]" * 2000, "the body is not valid JSON"),  # too deep for json
        ('["quiz me"]', "the body must be a JSON object"),
        ('{"utterance": 42}', "utterance must be a non-empty string"),
        ('{"utterance": "   "}', "utterance must be a non-empty string"),
        ('{"action": "dance"}', "action must be one of: say, launch, end"),
        (json.dumps({"utterance": "a" * (MAX_UTTERANCE_CHARS + 1)}), "longer than 300"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(client, body, message):
    response = turn_error(client, body)
    assert response.status_code == 400
    assert message in response.get_json()["error"]


def test_an_utterance_of_the_longest_length_is_taken(client):
    response = Console(client).post(utterance="a " * (MAX_UTTERANCE_CHARS // 2))
    assert response.status_code == 200


def test_a_body_that_is_not_json_is_refused(client):
    response = turn_error(client, "utterance=quiz+me", "application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert "application/json" in response.get_json()["error"]


def test_a_body_over_the_cap_is_refused(client):
    body = json.dumps({"utterance": "quiz me", "padding": "x" * MAX_BODY_BYTES})
    assert turn_error(client, body).status_code == 413


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ({"locale": "fr-FR"}, "locale must be one of: en-GB"),
        ({"student": "teacher"}, "student must be one of: new, returning"),
        ({"student": "returning"}, "name must be a non-empty string"),
        ({"student": "returning", "name": "x" * 41}, "name is longer than 40 characters"),
    ],
)
def test_bad_sessions_are_refused(client, who, message):
    response = client.post("/console/api/sessions", json=who)
    assert response.status_code == 400
    assert message in response.get_json()["error"]


def test_an_unknown_console_session_is_404(client):
    response = client.post("/console/api/sessions/nope/turns", json={"utterance": "hi"})
    assert response.status_code == 404
    assert "no such console session" in response.get_json()["error"]


def test_nothing_a_student_says_or_is_called_is_logged(client, caplog):
    caplog.set_level("DEBUG")
    console = Console(client, student="returning", name="Priyanka")
    console.say("my secret answer about the treaty")
    console.post(utterance="x" * 400)
    assert "secret" not in caplog.text and "Priyanka" not in caplog.text
    assert user_id("Priyanka") not in caplog.text and "SIMULATED" not in caplog.text


# --- console sessions ----------------------------------------------------------------------------


def console_session() -> ConsoleSession:
    return ConsoleSession(Conversation(InProcess(None), Simulator("en-GB")), "en-GB", "new")


def test_console_sessions_are_bounded_the_least_recently_used_going_first():
    sessions = Sessions(limit=2)
    first, second = sessions.add(console_session()), sessions.add(console_session())
    assert sessions.get(first) is not None  # now second is the least recently used
    third = sessions.add(console_session())
    assert len(sessions) == 2
    assert sessions.get(second) is None
    assert sessions.get(first) is not None and sessions.get(third) is not None


def test_idle_console_sessions_are_forgotten():
    now = [0.0]
    sessions = Sessions(idle=60, clock=lambda: now[0])
    kept = sessions.add(console_session())
    now[0] = 59
    assert sessions.get(kept) is not None
    now[0] = 59 + 61
    assert sessions.get(kept) is None


def test_console_session_ids_are_unguessable():
    sessions = Sessions()
    ids = {sessions.add(console_session()) for _ in range(10)}
    assert len(ids) == 10 and all(len(i) >= 20 for i in ids)


# --- mounted only without verification -----------------------------------------------------------


def test_the_console_refuses_an_app_that_verifies_signatures(served_skill):
    app = create_app(CONFIG, skill=served_skill, verifier=Verifier(skill_id=SIMULATED_SKILL_ID))
    with pytest.raises(ValueError, match="serve --dev"):
        mount_console(app)
    assert app.test_client().get("/console/").status_code == 404


@pytest.fixture
def served_apps(monkeypatch) -> list[Flask]:
    """Flask.run replaced: the apps `python -m skill serve` would have served."""
    apps: list[Flask] = []
    monkeypatch.setattr("flask.Flask.run", lambda self, **kwargs: apps.append(self))
    monkeypatch.setenv("PROGRESS_STORE", "memory://")
    monkeypatch.setenv("SKILL_ID", SIMULATED_SKILL_ID)
    monkeypatch.delenv("VERIFY_SIGNATURES", raising=False)
    return apps


def test_serve_dev_serves_the_console(served_apps):
    assert main(["serve", "--dev", "--port", "8123"]) == 0
    client = served_apps[0].test_client()
    assert client.get("/console/").status_code == 200
    session = client.post("/console/api/sessions", json={}).get_json()["id"]
    turn = client.post(f"/console/api/sessions/{session}/turns", json={"utterance": "hello"})
    assert turn.status_code == 200


def test_serve_with_verification_on_has_no_console(served_apps, capsys):
    assert main(["serve", "--port", "8123"]) == 0
    client = served_apps[0].test_client()
    for path in ("/console", "/console/", "/console/api/options", "/console/static/console.js"):
        assert client.get(path).status_code == 404
    assert client.post("/console/api/sessions", json={}).status_code == 404
    assert "/console" not in capsys.readouterr().err


def test_serve_dev_names_the_console_at_start_up(served_apps, capsys):
    main(["serve", "--dev", "--port", "8124"])
    assert "Serving http://127.0.0.1:8124/console/" in capsys.readouterr().err
