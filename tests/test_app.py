"""The Flask endpoint: HTTP rules, health, dev mode, errors, and `python -m skill serve`."""

from __future__ import annotations

import argparse
import importlib
import json
import random
from typing import Any

import pytest
from ask_sdk_core.exceptions import AskSdkException

from skill import app as app_module
from skill.app import add_serve_arguments, create_app, dev_banner, run_serve, serve
from skill.builder import create_skill
from skill.config import Config
from skill.progress_store import MemoryPersistenceAdapter
from skill.tools.simulator import SIMULATED_SKILL_ID, Simulator
from skill.verify import MAX_BODY_BYTES, Verifier
from tests.pki import CERT_URL, Clock, FakeFetcher, Pki, shared_pki, signed_headers

CONFIG = Config(skill_id=SIMULATED_SKILL_ID, progress_store="memory://")


@pytest.fixture(scope="session")
def pki() -> Pki:
    return shared_pki()


@pytest.fixture(scope="module")
def served_skill():
    return create_skill(CONFIG, progress_store=MemoryPersistenceAdapter(), rng=random.Random(7))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(pki, served_skill, clock):
    """The app with signature checks on, trusting the test PKI."""
    fetcher = FakeFetcher({CERT_URL: pki.chain()})
    verifier = Verifier(skill_id=CONFIG.skill_id, roots=[pki.root], clock=clock, fetcher=fetcher)
    return create_app(CONFIG, skill=served_skill, verifier=verifier).test_client()


@pytest.fixture
def dev_client(served_skill, clock):
    """The app as `serve --dev` runs it: no signatures, timestamps and skill id checked."""
    verifier = Verifier(skill_id=CONFIG.skill_id, check_signatures=False, clock=clock)
    return create_app(CONFIG, skill=served_skill, verifier=verifier).test_client()


def envelope(clock: Clock, utterance: str = "open history revision") -> dict[str, Any]:
    simulator = Simulator("en-GB", clock=clock)
    return simulator.envelope(simulator.resolve(utterance))


def encoded(document: Any) -> bytes:
    return json.dumps(document).encode()


# --- HTTP ----------------------------------------------------------------------------------------


def test_health_answers_ok(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_alexa_answers_post_only(client, method):
    response = client.open("/alexa", method=method)
    assert response.status_code == 405
    assert response.get_json() == {"error": "method not allowed"}


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1"],
)
def test_alexa_answers_json_only(client, pki, clock, content_type):
    body = encoded(envelope(clock))
    headers = signed_headers(body, pki.leaf_key)
    del headers["Content-Type"]
    if content_type:
        headers["Content-Type"] = content_type
    response = client.post("/alexa", data=body, headers=headers)
    assert response.status_code == 415
    assert response.get_json() == {"error": "bad request"}


def test_a_body_over_128_kib_is_refused(client, pki, caplog):
    body = b"{" + b" " * MAX_BODY_BYTES + b"}"
    response = client.post("/alexa", data=body, headers=signed_headers(body, pki.leaf_key))
    assert response.status_code == 413
    assert response.get_json() == {"error": "request entity too large"}
    assert "body is too large" in caplog.text


def test_a_body_of_exactly_128_kib_is_read(client, pki, clock):
    document = envelope(clock)
    body = encoded(document)
    body = body[:-1] + b" " * (MAX_BODY_BYTES - len(body)) + b"}"  # JSON allows the padding
    assert len(body) == MAX_BODY_BYTES
    response = client.post("/alexa", data=body, headers=signed_headers(body, pki.leaf_key))
    assert response.status_code == 200


def test_a_signed_launch_is_answered(client, pki, clock):
    body = encoded(envelope(clock))
    response = client.post("/alexa", data=body, headers=signed_headers(body, pki.leaf_key))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "history" in response.get_json()["response"]["outputSpeech"]["ssml"].lower()


def test_unknown_paths_answer_a_generic_404(client):
    response = client.get("/admin")
    assert response.status_code == 404
    assert response.get_json() == {"error": "not found"}


# --- dev mode ------------------------------------------------------------------------------------


def test_dev_mode_answers_unsigned_requests(dev_client, clock):
    response = dev_client.post("/alexa", json=envelope(clock))
    assert response.status_code == 200


def test_dev_mode_still_checks_timestamps(dev_client, clock):
    document = envelope(clock)
    clock.advance(seconds=151)
    assert dev_client.post("/alexa", json=document).status_code == 400


def test_dev_mode_still_checks_the_skill_id(dev_client, clock):
    document = envelope(clock)
    document["context"]["System"]["application"]["applicationId"] = "amzn1.ask.skill.other"
    assert dev_client.post("/alexa", json=document).status_code == 400


def test_the_skills_own_skill_id_check_answers_400(served_skill, clock, caplog):
    # A verifier without a skill id leaves the check to the skill object, which raises.
    verifier = Verifier(skill_id=None, check_signatures=False, clock=clock)
    client = create_app(CONFIG, skill=served_skill, verifier=verifier).test_client()
    document = envelope(clock)
    for holder in (document["context"]["System"], document["session"]):
        holder["application"]["applicationId"] = "amzn1.ask.skill.other"
    response = client.post("/alexa", json=document)
    assert response.status_code == 400
    assert "skill refused the request: AskSdkException" in caplog.text


# --- errors --------------------------------------------------------------------------------------


class BrokenSkill:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def invoke(self, request_envelope: Any, context: Any) -> Any:
        raise self.error


def test_a_bug_answers_500_without_a_traceback_or_the_message(clock, caplog):
    verifier = Verifier(skill_id=CONFIG.skill_id, check_signatures=False, clock=clock)
    skill = BrokenSkill(KeyError("what the student said"))
    client = create_app(CONFIG, skill=skill, verifier=verifier).test_client()
    response = client.post("/alexa", json=envelope(clock))
    assert response.status_code == 500
    assert response.get_json() == {"error": "internal error"}
    assert "internal error KeyError at" in caplog.text
    assert "what the student said" not in caplog.text
    assert "Traceback" not in caplog.text + response.get_data(as_text=True)


def test_an_sdk_error_answers_400(clock):
    verifier = Verifier(skill_id=CONFIG.skill_id, check_signatures=False, clock=clock)
    skill = BrokenSkill(AskSdkException("no handler for what the student said"))
    client = create_app(CONFIG, skill=skill, verifier=verifier).test_client()
    assert client.post("/alexa", json=envelope(clock)).status_code == 400


# --- configuration and start-up ------------------------------------------------------------------


def test_the_default_app_verifies_signatures(served_skill, caplog):
    app = create_app(Config(skill_id=SIMULATED_SKILL_ID), skill=served_skill)
    response = app.test_client().post("/alexa", json={"request": {}})
    assert response.status_code == 400
    assert "SignatureCertChainUrl header is missing" in caplog.text


def test_warnings_at_start_up_when_checks_are_off(served_skill, caplog):
    create_app(Config(skill_id=None, verify_signatures=False), skill=served_skill)
    assert "signature verification is OFF" in caplog.text
    assert "SKILL_ID is not set" in caplog.text


def test_application_is_built_from_the_environment_on_first_use(monkeypatch):
    monkeypatch.setenv("SKILL_ID", SIMULATED_SKILL_ID)
    monkeypatch.setenv("PROGRESS_STORE", "memory://")
    monkeypatch.delenv("VERIFY_SIGNATURES", raising=False)
    module = importlib.reload(app_module)
    try:
        application = module.application
        assert application is module.application  # built once
        assert application.test_client().get("/health").status_code == 200
    finally:
        importlib.reload(app_module)


def test_serve_arguments_default_to_loopback_and_verification():
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    args = parser.parse_args([])
    assert (args.host, args.port, args.dev) == ("127.0.0.1", 8000, False)
    assert parser.parse_args(["--dev", "--port", "9000"]).dev


@pytest.fixture
def no_server(monkeypatch):
    """Flask.run replaced: records how the dev server would be started."""
    runs: list[dict[str, Any]] = []
    monkeypatch.setattr("flask.Flask.run", lambda self, **kwargs: runs.append(kwargs))
    monkeypatch.setenv("PROGRESS_STORE", "memory://")
    monkeypatch.setenv("SKILL_ID", SIMULATED_SKILL_ID)
    monkeypatch.delenv("VERIFY_SIGNATURES", raising=False)
    return runs


def test_serve_dev_warns_loudly_on_stderr(no_server, capsys):
    assert serve(["--dev", "--port", "8123"]) == 0
    err = capsys.readouterr().err
    assert "WARNING" in err and "verification is OFF" in err
    assert no_server == [
        {"host": "127.0.0.1", "port": 8123, "debug": False, "use_reloader": False, "threaded": True}
    ]


def test_serve_without_dev_is_quiet_and_verifies(no_server, capsys, monkeypatch):
    created: list[Config] = []
    real = app_module.create_app
    monkeypatch.setattr(app_module, "create_app", lambda c: created.append(c) or real(c))
    run_serve(argparse.Namespace(host="127.0.0.1", port=8000, dev=False))
    assert "verification is OFF" not in capsys.readouterr().err
    assert created[0].verify_signatures


def test_the_banner_says_when_other_machines_can_reach_the_server():
    assert "NOT only this machine" in dev_banner("0.0.0.0", 8000, None)
    assert "NOT only this machine" not in dev_banner("127.0.0.1", 8000, "x")
    assert "NOT only this machine" not in dev_banner("localhost", 8000, "x")
    assert "SKILL_ID is not set" in dev_banner("::1", 8000, None)
