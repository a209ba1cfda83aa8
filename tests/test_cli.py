"""The command line at start-up: bad settings give one clear line and exit status 2."""

import io

import pytest

from skill.__main__ import main


def test_an_unwritable_progress_store_is_named_at_start_up(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("PROGRESS_STORE", f"sqlite:///{blocker}/progress.sqlite3")
    with pytest.raises(SystemExit) as exit_:
        main(["ask", "how big was the loan"])
    assert exit_.value.code == 2
    error = capsys.readouterr().err
    assert "progress store" in error and str(blocker) in error
    assert "Traceback" not in error


def test_an_unknown_progress_store_names_the_setting(monkeypatch, capsys):
    monkeypatch.setenv("PROGRESS_STORE", "postgres://somewhere")
    with pytest.raises(SystemExit) as exit_:
        main(["ask", "hello"])
    assert exit_.value.code == 2
    assert "PROGRESS_STORE" in capsys.readouterr().err


def test_a_store_path_is_created_on_first_use(tmp_path, monkeypatch, capsys):
    store = tmp_path / "new" / "dir" / "progress.sqlite3"
    monkeypatch.setenv("PROGRESS_STORE", f"sqlite:///{store}")
    assert main(["ask", "how big was the loan"]) == 0
    assert "300 million" in capsys.readouterr().out
    assert store.exists()


def test_each_user_named_is_a_student_of_their_own_and_returns_as_one(
    tmp_path, monkeypatch, capsys
):
    """--user lets a teacher try a new and a returning student from the terminal."""
    monkeypatch.setenv("PROGRESS_STORE", f"sqlite:///{tmp_path / 'progress.sqlite3'}")
    monkeypatch.setattr("sys.stdin", io.StringIO("quiz me\n" + "skip\n" * 5 + "no\n"))
    assert main(["chat", "--user", "sam"]) == 0
    assert "end of the quiz" in capsys.readouterr().out
    returning = "test yourself again"  # the launch offer only a returning student hears
    assert main(["ask", "--user", "sam", "open history revision"]) == 0
    assert returning in capsys.readouterr().out
    assert main(["ask", "--user", "alex", "open history revision"]) == 0
    assert returning not in capsys.readouterr().out


def test_a_user_name_becomes_an_opaque_id_and_is_not_kept():
    from skill.tools.simulator import user_id

    assert user_id("Sam") == user_id("sam") != user_id("alex")
    assert "sam" not in user_id("sam").lower()
