"""Offline Alexa: a typed utterance -> the request envelope Alexa would send, from the model.

`Simulator` resolves an utterance against interaction_model/<locale>.json closely enough to test
the skill, and builds request envelopes. `Conversation` carries the session from turn to turn as
a device does, over a `Transport`: `InProcess` invokes the skill object; an HTTP transport only
has to post the same JSON and return the response JSON.
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, cast

from skill import intents
from skill.language import heard, plain_text, read_number, sayable
from skill.tools.model import MODEL_DIR

SIMULATED_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
SIMULATED_USER_ID = "amzn1.ask.account.SIMULATED"
SIMULATED_DEVICE_ID = "amzn1.ask.device.SIMULATED"

# Alexa's API endpoint by region, as context.System.apiEndpoint carries it.
_API_ENDPOINTS = {
    "en-US": "https://api.amazonalexa.com",
    "en-CA": "https://api.amazonalexa.com",
    "en-AU": "https://api.fe.amazonalexa.com",
}
_DEFAULT_API_ENDPOINT = "https://api.eu.amazonalexa.com"

# A custom slot with literal words around it ("is it {answer}") takes any words, as Alexa fills a
# slot from its carrier. Alexa documents no word limit for this; it listens for several seconds
# (an open AMAZON.SearchQuery is reported to take up to 90 seconds), and a full-sentence answer
# of about 30 words is some 10 seconds of speech. Past that we treat speech as out of domain, as
# a device most likely would: AMAZON.FallbackIntent.
MAX_OPEN_WORDS = 30
# A custom slot alone as a sample ("{topic}") is biased toward its type's values on a real device:
# it takes a listed value or synonym, or a short phrase made only of words those values use, in
# any inflection (the slot model generalises over its values' vocabulary). Anything else matches
# no sample, and Alexa sends it to AMAZON.FallbackIntent with no text.
MAX_BARE_WORDS = 6
# Words a bare slot carries without them being in any value: articles and "and"/"of" joining
# value words ("mao and stalin", "the loan").
_FUNCTION_WORDS = frozenset({"the", "a", "an", "and", "of", "in", "on", "to", "from", "with"})

# Alexa's own utterances for the built-in intents (the model only extends them).
BUILTIN_PHRASES: dict[str, tuple[str, ...]] = {
    intents.HELP: ("help", "help me", "what can i say", "i need help"),
    intents.STOP: ("stop", "shut up", "be quiet", "that's enough", "enough"),
    intents.CANCEL: ("cancel", "never mind", "forget it"),
    intents.NAVIGATE_HOME: ("go home", "home"),
    intents.REPEAT: ("repeat", "repeat that", "again", "say it again", "what did you say"),
    intents.NEXT: ("next", "next one", "next question", "skip forward"),
    intents.START_OVER: ("start over", "restart", "start again", "begin again"),
    intents.YES: ("yes", "yeah", "yep", "sure", "ok", "okay", "yes please", "of course"),
    intents.NO: ("no", "nope", "no thanks", "no thank you", "not now"),
}
_LAUNCH_VERBS = ("open", "launch", "start", "begin", "play", "load", "run", "use")
_ONE_SHOT_VERBS = ("ask", "tell")
# Words Alexa lets a one-shot request put between the invocation name and the utterance.
_CONNECTING_WORDS = ("to", "about", "for", "if", "whether", "and")
_EXIT_PHRASES = ("exit",)  # Alexa ends the session itself and tells the skill


class RequestType(enum.StrEnum):
    """The request types the simulator sends."""

    LAUNCH = "LaunchRequest"
    INTENT = "IntentRequest"
    SESSION_ENDED = "SessionEndedRequest"


@dataclass(frozen=True)
class SlotValue:
    """A filled slot, as Alexa fills it."""

    name: str
    type: str
    value: str  # slot.value: the words said (digits for AMAZON.NUMBER)
    status: str | None = None  # custom types: ER_SUCCESS_MATCH or ER_SUCCESS_NO_MATCH
    value_id: str | None = None  # the matched value's id and canonical name, on a match
    value_name: str | None = None

    @property
    def resolved(self) -> bool:
        """True unless a custom type's value did not match."""
        return self.status != "ER_SUCCESS_NO_MATCH"


@dataclass(frozen=True)
class Resolution:
    """What Alexa understood: the request type and, for an intent, its name and slots."""

    kind: RequestType
    utterance: str = ""
    intent: str | None = None
    slots: Mapping[str, SlotValue] = field(default_factory=dict)
    sample: str | None = None  # the sample utterance that matched, if any
    reason: str | None = None  # SessionEndedRequest.reason

    @classmethod
    def launch(cls, utterance: str = "") -> Resolution:
        return cls(RequestType.LAUNCH, utterance)

    @classmethod
    def session_ended(cls, reason: str = "USER_INITIATED", utterance: str = "") -> Resolution:
        return cls(RequestType.SESSION_ENDED, utterance, reason=reason)


# --- The grammar compiled from the interaction model ---------------------------------------------


_SLOT_REF = re.compile(r"\{(\w+)\}")


def _sample_tokens(sample: str) -> tuple[str, ...]:
    """A sample's words as heard, with its slot references kept as "{slot}" tokens."""
    parts = _SLOT_REF.split(sample)  # literal text and slot names, alternately
    return tuple(
        token
        for i, part in enumerate(parts)
        for token in ((f"{{{part}}}",) if i % 2 else heard(part).split())
    )


@dataclass(frozen=True)
class _Sample:
    intent: str
    text: str
    tokens: tuple[str, ...]  # literal words, and slot names as "{slot}"
    slot_types: Mapping[str, str]
    order: int  # position in the model, the last tie-break
    builtin: bool = False  # one of Alexa's phrases for a built-in intent, not the skill's

    @property
    def literals(self) -> int:
        return sum(1 for t in self.tokens if not t.startswith("{"))


class Simulator:
    """Resolves utterances and builds request envelopes for one locale."""

    def __init__(
        self,
        locale: str = "en-GB",
        *,
        model_dir: Path = MODEL_DIR,
        model: Mapping[str, Any] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        user_id: str = SIMULATED_USER_ID,
        skill_id: str = SIMULATED_SKILL_ID,
        device_id: str = SIMULATED_DEVICE_ID,
    ) -> None:
        if model is None:
            model = json.loads((model_dir / f"{locale}.json").read_text(encoding="utf-8"))
        language = model["interactionModel"]["languageModel"]
        self.locale = locale
        self.clock = clock
        self.user_id = user_id
        self.skill_id = skill_id
        self.device_id = device_id
        self.invocation_name = language["invocationName"]
        self.intent_slots: dict[str, dict[str, str]] = {
            i["name"]: {s["name"]: s["type"] for s in i.get("slots", ())}
            for i in language["intents"]
        }
        # type -> spoken phrase -> (value id, canonical name)
        self.values: dict[str, dict[str, tuple[str, str]]] = {}
        for slot_type in language.get("types", ()):
            phrases = self.values.setdefault(slot_type["name"], {})
            for value in slot_type["values"]:
                name = value["name"]["value"]
                for phrase in (name, *value["name"].get("synonyms", ())):
                    phrases.setdefault(sayable(phrase), (value.get("id") or name, name))
        self._vocabulary = {
            slot_type: frozenset(_word_root(w) for phrase in phrases for w in phrase.split())
            for slot_type, phrases in self.values.items()
        }
        self._samples = self._compile(language["intents"])

    def _compile(self, model_intents: list[dict[str, Any]]) -> list[_Sample]:
        samples: list[_Sample] = []
        for intent in model_intents:
            slots = self.intent_slots[intent["name"]]
            phrases = [(s, False) for s in intent.get("samples", ())]
            phrases += [(s, True) for s in BUILTIN_PHRASES.get(intent["name"], ())]
            for text, builtin in phrases:
                tokens = _sample_tokens(text)
                used = {t[1:-1]: slots[t[1:-1]] for t in tokens if t.startswith("{")}
                samples.append(_Sample(intent["name"], text, tokens, used, len(samples), builtin))
        return samples

    # --- resolving utterances

    def resolve(self, utterance: str) -> Resolution:
        """What Alexa would send for this utterance, said to the skill (or to Alexa about it)."""
        kind, words = self._addressed(heard(utterance).split())
        if kind is RequestType.LAUNCH:
            return Resolution.launch(utterance)
        if kind is RequestType.SESSION_ENDED:
            return Resolution.session_ended("USER_INITIATED", utterance)
        best: tuple[tuple[int, ...], _Sample, dict[str, SlotValue]] | None = None
        for sample in self._samples:
            for slots in self._fill(sample, words):
                rank = (
                    not sample.slot_types,  # an exact sample beats any slot match
                    not sample.builtin,  # the skill's own samples before Alexa's built-ins
                    # More literal words is a more specific match: "is it {answer}" over
                    # "is {query}", "is it {number}" over "{answer}".
                    sample.literals,
                    all(s.resolved for s in slots.values()),  # then resolved values over open
                    -sample.order,
                )
                if best is None or rank > best[0]:
                    best = (rank, sample, slots)
        if best is None:
            return Resolution(RequestType.INTENT, utterance, intents.FALLBACK)
        _, sample, slots = best
        return Resolution(RequestType.INTENT, utterance, sample.intent, slots, sample.text)

    def _addressed(self, words: list[str]) -> tuple[RequestType, list[str]]:
        """Strip the wake word and invocation; an empty or "open ..." request is a launch."""
        if words[:1] == ["alexa"]:
            words = words[1:]
        name = self.invocation_name.split()
        n = len(name)
        if not words or words == name or (words[0] in _LAUNCH_VERBS and words[1:] == name):
            return RequestType.LAUNCH, []
        if words[0] in _ONE_SHOT_VERBS and words[1 : n + 1] == name:
            words = words[n + 1 :]
            if len(words) > 1 and words[0] in _CONNECTING_WORDS:
                words = words[1:]
            if not words:
                return RequestType.LAUNCH, []
        if " ".join(words) in _EXIT_PHRASES:
            return RequestType.SESSION_ENDED, []
        return RequestType.INTENT, words

    def _fill(self, sample: _Sample, words: list[str]) -> Iterator[dict[str, SlotValue]]:
        """Every way the sample matches the words, as slot values."""
        for spans in _spans(sample.tokens, words, 0, 0):
            slots = {}
            for slot, (start, end) in spans.items():
                value = self._slot(slot, sample, words[start:end])
                if value is None:
                    break
                slots[slot] = value
            else:
                yield slots

    def _slot(self, slot: str, sample: _Sample, words: list[str]) -> SlotValue | None:
        slot_type = sample.slot_types[slot]
        said = " ".join(words)
        if slot_type == intents.TYPE_SEARCH_QUERY:
            return SlotValue(slot, slot_type, said)
        if slot_type == intents.TYPE_NUMBER:
            number = read_number(said)
            return None if number is None else SlotValue(slot, slot_type, str(number))
        return self.slot_value(slot, slot_type, said, bare=sample.literals == 0)

    def slot_value(
        self, slot: str, slot_type: str, said: str, *, bare: bool = False
    ) -> SlotValue | None:
        """A custom-type slot filled with these words, with entity resolution; None when Alexa
        would not fill the slot with them (see MAX_OPEN_WORDS and MAX_BARE_WORDS)."""
        match = self.values.get(slot_type, {}).get(sayable(said))
        if match is not None:
            return SlotValue(slot, slot_type, said, "ER_SUCCESS_MATCH", *match)
        if bare and not self._like_values(slot_type, said):
            return None
        if len(said.split()) <= MAX_OPEN_WORDS:
            return SlotValue(slot, slot_type, said, "ER_SUCCESS_NO_MATCH")
        return None

    def _like_values(self, slot_type: str, said: str) -> bool:
        """Whether a bare slot would take an unlisted phrase: short, and every word one that the
        type's values use."""
        words = sayable(said).split()
        vocabulary = self._vocabulary.get(slot_type, frozenset())
        content = {_word_root(w) for w in words if w not in _FUNCTION_WORDS}
        return 0 < len(words) <= MAX_BARE_WORDS and bool(content) and content <= vocabulary

    def intent(self, name: str, **slots: str | int) -> Resolution:
        """A resolution for an intent with slot values given directly, resolved as Alexa would."""
        if name not in self.intent_slots:
            raise KeyError(f"intent {name!r} is not in the {self.locale} model")
        declared = self.intent_slots[name]
        filled = {}
        for slot, raw in slots.items():
            if slot not in declared:
                raise KeyError(f"intent {name!r} has no slot {slot!r}")
            slot_type, said = declared[slot], str(raw)
            if slot_type in (intents.TYPE_NUMBER, intents.TYPE_SEARCH_QUERY):
                filled[slot] = SlotValue(slot, slot_type, said)
            else:  # given directly, any length of words is taken
                filled[slot] = self.slot_value(slot, slot_type, said) or SlotValue(
                    slot, slot_type, said, "ER_SUCCESS_NO_MATCH"
                )
        return Resolution(RequestType.INTENT, "", name, filled)

    # --- building envelopes

    def envelope(
        self,
        resolution: Resolution,
        *,
        attributes: Mapping[str, Any] | None = None,
        session_id: str | None = None,
        new: bool = True,
    ) -> dict[str, Any]:
        """The complete request envelope, JSON-ready, as Alexa posts it to the skill."""
        application = {"applicationId": self.skill_id}
        user = {"userId": self.user_id}
        request: dict[str, Any] = {
            "type": resolution.kind.value,
            "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
            "timestamp": self.clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "locale": self.locale,
        }
        if resolution.kind is RequestType.INTENT:
            request["intent"] = self._intent_json(resolution)
        elif resolution.kind is RequestType.SESSION_ENDED:
            request["reason"] = resolution.reason or "USER_INITIATED"
        return {
            "version": "1.0",
            "session": {
                "new": new,
                "sessionId": session_id or new_session_id(),
                "application": application,
                "attributes": dict(attributes or {}),
                "user": user,
            },
            "context": {
                "System": {
                    "application": application,
                    "user": user,
                    "device": {"deviceId": self.device_id, "supportedInterfaces": {}},
                    "apiEndpoint": _API_ENDPOINTS.get(self.locale, _DEFAULT_API_ENDPOINT),
                    "apiAccessToken": "simulated-api-access-token",
                }
            },
            "request": request,
        }

    def _intent_json(self, resolution: Resolution) -> dict[str, Any]:
        intent: dict[str, Any] = {"name": resolution.intent, "confirmationStatus": "NONE"}
        declared = self.intent_slots.get(resolution.intent or "", {})
        if declared:
            # Alexa sends every declared slot; the ones not said carry no value.
            intent["slots"] = {
                name: self._slot_json(name, resolution.slots.get(name)) for name in declared
            }
        return intent

    def _slot_json(self, name: str, value: SlotValue | None) -> dict[str, Any]:
        slot: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
        if value is None:
            return slot
        slot.update(value=value.value, source="USER")
        simple: dict[str, Any] = {"type": "Simple", "value": value.value}
        if value.status is not None:
            authority: dict[str, Any] = {
                "authority": f"amzn1.er-authority.echo-sdk.{self.skill_id}.{value.type}",
                "status": {"code": value.status},
            }
            if value.value_id is not None:
                authority["values"] = [{"value": {"name": value.value_name, "id": value.value_id}}]
            slot["resolutions"] = simple["resolutions"] = {"resolutionsPerAuthority": [authority]}
        slot["slotValue"] = simple
        return slot


def _word_root(word: str) -> str:
    """A word without its possessive or plural ending: "soviets", "soviet's" -> "soviet"."""
    return re.sub(r"(?:'s|s')$|(?<=[^s])s$", "", word)


def _spans(
    tokens: tuple[str, ...], words: list[str], ti: int, wi: int
) -> Iterator[dict[str, tuple[int, int]]]:
    """Every assignment of word spans to the slots of a sample that makes it match the words."""
    if ti == len(tokens):
        if wi == len(words):
            yield {}
        return
    token = tokens[ti]
    if not token.startswith("{"):
        if wi < len(words) and words[wi] == token:
            yield from _spans(tokens, words, ti + 1, wi + 1)
        return
    for end in range(wi + 1, len(words) + 1):
        for rest in _spans(tokens, words, ti + 1, end):
            yield {token[1:-1]: (wi, end), **rest}


def new_session_id() -> str:
    """A session id in Alexa's form."""
    return f"amzn1.echo-api.session.{uuid.uuid4()}"


def user_id(name: str | None) -> str:
    """An opaque Alexa user id for a student known by a name, the same every time, so that
    "--user sam" is a returning student on the next run; the name is not stored."""
    if not name:
        return SIMULATED_USER_ID
    digest = hashlib.sha256(name.strip().lower().encode("utf-8")).hexdigest()[:24].upper()
    return f"amzn1.ask.account.SIMULATED-{digest}"


# --- Conversations --------------------------------------------------------------------------------


class Transport(Protocol):
    """Delivers a request envelope to the skill and returns its response envelope (JSON dicts)."""

    def __call__(self, envelope: dict[str, Any]) -> dict[str, Any]: ...


class InProcess:
    """Calls the skill object directly, (de)serialising as the endpoint does (skill/serializer.py,
    which gives what the SDK's own DefaultSerializer gives)."""

    def __init__(self, skill: Any) -> None:  # ask_sdk_core.skill.CustomSkill
        from skill.serializer import FastSerializer

        self.skill = skill
        self.serializer = FastSerializer()

    def __call__(self, envelope: dict[str, Any]) -> dict[str, Any]:
        from ask_sdk_model import RequestEnvelope

        request = self.serializer.deserialize(json.dumps(envelope), RequestEnvelope)
        response = self.skill.invoke(request_envelope=request, context=None)
        return cast(dict[str, Any], self.serializer.serialize(response))


def _speech(output: Mapping[str, Any] | None) -> str | None:
    if not output:
        return None
    return output.get("ssml") if output.get("type") == "SSML" else output.get("text")


def _card(card: Mapping[str, Any] | None) -> dict[str, str] | None:
    if not card:
        return None
    # Simple cards carry "content", Standard cards "text".
    return {"title": card.get("title", ""), "content": card.get("content", card.get("text", ""))}


@dataclass(frozen=True)
class Turn:
    """One request and the skill's answer, decoded."""

    utterance: str
    intent: str  # the intent name, or the request type for other requests ("LaunchRequest")
    slots: dict[str, str]  # slot name -> value as said (filled slots only)
    speech: str  # plain text
    ssml: str | None
    reprompt: str | None  # plain text
    card: dict[str, str] | None  # {"title", "content"}
    end_session: bool | None
    session_attributes: dict[str, Any]
    raw: dict[str, Any]  # the response envelope
    resolution: Resolution  # what the simulator understood
    request: dict[str, Any]  # the request envelope sent ({} where not known)

    @classmethod
    def of(
        cls, resolution: Resolution, raw: dict[str, Any], request: dict[str, Any] | None = None
    ) -> Turn:
        """Decode a response envelope to the request this resolution made."""
        response = raw.get("response") or {}
        ssml = _speech(response.get("outputSpeech"))
        reprompt = _speech((response.get("reprompt") or {}).get("outputSpeech"))
        return cls(
            utterance=resolution.utterance,
            intent=resolution.intent or resolution.kind.value,
            slots={name: slot.value for name, slot in resolution.slots.items()},
            speech=plain_text(ssml or ""),
            ssml=ssml,
            reprompt=None if reprompt is None else plain_text(reprompt),
            card=_card(response.get("card")),
            end_session=response.get("shouldEndSession"),
            session_attributes=dict(raw.get("sessionAttributes") or {}),
            raw=raw,
            resolution=resolution,
            request=request or {},
        )

    def to_json(self) -> dict[str, Any]:
        """The fields `python -m skill ask --json` prints."""
        return {
            "utterance": self.utterance,
            "intent": self.intent,
            "slots": self.slots,
            "speech": self.speech,
            "ssml": self.ssml,
            "reprompt": self.reprompt,
            "card": self.card,
            "end_session": self.end_session,
        }


class Conversation:
    """A student talking to the skill on one device: the session carries over between turns.

    A session ends when the skill says so (shouldEndSession true) or on `end()`; the next turn
    then opens a new session with no attributes, as Alexa does.
    """

    def __init__(self, transport: Transport, simulator: Simulator | None = None) -> None:
        self.transport = transport
        self.simulator = simulator or Simulator()
        self.session_id: str | None = None
        self.attributes: dict[str, Any] = {}
        self.turns: list[Turn] = []

    @property
    def in_session(self) -> bool:
        return self.session_id is not None

    def launch(self, utterance: str | None = None) -> Turn:
        """Open the skill in a new session."""
        self.session_id = None
        said = f"open {self.simulator.invocation_name}" if utterance is None else utterance
        return self.send(Resolution.launch(said))

    def say(self, utterance: str) -> Turn:
        """Say something: launch phrases open a new session, "exit" ends it."""
        resolution = self.simulator.resolve(utterance)
        if resolution.kind is RequestType.LAUNCH:
            return self.launch(utterance)
        return self.send(resolution)

    def intent(self, name: str, **slots: str | int) -> Turn:
        """Send an intent directly, with slot values resolved against the model."""
        return self.send(self.simulator.intent(name, **slots))

    def end(self, reason: str = "USER_INITIATED") -> Turn | None:
        """End the session from the device side; None when no session is open."""
        if not self.in_session:
            return None
        return self.send(Resolution.session_ended(reason))

    def send(self, resolution: Resolution) -> Turn:
        """Send one request in the current session (opening one if needed)."""
        new = self.session_id is None
        if new:
            self.session_id = new_session_id()
            self.attributes = {}
        envelope = self.simulator.envelope(
            resolution, attributes=self.attributes, session_id=self.session_id, new=new
        )
        turn = Turn.of(resolution, self.transport(envelope), envelope)
        self.attributes = turn.session_attributes
        if resolution.kind is RequestType.SESSION_ENDED or turn.end_session:
            self.session_id = None
        self.turns.append(turn)
        return turn
