"""Session state: what survives between turns, and tampered attributes never crash the skill."""

import json

import pytest

from skill import quiz, session
from skill.quiz import Given, Outcome, Phase, QuizState
from skill.session import Reading, SessionState, Spoken

ITEMS = {"q1", "q2", "q3"}
ENTRIES = {"treaty-terms"}


def parse(attributes):
    return session.from_attributes(attributes, ENTRIES.__contains__, ITEMS.__contains__)


def round_trip(state: SessionState) -> SessionState:
    # Through JSON, as the device carries it.
    return parse(json.loads(json.dumps(session.to_attributes(state))))


def test_a_full_state_survives_the_round_trip():
    quiz_state = QuizState(
        phase=Phase.CONFIRM_LEAVE,
        item_ids=("q1", "q2", "q3"),
        index=1,
        score=0.5,
        answers=(Given("q1", Outcome.PARTLY, 0.5, False),),
        hinted=True,
        leave_for="treaty-terms",
    )
    state = SessionState(
        last=Spoken("<speak>Hi</speak>", "<speak>Well?</speak>", "Title", "Text"),
        reading=Reading("treaty-terms", 1),
        quiz=quiz_state,
        confirm_reset=True,
        topic="treaty-terms",
        offer="treaty-terms",
    )
    assert round_trip(state) == state


@pytest.mark.parametrize("value", ["no-such-entry", 7, None, ["treaty-terms"], {"id": "x"}])
def test_a_tampered_topic_or_offer_is_forgotten(value):
    attributes = session.to_attributes(SessionState(topic="treaty-terms", offer="treaty-terms"))
    attributes["state"]["topic"] = attributes["state"]["offer"] = value
    state = parse(attributes)
    assert (state.topic, state.offer) == (None, None)


def test_no_attributes_is_a_fresh_state():
    assert parse(None) == SessionState()
    assert parse({}) == SessionState()


def valid_quiz() -> dict:
    return session.to_attributes(SessionState(quiz=quiz.start(["q1", "q2"])))


def tamper(change) -> dict:
    attributes = valid_quiz()
    change(attributes["state"]["quiz"])
    return attributes


@pytest.mark.parametrize(
    "change",
    [
        lambda q: q.update(phase="dancing"),
        lambda q: q.update(phase=["asking"]),  # not even hashable
        lambda q: q.update(index=1, answers=[{"item": "q1", "outcome": ["right"], "points": 1}]),
        lambda q: q.update(items="q1"),
        lambda q: q.update(items=[]),
        lambda q: q.update(items=["q1", "deleted-item"]),
        lambda q: q.update(items=[1, 2]),
        lambda q: q.update(index=7),
        lambda q: q.update(index=-1),
        lambda q: q.update(index="0"),
        lambda q: q.update(index=True),
        lambda q: q.update(score="lots"),
        lambda q: q.update(score=None),
        lambda q: q.update(answers={"q1": "right"}),
        lambda q: q.update(index=1, answers=[{"item": "q1", "outcome": "brilliant", "points": 1}]),
        lambda q: q.update(index=1, answers=[{"item": "q1", "outcome": "right", "points": 9}]),
        lambda q: q.update(index=1, answers=[{"item": "gone", "outcome": "right", "points": 1}]),
        lambda q: q.update(index=1, answers=[]),
        lambda q: q.update(hinted="yes"),
        lambda q: q.update(leave_for="no-such-entry"),
        lambda q: q.update(extra="unknown key"),
        lambda q: q.update(phase="finished"),  # finished with questions still to ask
    ],
    ids=lambda _: "tampered",
)
def test_a_tampered_or_stale_quiz_is_no_quiz(change):
    state = parse(tamper(change))
    assert state.quiz is None


@pytest.mark.parametrize(
    "attributes",
    [
        "not a mapping",
        {"state": "junk"},
        {"state": {"v": 99, "quiz": {}}},
        {"state": {"v": 1, "last": {"ssml": 5}}},
        {"state": {"v": 1, "reading": {"entry_id": "gone", "next_part": 1}}},
        {"state": {"v": 1, "reading": {"entry_id": "treaty-terms", "next_part": "1"}}},
        {"state": {"v": 1, "confirm_reset": "true"}},
    ],
)
def test_junk_attributes_give_a_fresh_state(attributes):
    assert parse(attributes) == SessionState()


def test_a_valid_quiz_is_kept():
    assert parse(valid_quiz()).quiz == quiz.start(["q1", "q2"])


def test_the_dialog_is_made_once_per_request_before_any_handler(talk, monkeypatch):
    from skill.handlers import common

    made: list[str] = []
    real = common.dialog_for

    def counting(locale, choose):
        made.append(str(locale))
        return real(locale, choose)

    monkeypatch.setattr(common, "dialog_for", counting)
    talk.say("quiz me")
    made.clear()
    talk.say("the treaty of friendship")  # an answer: marked, saved, the next question asked
    assert made == ["en-GB"]
