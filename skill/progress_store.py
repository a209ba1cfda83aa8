"""Where progress is kept: ask-sdk persistence adapters over SQLite, or memory for tests.

Each student has one JSON document, keyed by the opaque Alexa user id. Its "progress" key holds
`Progress.to_dict()`; other keys belong to the skill. A save merges into what is stored, so two
requests for the same student at once lose nothing. Neither user ids nor documents are logged.

SQLite: each thread keeps one connection, opened on its first call; the tables are created once
per store. The log is write-ahead (WAL), so reads go on during a write, with synchronous=NORMAL:
when a save returns, its commit is in the log but not yet synced to disk. So a crashed or killed
process loses no saved answer, but a power cut or OS crash can lose the last few commits (the
file stays sound). We accept that for quiz progress, a few answers at worst, because FULL adds
an fsync to every answer: measured, a save of a 1-fact document took 0.06 ms against 0.36 ms
with FULL, and of a 21-fact one 0.64 ms against 0.98 ms. A process forked after the store was
used opens its own connections and leaves its parent's alone, as SQLite requires. The file must
not be removed or replaced while the skill runs: calls then fail until a restart (or `close()`).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model import RequestEnvelope

from skill.progress import PROGRESS_KEY, Progress, StoredProgress, merge

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


# Documents read or written lately, by their stored text: the next request of a student finds
# the text the last one wrote, and a save the text it re-reads inside its transaction, already
# parsed (so a request parses its student's progress at most once, and mostly not at all).
# Entries are never changed: callers get copies.
PARSED_DOCUMENTS = 64
_NO_DOCUMENT: Mapping[str, Any] = MappingProxyType({})
_documents: OrderedDict[str | bytes, Mapping[str, Any]] = OrderedDict()
_documents_lock = threading.Lock()


def parse_document(text: str | bytes | None) -> dict[str, Any]:
    """A stored document, its progress cleaned and read (StoredProgress); anything unreadable
    gives {}."""
    return {
        key: StoredProgress(value) if isinstance(value, Progress) else _copy(value)
        for key, value in read_document(text).items()
    }


def read_document(text: str | bytes | None) -> Mapping[str, Any]:
    """The document stored as `text`, progress as a Progress: shared, never to be changed.
    No text (no document stored) reads as an empty one."""
    if not text:
        return _NO_DOCUMENT
    with _documents_lock:
        document = _documents.get(text)
        if document is not None:
            _documents.move_to_end(text)
            return document
    return remember(text, _parse(text))


def document_text(document: Mapping[str, Any]) -> bytes:
    """A document as the stores keep it: JSON in UTF-8. Written with orjson, because writing
    the document was most of a save (a 21-fact document took 90 µs with json, 8 with orjson);
    imported at the first save, since it brings uuid and platform (4 ms of a cold start) and
    a launch saves nothing. Datetimes and dataclasses, which orjson would write, are refused
    (TypeError) as json refuses them: a store keeps only plain JSON values."""
    import orjson

    strict = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
    return orjson.dumps(document, option=strict | orjson.OPT_PASSTHROUGH_DATACLASS)


def _parse(text: str | bytes) -> Mapping[str, Any]:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):  # ValueError includes JSON and UTF-8 decode errors
        return MappingProxyType({})
    if not isinstance(document, dict):
        return MappingProxyType({})
    if PROGRESS_KEY in document:
        document[PROGRESS_KEY] = Progress.from_dict(document[PROGRESS_KEY])
    return MappingProxyType(document)


def remember(text: str | bytes, document: Mapping[str, Any]) -> Mapping[str, Any]:
    """Note that `text` reads as `document` (from `merged`), as a store does once it wrote it."""
    with _documents_lock:
        _documents[text] = document
        _documents.move_to_end(text)
        while len(_documents) > PARSED_DOCUMENTS:
            _documents.popitem(last=False)
    return document


def forget_parsed() -> None:
    """Empty the cache of parsed documents (for tests that count parses)."""
    with _documents_lock:
        _documents.clear()


def _copy(value: Any) -> Any:
    """A copy of a JSON value (dicts, lists and scalars): what deepcopy does, faster."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def merged(
    stored: Mapping[str, Any], incoming: Mapping[str, Any]
) -> tuple[dict[str, Any], Mapping[str, Any]]:
    """The document to store, as JSON-ready values to be written out (its progress shares the
    records' own dicts: never to be changed): progress merged per fact, other keys from
    `incoming`, a key `incoming` sets to None removed; and the same document with its progress
    as a Progress (the form a later read would parse it into)."""
    document = {k: v for k, v in {**stored, **incoming}.items() if v is not None}
    parsed = {k: _copy(v) for k, v in document.items()}  # the caller may change its own
    if PROGRESS_KEY in stored or PROGRESS_KEY in incoming:
        progress = merge(
            Progress.of(stored.get(PROGRESS_KEY)), Progress.of(incoming.get(PROGRESS_KEY))
        )
        document[PROGRESS_KEY], parsed[PROGRESS_KEY] = progress.stored_form(), progress
    return document, MappingProxyType(parsed)


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
            stored = self._documents.get(key)
            document, parsed = merged(read_document(stored), attributes)
            text = document_text(document)
            self._documents[key] = text
            remember(text, parsed)

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        """Forget the student."""
        key = user_id_of(request_envelope)
        with self._lock:
            self._documents.pop(key, None)


class SqlitePersistenceAdapter(AbstractPersistenceAdapter):
    """Documents in a SQLite file, created with its directory on first use.

    A sqlite3 connection belongs to one thread, so each thread keeps its own, opened on its
    first call and reused after; the adapter can be shared between threads. See the module
    docstring for the settings, forks, and `close()`.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).absolute()  # a relative path is fixed now, not at each call
        # .held: this thread's _Held; .seen: (user id, document) it last read or wrote
        self._local = threading.local()
        # Every connection open in this process or inherited from a parent, by (pid, thread
        # id): so close() reaches other threads' connections, a finished thread's connection
        # is closed, and an inherited one stays referenced (never closed, never used).
        self._held: dict[tuple[int, int], _Held] = {}
        self._schema_lock = threading.Lock()
        self._file: tuple[int, int] | None = None  # (device, inode) once the schema is made

    def check(self) -> None:
        """Create the store if needed and prove it can be written; else ProgressStoreError.

        Uses a connection of its own and closes it, so a server that forks after start-up
        hands its workers no open connection."""
        connection = self._open()
        try:
            # A write statement, refused by a store that cannot be written, which changes the
            # row only if it differs: a commit that changes nothing leaves closing with no
            # checkpoint to sync (2 to 20 ms of every start, measured).
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
                " WHERE value != excluded.value",
                (SCHEMA_VERSION,),
            )
            connection.execute("COMMIT")
        except sqlite3.Error as error:
            raise self._error(error) from error
        finally:
            connection.close()

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        """The student's document, or {} if there is none."""
        key = user_id_of(request_envelope)
        # Not checked for a removed file: only writing there loses anything, and a save checks.
        with self._connection(check_file=False) as connection:
            row = connection.execute(
                "SELECT document FROM attributes WHERE user_id = ?", (key,)
            ).fetchone()
        text = row[0] if row else None
        self._local.seen = (key, text)
        return parse_document(text)

    def save_attributes(
        self, request_envelope: RequestEnvelope, attributes: Mapping[str, Any]
    ) -> None:
        """Merge `attributes` into the student's document.

        Mostly in one statement: merged into the document this thread last read or wrote for
        the student, and written only if that is still what is stored. If another save came
        between, it is done again in a write transaction, merged into what that save wrote.
        """
        key = user_id_of(request_envelope)
        with self._connection() as connection:
            seen: tuple[str, bytes | None] | None = getattr(self._local, "seen", None)
            saved = (
                seen is not None
                and seen[0] == key
                and self._save_if_unchanged(connection, key, seen[1], attributes)
            )
            if not saved:
                self._save_locked(connection, key, attributes)

    def _save_if_unchanged(
        self,
        connection: sqlite3.Connection,
        key: str,
        before: bytes | None,
        attributes: Mapping[str, Any],
    ) -> bool:
        """Save merged into `before` (None: no document) if it is still the stored document:
        one autocommitted statement (a transaction and a read cost four). False if it is not."""
        document, parsed = merged(read_document(before), attributes)
        text = document_text(document)
        if before is None:
            sql = "INSERT INTO attributes (user_id, document) VALUES (?, ?) ON CONFLICT DO NOTHING"
            done = connection.execute(sql, (key, text.decode()))
        else:  # compared byte for byte, as it was read
            sql = (
                "UPDATE attributes SET document = ?"
                " WHERE user_id = ? AND CAST(document AS BLOB) = ?"
            )
            done = connection.execute(sql, (text.decode(), key, before))
        if done.rowcount != 1:
            return False
        self._saved(key, text, parsed)
        return True

    def _save_locked(
        self, connection: sqlite3.Connection, key: str, attributes: Mapping[str, Any]
    ) -> None:
        """Save merged into the stored document, in one write transaction."""
        # IMMEDIATE takes the write lock before the read, so a concurrent save waits
        # for this one to commit and then merges into its result.
        connection.execute("BEGIN IMMEDIATE")
        try:
            row = connection.execute(
                "SELECT document FROM attributes WHERE user_id = ?", (key,)
            ).fetchone()
            stored = read_document(row[0] if row else None)
            document, parsed = merged(stored, attributes)
            text = document_text(document)
            connection.execute(
                "INSERT INTO attributes (user_id, document) VALUES (?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET document = excluded.document",
                (key, text.decode()),  # TEXT, as a str; bytes would be kept as a BLOB
            )
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        self._saved(key, text, parsed)

    def _saved(self, key: str, text: bytes, parsed: Mapping[str, Any]) -> None:
        # Read back, the text comes as bytes (text_factory): the next request finds it parsed,
        # and this thread's next save expects it.
        remember(text, parsed)
        self._local.seen = (key, text)

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        """Forget the student."""
        key = user_id_of(request_envelope)
        with self._connection() as connection:
            connection.execute("DELETE FROM attributes WHERE user_id = ?", (key,))

    def close(self) -> None:
        """Close this process's connections, every thread's; call it when no call is running.

        A later call opens a new connection. Connections inherited from a parent process are
        left alone: they are the parent's to close."""
        pid = _pid
        self._local = threading.local()  # no thread finds its closed connection
        for key, held in list(self._held.items()):
            if held.pid == pid:
                self._held.pop(key, None)
                held.connection.close()
        self._file = None  # the next connection makes the schema again, if the file went

    def _connection(self, *, check_file: bool = True) -> _Using:
        """This thread's connection; SQLite errors become ProgressStoreError naming the path,
        and drop the connection, so the next call starts afresh. `check_file`: refuse if the
        file was removed or replaced (a stat of the path: about 10 µs a call here)."""
        return _Using(self, self._thread_connection(check_file))

    def _thread_connection(self, check_file: bool) -> sqlite3.Connection:
        pid = _pid
        held: _Held | None = getattr(self._local, "held", None)
        if held is not None and held.pid == pid:
            if check_file:
                self._check_file()
            return held.connection
        # None yet in this thread, or only one inherited across a fork: open one.
        if self._file is not None:
            self._check_file()  # first, so as not to create a file in the place of one removed
        thread = threading.current_thread()
        self._close_finished_threads(pid)
        held = _Held(self._open(), pid, thread)
        self._local.held = held
        self._held[(pid, thread.ident or 0)] = held
        return held.connection

    def _check_file(self) -> None:
        """Refuse to go on if the file was removed or replaced under the open connections:
        they would write where no one reads, and a new connection could take the old
        write-ahead log for its own (https://sqlite.org/howtocorrupt.html, 2.4)."""
        try:
            stat = os.stat(self.path)
            same = (stat.st_dev, stat.st_ino) == self._file
        except OSError:
            same = False
        if not same:
            raise ProgressStoreError(
                f"progress store {self.path}: the file was removed or replaced while in use;"
                " restart to open it again"
            )

    def _close_finished_threads(self, pid: int) -> None:
        for key, held in list(self._held.items()):
            if held.pid == pid and not held.thread.is_alive():
                self._held.pop(key, None)
                held.connection.close()

    def _drop(self, connection: sqlite3.Connection) -> None:
        """Forget and close this thread's connection after an error."""
        self._local.held = None
        thread = threading.current_thread()
        self._held.pop((_pid, thread.ident or 0), None)
        with suppress(sqlite3.Error):
            connection.close()

    def _open(self) -> sqlite3.Connection:
        """A new connection in autocommit mode, set up, the store created if it is missing."""
        if self.path.is_dir():
            raise ProgressStoreError(f"progress store {self.path}: is a directory")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: no implicit transactions, only those we BEGIN.
            # check_same_thread=False only so that close() can close other threads'
            # connections; each connection is otherwise used by its own thread alone.
            connection = sqlite3.connect(
                self.path,
                timeout=BUSY_TIMEOUT_SECONDS,
                isolation_level=None,
                check_same_thread=False,
            )
            # Bytes, decoded by json.loads, so a document that is not UTF-8 reads as junk
            # rather than failing inside sqlite3.
            connection.text_factory = bytes
        except (OSError, sqlite3.Error) as error:
            raise self._error(error) from error
        try:
            _use_wal(connection)
            # NORMAL, not FULL: in WAL mode a commit is then written to the log but not
            # synced (the log is synced at checkpoints). A process crash or kill loses
            # nothing; a power cut or OS crash can lose the last commits, never corrupt the
            # file. For quiz progress that is worth the fsync it saves on every answer (about
            # 0.3 ms on a fast disk, more on a slow one). See the module docstring.
            connection.execute("PRAGMA synchronous = NORMAL")
            self._make_schema(connection)
        except BaseException as error:
            connection.close()
            if isinstance(error, sqlite3.Error):
                raise self._error(error) from error
            raise
        return connection

    def _make_schema(self, connection: sqlite3.Connection) -> None:
        """Create the tables once per store (again after close()), and note which file."""
        if self._file is not None:
            return
        with self._schema_lock:
            if self._file is not None:
                return
            for statement in _SCHEMA:
                connection.execute(statement)
            try:
                stat = os.stat(self.path)
            except OSError as error:
                raise self._error(error) from error
            self._file = (stat.st_dev, stat.st_ino)

    def _error(self, error: Exception) -> ProgressStoreError:
        if isinstance(error, FileExistsError):  # from mkdir: a file where a directory should be
            reason = f"{error.filename} is not a directory"
        elif isinstance(error, OSError) and error.strerror:
            reason = f"{error.strerror}: {error.filename}" if error.filename else error.strerror
        else:
            reason = str(error)
        return ProgressStoreError(f"progress store {self.path}: {reason}")


def _use_wal(connection: sqlite3.Connection) -> None:
    """Put the file in WAL mode, which then persists in the file.

    Switching a new file to WAL needs it to itself, and SQLite answers "database is locked"
    at once, without its busy handler, when another process opens the same new file at that
    moment (as gunicorn's workers do on their first requests). So look first, and retry the
    switch until the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        if connection.execute("PRAGMA journal_mode").fetchone()[0] in (b"wal", "wal"):
            return
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
        time.sleep(0.005)


class _Using:
    """`with store._connection() as connection`: a class, not a generator, as it is entered on
    every read and save."""

    __slots__ = ("connection", "store")

    def __init__(self, store: SqlitePersistenceAdapter, connection: sqlite3.Connection) -> None:
        self.store, self.connection = store, connection

    def __enter__(self) -> sqlite3.Connection:
        return self.connection

    def __exit__(self, kind: object, error: BaseException | None, trace: object) -> None:
        if isinstance(error, sqlite3.Error):
            self.store._drop(self.connection)
            raise self.store._error(error) from error


# This process's id, kept up to date across forks: glibc no longer caches getpid(), so it is a
# system call, and every read and save asks which process holds the connection.
_pid = os.getpid()


def _forked() -> None:
    global _pid
    _pid = os.getpid()


os.register_at_fork(after_in_child=_forked)


class _Held(NamedTuple):
    """A connection, with the process and thread that opened it."""

    connection: sqlite3.Connection
    pid: int
    thread: threading.Thread


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
