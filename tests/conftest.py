"""Fixtures: the skill as the endpoint builds it, and a conversation with it, simulated."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from skill.builder import create_skill
from skill.config import Config
from skill.progress_store import MemoryPersistenceAdapter
from skill.tools.simulator import SIMULATED_SKILL_ID, Conversation, InProcess, Simulator, Turn


class Clock:
    """The time requests carry; tests move it on to simulate "next week"."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store() -> MemoryPersistenceAdapter:
    return MemoryPersistenceAdapter()


@pytest.fixture
def skill(store):
    config = Config(skill_id=SIMULATED_SKILL_ID, progress_store="memory://")
    return create_skill(config, progress_store=store, rng=random.Random(7))


def check_turn(turn: Turn) -> Turn:
    """What every response must do: an open session ends with a question and has a reprompt."""
    if turn.intent == "SessionEndedRequest":
        assert turn.ssml is None, "nothing may be said after the session ended"
    elif not turn.end_session:
        assert turn.speech.endswith("?"), f"open session without a question: {turn.speech!r}"
        assert turn.reprompt, f"open session without a reprompt: {turn.speech!r}"
        assert turn.reprompt.endswith("?"), f"a reprompt that asks nothing: {turn.reprompt!r}"
    return turn


class Talk(Conversation):
    """A Conversation whose every turn is checked for the voice rules."""

    def send(self, resolution):
        return check_turn(super().send(resolution))


@pytest.fixture
def talk(skill, clock) -> Talk:
    return Talk(InProcess(skill), Simulator("en-GB", clock=clock))


@pytest.fixture
def make_talk(skill, clock):
    """A conversation in another locale, with the same skill and store."""

    def make(locale: str = "en-GB") -> Talk:
        return Talk(InProcess(skill), Simulator(locale, clock=clock))

    return make
