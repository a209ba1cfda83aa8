"""make lambda: the zip Lambda runs holds the runtime and content only, and answers on its own.

The zip is built as `make lambda` builds it (wheels for Lambda's platform from PyPI), for this
machine's architecture and Python so that it can be tried here, unpacked as Lambda unpacks it,
and imported by an interpreter that sees nothing but the zip and the standard library.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from skill import intents
from skill.tools import lambda_zip
from skill.tools.simulator import Simulator
from tests.requests import SIMULATED_SKILL_ID, intent, launch

# Run by an interpreter started with -S -E: no site-packages, no PYTHON* variables.
ANSWER = """
import json, sys
sys.path.insert(0, sys.argv[1])
import skill.index
def not_built(*args): raise AssertionError("built at a cold start: the saved index was not used")
skill.index.build = not_built
import skill.lambda_function as function
attributes = None
for line in sys.stdin:
    event = json.loads(line)
    if attributes is not None and not event["session"]["new"]:  # as Alexa carries them over
        event["session"]["attributes"] = attributes
    response = function.lambda_handler(event, None)
    attributes = response.get("sessionAttributes")
    print(json.dumps(response))
# The saved index carries the skill's own YAML parsed: no request needs PyYAML. Other modules
# the requests had no use for are named after the unpacked directory.
for name in ["yaml", *sys.argv[2:]]:
    assert name not in sys.modules, f"{name} was imported, and these requests do not need it"
"""


@pytest.fixture(scope="module")
def built_zip(tmp_path_factory) -> Path:
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    out = tmp_path_factory.mktemp("lambda") / "lambda.zip"
    return lambda_zip.build(out, arch=lambda_zip.host_arch(), python_version=python)


def answers(
    zip_path: Path, tmp_path: Path, envelopes: list[dict], not_imported: tuple[str, ...] = ()
) -> list[dict]:
    """Unpack the zip and send it envelopes in one process, as one warm Lambda container;
    the process fails if it imported PyYAML or any module named in `not_imported`."""
    unpacked = tmp_path / "task"
    zipfile.ZipFile(zip_path).extractall(unpacked)
    environment = {"SKILL_ID": SIMULATED_SKILL_ID, "PROGRESS_STORE": "memory://", "HOME": "/"}
    result = subprocess.run(
        [sys.executable, "-S", "-E", "-c", ANSWER, str(unpacked), *not_imported],
        input="".join(json.dumps(envelope) + "\n" for envelope in envelopes),
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_the_zip_alone_answers_a_launch_and_a_question_from_its_saved_index(built_zip, tmp_path):
    launched, answered = answers(
        built_zip,
        tmp_path,
        [launch(), intent(intents.TOPIC, topic="the treaty of friendship")],
        # What the cold start work took out of a launch and a question.
        not_imported=("skill.marking", "hashlib", "statistics", "xml.sax", "orjson"),
    )
    assert "history" in launched["response"]["outputSpeech"]["ssml"].lower()
    assert launched["response"]["shouldEndSession"] is False
    assert "1950" in answered["response"]["outputSpeech"]["ssml"]


def test_the_zip_alone_holds_a_quiz_from_its_saved_index(built_zip, tmp_path):
    simulator = Simulator("en-GB", skill_id=SIMULATED_SKILL_ID)
    turns = [
        simulator.envelope(simulator.resolve(said), session_id="quiz", new=not index)
        for index, said in enumerate(["open history revision", "quiz me", "skip", "a hint"])
    ]
    *_, asked, skipped, hinted = answers(built_zip, tmp_path, turns)
    assert "question 1 of" in asked["response"]["outputSpeech"]["ssml"].lower()
    assert "question 2 of" in skipped["response"]["outputSpeech"]["ssml"].lower()
    assert hinted["response"]["shouldEndSession"] is False


def test_the_zip_holds_no_developer_tools_or_endpoint_dependencies(built_zip):
    tops = {name.split("/")[0] for name in zipfile.ZipFile(built_zip).namelist()}
    names = set(zipfile.ZipFile(built_zip).namelist())
    assert {"skill/lambda_function.py", "skill/index.pickle"} <= names
    assert {"skill/locale/en.yaml", "skill/lexicon.yaml"} <= names
    assert any(name.startswith("content/") and name.endswith(".yaml") for name in names)
    assert not any(name.startswith("skill/tools/") for name in names)
    assert "skill/__main__.py" not in names
    assert not {"flask", "gunicorn", "cryptography", "pytest", "tests", "benchmarks"} & tops


def test_every_module_in_the_zip_comes_compiled_for_a_read_only_file_system(built_zip):
    # Lambda cannot write __pycache__: bytecode the zip lacks is compiled at every cold start.
    archive = zipfile.ZipFile(built_zip)
    names = set(archive.namelist())
    tag = sys.implementation.cache_tag
    sources = [n for n in names if n.endswith(".py") and "/__pycache__/" not in n]
    assert "skill/lambda_function.py" in sources
    for source in sources:
        folder, _, file = source.rpartition("/")
        compiled = f"{folder}/__pycache__/{file[:-3]}.{tag}.pyc".lstrip("/")
        assert compiled in names, source
        # PEP 552 flags: hash-based (1) and not checked against the source (no 2), so the
        # unpacked files' dates do not matter.
        assert int.from_bytes(archive.read(compiled)[4:8], "little") == 1, compiled


def test_the_same_inputs_give_the_same_zip(built_zip, tmp_path):
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    again = lambda_zip.build(
        tmp_path / "again.zip", arch=lambda_zip.host_arch(), python_version=python
    )
    assert again.read_bytes() == built_zip.read_bytes()
