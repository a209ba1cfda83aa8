"""Where progress is kept: ask-sdk persistence adapters over SQLite, or memory for tests.

Each student has one JSON document, keyed by the opaque Alexa user id. Its "progress" key holds
`Progress.to_dict()`; other keys belong to the skill. A save merges into what is stored, so two
requests for the same student at once lose nothing. Neither user ids nor documents are logged.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model import RequestEnvelope

from skill.progress import PROGRESS_KEY, Progress, merge

BUSY_TIMEOUT_SECONDS = 5.0  # how long a write waits for another writer before it fails
SCHEMA_VERSION = "1"

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS attributes (user_id TEXT PRIMARY KEY, document TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)


class ProgressStoreError(PersistenceException):
    """The progress store failed: names the store and the reason, never a student."""


def user_id_of(request_envelope: RequestEnvelope) -> str:
    """The Alexa user id: from context.system, else from the session."""
    system = request_envelope.context.system if request_envelope.context else None
    session = request_envelope.session
    users = (system.user if system else None, session.user if session else None)
    for user in users:
        if user is not None and user.user_id:
            return str(user.user_id)
    raise ProgressStoreError("the request carries no user id")


def parse_document(text: str | bytes | None) -> dict[str, Any]:
    """A stored document, with its progress cleaned; anything unreadable gives {}."""
    try:
        document = json.loads(text) if text else {}
    except ValueError:  # includes JSONDecodeError and UnicodeDecodeError
        return {}
    if not isinstance(document, dict):
        return {}
    if PROGRESS_KEY in document:
        document[PROGRESS_KEY] = Progress.from_dict(document[PROGRESS_KEY]).to_dict()
    return document


def merge_documents(stored: Mapping[str, Any], incoming: Mapping[str, Any]) -> dict[str, Any]:
    """The document to store: progress merged per fact, other keys from `incoming`; a key
    `incoming` sets to None is removed."""
    document = {k: v for k, v in {**stored, **incoming}.items() if v is not None}
    if PROGRESS_KEY in stored or PROGRESS_KEY in incoming:
        progress = merge(
            Progress.from_dict(stored.get(PROGRESS_KEY)),
            Progress.from_dict(incoming.get(PROGRESS_KEY)),
        )
        document[PROGRESS_KEY] = progress.to_dict()
    return document


class MemoryPersistenceAdapter(AbstractPersistenceAdapter):
    """Documents in a dict, for tests and local runs; safe to share between threads."""

    def __init__(self) -> None:
        self._documents: dict[str, str | bytes] = {}  # JSON text, so callers never share objects
        self._lock = threading.Lock()

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        """The student's document, or {} if there is none."""
        key = user_id_of(request_envelope)
        with self._lock:
            text = self._documents.get(key)
        return parse_document(text)

    def save_attributes(
        self, request_envelope: RequestEnvelope, attributes: Mapping[str, Any]
    ) -> None:
        """Merge `attributes` into the student's document."""
        key = user_id_of(request_envelope)
        with self._lock:
            stored = parse_document(self._documents.get(key))
            self._documents[key] = json.dumps(merge_documents(stored, attributes))

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        """Forget the student."""
        key = user_id_of(request_envelope)
        with self._lock:
            self._documents.pop(key, None)


class SqlitePersistenceAdapter(AbstractPersistenceAdapter):
    """Documents in a SQLite file, created with its directory on first use.

    Every call opens its own connection, because a sqlite3 connection belongs to one thread;
    so the adapter can be shared between threads. WAL mode lets reads go on during a write.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).absolute()  # a relative path is fixed now, not at each call

    def check(self) -> None:
        """Create the store if needed and prove it can be written; else ProgressStoreError."""
        with self._connection() as connection:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                (SCHEMA_VERSION,),
            )
            connection.execute("COMMIT")

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        """The student's document, or {} if there is none."""
        key = user_id_of(request_envelope)
        with self._connection() as connection:
            row = connection.execute(
                "SELECT document FROM attributes WHERE user_id = ?", (key,)
            ).fetchone()
        return parse_document(row[0] if row else None)

    def save_attributes(
        self, request_envelope: RequestEnvelope, attributes: Mapping[str, Any]
    ) -> None:
        """Merge `attributes` into the student's document, in one write transaction."""
        key = user_id_of(request_envelope)
        with self._connection() as connection:
            # IMMEDIATE takes the write lock before the read, so a concurrent save waits
            # for this one to commit and then merges into its result.
            connection.execute("BEGIN IMMEDIATE")
            try:
                row = connection.execute(
                    "SELECT document FROM attributes WHERE user_id = ?", (key,)
                ).fetchone()
                document = merge_documents(parse_document(row[0] if row else None), attributes)
                connection.execute(
                    "INSERT INTO attributes (user_id, document) VALUES (?, ?)"
                    " ON CONFLICT (user_id) DO UPDATE SET document = excluded.document",
                    (key, json.dumps(document)),
                )
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        """Forget the student."""
        key = user_id_of(request_envelope)
        with self._connection() as connection:
            connection.execute("DELETE FROM attributes WHERE user_id = ?", (key,))

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A connection for one call; SQLite errors become ProgressStoreError naming the path."""
        connection = self._connect()
        try:
            yield connection
        except sqlite3.Error as error:
            raise self._error(error) from error
        finally:
            connection.close()

    def _connect(self) -> sqlite3.Connection:
        """A new connection in autocommit mode, the store created if it is missing."""
        if self.path.is_dir():
            raise ProgressStoreError(f"progress store {self.path}: is a directory")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: no implicit transactions, only those we BEGIN.
            connection = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None
            )
            # Bytes, decoded by json.loads, so a document that is not UTF-8 reads as junk
            # rather than failing inside sqlite3.
            connection.text_factory = bytes
        except (OSError, sqlite3.Error) as error:
            raise self._error(error) from error
        try:
            # Both are no-ops once done, and redoing them survives the file being removed.
            connection.execute("PRAGMA journal_mode = WAL")
            for statement in _SCHEMA:
                connection.execute(statement)
        except sqlite3.Error as error:
            connection.close()
            raise self._error(error) from error
        return connection

    def _error(self, error: Exception) -> ProgressStoreError:
        if isinstance(error, FileExistsError):  # from mkdir: a file where a directory should be
            reason = f"{error.filename} is not a directory"
        elif isinstance(error, OSError) and error.strerror:
            reason = f"{error.strerror}: {error.filename}" if error.filename else error.strerror
        else:
            reason = str(error)
        return ProgressStoreError(f"progress store {self.path}: {reason}")


def open_store(url: str) -> AbstractPersistenceAdapter:
    """The store named by the PROGRESS_STORE setting, checked to be writable.

    "sqlite:///relative/path" or "sqlite:////absolute/path" for SQLite; "memory://" for memory;
    "dynamodb://table?region=eu-west-1" for DynamoDB (see skill/progress_dynamodb.py).
    """
    if url == "memory://":
        return MemoryPersistenceAdapter()
    if url.startswith("dynamodb://"):
        # Imported only when chosen: it needs boto3, and its adapter wants an AWS region.
        from skill.progress_dynamodb import open_dynamodb_store

        return open_dynamodb_store(url)
    path = url.removeprefix("sqlite:///")
    if path and path != url:
        adapter = SqlitePersistenceAdapter(path)
        adapter.check()
        return adapter
    raise ValueError(
        'PROGRESS_STORE must be "sqlite:///<path>", "memory://" or'
        f' "dynamodb://<table>?region=<region>", not {url!r}'
    )
