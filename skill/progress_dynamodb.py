"""Progress in Amazon DynamoDB, so that several endpoints can share one store.

Chosen by PROGRESS_STORE=dynamodb://TABLE?region=REGION, with `&endpoint=URL` for a local
DynamoDB-compatible server and `&create=1` to create the table if it is missing. One item per
student: "id" (the partition key) holds the opaque user id, "attributes" the document and
"version" a number each save raises by one. A save reads the item, merges into it and writes it
back only if the version is still the one it read, trying again when another save came first, so
two requests at once lose nothing. Neither user ids nor documents are logged.

This module imports boto3 and ask_sdk_dynamodb, so progress_store imports it only when chosen.
"""

from __future__ import annotations

import json
import logging
import random
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import boto3
from ask_sdk_model import RequestEnvelope
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from skill.progress_store import (
    ProgressStoreError,
    merged,
    parse_document,
    read_document,
    remember,
    user_id_of,
)

PARTITION_KEY = "id"
ATTRIBUTES = "attributes"
VERSION = "version"
KEY_SCHEMA = [{"AttributeName": PARTITION_KEY, "KeyType": "HASH"}]
ATTRIBUTE_DEFINITION = {"AttributeName": PARTITION_KEY, "AttributeType": "S"}

MAX_ATTEMPTS = 10  # conflicting writes a save survives before it gives up
BACKOFF_SECONDS = 0.01  # the longest first wait before trying again; doubles each time
MAX_BACKOFF_SECONDS = 0.3
# Alexa waits 8 seconds for a response, and DynamoDB answers in milliseconds: a call that hangs
# gives up within about 5 seconds (two tries of 2 s, a pause of up to 1 s between them).
BOTO_CONFIG = Config(
    connect_timeout=1, read_timeout=2, retries={"mode": "standard", "max_attempts": 2}
)
START_UP_PROBE_KEY = "skill:start-up-check"  # no Alexa user id looks like this

_TABLE_NAME = re.compile(r"[A-Za-z0-9_.-]{3,255}")
_USAGE = 'PROGRESS_STORE must be "dynamodb://<table>?region=<region>[&endpoint=<url>][&create=1]"'

# botocore's and boto3's DEBUG records carry request bodies, and so user ids.
for _name in ("boto3", "botocore"):
    if logging.getLogger(_name).level < logging.INFO:
        logging.getLogger(_name).setLevel(logging.INFO)


@contextmanager
def _any_default_region() -> Iterator[None]:
    """Let ask_sdk_dynamodb be imported when no AWS region is configured.

    It builds `boto3.resource("dynamodb")` as a default argument at import, which raises
    NoRegionError without a region. We always pass our own resource, so the region of that unused
    default does not matter; the process's default session is put back afterwards.
    """
    saved = boto3.DEFAULT_SESSION
    if boto3.session.Session().region_name is None:
        boto3.DEFAULT_SESSION = boto3.session.Session(region_name="us-east-1")
    try:
        yield
    finally:
        boto3.DEFAULT_SESSION = saved


with _any_default_region():
    from ask_sdk_dynamodb.adapter import DynamoDbAdapter


@dataclass(frozen=True)
class DynamoDbLocation:
    """Where the table is, as the PROGRESS_STORE setting names it."""

    table: str
    region: str
    endpoint: str | None = None  # None: AWS's own endpoint for the region
    create: bool = False  # create the table at start-up if it is missing

    @classmethod
    def from_url(cls, url: str) -> DynamoDbLocation:
        """Parse "dynamodb://table?region=...&endpoint=...&create=1"; ValueError if malformed."""
        parts = urlsplit(url)
        options = dict(parse_qsl(parts.query, keep_blank_values=True))
        unknown = options.keys() - {"region", "endpoint", "create"}
        if parts.scheme != "dynamodb" or parts.path or parts.fragment:
            problem = "not a DynamoDB table"
        elif not _TABLE_NAME.fullmatch(parts.netloc):
            problem = "a table name is 3-255 letters, digits, '_', '-' or '.'"
        elif not options.get("region"):
            problem = "the region is missing"
        elif unknown:
            problem = f"unknown option {sorted(unknown)[0]!r}"
        elif options.get("create", "0") not in {"0", "1"}:
            problem = "create must be 0 or 1"
        elif urlsplit(options.get("endpoint", "http:")).scheme not in {"http", "https"}:
            problem = "the endpoint must be an http(s) URL"
        else:
            create = options.get("create") == "1"
            return cls(parts.netloc, options["region"], options.get("endpoint"), create)
        raise ValueError(f"{_USAGE}, not {url!r}: {problem}")


class DynamoDbProgressAdapter(DynamoDbAdapter):
    """ask-sdk's DynamoDbAdapter, with merging saves that check for conflicts, and plain numbers.

    Calls go through the resource's client: it converts between Python values and DynamoDB's
    typed ones as the resource does but, unlike the resource, may be shared between threads, so
    one adapter serves every request of a process.
    """

    def __init__(self, table_name: str, dynamodb_resource: Any) -> None:
        super().__init__(
            table_name,
            partition_key_name=PARTITION_KEY,
            attribute_name=ATTRIBUTES,
            create_table=False,  # see check(): ours is on-demand and waits until ACTIVE
            partition_keygen=user_id_of,
            dynamodb_resource=dynamodb_resource,
        )
        self._client = dynamodb_resource.meta.client

    def check(self, *, create: bool = False) -> None:
        """Create the table if asked, then prove it is usable; else ProgressStoreError."""
        try:
            if create:
                self._create_if_missing()
            table = self._client.describe_table(TableName=self.table_name)["Table"]
        except ClientError as error:
            if _code(error) == "ResourceNotFoundException":
                raise self._failure("no such table (create it, or add &create=1)") from error
            raise self._error(error) from error
        except BotoCoreError as error:
            raise self._error(error) from error
        definitions = table.get("AttributeDefinitions", [])
        if table["KeySchema"] != KEY_SCHEMA or ATTRIBUTE_DEFINITION not in definitions:
            raise self._failure(f"its key must be the string {PARTITION_KEY!r} alone")
        if table["TableStatus"] not in {"ACTIVE", "UPDATING"}:
            raise self._failure(f"the table is {table['TableStatus']}")
        self._read(START_UP_PROBE_KEY)  # proves the credentials can read items, not only describe

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        """The student's document, or {} if there is none."""
        return _document_of(self._read(self.partition_keygen(request_envelope)))

    def save_attributes(
        self, request_envelope: RequestEnvelope, attributes: Mapping[str, Any]
    ) -> None:
        """Merge `attributes` into the student's document, trying again after a conflict."""
        key = self.partition_keygen(request_envelope)
        for attempt in range(MAX_ATTEMPTS):
            if attempt:
                # Jittered, so that savers that collided do not collide again in step.
                ceiling = min(MAX_BACKOFF_SECONDS, BACKOFF_SECONDS * 2 ** (attempt - 1))
                time.sleep(random.uniform(0, ceiling))
            item = self._read(key)
            text = _text_of(item)
            document, parsed = merged(read_document(text), attributes)
            if self._write(key, document, item):
                # As a later read will spell it: the next request finds it already parsed.
                remember(json.dumps(document, sort_keys=True), parsed)
                return
        raise self._failure(f"a save met {MAX_ATTEMPTS} conflicting writes in a row; gave up")

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        """Forget the student; a save that read the item before cannot bring it back."""
        key = self.partition_keygen(request_envelope)
        try:
            self._client.delete_item(TableName=self.table_name, Key=self._key(key))
        except (BotoCoreError, ClientError) as error:
            raise self._error(error, key) from error

    def _create_if_missing(self) -> None:
        # On-demand billing: the stock adapter's 5 provisioned units throttle a class at once.
        try:
            self._client.create_table(
                TableName=self.table_name,
                KeySchema=KEY_SCHEMA,
                AttributeDefinitions=[ATTRIBUTE_DEFINITION],
                BillingMode="PAY_PER_REQUEST",
            )
        except ClientError as error:
            if _code(error) != "ResourceInUseException":  # it exists, or is being created
                raise
        waiter = self._client.get_waiter("table_exists")
        waiter.wait(TableName=self.table_name, WaiterConfig={"Delay": 2, "MaxAttempts": 60})

    def _read(self, key: str) -> dict[str, Any] | None:
        """The student's item, as Python values, or None."""
        try:
            response = self._client.get_item(
                TableName=self.table_name, Key=self._key(key), ConsistentRead=True
            )
        except (BotoCoreError, ClientError) as error:
            raise self._error(error, key) from error
        return response.get("Item")

    def _write(self, key: str, document: dict[str, Any], read: dict[str, Any] | None) -> bool:
        """Store `document` if the item is still as `read` found it; False if it was not."""
        value = _to_dynamodb(document)  # TypeError before anything is written
        values: dict[str, Any] = {}
        if read is None:
            condition, names, version = "attribute_not_exists(#id)", {"#id": PARTITION_KEY}, 1
        elif isinstance(read.get(VERSION), Decimal):
            condition, names = "#version = :read", {"#version": VERSION}
            values, version = {":read": read[VERSION]}, read[VERSION] + 1
        else:  # an item written by something other than this adapter
            condition = "attribute_exists(#id) AND attribute_not_exists(#version)"
            names, version = {"#id": PARTITION_KEY, "#version": VERSION}, 1
        # Not "attribute_not_exists(id) OR ...": that would let a save that read the item before
        # a delete write it back afterwards, undoing "forget me".
        try:
            self._client.put_item(
                TableName=self.table_name,
                Item={**self._key(key), ATTRIBUTES: value, VERSION: version},
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                **({"ExpressionAttributeValues": values} if values else {}),
            )
        except ClientError as error:
            if _code(error) == "ConditionalCheckFailedException":
                return False
            raise self._error(error, key) from error
        except BotoCoreError as error:
            raise self._error(error, key) from error
        return True

    def _key(self, key: str) -> dict[str, Any]:
        return {PARTITION_KEY: key}

    def _error(self, error: Exception, key: str | None = None) -> ProgressStoreError:
        if isinstance(error, ClientError):
            reason = f"{_code(error)}: {error.response.get('Error', {}).get('Message', '')}"
        else:
            reason = str(error)
        # No DynamoDB message is known to quote a key, but the student must never be named.
        return self._failure(reason.replace(key, "<user id>") if key else reason)

    def _failure(self, reason: str) -> ProgressStoreError:
        return ProgressStoreError(f"progress store dynamodb table {self.table_name}: {reason}")


def open_dynamodb_store(url: str) -> DynamoDbProgressAdapter:
    """The store a dynamodb:// PROGRESS_STORE names, checked to be usable at start-up."""
    location = DynamoDbLocation.from_url(url)
    try:
        resource = boto3.session.Session(region_name=location.region).resource(
            "dynamodb", endpoint_url=location.endpoint, config=BOTO_CONFIG
        )
    except BotoCoreError as error:  # an invalid region name, say
        reason = f"progress store dynamodb table {location.table}: {error}"
        raise ProgressStoreError(reason) from error
    adapter = DynamoDbProgressAdapter(location.table, resource)
    adapter.check(create=location.create)
    return adapter


def _code(error: ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "")


def _to_dynamodb(document: Mapping[str, Any]) -> Any:
    """`document` as DynamoDB can hold it: boto3 refuses floats, so they become Decimals.

    Through JSON, so that what JSON cannot hold is refused (TypeError) as the other stores do.
    """
    return json.loads(json.dumps(document, allow_nan=False), parse_float=Decimal)


def _document_of(item: Mapping[str, Any] | None) -> dict[str, Any]:
    """The document in an item, with normal numbers and progress cleaned; {} if unreadable."""
    return parse_document(_text_of(item))


def _text_of(item: Mapping[str, Any] | None) -> str | None:
    """The document in an item as JSON text, keys sorted (DynamoDB keeps no order in a map);
    None if there is none or it is not something this adapter wrote (sets, binary)."""
    if item is None:
        return None
    try:
        return json.dumps(item.get(ATTRIBUTES), default=_plain_number, sort_keys=True)
    except (TypeError, ValueError):
        return None


def _plain_number(value: object) -> int | float:
    """A DynamoDB number as Progress.from_dict expects it: int if written as one, else float."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise TypeError(f"not JSON: {type(value).__name__}")
    exponent = value.as_tuple().exponent
    return int(value) if isinstance(exponent, int) and exponent >= 0 else float(value)
