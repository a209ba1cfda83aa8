"""Conversations as data: every file in tests/conversations/ runs in-process, and the runner
itself reports what did not match, readably."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from skill.__main__ import main
from skill.builder import create_skill
from skill.config import Config
from skill.content import default_content
from skill.tools import conversations
from skill.tools.conversations import ConversationError, Runner, load, report
from skill.tools.simulator import InProcess

FILES = sorted((Path(__file__).parent / "conversations").glob("*.yaml"))
CONTENT = default_content()


def runner(store=None) -> Runner:
    skill = create_skill(
        Config(progress_store="memory://"), progress_store=store, rng=random.Random(3)
    )
    return Runner(InProcess(skill), CONTENT)


def test_there_are_conversations_to_run():
    assert len(FILES) >= 15


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_conversation(path):
    script = load(path)
    if not CONTENT.items and any("quiz" in str(step) for step in script.turns):
        pytest.skip("the content has no quiz items yet")
    mismatches = runner().run(script)
    assert not mismatches, "\n" + report(script, mismatches)


def write(tmp_path: Path, text: str, name: str = "c.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_mismatch_is_reported_as_expected_against_said(tmp_path):
    path = write(
        tmp_path,
        "description: wrong on purpose\n"
        "turns:\n"
        "  - say: how big was the loan\n"
        "    speech_contains: 400 million\n"
        "    ends_session: true\n"
        "    attribute: {state.reading.entry_id: treaty-loan}\n",
    )
    script = load(path)
    mismatches = runner().run(script)
    assert [m.what for m in mismatches] == [
        "speech_contains",
        "ends_session",
        "attribute state.reading.entry_id",
    ]
    text = report(script, mismatches)
    assert "turn 1, say: 'how big was the loan': speech_contains" in text
    assert "- expected: 400 million" in text
    assert "+ said:     Under the treaty" in text and "300 million" in text
    assert "- expected: treaty-loan" in text and "+ said:     absent" in text


def test_the_voice_rules_apply_to_every_reply(tmp_path):
    script = load(write(tmp_path, "- launch\n- say: stop\n"))

    def asks_nothing(turn, locale):
        return ["open-session: asks nothing"]

    skill = create_skill(Config(progress_store="memory://"))
    mismatches = Runner(InProcess(skill), CONTENT, rules=asks_nothing).run(script)
    assert [(m.step.number, m.what) for m in mismatches] == [(1, "voice rules"), (2, "voice rules")]
    assert runner().run(script) == []  # the real rules pass on a launch and a stop


def test_answer_correct_uses_the_current_item_and_fails_outside_a_quiz(tmp_path):
    script = load(write(tmp_path, "- launch\n- answer: correct\n"))
    (mismatch,) = runner().run(script)
    assert mismatch.what == "the turn could be sent"
    assert "no quiz question is being asked" in mismatch.actual


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("turns: []\n", "has no turns"),
        ("- say: hi\n  speech_contain: x\n", "turn 1: unknown keys ['speech_contain']"),
        ("- say: hi\n  launch:\n", "turn 1: needs exactly one of"),
        ("- answer: maybe\n", "answer must be correct or wrong"),
        ("- say: hi\n  speech_matches: '('\n", "is not a regex"),
        ("- say: hi\n  ends_session: true\n  ends_session: false\n", "given twice"),
        ("- say: hi\n  slots: {a: b}\n", "slots must be a mapping, on an intent turn"),
        ("{turns: [launch], extra: 1}\n", "unknown keys ['extra']"),
        ("{turns: [launch], locale: fr-FR}\n", "locale 'fr-FR' is not one of"),
    ],
)
def test_an_invalid_file_names_the_file_turn_and_reason(tmp_path, text, reason):
    path = write(tmp_path, text)
    with pytest.raises(ConversationError, match=r".*") as error:
        load(path)
    assert str(path) in str(error.value) and reason in str(error.value)


def test_lookup_follows_dotted_paths_into_lists():
    attributes = {"state": {"quiz": {"items": ["a", "b"], "index": 1}}}
    assert conversations.lookup(attributes, "state.quiz.items.1") == (True, "b")
    assert conversations.lookup(attributes, "state.quiz.index") == (True, 1)
    assert conversations.lookup(attributes, "state.quiz.items.2") == (False, None)
    assert conversations.lookup(attributes, "state.reading") == (False, None)


def test_the_test_command_passes_and_fails_with_the_exit_status(tmp_path, capsys):
    good = write(tmp_path, "- launch:\n  ends_session: false\n", "good.yaml")
    bad = write(tmp_path, "- launch:\n  ends_session: true\n", "bad.yaml")
    assert main(["test", str(good)]) == 0
    assert "1 of 1 conversations passed" in capsys.readouterr().out
    assert main(["test", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"FAIL {bad}" in out and "- expected: True" in out and "+ said:     False" in out
    assert f"ok   {good}" in out


def test_the_test_command_with_url_reports_an_unreachable_endpoint(tmp_path, capsys):
    pytest.importorskip("skill.tools.http_transport")
    good = write(tmp_path, "- launch\n")
    assert main(["test", str(good), "--url", "http://127.0.0.1:9/alexa"]) == 1
    assert "the turn could be sent" in capsys.readouterr().out
