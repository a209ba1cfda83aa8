"""A faster drop-in for ask-sdk-core's `DefaultSerializer`: same objects out, same exceptions.

DefaultSerializer re-derives everything for every value it reads: it re-parses type strings with
regular expressions, re-imports model classes by name, rebuilds each class's attribute map and
parses every timestamp with dateutil. `FastSerializer` mirrors its branches one for one but works
out what to do for each type string and model class once (cached on the instance), and reads
Alexa's timestamps with `datetime.fromisoformat`, giving them the tzinfo dateutil would. Whatever
is out of the ordinary (odd timestamps, a payload of the wrong shape, an irregular class) takes a
literal port of DefaultSerializer's code. tests/test_serializer.py checks the two agree.
"""

from __future__ import annotations

import decimal
import inspect
import json
import re
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

from ask_sdk_core import serialize as sdk_serialize
from ask_sdk_core.exceptions import SerializationException
from ask_sdk_model.services import Serializer
from dateutil import tz

Reader = Callable[[Any], Any]
Writer = Callable[[Any], Any]
# How to read a regular model class: JSON key -> [attribute, type string, the primitive type
# read as is (if any), the type's reader once first needed], and what cls() sets.
ReadPlan = tuple[dict[str, list[Any]], dict[str, Any]]

PRIMITIVE_TYPES = (float, bool, bytes, str, int)
PLAIN_VALUES = (type(None), bool, int, float, str)
_PLAIN = frozenset(PLAIN_VALUES)  # written as they are, by exact type
NATIVE_TYPES: dict[str, type] = {
    "int": int,
    "long": int,
    "float": float,
    "str": str,
    "bool": bool,
    "date": date,
    "datetime": datetime,
    "object": object,
}

# Primitive type strings whose reader returns a value of exactly that type unchanged.
_AS_IS = {"str": str, "int": int, "long": int, "float": float, "bool": bool}

# The timestamps Alexa sends ("2026-12-04T18:39:41Z", with fractional seconds or an offset), on
# which fromisoformat and dateutil agree. Anything else goes to dateutil itself.
ISO_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?"
)


class FastSerializer(Serializer):
    """`serialize(obj)` and `deserialize(payload, obj_type)` as DefaultSerializer's."""

    def __init__(self) -> None:
        self._readers: dict[Any, Reader] = {}  # by type string or class
        self._classes: dict[str, Any] = {}  # class name -> class
        self._plans: dict[type, ReadPlan | None] = {}  # None: irregular, use the port
        self._writers: dict[type, Writer] = {}

    # --- deserialising ----------------------------------------------------------------------

    def deserialize(self, payload: str | None, obj_type: Any) -> Any:
        if payload is None:
            return None
        try:
            data = json.loads(payload)
        except Exception:
            raise SerializationException(f"Couldn't parse response body: {payload}") from None
        return self._read(data, obj_type)

    def read(self, data: Any, obj_type: Any) -> Any:
        """`deserialize(json.dumps(data), obj_type)` for data already parsed from JSON (Lambda
        hands its handler the event as a dict), without writing and re-reading the text."""
        return self._read(data, obj_type)

    def _read(self, payload: Any, obj_type: Any) -> Any:
        if payload is None:
            return None
        try:
            reader = self._reader_of(obj_type)
        except TypeError:  # an unhashable obj_type: read it, uncached
            reader = self._reader(obj_type)
        return reader(payload)

    def _reader_of(self, obj_type: Any) -> Reader:
        """How to read a payload of this type, worked out once per type."""
        try:
            return self._readers[obj_type]
        except KeyError:
            reader = self._readers[obj_type] = self._reader(obj_type)
            return reader

    def _reader(self, obj_type: Any) -> Reader:
        """How to read a payload of this type: DefaultSerializer.__deserialize's branches."""
        if isinstance(obj_type, str):
            if obj_type.startswith("list["):
                return self._list_reader(obj_type)
            if obj_type.startswith("dict("):
                match = re.match(r"dict\(([^,]*), (.*)\)", obj_type)
                if match is None:
                    return lambda payload: {}
                value_type = match.group(2)
                return lambda payload: {k: self._read(v, value_type) for k, v in payload.items()}
            obj_type = NATIVE_TYPES.get(obj_type) or self._load_class(obj_type)
        if obj_type in PRIMITIVE_TYPES:
            return _primitive_reader(obj_type)
        if obj_type is object:
            return _same
        if obj_type in (date, datetime):
            as_date = obj_type is date
            return lambda payload: _read_datetime(payload, as_date)
        return self._model_reader(obj_type)

    def _list_reader(self, obj_type: str) -> Reader:
        match = re.match(r"list\[(.*)\]", obj_type)
        if match is None:
            return lambda payload: []
        item_types = match.group(1)
        if "," in item_types:  # one type per position, as DefaultSerializer reads it
            types = [item.strip() for item in item_types.split(",")]
            return lambda payload: [self._read(p, t) for p, t in zip(payload, types, strict=False)]
        item_type = item_types.strip()
        return lambda payload: [self._read(item, item_type) for item in payload]

    def _load_class(self, name: str) -> Any:
        """The class a dotted name names (a bare name: from DefaultSerializer's own module)."""
        try:
            return self._classes[name]
        except KeyError:
            pass
        try:
            parts = name.rsplit(".", 1)
            if len(parts) > 1:
                loaded = getattr(__import__(parts[0], fromlist=[parts[1]]), parts[1])
            else:
                loaded = getattr(sdk_serialize, parts[0])
        except Exception as error:
            raise SerializationException(
                f"Unable to resolve class {name} from installed modules: {error}"
            ) from None
        self._classes[name] = loaded
        return loaded

    def _model_reader(self, cls: Any) -> Reader:
        """DefaultSerializer.__deserialize_model, with its class-only decisions taken once."""
        try:
            if issubclass(cls, Enum):
                return _enum_reader(cls)
            if not hasattr(cls, "deserialized_types"):
                return _same
            discriminated = hasattr(cls, "get_real_child_model")
        except Exception:  # not a class at all: fail as DefaultSerializer does, every time
            return lambda payload: self._read_model_port(payload, cls)

        def read(payload: Any) -> Any:
            try:
                target = self._child(cls, payload) if discriminated else cls
                return self._fill(payload, target)
            except Exception as error:
                raise SerializationException(str(error)) from None

        return read

    def _child(self, cls: Any, payload: Any) -> Any:
        name = cls.get_real_child_model(payload)
        if not name:
            raise SerializationException(
                f"Couldn't resolve object by discriminator type for {cls} class"
            )
        return self._load_class(name)

    def _fill(self, payload: Any, cls: Any) -> Any:
        """A model object of `cls` with the payload's fields, then its unknown keys as they are."""
        try:
            plan = self._plans[cls]
        except KeyError:
            plan = self._plans[cls] = _read_plan(cls)
        except TypeError:  # unhashable, so no class: the port fails on it as DefaultSerializer does
            plan = None
        if plan is None or type(payload) is not dict:
            return self._fill_port(payload, cls)
        fields, blank = plan
        model = object.__new__(cls)
        model.__dict__ = state = blank.copy()  # what cls() sets
        unknown: list[str] = []
        try:
            for key, value in payload.items():  # the payload's few keys, not all the model's
                field = fields.get(key)
                if field is None:
                    unknown.append(key)
                elif value is None or type(value) is field[2]:  # e.g. a str for 'str': as is
                    state[field[0]] = value
                else:  # self._read(value, field[1]) without looking its reader up again
                    reader = field[3] or self._reader_of(field[1])
                    field[3] = reader
                    state[field[0]] = reader(value)
        except Exception:  # fail as DefaultSerializer does, which reads fields in its own order
            return self._fill_port(payload, cls)
        for key in unknown:  # after the known ones: a key may name an attribute ("request_id")
            setattr(model, key, payload[key])
        return model

    def _read_model_port(self, payload: Any, cls: Any) -> Any:
        """DefaultSerializer.__deserialize_model, as it is written."""
        try:
            if issubclass(cls, Enum):
                return cls(payload)
            if hasattr(cls, "deserialized_types"):
                if hasattr(cls, "get_real_child_model"):
                    cls = self._child(cls, payload)
                return self._fill_port(payload, cls)
            return payload
        except Exception as error:
            raise SerializationException(str(error)) from None

    def _fill_port(self, payload: Any, cls: Any) -> Any:
        """DefaultSerializer's filling of a model, as it is written (it even updates the class's
        attribute_map in place), for payloads that are not objects and irregular classes."""
        types = cls.deserialized_types
        attribute_map = getattr(cls, "attribute_map", {})
        attribute_map.update({k: k for k in cls.deserialized_types if k not in attribute_map})
        model = cls()
        for attribute, key in attribute_map.items():
            if key in payload:
                setattr(model, attribute, self._read(payload[key], types[attribute]))
        for key in [key for key in payload if key not in attribute_map.values()]:
            setattr(model, key, payload[key])
        return model

    # --- serialising ------------------------------------------------------------------------

    def serialize(self, obj: Any) -> Any:
        try:
            writer = self._writers[type(obj)]
        except KeyError:
            writer = self._writers[type(obj)] = self._writer(type(obj))
        return writer(obj)

    def _writer(self, kind: type) -> Writer:
        """How to write an object of this type: DefaultSerializer.serialize's branches, in order."""
        if kind is type(None) or issubclass(kind, PRIMITIVE_TYPES):
            return _same
        if issubclass(kind, list):
            return lambda obj: [self._value(item) for item in obj]
        if issubclass(kind, tuple):
            return lambda obj: tuple(self.serialize(item) for item in obj)
        if issubclass(kind, (datetime, date)):
            return lambda obj: obj.isoformat()
        if issubclass(kind, Enum):
            return lambda obj: obj.value
        if issubclass(kind, decimal.Decimal):
            return lambda obj: int(obj) if obj % 1 == 0 else float(obj)
        if issubclass(kind, dict):
            return lambda obj: {key: self._value(value) for key, value in obj.items()}
        fields = _fields(kind)
        if fields is None:
            return self._write_model_port
        pairs = tuple((attribute, key) for attribute, key, _ in fields)

        def write(obj: Any) -> Any:
            # DefaultSerializer reads the maps from the object: one of its own takes the port.
            own = getattr(obj, "__dict__", None)
            if own is None or "attribute_map" in own or "deserialized_types" in own:
                return self._write_model_port(obj)
            fields = [
                (key, v) for attribute, key in pairs if (v := getattr(obj, attribute)) is not None
            ]
            return {key: self._value(value) for key, value in fields}

        return write

    def _value(self, value: Any) -> Any:
        """serialize(value), a plain value (most of a response) returned without the lookup."""
        return value if type(value) in _PLAIN else self.serialize(value)

    def _write_model_port(self, obj: Any) -> Any:
        """DefaultSerializer.serialize for a model object, as it is written."""
        attribute_map = getattr(obj, "attribute_map", {})
        attribute_map.update({k: k for k in obj.deserialized_types if k not in attribute_map})
        fields = {
            attribute_map[attribute]: getattr(obj, attribute)
            for attribute in obj.deserialized_types
            if getattr(obj, attribute) is not None
        }
        return {key: self.serialize(value) for key, value in fields.items()}


def _fields(cls: type) -> tuple[tuple[str, str, Any], ...] | None:
    """(attribute, JSON key, type string) in deserialized_types' order, for a regular model class:
    deserialized_types and attribute_map its own plain dicts, naming the same attributes, each to
    its own JSON key. Every ask-sdk-model class is one."""
    types = cls.__dict__.get("deserialized_types")
    attribute_map = cls.__dict__.get("attribute_map")
    if type(types) is not dict or type(attribute_map) is not dict:
        return None
    keys = set(attribute_map.values())
    if (
        attribute_map.keys() != types.keys()
        or len(keys) != len(attribute_map)
        or not all(type(key) is str for key in keys)
    ):
        return None
    return tuple((attribute, attribute_map[attribute], types[attribute]) for attribute in types)


def _read_plan(cls: type) -> ReadPlan | None:
    """A regular model class whose cls() only sets plain values, so that a copy of what it set
    makes a new one (and no attribute is a descriptor, so setting means storing)."""
    if not isinstance(cls, type):
        return None
    fields = _fields(cls)
    if (
        fields is None
        or type(cls).__call__ is not type.__call__
        or cls.__new__ is not object.__new__
    ):
        return None
    try:
        blank = dict(vars(cls()))
    except Exception:  # cls() fails: the port fails the same way
        return None
    if any(type(value) not in PLAIN_VALUES for value in blank.values()) or any(
        hasattr(inspect.getattr_static(cls, attribute, None), "__set__")
        for attribute, _, _ in fields
    ):
        return None
    fields_by_key = {
        key: [attribute, value_type, _AS_IS.get(value_type), None]
        for attribute, key, value_type in fields
    }
    return fields_by_key, blank


def _same(payload: Any) -> Any:
    return payload


def _enum_reader(cls: Any) -> Reader:
    """cls(payload) for an enum: its member by value when there is one (as Enum looks it up
    first), else the call itself, which fails or finds it as Enum does."""
    members = getattr(cls, "_value2member_map_", {})

    def read(payload: Any) -> Any:
        try:
            member = members.get(payload)
        except TypeError:  # unhashable: not a member's value
            member = None
        return member if member is not None else _wrapped(cls, payload)

    return read


def _wrapped(cls: Any, payload: Any) -> Any:
    try:
        return cls(payload)
    except Exception as error:
        raise SerializationException(str(error)) from None


def _primitive_reader(cls: Any) -> Reader:
    """DefaultSerializer.__deserialize_primitive, skipping the call for a value of the type."""

    def read(payload: Any) -> Any:
        if type(payload) is cls:
            return payload
        try:
            return cls(payload)
        except UnicodeEncodeError:
            return str(payload)
        except TypeError:
            return payload
        except ValueError:
            raise SerializationException(
                f"Failed to parse {payload} into '{cls.__name__}' object"
            ) from None

    return read


def _read_datetime(payload: Any, as_date: bool) -> Any:
    """Alexa's timestamps by fromisoformat, with the tzinfo dateutil's parser would give."""
    if type(payload) is str and ISO_TIMESTAMP.fullmatch(payload):
        try:
            parsed = datetime.fromisoformat(payload)
        except ValueError:  # e.g. hour 24: dateutil words the error
            return _read_datetime_port(payload, as_date)
        offset = parsed.utcoffset()
        if offset is not None:
            parsed = _dateutil_zone(parsed.replace(tzinfo=None), offset)
        return parsed.date() if as_date else parsed
    return _read_datetime_port(payload, as_date)


def _dateutil_zone(naive: datetime, offset: timedelta) -> datetime:
    """dateutil's tzinfo for an offset: tzoffset(None, seconds), or for a zero one ("Z",
    "+00:00") tz.UTC, unless the machine's zone is called UTC (as on Lambda): then tzlocal()."""
    seconds = offset.days * 86400 + offset.seconds
    if seconds:
        return naive.replace(tzinfo=tz.tzoffset(None, seconds))
    if "UTC" not in time.tzname:
        return naive.replace(tzinfo=tz.UTC)
    aware = naive.replace(tzinfo=_local_zone())
    if aware.tzname() != "UTC":  # dateutil's _assign_tzname and its fallback to tz.UTC
        folded = tz.enfold(aware, fold=1)
        if folded.tzname() == "UTC":
            return folded
        return aware.replace(tzinfo=tz.UTC)
    return aware


_local_zones: dict[tuple[Any, ...], tz.tzlocal] = {}


def _local_zone() -> tz.tzlocal:
    """A tzlocal() for the machine's zone as it is now: one made for each setting of it, as
    making one took 5 to 10 µs of every request on a machine whose zone is UTC (Lambda's)."""
    setting = (time.tzname, time.timezone, time.altzone, time.daylight)
    zone = _local_zones.get(setting)
    if zone is None:
        zone = _local_zones[setting] = tz.tzlocal()
    return zone


def _read_datetime_port(payload: Any, as_date: bool) -> Any:
    """DefaultSerializer.__deserialize_datetime, as it is written."""
    try:
        from dateutil.parser import parse  # only for what fromisoformat cannot do alike

        parsed = parse(payload)
        return parsed.date() if as_date else parsed
    except ImportError:
        return payload
    except ValueError:
        kind = "date" if as_date else "datetime"
        raise SerializationException(f"Failed to parse {payload} into '{kind}' object") from None
