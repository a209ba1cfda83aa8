"""The development sets kept in eval/ are the shared ones: copied, never edited."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
COPIES = {
    **{f"eval/{p.name}": p for p in sorted((SHARED / "eval").glob("*.json"))},
    "eval/facts.md": SHARED / "seed" / "facts.md",
}


def test_every_development_set_the_tests_read_is_in_the_repository():
    names = {p.name for p in (ROOT / "eval").iterdir()}
    expected = {"dev_answers.json", "dev_questions.json", "dev_quiz_turns.json",
                "spoken_answers.json", "spoken_questions.json", "facts.md"}  # fmt: skip
    assert expected <= names


@pytest.mark.skipif(not SHARED.exists(), reason="no ../shared beside the repository to compare")
@pytest.mark.parametrize("copy", sorted(COPIES))
def test_a_copy_matches_the_shared_original(copy):
    assert (ROOT / copy).read_bytes() == COPIES[copy].read_bytes(), f"copy {COPIES[copy]} again"
