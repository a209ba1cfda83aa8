"""skill.serializer.FastSerializer against ask-sdk-core's DefaultSerializer: the same objects
(types, values, datetimes' tzinfo) from generated envelopes of every request type, the same JSON
from generated responses, the same exceptions from bad JSON and wrong shapes. Every check runs in
several time zones (time.tzset), as dateutil's answer for a "Z" depends on the zone's name."""

from __future__ import annotations

import decimal
import functools
import importlib
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from enum import Enum
from typing import Any

import pytest
from ask_sdk_core.response_helper import ResponseFactory
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import (
    DialogState,
    Directive,
    Intent,
    IntentConfirmationStatus,
    Request,
    RequestEnvelope,
    ResponseEnvelope,
    Slot,
    SlotConfirmationStatus,
)
from ask_sdk_model.dialog import DelegateDirective, ElicitSlotDirective
from ask_sdk_model.ui import Image, SimpleCard, StandardCard
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from skill.serializer import FastSerializer
from tests.requests import intent, launch, session_ended

# Lambda's (":UTC"), a machine's named UTC, and zones named otherwise (London, New York, Kolkata,
# as POSIX rules, so that no tzdata is needed); the last is named UTC in winter and BST in summer,
# which takes dateutil's other branches for a "Z".
ZONES = (
    ":UTC",
    "UTC",
    "GMT0BST,M3.5.0/1,M10.5.0",
    "EST5EDT,M3.2.0,M11.1.0",
    "IST-5:30",
    "UTC0BST,M3.5.0/1,M10.5.0",
)
REQUEST_TYPES = sorted(Request.discriminator_value_class_map)
WILD_TYPES = ["IntentRequest", "LaunchRequest", "SessionEndedRequest", "CanFulfillIntentRequest"]
DEFAULT = DefaultSerializer()
FAST = FastSerializer()
SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@contextmanager
def zone(name: str) -> Iterator[None]:
    before = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


def test_the_zones_are_what_they_are_meant_to_be():
    names = {}
    for name in ZONES:
        with zone(name):
            names[name] = time.tzname
    assert names["UTC"] == names[":UTC"] == ("UTC", "UTC")
    assert names["GMT0BST,M3.5.0/1,M10.5.0"] == ("GMT", "BST")
    assert names["IST-5:30"] == ("IST", "IST")
    assert names["UTC0BST,M3.5.0/1,M10.5.0"] == ("UTC", "BST")


# --- comparing -----------------------------------------------------------------------------------


def same(a: Any, b: Any, path: str = "$") -> None:
    """a and b alike: types all the way down, values, and datetimes' tzinfo and fold."""
    assert type(a) is type(b), f"{path}: {type(a)} != {type(b)}"
    if isinstance(a, datetime):
        assert repr(a) == repr(b), path  # fields, fold and tzinfo's repr (tzutc(), tzlocal()...)
        assert type(a.tzinfo) is type(b.tzinfo), path
        assert a.tzname() == b.tzname() and a.utcoffset() == b.utcoffset(), path
    elif isinstance(a, dict):
        assert list(a) == list(b), path
        for key in a:
            same(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{path}[{i}]")
    elif hasattr(a, "__dict__") and not isinstance(a, Enum | type):
        assert a == b, path  # the model's own __eq__
        same(vars(a), vars(b), path)
    else:
        assert a == b, path


def outcome(call: Callable[[], Any]) -> tuple[Any, ...]:
    try:
        return ("value", call())
    except Exception as error:
        return ("error", type(error), str(error))


def read_parsed(payload: Any, obj_type: Any) -> tuple[Any, ...] | None:
    """FAST.read of the payload parsed; None if it is not JSON."""
    try:
        data = json.loads(payload)
    except (TypeError, ValueError):
        return None
    return outcome(lambda: FAST.read(data, obj_type))


def same_outcome(payload: Any, obj_type: Any) -> tuple[Any, ...]:
    """Both serializers read `payload` (JSON text) as `obj_type` alike, in every zone."""
    result: tuple[Any, ...] = ()
    for name in ZONES:
        with zone(name):
            expected = outcome(lambda: DEFAULT.deserialize(payload, obj_type))
            got = outcome(lambda: FAST.deserialize(payload, obj_type))
            read = read_parsed(payload, obj_type)
            if read is not None:  # as Lambda hands over an event: parsed already
                assert (read[0], type(read[1])) == (got[0], type(got[1])), name
                if read[0] == "value":  # (compared as written out: tzlocal() instances differ)
                    assert repr(FAST.serialize(read[1])) == repr(FAST.serialize(got[1]))
        if expected[0] == "value":
            assert got[0] == "value", (name, got)
            same(expected[1], got[1])
            # and what a deserialised envelope serialises to
            assert repr(FAST.serialize(got[1])) == repr(DEFAULT.serialize(expected[1]))
        else:
            assert got == expected, name
        result = expected
    return result


# --- generating JSON from the models ------------------------------------------------------------

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def alexa_timestamps(draw: st.DrawFn, first: int = 1971, last: int = 2100) -> str:
    """Alexa's form ("2026-12-04T18:39:41Z") with fractional seconds, offsets or no zone. (Years
    far off fail in zones called UTC: dateutil's tzlocal() cannot place them.)"""
    moment = draw(st.datetimes(min_value=datetime(first, 1, 1), max_value=datetime(last, 12, 31)))
    text = (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    )
    text += draw(st.just("") | st.text("0123456789", min_size=1, max_size=9).map(".{}".format))
    offset = st.tuples(st.sampled_from("+-"), st.integers(0, 23), st.integers(0, 59)).map(
        lambda o: f"{o[0]}{o[1]:02d}:{o[2]:02d}"
    )
    return text + draw(st.sampled_from(["Z", "Z", "", "+00:00", "-00:00", "+01:00"]) | offset)


# Read by dateutil, which fromisoformat would read otherwise or not at all.
ODD_TIMESTAMPS = st.sampled_from(
    [
        "2026-12-04",
        "2026-12-04T18:39",
        "2026-12-04 18:39:41Z",
        "20261204T183941Z",
        "2026-12-04T18:39:41z",
        "2026-12-04T18:39:41+0100",
        "2026-12-04T18:39:41+01",
        "2026-12-04T18:39:41 GMT",
        "2026-12-04T18:39:41UTC",
        "2026-12-04T18:39:41,5Z",
        "Fri, 04 Dec 2026 18:39:41 GMT",
        "0050-01-01T00:00:00Z",
        "2026-10-25T01:30:00Z",  # an hour the last zone has twice: BST, then UTC
        "2026-10-25T00:30:00.5+00:00",
    ]
)
# Not timestamps at all: dateutil raises, DefaultSerializer words it.
BAD_TIMESTAMPS = st.sampled_from(
    ["", "not a date", "2026-02-30T00:00:00Z", "2026-12-04T24:00:00Z", "2026-12-04T23:59:60Z"]
) | st.text(max_size=12)
TIMESTAMPS = alexa_timestamps() | ODD_TIMESTAMPS
MAX_DEPTH = 6  # model levels: deep enough for a slot's resolutions' values


def load(name: str) -> Any:
    module, _, attribute = name.rpartition(".")
    return getattr(importlib.import_module(module), attribute)


@functools.cache
def values_of(type_name: str, depth: int, wild: bool) -> st.SearchStrategy[Any]:
    """JSON for a DefaultSerializer type string; `wild` adds values of the wrong types."""
    if type_name.startswith("list["):
        return st.lists(values_of(type_name[5:-1], depth, wild), max_size=2)
    if type_name.startswith("dict("):
        inner = values_of(type_name.split(", ", 1)[1][:-1], depth, wild)
        return st.dictionaries(st.text(max_size=6), inner, max_size=2)
    simple: dict[str, st.SearchStrategy[Any]] = {
        "str": st.text(max_size=10),
        "int": st.integers(),
        "float": st.floats(allow_nan=False, allow_infinity=False) | st.integers(),
        "bool": st.booleans(),
        "datetime": TIMESTAMPS,
        "date": TIMESTAMPS,
        "object": JSON,
    }
    if type_name in simple:
        strategy = simple[type_name]
        if wild:  # e.g. "12" or 1.5 for an int, 7 for a str, "x" for a timestamp, a list for any
            off = JSON | st.sampled_from(["12", "1.5", "true", "x"])
            strategy = (
                strategy | off | (BAD_TIMESTAMPS if type_name in {"datetime", "date"} else off)
            )
        return strategy
    cls = load(type_name)
    if issubclass(cls, Enum):
        members = st.sampled_from([member.value for member in cls])
        return members | st.text(max_size=4) if wild else members
    return model_of(cls, depth + 1, wild)


def model_of(cls: Any, depth: int, wild: bool) -> st.SearchStrategy[Any]:
    """JSON for a model class; for an abstract one, one of its kinds by its discriminator."""
    kinds = getattr(cls, "discriminator_value_class_map", None)
    if kinds and hasattr(cls, "get_real_child_model"):
        choice = st.sampled_from(sorted(kinds.items()))
        return choice.flatmap(lambda kind: fields_of(load(kind[1]), depth, wild, kind[0]))
    return fields_of(cls, depth, wild)


@functools.cache
def fields_of(
    cls: Any, depth: int, wild: bool, kind: str | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    """Some of the model's fields (each may be null), sometimes keys it does not know: unknown
    ones, or its attribute names (which DefaultSerializer sets over the fields, as is)."""
    if depth > MAX_DEPTH:
        fields: dict[str, st.SearchStrategy[Any]] = {}
    else:
        fields = {
            key: values_of(cls.deserialized_types[attribute], depth, wild) | st.none()
            for attribute, key in cls.attribute_map.items()
        }
    if kind is not None:
        fields.pop(cls.json_discriminator_key, None)
    strange = st.sampled_from(
        ["unknown", "x-extra", *sorted(set(cls.attribute_map) - set(cls.attribute_map.values()))]
    )
    extra = st.dictionaries(strange, JSON, max_size=1) if wild or depth <= 2 else st.just({})

    def assemble(parts: tuple[dict[str, Any], dict[str, Any]]) -> dict[str, Any]:
        known, unknown = parts
        document = {**unknown, **known} if wild else {**known, **unknown}
        if kind is not None:
            document[cls.json_discriminator_key] = kind
        return document

    return st.tuples(st.fixed_dictionaries({}, optional=fields), extra).map(assemble)


SESSION = st.fixed_dictionaries(
    {"new": st.booleans(), "sessionId": st.text(max_size=10)},
    optional={
        "application": st.fixed_dictionaries({"applicationId": st.text(max_size=10)}),
        "user": fields_of(load("ask_sdk_model.user.User"), 1, False),
        "attributes": st.dictionaries(st.text(max_size=8), JSON, max_size=4),
    },
)
CONTEXTS = {
    wild: st.just(launch()["context"]) | model_of(load("ask_sdk_model.context.Context"), 3, wild)
    for wild in (False, True)
}


@functools.cache
def envelopes(request_type: str, wild: bool = False) -> st.SearchStrategy[str]:
    """The JSON text of a request envelope carrying a request of this type."""
    cls = load(Request.discriminator_value_class_map[request_type])
    request = fields_of(cls, 0, wild, request_type)
    if not wild:  # the fields every request has, as Alexa sends them
        request = st.tuples(request, alexa_timestamps(), st.sampled_from(["en-GB", "en-US"])).map(
            lambda r: {
                **r[0],
                "requestId": "amzn1.echo-api.request.1",
                "timestamp": r[1],
                "locale": r[2],
            }
        )
    envelope = st.fixed_dictionaries(
        {"version": st.just("1.0"), "request": request},
        optional={"session": SESSION, "context": CONTEXTS[wild]},
    )
    return envelope.map(json.dumps)


# --- requests ------------------------------------------------------------------------------------


def test_every_request_type_is_generated():
    assert len(REQUEST_TYPES) >= 59


@pytest.mark.parametrize("request_type", REQUEST_TYPES)
@settings(SETTINGS, max_examples=20)
@given(data=st.data())
def test_envelopes_of_every_request_type_read_alike(request_type, data):
    envelope = data.draw(envelopes(request_type))
    result = same_outcome(envelope, RequestEnvelope)
    assert result[0] == "value", result  # a well-formed envelope is read, not refused
    expected = load(Request.discriminator_value_class_map[request_type])
    assert type(result[1].request) is expected


@pytest.mark.parametrize(
    "envelope",
    [
        launch(),
        intent("AMAZON.HelpIntent"),
        intent("AMAZON.HelpIntent", attributes={"state": {"v": 1, "last": [1, 2.5, None]}}),
        session_ended("ERROR"),
    ],
    ids=["launch", "intent", "intent mid-session", "session ended"],
)
def test_the_simulators_envelopes_read_alike(envelope):
    assert same_outcome(json.dumps(envelope), RequestEnvelope)[0] == "value"


def test_a_real_intent_with_resolved_slots_reads_alike():
    # A slot with entity resolution and a slotValue, as Alexa sends them.
    from skill import intents

    envelope = intent(intents.TOPIC, topic="the treaty of friendship")
    assert same_outcome(json.dumps(envelope), RequestEnvelope)[0] == "value"


@settings(SETTINGS, max_examples=300)
@given(
    text=TIMESTAMPS | alexa_timestamps(1, 9999) | BAD_TIMESTAMPS,
    as_type=st.sampled_from(["datetime", "date", datetime]),
)
@example(text="2026-12-04T18:39:41Z", as_type="datetime")
@example(text="2026-12-04T18:39:41.123456789-05:30", as_type=date)
def test_timestamps_read_alike(text, as_type):
    same_outcome(json.dumps(text), as_type)


# --- responses -----------------------------------------------------------------------------------


def check_serialises_alike(obj: Any) -> None:
    for name in ZONES:
        with zone(name):
            expected, got = (
                outcome(lambda: DEFAULT.serialize(obj)),
                outcome(lambda: FAST.serialize(obj)),
            )
        assert repr(got) == repr(expected), name  # keys in the same order, 1 not 1.0 or True


def with_directives(parts: tuple[dict[str, Any], list[Any]]) -> dict[str, Any]:
    document, directives = parts
    if directives:
        document["response"] = {**(document.get("response") or {}), "directives": directives}
    return document


RESPONSE_DOCUMENTS = st.tuples(
    model_of(ResponseEnvelope, 0, False), st.lists(model_of(Directive, 1, False), max_size=3)
).map(with_directives)


@settings(SETTINGS, max_examples=150)
@given(document=RESPONSE_DOCUMENTS)
def test_generated_response_envelopes_serialise_alike(document):
    # Objects as DefaultSerializer makes them: every kind of directive, card and speech, unknown
    # attributes, enums, datetimes with each kind of tzinfo.
    response = DEFAULT.deserialize(json.dumps(document), ResponseEnvelope)
    check_serialises_alike(response)


class Colour(Enum):
    RED = "red"


EXTRAS = st.sampled_from(
    [
        Colour.RED,
        (1, "two", 3.0),
        decimal.Decimal("2"),
        decimal.Decimal("2.5"),
        date(2026, 12, 4),
        datetime(2026, 12, 4, 18, 39, 41),
        DialogState.STARTED,
        {"nested": [IntentConfirmationStatus.DENIED, None, {"k": b"bytes"}]},
        Slot(name="s", value="v", confirmation_status=SlotConfirmationStatus.NONE),
    ]
)


@st.composite
def built_responses(draw: st.DrawFn) -> ResponseEnvelope:
    """A response as the skill's handlers build one, with ResponseFactory."""
    factory = ResponseFactory()
    text = st.text(max_size=20)
    if draw(st.booleans()):
        factory.speak(
            draw(text),
            play_behavior=draw(
                st.none()
                | st.sampled_from(list(load("ask_sdk_model.ui.play_behavior.PlayBehavior")))
            ),
        )
    if draw(st.booleans()):
        factory.ask(draw(text))
    card = draw(st.sampled_from(["none", "simple", "standard"]))
    if card == "simple":
        factory.set_card(SimpleCard(title=draw(text), content=draw(text)))
    elif card == "standard":
        image = Image(small_image_url=draw(st.none() | text), large_image_url=draw(text))
        factory.set_card(StandardCard(title=draw(text), text=draw(text), image=image))
    slots = {
        name: Slot(name=name, value=draw(st.none() | text))
        for name in draw(st.lists(text, max_size=2))
    }
    updated = Intent(
        name=draw(text), slots=slots, confirmation_status=IntentConfirmationStatus.NONE
    )
    for directive in draw(st.lists(st.sampled_from(["delegate", "elicit"]), max_size=2)):
        if directive == "delegate":
            factory.add_directive(DelegateDirective(updated_intent=updated))
        else:
            factory.add_directive(ElicitSlotDirective(updated_intent=updated, slot_to_elicit="s"))
    factory.set_should_end_session(draw(st.none() | st.booleans()))
    attributes = draw(st.dictionaries(st.text(max_size=6), JSON | EXTRAS, max_size=4))
    return ResponseEnvelope(
        version="1.0", session_attributes=attributes or None, response=factory.response
    )


@settings(SETTINGS, max_examples=150)
@given(response=built_responses())
def test_built_responses_serialise_alike(response):
    check_serialises_alike(response)


def test_a_skills_own_response_serialises_alike(skill):
    envelope = DEFAULT.deserialize(json.dumps(launch()), RequestEnvelope)
    check_serialises_alike(skill.invoke(request_envelope=envelope, context=None))


def test_what_is_not_a_model_fails_alike():
    for obj in (object(), {1, 2}, decimal.Decimal("Infinity"), [object()]):
        check_serialises_alike(obj)
    assert outcome(lambda: FAST.serialize(object()))[1] is AttributeError


# --- bad JSON and wrong shapes --------------------------------------------------------------------

OBJ_TYPES = [
    RequestEnvelope,
    ResponseEnvelope,
    "ask_sdk_model.request.Request",
    "ask_sdk_model.slot.Slot",
    "list[ask_sdk_model.slot.Slot]",
    "dict(str, ask_sdk_model.slot.Slot)",
    "list[str]",
    "list[int, str]",
    "list[str",
    "dict(str)",
    "dict(str, int)",
    "datetime",
    "int",
    "float",
    "bool",
    "str",
    "object",
    DialogState,
    "ask_sdk_model.dialog_state.DialogState",
    "ask_sdk_model.no_such_module.Thing",
    "ask_sdk_model.slot.NoSuchThing",
    "NoSuchThing",
    "Enum",
]


@settings(SETTINGS, max_examples=200)
@given(payload=st.text(max_size=30) | JSON.map(json.dumps), obj_type=st.sampled_from(OBJ_TYPES))
@example(payload="{", obj_type=RequestEnvelope)
@example(payload="", obj_type=RequestEnvelope)
@example(payload="[1, 2]", obj_type=RequestEnvelope)
@example(payload='{"request": {"type": "NoSuchRequest"}}', obj_type=RequestEnvelope)
@example(payload='{"request": {"requestId": "r"}}', obj_type=RequestEnvelope)
@example(payload='{"request": "LaunchRequest"}', obj_type=RequestEnvelope)
@example(payload='{"request": {"type": ["x"]}}', obj_type=RequestEnvelope)
@example(payload='"version"', obj_type=RequestEnvelope)
@example(payload="7", obj_type="list[str]")
@example(payload='"x"', obj_type="int")
@example(payload='"1.5"', obj_type="float")
def test_bad_json_and_wrong_shapes_fail_alike(payload, obj_type):
    same_outcome(payload, obj_type)


@pytest.mark.parametrize("request_type", WILD_TYPES)
@settings(SETTINGS, max_examples=100)
@given(data=st.data())
def test_envelopes_with_wrong_field_types_fail_alike(request_type, data):
    # Wrong types anywhere (a list for a slot, "x" for a timestamp, an unknown enum value): the
    # same object or the same exception, with the same message.
    same_outcome(data.draw(envelopes(request_type, wild=True)), RequestEnvelope)


def test_a_payload_of_none_is_none():
    assert FAST.deserialize(None, RequestEnvelope) is None
    assert FAST.serialize(None) is None
