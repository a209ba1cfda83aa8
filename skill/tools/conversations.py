"""Conversations as data: YAML files of turns and what each reply must hold, run against the skill.

    python -m skill test tests/conversations/                 # in-process, a fresh skill per file
    python -m skill test quiz-skip.yaml --url http://127.0.0.1:8000/alexa

A file is a mapping with `turns` (and optional `description` and `locale`), or just the list of
turns. A turn is one action and any expectations:

    - launch                                  # or `launch:` with expectations under it
    - say: what were the terms of the treaty of friendship
      speech_contains: [First, Manchuria]     # every string appears in the speech
      speech_matches: 'Question 2 of \\d+'    # every regex is found (re.search)
      speech_lacks: Sorry                     # none of these appears
      speech_says: more_question              # one variant of each dialog key is said
      reprompt_contains: skip
      ssml_contains: '<prosody rate="slow">'  # every string appears in the SSML
      card_title: The Treaty of Friendship    # null: no card
      ends_session: false
      resolves_to: WhatQuestionIntent         # the intent the utterance resolved to
      attribute: {state.quiz.index: 1}        # dotted path into sessionAttributes; null: absent
    - intent: StartQuizIntent                 # an intent sent directly, with slot values
      slots: {count: 2}
    - answer: correct                         # mid-quiz: the current item's canonical answer
    - answer: wrong                           # mid-quiz: an answer no item accepts
    - end                                     # the device ends the session

The skill picks dialog variants at random and quiz items by the student's progress, so match on
facts, on "Question 2 of 5", on a dialog key with `speech_says`, or on the quiz's own state.
`answer: correct` reads the current question from the session (`state.quiz.items[index]`) and
sends its answer from the content as an AnswerIntent, so a quiz can be run to full marks whatever
order the quiz picks. Only true and false are booleans (`say: yes` says "yes"), and a key given
twice in a turn is an error. Every reply is also held to the voice rules of `python -m skill
check` (an open session asks a question and has a reprompt, sizes, SSML, no error). Each file
runs as a new student (its own user id), so stored progress never leaks between files.
"""

from __future__ import annotations

import random
import re
import sys
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import yaml

from skill import intents
from skill.content import Content, ItemKind, QuizItem, default_content
from skill.dialog import DEFAULT_LOCALE, LOCALES, dialog_for
from skill.tools.simulator import (
    SIMULATED_SKILL_ID,
    Conversation,
    InProcess,
    Simulator,
    Transport,
    Turn,
)

ACTIONS = ("launch", "end", "say", "intent", "answer")
EXPECTATIONS = (
    "speech_contains",
    "speech_matches",
    "speech_lacks",
    "speech_says",
    "reprompt_contains",
    "ssml_contains",
    "card_title",
    "ends_session",
    "resolves_to",
    "attribute",
)
# What `answer: wrong` says: a real answer, just not to anything the quiz asks.
WRONG_ANSWER = "the treaty of versailles"


class ConversationError(ValueError):
    """A conversation file is invalid: names the file, the turn and the reason."""


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML that refuses a key given twice (a second expectation would silently win), and
    where only true and false are booleans, as in YAML 1.2: `say: yes` says "yes"."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = [self.construct_object(key, deep=deep) for key, _ in node.value]
        for key in keys:
            if keys.count(key) > 1:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} given twice", node.start_mark
                )
        return super().construct_mapping(node, deep=deep)


_BOOL = "tag:yaml.org,2002:bool"
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass(frozen=True)
class Step:
    """One turn of a conversation file: what to send, and what the reply must hold."""

    number: int  # 1-based, as a reader counts the turns in the file
    action: str  # one of ACTIONS
    argument: str | None = None  # the utterance, intent name or "correct"/"wrong"
    slots: Mapping[str, str] = field(default_factory=dict)
    expect: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        if self.argument is None:
            return self.action
        slots = f" {dict(self.slots)}" if self.slots else ""
        return f"{self.action}: {self.argument!r}{slots}"


@dataclass(frozen=True)
class Script:
    """A conversation file."""

    path: Path
    turns: tuple[Step, ...]
    description: str = ""
    locale: str = DEFAULT_LOCALE


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _step(raw: Any, number: int, error: Callable[[str], ConversationError]) -> Step:
    if isinstance(raw, str):
        raw = {raw: None}
    if not isinstance(raw, Mapping):
        raise error("must be an action (launch, end) or a mapping")
    actions = [key for key in raw if key in ACTIONS]
    if len(actions) != 1:
        raise error(f"needs exactly one of {', '.join(ACTIONS)}, has {actions or 'none'}")
    unknown = sorted(set(raw) - set(ACTIONS) - set(EXPECTATIONS) - {"slots"})
    if unknown:
        raise error(f"unknown keys {unknown}")
    action = actions[0]
    argument = raw[action]
    if action in ("say", "intent", "answer") and not isinstance(argument, str | int):
        raise error(f"{action} needs a value")
    if action == "answer" and argument not in ("correct", "wrong"):
        raise error("answer must be correct or wrong")
    if action == "launch" and argument is not None and not isinstance(argument, str):
        argument = None  # `launch: true`
    if action == "end":
        argument = None
    slots = raw.get("slots") or {}
    if not isinstance(slots, Mapping) or (slots and action != "intent"):
        raise error("slots must be a mapping, on an intent turn")
    expect = {key: raw[key] for key in EXPECTATIONS if key in raw}
    if "attribute" in expect and not isinstance(expect["attribute"], Mapping):
        raise error("attribute must map dotted paths to values")
    for key in ("speech_matches",):
        for pattern in _as_list(expect.get(key, [])):
            try:
                re.compile(str(pattern))
            except re.error as exc:
                raise error(f"{key} {pattern!r} is not a regex: {exc}") from None
    return Step(
        number,
        action,
        None if argument is None else str(argument),
        {str(k): str(v) for k, v in slots.items()},
        expect,
    )


def load(path: str | Path) -> Script:
    """Read and check a conversation file; fails with the file and turn named."""
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)  # noqa: S506
    except (OSError, yaml.YAMLError) as exc:
        raise ConversationError(f"{path}: cannot be read: {exc}") from exc
    if isinstance(data, list):
        data = {"turns": data}
    if not isinstance(data, Mapping) or not isinstance(data.get("turns"), list):
        raise ConversationError(f"{path}: needs a list of turns")
    unknown = sorted(set(data) - {"turns", "description", "locale"})
    if unknown:
        raise ConversationError(f"{path}: unknown keys {unknown}")
    steps = []
    for number, raw in enumerate(data["turns"], 1):

        def error(reason: str, number: int = number) -> ConversationError:
            return ConversationError(f"{path}, turn {number}: {reason}")

        steps.append(_step(raw, number, error))
    if not steps:
        raise ConversationError(f"{path}: has no turns")
    locale = str(data.get("locale") or DEFAULT_LOCALE)
    if locale not in LOCALES:
        raise ConversationError(f"{path}: locale {locale!r} is not one of {', '.join(LOCALES)}")
    return Script(path, tuple(steps), str(data.get("description") or "").strip(), locale)


def conversation_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and the *.yaml files of folders named, in order."""
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        files += sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    return files


# --- Running -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mismatch:
    """One expectation a reply did not meet."""

    step: Step
    what: str  # the expectation, as written
    expected: str
    actual: str


def lookup(attributes: Any, path: str) -> tuple[bool, Any]:
    """A dotted path into session attributes ("state.quiz.items.0"): (found, value)."""
    value = attributes
    for part in path.split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif (
            isinstance(value, list)
            and part.lstrip("-").isdigit()
            and -len(value) <= int(part) < len(value)
        ):
            value = value[int(part)]
        else:
            return False, None
    return True, value


def canonical_answer(item: QuizItem) -> str:
    """An answer the quiz marks right: a multi-point item's needed points, joined."""
    if item.kind is ItemKind.MULTI:
        return " and ".join(
            point.accept[0] if point.accept else point.text for point in item.points[: item.needed]
        )
    return item.answer


def current_item(attributes: Mapping[str, Any], content: Content) -> QuizItem | None:
    """The quiz item being asked, from the session attributes."""
    found, quiz = lookup(attributes, "state.quiz")
    if not found or not isinstance(quiz, Mapping):
        return None
    items, index = quiz.get("items"), quiz.get("index")
    if not isinstance(items, list) or type(index) is not int or not 0 <= index < len(items):
        return None
    item_id = items[index]
    return content.item(item_id) if isinstance(item_id, str) and content.has_item(item_id) else None


class Runner:
    """Runs scripts over a transport, turn by turn, and collects what did not match."""

    def __init__(
        self,
        transport: Transport,
        content: Content,
        *,
        skill_id: str = SIMULATED_SKILL_ID,
        rules: Callable[[Turn, str], list[str]] | None = None,
    ) -> None:
        self.transport = transport
        self.content = content
        self.skill_id = skill_id
        self.rules = rules if rules is not None else voice_rules

    def run(self, script: Script) -> list[Mismatch]:
        # A user of its own, so a shared endpoint's stored progress never leaks between files.
        simulator = Simulator(
            script.locale,
            skill_id=self.skill_id,
            user_id=f"amzn1.ask.account.TEST-{uuid.uuid4()}",
        )
        conversation = Conversation(self.transport, simulator)
        mismatches: list[Mismatch] = []
        for step in script.turns:
            try:
                turn = self.send(conversation, step)
            except (KeyError, ValueError, RuntimeError) as exc:
                mismatches.append(Mismatch(step, "the turn could be sent", "a reply", repr(exc)))
                break
            if turn is None:
                continue
            mismatches += [
                Mismatch(step, "voice rules", "", why) for why in self.rules(turn, script.locale)
            ]
            mismatches += expectation_mismatches(step, turn, script.locale)
        return mismatches

    def send(self, conversation: Conversation, step: Step) -> Turn | None:
        if step.action == "launch":
            return conversation.launch(step.argument)
        if step.action == "end":
            return conversation.end()
        if step.action == "say":
            return conversation.say(step.argument or "")
        if step.action == "intent":
            return conversation.intent(step.argument or "", **step.slots)
        if step.argument == "wrong":
            return conversation.intent(intents.ANSWER, answer=WRONG_ANSWER)
        item = current_item(conversation.attributes, self.content)
        if item is None:
            raise ValueError("answer: correct, but no quiz question is being asked")
        return conversation.intent(intents.ANSWER, answer=canonical_answer(item))


def voice_rules(turn: Turn, locale: str) -> list[str]:
    """The per-response rules of `python -m skill check`, for one reply."""
    from skill.tools.check.probes import (
        Probe,
        apologies_for,
        check_limits,
        check_no_error,
        check_open_session_asks,
        check_ssml,
    )

    probe = Probe(locale, "", "", {}, turn, (), apologies_for(locale))
    checks = (check_no_error, check_open_session_asks, check_limits, check_ssml)
    return [f"{f.check}: {f.why}" for check in checks for f in check(probe)]


def _said(turn: Turn, key: str, locale: str) -> bool:
    return dialog_for(locale).said(turn.speech, key)


def expectation_mismatches(step: Step, turn: Turn, locale: str) -> list[Mismatch]:
    """What in this reply does not meet the step's expectations."""
    expect = step.expect
    out: list[Mismatch] = []

    def miss(what: str, expected: Any, actual: Any) -> None:
        out.append(Mismatch(step, what, str(expected), str(actual)))

    for text in _as_list(expect.get("speech_contains", [])):
        if str(text) not in turn.speech:
            miss("speech_contains", text, turn.speech)
    for pattern in _as_list(expect.get("speech_matches", [])):
        if not re.search(str(pattern), turn.speech):
            miss("speech_matches", f"/{pattern}/", turn.speech)
    for text in _as_list(expect.get("speech_lacks", [])):
        if str(text) in turn.speech:
            miss("speech_lacks", f"no {text!r}", turn.speech)
    for key in _as_list(expect.get("speech_says", [])):
        try:
            said = _said(turn, str(key), locale)
        except KeyError:
            miss("speech_says", f"a dialog key named {key!r}", "no such key")
            continue
        if not said:
            variants = " | ".join(dialog_for(locale).variants(str(key)))
            miss(f"speech_says {key}", variants, turn.speech)
    for text in _as_list(expect.get("ssml_contains", [])):
        if turn.ssml is None or str(text) not in turn.ssml:
            miss("ssml_contains", text, turn.ssml)
    for text in _as_list(expect.get("reprompt_contains", [])):
        if turn.reprompt is None or str(text) not in turn.reprompt:
            miss("reprompt_contains", text, turn.reprompt)
    if "card_title" in expect:
        title = turn.card["title"] if turn.card else None
        if title != expect["card_title"]:
            miss("card_title", expect["card_title"], title)
    if "ends_session" in expect and bool(turn.end_session) != bool(expect["ends_session"]):
        miss("ends_session", expect["ends_session"], turn.end_session)
    if "resolves_to" in expect and turn.intent != expect["resolves_to"]:
        miss("resolves_to", expect["resolves_to"], f"{turn.intent} {turn.slots}")
    for path, wanted in (expect.get("attribute") or {}).items():
        found, value = lookup(turn.session_attributes, str(path))
        if wanted is None and found and value is not None:
            miss(f"attribute {path}", "absent", value)
        elif wanted is not None and (not found or value != wanted):
            miss(f"attribute {path}", wanted, value if found else "absent")
    return out


def report(script: Script, mismatches: Sequence[Mismatch]) -> str:
    """A readable account of what did not match: per turn, expected against what was said."""
    lines = [f"FAIL {script.path}" + (f" ({script.description})" if script.description else "")]
    for mismatch in mismatches:
        lines.append(f"  turn {mismatch.step.number}, {mismatch.step}: {mismatch.what}")
        if mismatch.expected:
            lines.append(f"    - expected: {mismatch.expected}")
        lines.append(f"    + said:     {mismatch.actual}")
    return "\n".join(lines)


def in_process_transport() -> Transport:
    """A fresh skill with its progress in memory, as `python -m skill check` builds it."""
    from skill.builder import create_skill
    from skill.config import Config

    return InProcess(create_skill(Config(progress_store="memory://"), rng=random.Random()))


def main(paths: Sequence[str], *, url: str | None = None, out: TextIO = sys.stdout) -> int:
    """Run conversation files; 0 when every file passes."""
    from skill.config import Config

    skill_id = Config.from_env().skill_id or SIMULATED_SKILL_ID
    content = default_content()
    failed = 0
    files = conversation_files(paths)
    for path in files:
        try:
            script = load(path)
        except ConversationError as exc:
            print(f"FAIL {exc}", file=out)
            failed += 1
            continue
        if url:
            from skill.tools.http_transport import HttpTransport

            transport: Transport = HttpTransport(url)
        else:
            transport = in_process_transport()
        mismatches = Runner(transport, content, skill_id=skill_id).run(script)
        if mismatches:
            failed += 1
            print(report(script, mismatches), file=out)
        else:
            print(f"ok   {path} ({len(script.turns)} turns)", file=out)
    print(f"{len(files) - failed} of {len(files)} conversations passed", file=out)
    return 1 if failed or not files else 0
