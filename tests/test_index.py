"""skill.index: the content and matching index saved by the build answer as the files do, and a
saved index that no longer matches its inputs is never used."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from skill import content, index
from skill.content import CONTENT_DIR

QUESTIONS = Path(__file__).resolve().parent.parent / "eval" / "spoken_questions.json"


@pytest.fixture
def content_dir(tmp_path) -> Path:
    copied = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, copied, ignore=shutil.ignore_patterns("*.md"))
    return copied


def spoken_questions() -> list[str]:
    data = json.loads(QUESTIONS.read_text(encoding="utf-8"))
    return [q["q"] for q in data["in_scope"]] + list(data["out_of_scope"])


def test_a_saved_index_answers_every_question_as_one_built_from_the_files(tmp_path, content_dir):
    path = index.save(tmp_path / "index.pickle", content_dir)
    saved_content, saved = index.load(path, content_dir)
    built_content, built = index.build(content_dir)
    assert saved_content == built_content
    for question in spoken_questions():
        ours, theirs = saved.match(question), built.match(question)
        assert (ours and (ours.entry.id, ours.confidence)) == (
            theirs and (theirs.entry.id, theirs.confidence)
        ), question


def test_a_saved_index_is_not_used_once_the_content_changes(tmp_path, content_dir, caplog):
    path = index.save(tmp_path / "index.pickle", content_dir)
    topic = next(content_dir.glob("*.yaml"))
    topic.write_text(topic.read_text(encoding="utf-8").replace("300 million", "400 million"))
    content, _ = index.load(path, content_dir)
    assert any("400 million" in " ".join(e.answer.points) for e in content.entries)
    assert "saved index not used" in caplog.text


def test_an_unreadable_index_is_built_from_the_files(tmp_path, content_dir, caplog):
    path = tmp_path / "index.pickle"
    path.write_bytes(b"not a pickle")
    content, matcher = index.load(path, content_dir)
    assert content.entries and matcher.match("how big was the loan") is not None
    assert "saved index not used" in caplog.text


def test_a_saved_index_carries_the_skills_own_yaml_parsed_as_the_files_read(tmp_path, content_dir):
    path = index.save(tmp_path / "index.pickle", content_dir)
    index.load(path, content_dir)
    phrases = (Path(index.__file__).parent / "locale" / "en.yaml").read_text(encoding="utf-8")
    import yaml

    known = content.read_yaml(phrases)
    assert known == yaml.safe_load(phrases)
    known["goodbye"] = ["changed by a caller"]  # and a caller changes only its own copy
    assert content.read_yaml(phrases) == yaml.safe_load(phrases)
