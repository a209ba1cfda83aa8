"""Real HTTP: the app under gunicorn (gunicorn.conf.py) and under `serve --dev`, on loopback.

gunicorn runs `tests.pki:create_test_app()`, the real app trusting the test PKI's root and
serving the test chain from a file, so requests are signed and verified as in production without
touching the network. Conversations go through `HttpTransport`, as `python -m skill chat --url`.
"""

from __future__ import annotations

import http.client
import io
import json
import sys
import time
from collections.abc import Iterator

import pytest

from skill.tools.http_transport import EndpointError, HttpTransport
from skill.tools.simulator import SIMULATED_SKILL_ID, SIMULATED_USER_ID, Conversation, Simulator
from tests.pki import PKI_DIR_ENV, Pki, shared_pki, signed_headers, write_pki
from tests.servers import ROOT, Server, free_port, start, stop, without_proxies


@pytest.fixture(scope="module", autouse=True)
def no_proxies() -> Iterator[None]:
    yield from without_proxies()


@pytest.fixture(scope="session")
def pki() -> Pki:
    return shared_pki()


@pytest.fixture(scope="module")
def gunicorn(pki, tmp_path_factory) -> Iterator[Server]:
    directory = tmp_path_factory.mktemp("gunicorn")
    write_pki(directory, pki)
    port = free_port()
    command = [
        *(sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")),
        *("--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"),
        "tests.pki:create_test_app()",
    ]
    env = {PKI_DIR_ENV: str(directory), "SKILL_ID": SIMULATED_SKILL_ID, "LOG_LEVEL": "INFO"}
    server = start(command, env, directory / "server.log", port)
    yield server
    stop(server)


def _sign(pki: Pki, body: bytes) -> dict[str, str]:
    return signed_headers(body, pki.leaf_key)


def _status(connection: http.client.HTTPConnection) -> int:
    with connection.getresponse() as response:
        response.read()
        return response.status


def _post(server: Server, body: bytes, headers: dict[str, str], **kwargs: object) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("POST", "/alexa", body=body, headers=headers, **kwargs)  # type: ignore[arg-type]
        return _status(connection)
    finally:
        connection.close()


def test_a_signed_conversation_over_gunicorn(gunicorn, pki):
    transport = HttpTransport(gunicorn.url, timeout=10, sign=lambda b: _sign(pki, b))
    talk = Conversation(transport, Simulator("en-GB"))
    assert "history" in talk.launch().speech.lower()
    answer = talk.say("what were the terms of the treaty of friendship")
    assert "treaty" in answer.speech.lower()
    quiz = talk.say("quiz me")
    assert "Question 1 of" in quiz.speech
    assert quiz.session_attributes  # the quiz travels in the session, over HTTP
    reply = talk.say("a")
    assert "Question 2 of" in reply.speech  # so the answer was taken as the quiz's
    assert talk.in_session
    logs = gunicorn.logs()
    assert SIMULATED_USER_ID not in logs and "treaty" not in logs.lower()


def test_an_unsigned_request_is_refused_over_gunicorn(gunicorn):
    talk = Conversation(HttpTransport(gunicorn.url, timeout=10), Simulator("en-GB"))
    with pytest.raises(EndpointError) as raised:
        talk.launch()
    assert raised.value.status == 400
    time.sleep(0.2)  # the log line is written after the response
    logs = gunicorn.logs()
    assert "rejected request: " in logs
    assert "amzn1.echo-api.request." not in logs  # the unverified body's id is not logged


def test_a_path_cannot_forge_a_line_in_gunicorns_access_log(gunicorn):
    connection = http.client.HTTPConnection("127.0.0.1", gunicorn.port, timeout=10)
    try:
        connection.request("GET", "/alexa%0A2099-01-01%2000:00:00%20FAKE%1B[31m")
        _status(connection)
    finally:
        connection.close()
    time.sleep(0.2)
    logs = gunicorn.logs()
    assert not any(line.startswith("2099-01-01") for line in logs.splitlines())
    assert "FAKE" not in logs and "\x1b" not in logs


def test_gunicorns_workers_load_the_index_the_master_saved(gunicorn, pki):
    """Built once before the workers start, so a worker neither builds nor holds the building's
    memory."""
    transport = HttpTransport(gunicorn.url, timeout=10, sign=lambda b: _sign(pki, b))
    assert "history" in Conversation(transport, Simulator("en-GB")).launch().speech.lower()
    logs = gunicorn.logs()
    assert "content and matching index loaded from the saved index" in logs
    assert "saved index not used" not in logs and "index not saved" not in logs


def test_header_names_in_lower_case_over_gunicorn(gunicorn, pki):
    simulator = Simulator("en-GB", skill_id=SIMULATED_SKILL_ID)
    body = HttpTransport.encode(simulator.envelope(simulator.resolve("open history revision")))
    headers = {k.lower(): v for k, v in signed_headers(body, pki.leaf_key).items()}
    assert _post(gunicorn, body, headers) == 200


def test_bodies_over_the_cap_are_refused_over_gunicorn(gunicorn, pki):
    body = b"{" + b" " * (128 * 1024) + b"}"
    headers = signed_headers(body, pki.leaf_key)
    assert _post(gunicorn, body, headers) == 413
    assert _post(gunicorn, _chunks(body), headers, encode_chunked=True) == 413


def test_a_chunked_body_of_exactly_the_cap_is_read_over_gunicorn(gunicorn, pki):
    simulator = Simulator("en-GB", skill_id=SIMULATED_SKILL_ID)
    body = HttpTransport.encode(simulator.envelope(simulator.resolve("open history revision")))
    body = body[:-1] + b" " * (128 * 1024 - len(body)) + b"}"
    headers = signed_headers(body, pki.leaf_key)
    assert _post(gunicorn, _chunks(body), headers, encode_chunked=True) == 200


def _chunks(body: bytes) -> Iterator[bytes]:
    return (body[i : i + 8192] for i in range(0, len(body), 8192))


def test_gunicorns_limits_refuse_long_request_lines(gunicorn):
    connection = http.client.HTTPConnection("127.0.0.1", gunicorn.port, timeout=10)
    try:
        connection.request("GET", "/health?" + "x" * 2000)
        assert _status(connection) == 414
    finally:
        connection.close()


def test_get_is_not_allowed_over_gunicorn(gunicorn):
    connection = http.client.HTTPConnection("127.0.0.1", gunicorn.port, timeout=10)
    try:
        connection.request("GET", "/alexa")
        assert _status(connection) == 405
    finally:
        connection.close()


# --- python -m skill serve --dev -----------------------------------------------------------------


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory) -> Iterator[Server]:
    port = free_port()
    command = [
        *(sys.executable, "-m", "skill", "serve", "--dev", "--port", str(port)),
    ]
    log = tmp_path_factory.mktemp("dev") / "server.log"
    server = start(command, {"SKILL_ID": SIMULATED_SKILL_ID}, log, port)
    yield server
    stop(server)


def test_serve_dev_says_so_loudly_and_answers_unsigned_requests(dev_server):
    assert "WARNING  --dev: Alexa signature verification is OFF." in dev_server.logs()
    talk = Conversation(HttpTransport(dev_server.url, timeout=10), Simulator("en-GB"))
    assert "history" in talk.launch().speech.lower()
    assert "Question 1 of" in talk.say("quiz me").speech
    assert "Question 2 of" in talk.say("skip").speech


def test_ask_and_chat_drive_a_running_endpoint(dev_server, capsys, monkeypatch):
    from skill.__main__ import main

    monkeypatch.setenv("SKILL_ID", SIMULATED_SKILL_ID)
    assert main(["ask", "--url", dev_server.url, "how big was the loan"]) == 0
    assert "300 million" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("quiz me\nstop\n"))
    assert main(["chat", "--json", "--url", dev_server.url]) == 0
    turns = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert "Question 1 of" in turns[1]["speech"] and turns[-1]["end_session"] is True


def test_ask_reports_an_unreachable_endpoint_without_a_traceback(capsys):
    from skill.__main__ import main

    assert main(["ask", "--url", f"http://127.0.0.1:{free_port()}/alexa", "hello"]) == 1
    assert "endpoint error" in capsys.readouterr().err


def test_http_transport_reports_an_unreachable_endpoint():
    transport = HttpTransport(f"http://127.0.0.1:{free_port()}/alexa", timeout=2)
    with pytest.raises(EndpointError, match="cannot reach"):
        transport({"request": {}})


def test_http_transport_wants_an_http_url():
    with pytest.raises(ValueError):
        HttpTransport("ftp://example.org/alexa")
