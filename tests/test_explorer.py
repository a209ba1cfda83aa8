"""The dialog explorer: random conversations, hostile slot values and tampered sessions.

Hypothesis drives a student who says anything in any order: every declared intent with random
and hostile slot values, utterances from the model and random text, launches and new sessions in
the middle of a quiz, sessions ended by the device, and session attributes tampered with. After
every turn the response is held to the rules of `python -m skill check`
(skill.tools.probes.PROBE_CHECKS):
no exception, no dead end (an open session asks a question and has a reprompt that asks one),
nothing over Alexa's limits, SSML Alexa can read, stop ends, help keeps the quiz, and an active
quiz is lost only by stop, cancel, "stop the quiz", "go home", "yes" to leaving it, the end of
the session, or "start over", which replaces it.

`make test` runs a short exploration. A long one, 10,000 turns:

    EXPLORER_TURNS=10000 .venv/bin/python -m pytest tests/test_explorer.py -s
"""

from __future__ import annotations

import copy
import os
import random
import time
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)

from skill import intents, session
from skill.builder import create_skill
from skill.config import Config
from skill.content import default_content
from skill.dialog import LOCALES
from skill.progress_store import MemoryPersistenceAdapter
from skill.tools.check import model_rules, probes
from skill.tools.simulator import BUILTIN_PHRASES, Conversation, Simulator, Turn

TURNS = int(os.environ.get("EXPLORER_TURNS", "2000"))
STEPS = 40  # turns per explored conversation, at most
CONTENT = default_content()
SIMULATORS = {locale: Simulator(locale) for locale in LOCALES}
LANGUAGE = SIMULATORS["en-GB"]
DECLARED = sorted(LANGUAGE.intent_slots)

ITEM_IDS = [item.id for item in CONTENT.items]
ENTRY_IDS = [entry.id for entry in CONTENT.entries]

# --- What a student might say ---------------------------------------------------------------------

HOSTILE_TEXT = st.sampled_from(
    [
        "",
        " ",
        "word " * 400,
        "日本語のテキスト",
        "Ärger über Übermut, ñandú",
        "<speak>hello</speak>",
        "</speak><audio src='https://example.org/x.mp3'/><speak>",
        "& < > \" ' ]]>",
        "{topic}",
        "nineteen fifty",
        "three hundred million",
        "one",
        "a hundred and fifty six",
        "0",
        "-1",
        "99999999999999999999",
        "?",
        "null",
        "\u0000\u200b\ufeff",
    ]
)
SLOT_TEXT = st.one_of(
    HOSTILE_TEXT,
    st.text(max_size=200),
    st.sampled_from([v for values in LANGUAGE.values.values() for v in values]),
)


def _filled(sample: str, rng: random.Random) -> str:
    words = []
    for token in sample.split():
        if token.startswith("{"):
            slot_type = next(
                types[token[1:-1]]
                for types in LANGUAGE.intent_slots.values()
                if token[1:-1] in types
            )
            known = sorted(LANGUAGE.values.get(slot_type, {})) or ["was the secret speech"]
            words.append("three" if slot_type == intents.TYPE_NUMBER else rng.choice(known))
        else:
            words.append(token)
    return " ".join(words)


def _utterances() -> list[str]:
    rng = random.Random(0)
    model = model_rules.load_models()["en-GB.json"]["interactionModel"]["languageModel"]
    said = [sample for intent in model["intents"] for sample in intent["samples"]]
    said += [p for phrases in BUILTIN_PHRASES.values() for p in phrases]
    said += [entry.question for entry in CONTENT.entries]
    said += [item.answer for item in CONTENT.items]
    said += ["open history revision", "exit", "ask history revision to quiz me"]
    return sorted({_filled(s, rng) for s in said})


UTTERANCES = _utterances()

# --- Tampering with the session -------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 50)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | HOSTILE_TEXT
    | st.sampled_from(ITEM_IDS + ENTRY_IDS + ["asking", "confirm_leave", "finished", "right"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)
PATHS = [
    ("state",),
    ("state", "v"),
    ("state", "quiz"),
    ("state", "quiz", "phase"),
    ("state", "quiz", "items"),
    ("state", "quiz", "index"),
    ("state", "quiz", "score"),
    ("state", "quiz", "answers"),
    ("state", "quiz", "hinted"),
    ("state", "quiz", "leave_for"),
    ("state", "reading"),
    ("state", "reading", "entry_id"),
    ("state", "reading", "next_part"),
    ("state", "confirm_reset"),
    ("state", "last"),  # its text is not tampered with: see the known bug below
    ("junk",),
]


def tampered(attributes: dict[str, Any], path: tuple[str, ...], value: Any, delete: bool) -> dict:
    """A copy of the attributes with one value set or deleted (intermediate mappings made)."""
    out = copy.deepcopy(attributes)
    node: Any = out
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    if delete:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value
    return out


# --- The explorer ---------------------------------------------------------------------------------

FIGURES = {"turns": 0, "conversations": 0, "quiz turns": 0, "tampered": 0}


class Explorer(RuleBasedStateMachine):
    """A student saying anything; every reply checked."""

    @initialize(locale=st.sampled_from(LOCALES), seed=st.integers(0, 2**16))
    def open_skill(self, locale: str, seed: int) -> None:
        rng = random.Random(seed)
        skill = create_skill(
            Config(progress_store="memory://"),
            progress_store=MemoryPersistenceAdapter(),
            choose=rng.choice,
            rng=rng,
        )
        self.transport = probes.Witnessed(skill)
        self.simulator = SIMULATORS[locale]
        self.conversation = Conversation(self.transport, self.simulator)
        self.apologies = probes.apologies_for(locale)
        FIGURES["conversations"] += 1

    def seen(self) -> dict[str, Any]:
        """The session attributes as the skill will read them ({} in a new session)."""
        if not self.conversation.in_session:
            return {}
        state = probes.state_of(self.conversation.attributes, CONTENT)
        return session.to_attributes(state)

    def checked(self, what: str, send: Any) -> Turn:
        before = self.seen()
        turn = send()
        if turn.intent == "LaunchRequest":
            before = {}
        FIGURES["turns"] += 1
        FIGURES["quiz turns"] += "quiz" in before.get("state", {})
        probe = probes.Probe(
            self.simulator.locale,
            "explored",
            what,
            before,
            turn,
            tuple(self.transport.errors),
            self.apologies,
        )
        failures = probes.probe_failures([probe])
        assert not failures, "\n".join(map(str, failures)) + f"\nsaid: {turn.speech!r}"
        return turn

    @rule()
    def launch(self) -> None:
        self.checked("launch", self.conversation.launch)

    @rule(name=st.sampled_from(DECLARED), data=st.data())
    def intent(self, name: str, data: st.DataObject) -> None:
        slots = {}
        for slot in self.simulator.intent_slots[name]:
            if data.draw(st.booleans(), label=f"fill {slot}"):
                slots[slot] = data.draw(SLOT_TEXT, label=slot)
        resolution = self.simulator.intent(name, **slots)
        self.checked(f"{name} {slots}", lambda: self.conversation.send(resolution))

    @rule(words=st.sampled_from(UTTERANCES) | st.text(max_size=80))
    def say(self, words: str) -> None:
        self.checked(f"say {words!r}", lambda: self.conversation.say(words))

    @rule(name=st.sampled_from(DECLARED))
    def new_session(self, name: str) -> None:
        """The device opens a new session without ending the last (a quiz may be running)."""
        self.conversation.session_id = None
        resolution = self.simulator.intent(name)
        self.checked(f"new session, {name}", lambda: self.conversation.send(resolution))

    @precondition(lambda self: self.conversation.in_session)
    @rule(reason=st.sampled_from(["USER_INITIATED", "EXCEEDED_MAX_REPROMPTS", "ERROR"]))
    def end(self, reason: str) -> None:
        self.checked(f"session ended ({reason})", lambda: self.conversation.end(reason))

    @precondition(lambda self: self.conversation.in_session)
    @rule(path=st.sampled_from(PATHS), value=JSON_VALUES, delete=st.booleans())
    def tamper(self, path: tuple[str, ...], value: Any, delete: bool) -> None:
        """Change the session attributes the next request carries."""
        self.conversation.attributes = tampered(self.conversation.attributes, path, value, delete)
        FIGURES["tampered"] += 1

    @precondition(lambda self: self.conversation.in_session and ITEM_IDS)
    @rule(data=st.data())
    def start_quiz(self, data: st.DataObject) -> None:
        """Quizzes get more turns than chance gives them: start one, answer some of it."""
        count = data.draw(st.integers(1, 6), label="count")
        self.checked("quiz", lambda: self.conversation.intent(intents.START_QUIZ, count=count))
        for _ in range(data.draw(st.integers(0, count), label="answers")):
            answer = data.draw(st.sampled_from(["skip", "a", "b", "stalin", "four"]), label="a")
            self.checked(f"say {answer!r}", lambda answer=answer: self.conversation.say(answer))


def test_a_tampered_last_response_is_not_replayed():
    transport = probes.Witnessed(create_skill(Config(progress_store="memory://")))
    conversation = Conversation(transport, SIMULATORS["en-GB"])
    conversation.launch()
    last = {"ssml": "<speak>Q & A < b</speak>", "reprompt": "<speak>" + "x" * 9000 + "</speak>"}
    conversation.attributes = tampered(conversation.attributes, ("state", "last"), last, False)
    before = session.to_attributes(probes.state_of(conversation.attributes, CONTENT))
    turn = conversation.intent(intents.REPEAT)
    probe = probes.Probe("en-GB", "tampered", "repeat", before, turn, tuple(transport.errors))
    assert probes.probe_failures([probe]) == []


def test_the_explorer_finds_no_dead_end_crash_or_lost_quiz():
    started = time.perf_counter()
    FIGURES.update(dict.fromkeys(FIGURES, 0))
    while FIGURES["turns"] < TURNS:
        examples = max(1, (TURNS - FIGURES["turns"]) // STEPS)
        run_state_machine_as_test(
            Explorer,
            settings=settings(
                max_examples=examples,
                stateful_step_count=STEPS,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
    seconds = time.perf_counter() - started
    figures = ", ".join(f"{v} {k}" for k, v in FIGURES.items())
    print(f"\nexplorer: {figures} in {seconds:.1f} s, no failure")
