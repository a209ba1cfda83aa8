"""Progress stores: one suite run against every store, then what is particular to each.

DynamoDB runs against moto's DynamoDB-compatible server on loopback, with dummy credentials.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest
from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter, AttributesManager
from ask_sdk_model import Context, RequestEnvelope, Session, User
from ask_sdk_model.interfaces.system import SystemState
from botocore.config import Config

from skill import progress_dynamodb, progress_store
from skill.progress import Progress, record_answer
from skill.progress_store import (
    MemoryPersistenceAdapter,
    ProgressStoreError,
    SqlitePersistenceAdapter,
    open_store,
)
from skill.tools.simulator import SIMULATED_USER_ID

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STUDENT = "amzn1.ask.account.STUDENT-A"
OTHER = "amzn1.ask.account.STUDENT-B"


def envelope(user_id: str | None, *, session_user_id: str | None = None) -> RequestEnvelope:
    """A request envelope carrying only user ids: in context.system and in the session."""
    session_user = session_user_id if session_user_id is not None else user_id
    return RequestEnvelope(
        context=Context(system=SystemState(user=User(user_id=user_id) if user_id else None)),
        session=Session(user=User(user_id=session_user)) if session_user else None,
    )


def progress_of(store: AbstractPersistenceAdapter, user_id: str) -> Progress:
    return Progress.from_dict(store.get_attributes(envelope(user_id)).get("progress"))


def answer(
    store: AbstractPersistenceAdapter, user_id: str, fact: str, correct: bool, at: datetime
) -> None:
    """What one request does: load the student's progress, record an answer, save."""
    progress = record_answer(progress_of(store, user_id), [fact], correct, at)
    store.save_attributes(envelope(user_id), {"progress": progress.to_dict()})


@dataclass(frozen=True)
class StoreCase:
    """A store under test, with what the suite needs to reach behind it."""

    adapter: AbstractPersistenceAdapter
    put_raw: Callable[[str, str | bytes], None]  # store a document's text as is, to tamper with it
    url: str | None  # for another process to open the same store; None if it cannot


def sqlite_case(request: pytest.FixtureRequest) -> StoreCase:
    tmp_path: Path = request.getfixturevalue("tmp_path")
    url = f"sqlite:///{tmp_path / 'progress.sqlite3'}"
    adapter = open_store(url)

    def put_raw(user_id: str, text: str | bytes) -> None:
        with sqlite3.connect(tmp_path / "progress.sqlite3") as connection:
            connection.execute(
                "INSERT OR REPLACE INTO attributes (user_id, document) VALUES (?, ?)",
                (user_id, text),
            )

    return StoreCase(adapter, put_raw, url)


def memory_case(request: pytest.FixtureRequest) -> StoreCase:
    adapter = open_store("memory://")
    assert isinstance(adapter, MemoryPersistenceAdapter)

    def put_raw(user_id: str, text: str | bytes) -> None:
        adapter._documents[user_id] = text  # no public way in, by design

    return StoreCase(adapter, put_raw, None)


REGION = "eu-west-1"
# Dummy credentials, and no profile or instance metadata to fall back on: never real AWS.
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_CONFIG_FILE": "/nonexistent/aws-config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
    "AWS_EC2_METADATA_DISABLED": "true",
}


@pytest.fixture(scope="session")
def dynamodb_endpoint() -> Iterator[str]:
    """A DynamoDB-compatible server on loopback, started once for the whole run."""
    from moto.server import ThreadedMotoServer  # slow to import: only when DynamoDB is tested

    with pytest.MonkeyPatch.context() as patch:
        for name, value in FAKE_AWS.items():
            patch.setenv(name, value)
        # No region in the environment: the store must take it from its URL alone.
        for name in ("AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_REGION"):
            patch.delenv(name, raising=False)
        for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):  # only the store's URL
            patch.delenv(name, raising=False)
        atomic_item_writes(patch)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


def atomic_item_writes(patch: pytest.MonkeyPatch) -> None:
    """Make moto's item reads and writes one at a time, as DynamoDB's are per item.

    DynamoDB checks a write's condition and writes atomically. Moto's server answers requests
    on several threads and checks, then writes, with nothing in between held: two conditional
    saves that read the same version can both pass, and the store's tests then see a lost
    answer that DynamoDB would never lose."""
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    for name in ("get_item", "put_item", "update_item", "delete_item"):
        unlocked = getattr(DynamoDBBackend, name)

        def locked(*args: Any, _unlocked: Any = unlocked, **kwargs: Any) -> Any:
            with lock:
                return _unlocked(*args, **kwargs)

        patch.setattr(DynamoDBBackend, name, locked)


def dynamodb_url(endpoint: str, table: str, *, create: bool = True) -> str:
    return f"dynamodb://{table}?region={REGION}&endpoint={endpoint}&create={int(create)}"


def dynamodb_table(endpoint: str, table: str) -> Any:
    """The table through boto3 directly, to look behind the store."""
    return boto3.resource("dynamodb", region_name=REGION, endpoint_url=endpoint).Table(table)


def dynamodb_case(request: pytest.FixtureRequest) -> StoreCase:
    endpoint: str = request.getfixturevalue("dynamodb_endpoint")
    table = f"progress-{uuid.uuid4().hex}"  # a fresh table for each test
    url = dynamodb_url(endpoint, table)
    adapter = open_store(url)

    def put_raw(user_id: str, text: str | bytes) -> None:
        # JSON goes in as the map (or list, or string) it reads as; anything else as is.
        try:
            value = json.loads(text, parse_float=Decimal)
        except ValueError:
            value = text
        dynamodb_table(endpoint, table).put_item(Item={"id": user_id, "attributes": value})

    return StoreCase(adapter, put_raw, url)


STORES = {"sqlite": sqlite_case, "memory": memory_case, "dynamodb": dynamodb_case}


@pytest.fixture(params=sorted(STORES))
def case(request: pytest.FixtureRequest) -> StoreCase:
    return STORES[request.param](request)


@pytest.fixture
def store(case: StoreCase) -> AbstractPersistenceAdapter:
    return case.adapter


# Every store


def test_a_new_student_has_no_attributes(store: AbstractPersistenceAdapter) -> None:
    assert store.get_attributes(envelope(STUDENT)) == {}


def test_round_trip(store: AbstractPersistenceAdapter) -> None:
    progress = record_answer(Progress(), ["F1", "F2"], True, T0)
    document = {"progress": progress.to_dict(), "heard_intro": True}
    store.save_attributes(envelope(STUDENT), document)
    assert store.get_attributes(envelope(STUDENT)) == document
    assert store.get_attributes(envelope(OTHER)) == {}


def test_keys_other_than_progress_are_replaced_by_the_latest_save(
    store: AbstractPersistenceAdapter,
) -> None:
    store.save_attributes(envelope(STUDENT), {"voice": "slow", "heard_intro": False})
    store.save_attributes(envelope(STUDENT), {"heard_intro": True})
    assert store.get_attributes(envelope(STUDENT)) == {"voice": "slow", "heard_intro": True}


def test_the_session_user_id_is_used_when_the_context_has_none(
    store: AbstractPersistenceAdapter,
) -> None:
    store.save_attributes(envelope(None, session_user_id=STUDENT), {"heard_intro": True})
    assert store.get_attributes(envelope(STUDENT)) == {"heard_intro": True}


def test_a_request_without_a_user_id_is_refused(store: AbstractPersistenceAdapter) -> None:
    with pytest.raises(ProgressStoreError, match="no user id"):
        store.get_attributes(RequestEnvelope())


def test_delete_forgets_only_that_student(store: AbstractPersistenceAdapter) -> None:
    answer(store, STUDENT, "F1", True, T0)
    answer(store, OTHER, "F1", True, T0)
    store.delete_attributes(envelope(STUDENT))
    store.delete_attributes(envelope(STUDENT))  # deleting twice is harmless
    assert store.get_attributes(envelope(STUDENT)) == {}
    assert "F1" in progress_of(store, OTHER).facts


def test_works_through_the_sdk_attributes_manager(store: AbstractPersistenceAdapter) -> None:
    manager = AttributesManager(envelope(STUDENT), persistence_adapter=store)
    manager.persistent_attributes = {"progress": Progress().to_dict(), "heard_intro": True}
    manager.save_persistent_attributes()
    fresh = AttributesManager(envelope(STUDENT), persistence_adapter=store)
    assert fresh.persistent_attributes["heard_intro"] is True
    fresh.delete_persistent_attributes()
    assert store.get_attributes(envelope(STUDENT)) == {}


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[1, 2]",
        '"progress"',
        '{"progress": "junk"}',
        '{"progress": {"facts": {"F1": {"right": "lots"}}}}',
        b'{"progress": "\xff"}',  # not UTF-8
    ],
)
def test_a_tampered_document_reads_as_empty_progress(case: StoreCase, text: str | bytes) -> None:
    case.put_raw(STUDENT, text)
    assert progress_of(case.adapter, STUDENT) == Progress()
    answer(case.adapter, STUDENT, "F2", True, T0)  # and the next save repairs it
    assert list(progress_of(case.adapter, STUDENT).facts) == ["F2"]


def test_attributes_that_are_not_json_are_refused_and_nothing_changes(
    store: AbstractPersistenceAdapter,
) -> None:
    answer(store, STUDENT, "F1", True, T0)
    before = store.get_attributes(envelope(STUDENT))
    with pytest.raises(TypeError):
        store.save_attributes(envelope(STUDENT), {"when": T0})
    assert store.get_attributes(envelope(STUDENT)) == before


def run_together(*jobs: Callable[[], None]) -> None:
    """Run jobs in threads released at the same moment; fail if any failed."""
    start = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Callable[[], None]) -> None:
        start.wait()
        try:
            job()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


def record_each(store: AbstractPersistenceAdapter, facts: list[str]) -> Callable[[], None]:
    def job() -> None:
        for index, fact in enumerate(facts):
            answer(store, STUDENT, fact, True, T0 + timedelta(seconds=index))

    return job


def test_two_requests_at_once_for_one_student_lose_no_answer(
    store: AbstractPersistenceAdapter,
) -> None:
    first = [f"F{n}" for n in range(1, 11)]
    second = [f"F{n}" for n in range(11, 22)]
    run_together(record_each(store, first), record_each(store, second))
    facts = progress_of(store, STUDENT).facts
    assert sorted(facts) == sorted(first + second)
    assert all(record.right == 1 for record in facts.values())


def test_when_two_requests_answer_the_same_fact_the_later_answer_wins(
    store: AbstractPersistenceAdapter,
) -> None:
    def save_answer_at(minutes: int) -> Callable[[], None]:
        progress = record_answer(
            Progress(), ["F1"], minutes % 2 == 0, T0 + timedelta(minutes=minutes)
        )
        return lambda: store.save_attributes(envelope(STUDENT), {"progress": progress.to_dict()})

    run_together(*(save_answer_at(minutes) for minutes in range(8)))
    assert progress_of(store, STUDENT).facts["F1"].last_asked == T0 + timedelta(minutes=7)
    save_answer_at(3)()  # an answer that arrives late does not overwrite a newer one
    record = progress_of(store, STUDENT).facts["F1"]
    assert (record.last_asked, record.last_right) == (T0 + timedelta(minutes=7), False)


def record_in_process(
    url: str, facts: list[str], start: multiprocessing.synchronize.Barrier
) -> None:
    """One process of the two-process test: open the store as the skill would, then answer."""
    store = open_store(url)
    start.wait()
    record_each(store, facts)()


def test_two_processes_at_once_for_one_student_lose_no_answer(case: StoreCase) -> None:
    if case.url is None:
        pytest.skip("this store cannot be shared between processes")
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    first = [f"F{n}" for n in range(1, 11)]
    second = [f"F{n}" for n in range(11, 22)]
    processes = [
        context.Process(target=record_in_process, args=(case.url, facts, start))
        for facts in (first, second)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    assert [process.exitcode for process in processes] == [0, 0]
    assert sorted(progress_of(case.adapter, STUDENT).facts) == sorted(first + second)


def test_no_user_id_or_document_is_logged(
    store: AbstractPersistenceAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        answer(store, STUDENT, "F1", True, T0)
        store.get_attributes(envelope(STUDENT))
        store.delete_attributes(envelope(STUDENT))
    assert STUDENT not in caplog.text and "F1" not in caplog.text


# SQLite


@pytest.mark.parametrize("stored_first", [True, False], ids=["known", "new student"])
def test_a_sqlite_save_overtaken_by_another_worker_merges_into_it(
    tmp_path: Path, stored_first: bool
) -> None:
    # A save merges into the document its request read; another worker's save between the
    # read and the save must be kept, whether the student had a document or not.
    url = f"sqlite:///{tmp_path / 'progress.sqlite3'}"
    store, elsewhere = open_store(url), open_store(url)
    if stored_first:
        answer(store, STUDENT, "F1", True, T0)
    read_before = progress_of(store, STUDENT)
    answer(elsewhere, STUDENT, "F2", True, T0)
    progress = record_answer(read_before, ["F3"], True, T0)
    store.save_attributes(envelope(STUDENT), {"progress": progress.to_dict()})
    expected = ["F1", "F2", "F3"] if stored_first else ["F2", "F3"]
    assert sorted(progress_of(elsewhere, STUDENT).facts) == expected
    assert sorted(progress_of(store, STUDENT).facts) == expected


def test_a_sqlite_save_after_its_read_is_one_statement(tmp_path: Path) -> None:
    # What a quiz answer costs: the read, then the save as one UPDATE of what was read.
    store = open_store(f"sqlite:///{tmp_path / 'progress.sqlite3'}")
    answer(store, STUDENT, "F1", True, T0)
    assert isinstance(store, SqlitePersistenceAdapter)
    statements: list[str] = []
    store._local.held.connection.set_trace_callback(statements.append)
    answer(store, STUDENT, "F2", True, T0)
    assert [s.split()[0] for s in statements] == ["SELECT", "UPDATE"]
    assert sorted(progress_of(store, STUDENT).facts) == ["F1", "F2"]


def test_sqlite_store_and_its_directories_are_created_on_first_use(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "progress.sqlite3"
    adapter = SqlitePersistenceAdapter(path)
    assert not path.parent.exists()
    answer(adapter, STUDENT, "F1", True, T0)
    assert path.is_file()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_open_store_creates_and_checks_the_sqlite_store(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "progress.sqlite3"
    adapter = open_store(f"sqlite:///{path}")
    assert isinstance(adapter, SqlitePersistenceAdapter)
    assert path.is_file()


def test_a_relative_sqlite_path_is_taken_from_the_starting_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    adapter = open_store("sqlite:///data/progress.sqlite3")
    monkeypatch.chdir("/")
    answer(adapter, STUDENT, "F1", True, T0)
    assert (tmp_path / "data" / "progress.sqlite3").is_file()


@pytest.fixture
def under_a_file(tmp_path: Path) -> Path:
    (tmp_path / "plain-file").write_text("")
    return tmp_path / "plain-file" / "progress.sqlite3"


@pytest.fixture
def deep_under_a_file(under_a_file: Path) -> Path:
    return under_a_file.parent / "deeper" / "still" / "progress.sqlite3"


@pytest.fixture
def a_directory(tmp_path: Path) -> Path:
    (tmp_path / "progress.sqlite3").mkdir()
    return tmp_path / "progress.sqlite3"


@pytest.fixture
def not_a_database(tmp_path: Path) -> Path:
    (tmp_path / "progress.sqlite3").write_bytes(b"this is not a database file, not at all" * 50)
    return tmp_path / "progress.sqlite3"


@pytest.mark.parametrize(
    ("fixture", "reason"),
    [
        ("under_a_file", "plain-file is not a directory"),
        ("deep_under_a_file", "Not a directory: .*plain-file/deeper"),
        ("a_directory", "is a directory"),
        ("not_a_database", "not a database"),
    ],
)
def test_an_unusable_sqlite_path_is_reported_at_start_up(
    request: pytest.FixtureRequest, fixture: str, reason: str
) -> None:
    path: Path = request.getfixturevalue(fixture)
    with pytest.raises(ProgressStoreError, match=reason) as raised:
        open_store(f"sqlite:///{path}")
    assert str(path) in str(raised.value)


def test_an_unusable_sqlite_path_is_reported_by_each_call_too(under_a_file: Path) -> None:
    adapter = SqlitePersistenceAdapter(under_a_file)
    with pytest.raises(ProgressStoreError) as raised:
        adapter.get_attributes(envelope(STUDENT))
    assert str(under_a_file) in str(raised.value) and STUDENT not in str(raised.value)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "sqlite://",
        "sqlite:///",
        "sqlite://relative.db",
        "memory",
        "postgres://db/progress",
        "dynamodb://progress",  # no region
        "dynamodb://progress?region=",
        "dynamodb://progress/path?region=eu-west-1",
        "dynamodb://no?region=eu-west-1",  # too short a name
        "dynamodb://progress?region=eu-west-1&regoin=eu-west-2",
        "dynamodb://progress?region=eu-west-1&create=yes",
        "dynamodb://progress?region=eu-west-1&endpoint=127.0.0.1:8000",
    ],
)
def test_an_unknown_store_url_names_the_setting(url: str) -> None:
    with pytest.raises(ValueError, match="PROGRESS_STORE"):
        open_store(url)


# DynamoDB


@pytest.fixture
def dynamodb_store(dynamodb_endpoint: str) -> tuple[str, Any]:
    """A fresh table: its store URL, and the table through boto3 to look behind the store."""
    table = f"progress-{uuid.uuid4().hex}"
    return dynamodb_url(dynamodb_endpoint, table), dynamodb_table(dynamodb_endpoint, table)


def test_a_dynamodb_item_holds_the_user_id_the_document_and_a_version(
    dynamodb_store: tuple[str, Any],
) -> None:
    url, table = dynamodb_store
    store = open_store(url)
    answer(store, STUDENT, "F1", True, T0)
    answer(store, STUDENT, "F2", False, T0)
    item = table.get_item(Key={"id": STUDENT}, ConsistentRead=True)["Item"]
    assert sorted(item) == ["attributes", "id", "version"] and item["version"] == 2
    stored_card = item["attributes"]["progress"]["facts"]["F1"]["card"]
    assert isinstance(stored_card["stability"], Decimal)  # boto3 takes no floats
    fact = store.get_attributes(envelope(STUDENT))["progress"]["facts"]["F1"]
    assert type(fact["right"]) is int and type(fact["card"]["stability"]) is float


def test_open_store_creates_a_missing_dynamodb_table_on_demand(
    dynamodb_store: tuple[str, Any],
) -> None:
    url, table = dynamodb_store
    open_store(url)
    open_store(url)  # a second endpoint starting finds the table there
    description = table.meta.client.describe_table(TableName=table.name)["Table"]
    assert description["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert description["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def interrupt_reads(
    monkeypatch: pytest.MonkeyPatch,
    store: AbstractPersistenceAdapter,
    interloper: Callable[[int], None],
) -> list[int]:
    """After the store reads an item, run `interloper(reads so far)`, as a request elsewhere would.

    Returns the list the reads are counted in.
    """
    read = store._read  # the step of a save that another request can come after
    reads: list[int] = []

    def read_then_interrupt(key: str) -> Any:
        item = read(key)
        reads.append(len(reads) + 1)
        interloper(len(reads))
        return item

    monkeypatch.setattr(store, "_read", read_then_interrupt)
    return reads


def test_a_dynamodb_save_overtaken_by_another_merges_into_it(
    dynamodb_store: tuple[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = dynamodb_store
    store, elsewhere = open_store(url), open_store(url)
    answer(store, STUDENT, "F1", True, T0)

    def answer_elsewhere_once(reads: int) -> None:
        if reads == 1:
            answer(elsewhere, STUDENT, "F2", True, T0)

    reads = interrupt_reads(monkeypatch, store, answer_elsewhere_once)
    progress = record_answer(Progress(), ["F3"], True, T0)
    store.save_attributes(envelope(STUDENT), {"progress": progress.to_dict()})
    assert len(reads) == 2  # the first write was refused, the second went in
    assert sorted(progress_of(elsewhere, STUDENT).facts) == ["F1", "F2", "F3"]


def test_a_dynamodb_save_always_overtaken_gives_up_without_naming_the_student(
    dynamodb_store: tuple[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, table = dynamodb_store
    store, elsewhere = open_store(url), open_store(url)
    monkeypatch.setattr(progress_dynamodb, "BACKOFF_SECONDS", 0.0)
    reads = interrupt_reads(
        monkeypatch, store, lambda reads: answer(elsewhere, STUDENT, f"F{reads}", True, T0)
    )
    with pytest.raises(ProgressStoreError, match="conflicting writes") as raised:
        store.save_attributes(envelope(STUDENT), {"heard_intro": True})
    assert len(reads) == progress_dynamodb.MAX_ATTEMPTS
    assert table.name in str(raised.value) and STUDENT not in str(raised.value)
    assert "heard_intro" not in elsewhere.get_attributes(envelope(STUDENT))


def test_a_dynamodb_save_that_read_before_a_delete_does_not_bring_the_student_back(
    dynamodb_store: tuple[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = dynamodb_store
    store, elsewhere = open_store(url), open_store(url)
    answer(store, STUDENT, "F1", True, T0)

    def forget_once(reads: int) -> None:
        if reads == 1:
            elsewhere.delete_attributes(envelope(STUDENT))

    interrupt_reads(monkeypatch, store, forget_once)
    progress = record_answer(Progress(), ["F2"], True, T0)
    store.save_attributes(envelope(STUDENT), {"progress": progress.to_dict()})
    assert sorted(progress_of(elsewhere, STUDENT).facts) == ["F2"]


def test_a_missing_dynamodb_table_is_reported_at_start_up(dynamodb_endpoint: str) -> None:
    url = dynamodb_url(dynamodb_endpoint, "no-such-table", create=False)
    with pytest.raises(ProgressStoreError, match="table no-such-table: no such table"):
        open_store(url)


def test_a_dynamodb_table_with_another_key_is_reported_at_start_up(
    dynamodb_endpoint: str,
) -> None:
    table = f"progress-{uuid.uuid4().hex}"
    dynamodb_table(dynamodb_endpoint, table).meta.client.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "user_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "user_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    with pytest.raises(ProgressStoreError, match=f"{table}: its key must be the string 'id'"):
        open_store(dynamodb_url(dynamodb_endpoint, table, create=False))


def test_an_unreachable_dynamodb_endpoint_is_reported_at_start_up(
    dynamodb_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as unused:  # a loopback port that nothing listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    monkeypatch.setattr(progress_dynamodb, "BOTO_CONFIG", Config(retries={"max_attempts": 1}))
    url = dynamodb_url(f"http://127.0.0.1:{port}", "progress", create=False)
    with pytest.raises(ProgressStoreError, match="table progress: Could not connect"):
        open_store(url)


def test_only_the_dynamodb_store_imports_boto3() -> None:
    code = (
        "import sys\n"
        "from skill.progress_store import open_store\n"
        "open_store('memory://')\n"
        "print(sorted({'boto3', 'ask_sdk_dynamodb'} & sys.modules.keys()))\n"
    )
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# SQLite: connections, durability, forks


def count_connects(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the connections the store opens (one entry each)."""
    opened: list[int] = []
    connect = sqlite3.connect

    def counting_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        opened.append(1)
        return connect(*args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", counting_connect)
    return opened


def test_sqlite_store_keeps_one_connection_per_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'progress.sqlite3'}")
    opened = count_connects(monkeypatch)
    for index in range(5):
        answer(store, STUDENT, f"F{index}", True, T0)
    assert len(opened) == 1
    run_together(*(record_each(store, [f"T{n}"]) for n in range(3)))
    assert len(opened) == 4
    assert sorted(progress_of(store, STUDENT).facts) == sorted(
        [f"F{n}" for n in range(5)] + [f"T{n}" for n in range(3)]
    )


def test_sqlite_connections_use_wal_and_synchronous_normal(tmp_path: Path) -> None:
    store = SqlitePersistenceAdapter(tmp_path / "progress.sqlite3")
    answer(store, STUDENT, "F1", True, T0)
    connection = store._local.held.connection  # the connection the calls use
    assert connection.execute("PRAGMA journal_mode").fetchone() == (b"wal",)
    assert connection.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL


def first_use(path: Path, start: multiprocessing.synchronize.Barrier, errors: Any) -> None:
    """One worker's first call on a store no one has opened yet."""
    start.wait()
    try:
        SqlitePersistenceAdapter(path).check()
    except ProgressStoreError as error:
        errors.put(str(error))


def test_workers_opening_a_new_sqlite_file_at_once_all_start(tmp_path: Path) -> None:
    # As gunicorn's workers do on their first requests: each switches the new file to WAL,
    # which SQLite refuses at once ("database is locked") while another holds it.
    context = multiprocessing.get_context("fork")
    errors = context.Queue()
    for trial in range(12):
        start = context.Barrier(6)
        path = tmp_path / f"trial{trial}" / "progress.sqlite3"
        workers = [context.Process(target=first_use, args=(path, start, errors)) for _ in range(6)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        assert [worker.exitcode for worker in workers] == [0] * 6
    assert errors.empty(), errors.get()


def test_a_finished_threads_sqlite_connection_is_closed(tmp_path: Path) -> None:
    store = SqlitePersistenceAdapter(tmp_path / "progress.sqlite3")
    for index in range(10):  # as a server with a thread per request does
        thread = threading.Thread(target=answer, args=(store, STUDENT, f"F{index}", True, T0))
        thread.start()
        thread.join()
    assert len(store._held) == 1  # the last thread's, closed when the next thread opens one
    assert len(progress_of(store, STUDENT).facts) == 10


def test_close_closes_every_threads_sqlite_connection_and_a_later_call_reopens(
    tmp_path: Path,
) -> None:
    store = SqlitePersistenceAdapter(tmp_path / "progress.sqlite3")
    answer(store, STUDENT, "F1", True, T0)
    held = [store._local.held.connection]
    pool_started, release = threading.Barrier(2), threading.Event()

    def answer_and_stay() -> None:  # a thread of a pool: alive, its connection open
        answer(store, STUDENT, "F2", True, T0)
        held.append(store._local.held.connection)
        pool_started.wait()
        release.wait()

    thread = threading.Thread(target=answer_and_stay)
    thread.start()
    pool_started.wait()
    store.close()
    for connection in held:
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            connection.execute("SELECT 1")
    assert not (tmp_path / "progress.sqlite3-wal").exists()  # the last close checkpointed
    release.set()
    thread.join()
    assert sorted(progress_of(store, STUDENT).facts) == ["F1", "F2"]


def raised_by(call: Callable[[], None]) -> list[BaseException]:
    try:
        call()
    except BaseException as error:
        return [error]
    return []


def test_a_removed_sqlite_file_is_reported_not_written_blindly(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    store = open_store(f"sqlite:///{path}")
    answer(store, STUDENT, "F1", True, T0)
    for name in ("progress.sqlite3", "progress.sqlite3-wal", "progress.sqlite3-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    with pytest.raises(ProgressStoreError, match="removed or replaced") as raised:
        answer(store, STUDENT, "F2", True, T0)
    assert str(path) in str(raised.value) and STUDENT not in str(raised.value)
    errors: list[BaseException] = []
    other_thread = threading.Thread(  # a thread with no connection yet opens none
        target=lambda: errors.extend(raised_by(lambda: answer(store, STUDENT, "F2", True, T0)))
    )
    other_thread.start()
    other_thread.join()
    assert [type(error) for error in errors] == [ProgressStoreError]
    assert not path.exists()
    assert isinstance(store, SqlitePersistenceAdapter)
    store.close()  # as a restart does: the store is made again
    answer(store, STUDENT, "F3", True, T0)
    assert list(progress_of(store, STUDENT).facts) == ["F3"]


def test_a_forked_child_opens_its_own_sqlite_connection(tmp_path: Path) -> None:
    """As a gunicorn worker forked from a master that used the store: the child must not use
    its parent's connection, nor close it; the parent's goes on working."""
    store = SqlitePersistenceAdapter(tmp_path / "progress.sqlite3")
    answer(store, STUDENT, "F1", True, T0)
    parents = store._local.held.connection
    pid = os.fork()
    if pid == 0:  # the child: exit at once with a code, whatever happens
        code = 1
        try:
            answer(store, STUDENT, "F2", True, T0)
            own = store._local.held.connection
            parents.execute("SELECT 1")  # still open: the child left it alone
            code = 0 if own is not parents else 2
        finally:
            os._exit(code)
    watchdog = threading.Timer(60, os.kill, (pid, signal.SIGKILL))  # a child that hangs fails
    watchdog.start()
    try:
        _, status = os.waitpid(pid, 0)
    finally:
        watchdog.cancel()
    assert os.waitstatus_to_exitcode(status) == 0
    assert store._local.held.connection is parents
    answer(store, STUDENT, "F3", True, T0)
    assert sorted(progress_of(store, STUDENT).facts) == ["F1", "F2", "F3"]


ROOT = Path(__file__).resolve().parent.parent


def answer_quizzes_until_killed(url: str) -> None:
    """The child of the kill test: quiz after quiz through the skill, with the SQLite store as
    the endpoint opens it; after each answer's response, print the facts the answer tested."""
    import random

    from skill import intents
    from skill.builder import create_skill
    from skill.config import Config
    from skill.content import default_content
    from skill.tools.eval_quizzes import right_answer
    from skill.tools.simulator import SIMULATED_SKILL_ID, Conversation, InProcess, Simulator

    content = default_content()
    now = [datetime(2026, 11, 26, 16, 0, tzinfo=UTC)]

    def clock() -> datetime:  # a minute per request
        now[0] += timedelta(minutes=1)
        return now[0]

    skill = create_skill(
        Config(skill_id=SIMULATED_SKILL_ID, progress_store=url), rng=random.Random(11)
    )
    talk = Conversation(InProcess(skill), Simulator("en-GB", clock=clock))
    rng = random.Random(12)
    while True:
        talk.launch()
        quiz = talk.say("quiz me").session_attributes["state"]["quiz"]
        while quiz["phase"] == "asking":
            item = content.item(quiz["items"][quiz["index"]])
            said = right_answer(item) if rng.random() < 0.5 else "the treaty of versailles"
            quiz = talk.intent(intents.ANSWER, answer=said).session_attributes["state"]["quiz"]
            print(json.dumps(item.facts), flush=True)  # the save has returned


@pytest.mark.parametrize("answers_before_the_kill", [3, 8])
def test_a_process_killed_mid_quiz_kept_every_answer_it_had_saved(
    tmp_path: Path, answers_before_the_kill: int
) -> None:
    url = f"sqlite:///{tmp_path / 'progress.sqlite3'}"
    code = (
        "from tests.test_progress_store import answer_quizzes_until_killed\n"
        f"answer_quizzes_until_killed({url!r})"
    )
    with (tmp_path / "stderr").open("w") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True
        )
    watchdog = threading.Timer(120, child.kill)  # a child that hangs fails the test
    watchdog.start()
    try:
        assert child.stdout is not None
        lines = [child.stdout.readline() for _ in range(answers_before_the_kill)]
        os.kill(child.pid, signal.SIGKILL)  # most likely within the next answer's turn
        lines += child.stdout.readlines()  # answers saved before the kill, not yet read
        child.wait()
    finally:
        watchdog.cancel()
    assert child.returncode == -signal.SIGKILL, (tmp_path / "stderr").read_text()
    saved = [json.loads(line) for line in lines if line.endswith("\n")]
    assert len(saved) >= answers_before_the_kill
    expected: dict[str, int] = {}
    for facts in saved:
        for fact in facts:
            expected[fact] = expected.get(fact, 0) + 1

    with sqlite3.connect(tmp_path / "progress.sqlite3") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    stored = progress_of(open_store(url), SIMULATED_USER_ID).facts
    answers = {fact: record.right + record.wrong for fact, record in stored.items()}
    assert all(answers.get(fact, 0) >= count for fact, count in expected.items())
    # Beyond those, at most the answer the kill interrupted, if it was committed.
    assert all(answers[fact] - expected.get(fact, 0) <= 1 for fact in answers)


def test_a_quiz_answer_reads_the_students_progress_once(talk, monkeypatch):
    """Loaded once, updated, merged into what is stored and written: one parse, not five."""
    talk.say("quiz me")
    talk.say("the treaty of friendship")  # some progress stored
    reads: list[object] = []
    real = Progress.from_dict.__func__

    def counting(cls, data):
        reads.append(data)
        return real(cls, data)

    monkeypatch.setattr(Progress, "from_dict", classmethod(counting))
    progress_store.forget_parsed()  # another test may have stored the very same text
    talk.say("skip")
    assert len(reads) == 1
    talk.say("skip")  # the text the last answer wrote is known already
    assert len(reads) == 1
