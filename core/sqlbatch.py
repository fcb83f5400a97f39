"""Send the hot path's SQL statements to the database with as little work as possible.

Registration morning is thousands of adds a minute, each a handful of small statements.
Through Django's cursor and psycopg's, a statement costs the app about 90 µs of CPU on the
bench machine, three times what libpq itself needs to send it and read the answer; the few
statements of an add cost more than everything else the add does (bench/README.md).
`execute()` sends the statements of one step of a transaction (the cart lock, the offering
lock and the count that follows it; or one INSERT) and returns their rows:

* **PostgreSQL**: straight through libpq (psycopg's `pgconn`), in pipeline mode: every
  statement, and the `BEGIN` if the transaction has not started yet, goes out in one write
  and the answers come back in one read. PostgreSQL runs pipelined statements in order and,
  under READ COMMITTED, each takes a new snapshot when it starts, so a count sent right
  behind a `SELECT ... FOR UPDATE` sees every row committed by the transactions that lock
  waited for, exactly as if it had been sent on its own afterwards. If a statement fails,
  those after it are skipped and its error is raised, translated by Django as usual.

  Each statement is prepared once per connection, under a name derived from its SQL, and
  PostgreSQL plans it once per connection rather than per call. At most `PREPARED_MAX` (100,
  psycopg's `prepared_max`) stay prepared per connection: the least recently used is
  deallocated, in the same pipeline, when another is prepared (the SQL of a compiled query
  changes with the length of an `IN` list, so the statements are not a fixed set). psycopg's
  own automatic preparation is off (settings.py): it sends `DEALLOCATE ALL` after every
  rollback, which would drop these statements too. With `REGISTRAR_PREPARED_STATEMENTS` off
  (`DB_PREPARED_STATEMENTS=0`, for a pooler such as pgbouncer in transaction mode, where a
  server session is not the client's), statements are sent unnamed and planned every time.

  What Django's cursor would do is done here too: the connection is opened (and health-checked)
  if needed, used only from its own thread, refused inside a broken atomic block, its errors
  translated into Django's, and every statement appears in `connection.queries` when queries
  are logged (DEBUG, `CaptureQueriesContext`). A connection with `execute_wrapper()`s
  installed, or with non-default transaction characteristics, goes through Django's cursor
  instead, one statement after another, so that those see everything. COMMIT is Django's
  (psycopg's), a round trip of its own: holding an add's writes back to send them with it
  saved too little to keep a database backend of our own for it (decision 0011).

* **SQLite** (and anything else): one statement after another on one cursor. SQLite's
  IMMEDIATE transaction already holds the database's write lock, so nothing can change
  between them.
"""

import datetime
import hashlib
import re
import select
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.asyncio import async_unsafe

if TYPE_CHECKING:
    from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations

Statement = tuple[str, Sequence[Any]]  # SQL with Django's %s placeholders, and its parameters

_PLACEHOLDER = re.compile(r"%(%|s)")
PREPARED_MAX = 100  # prepared statements kept per connection, as psycopg's prepared_max


class _Session:
    """What one PostgreSQL connection has prepared, and how it reads and writes values."""

    __slots__ = (
        "adapters",
        "connection",
        "encoding",
        "poll",
        "prepared",
        "round_trips",
        "transformer",
    )

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        import psycopg
        from psycopg.adapt import AdaptersMap, Transformer
        from psycopg.pq import Format

        raw_connection = connection.connection
        self.prepared: OrderedDict[bytes, None] = OrderedDict()  # least recently used first
        # The connection's own adapters (Django's), but for one: Django reads timestamptz with a
        # loader written in Python, only to put its own UTC on the value. When the session's time
        # zone is UTC too, psycopg's loader (in C where psycopg_binary is installed) gives the
        # same aware datetime, in timezone.utc, several times faster.
        self.adapters = AdaptersMap(raw_connection.adapters)
        if connection.timezone is datetime.UTC and raw_connection.info.timezone is datetime.UTC:
            timestamptz = psycopg.postgres.types["timestamptz"].oid
            loader = psycopg.adapters.get_loader(timestamptz, Format.TEXT)
            if loader is not None:  # psycopg always has one; the type says it might not
                self.adapters.register_loader(timestamptz, loader)
        self.connection = raw_connection
        self.encoding = raw_connection.info.encoding
        self.transformer = Transformer(self)  # an adapt context: .adapters and .connection
        self.poll = select.poll()
        self.poll.register(raw_connection.pgconn.socket, select.POLLIN)
        self.round_trips = 0


# By Django connection (one per thread and alias), for its current psycopg connection only: a
# new session when Django reconnects, and nothing kept alive for a connection that is gone.
_sessions: "weakref.WeakKeyDictionary[BaseDatabaseWrapper, _Session]" = weakref.WeakKeyDictionary()
_sessions_lock = threading.Lock()


def execute(connection: BaseDatabaseWrapper, statements: Sequence[Statement]) -> list[list[list[Any]]]:
    """Run `statements` in order (in one round trip on PostgreSQL) and return the rows of each,
    each row a list. Every statement must return rows (a SELECT, or a write with RETURNING)."""
    if not statements:
        return []
    if connection.vendor == "postgresql" and not _foreign_wrappers(connection):
        return _pipelined(connection, statements)
    return _one_by_one(connection, statements)


def prepared_statements() -> bool:
    return getattr(settings, "REGISTRAR_PREPARED_STATEMENTS", True)


def round_trips(connection: BaseDatabaseWrapper) -> int:
    """How many round trips `execute()` has made on this connection's current PostgreSQL
    session (for tests and benchmarks); 0 elsewhere."""
    session = _sessions.get(_wrapper(connection))
    return session.round_trips if session is not None and session.connection is connection.connection else 0


def _one_by_one(connection: BaseDatabaseWrapper, statements: Sequence[Statement]) -> list[list[list[Any]]]:
    with connection.cursor() as cursor:
        results = []
        for sql, params in statements:
            cursor.execute(sql, params)
            results.append([list(row) for row in cursor.fetchall()])
        return results


@async_unsafe
def _pipelined(connection: BaseDatabaseWrapper, statements: Sequence[Statement]) -> list[list[list[Any]]]:
    """Send `statements` in one pipeline (with BEGIN if the transaction has not begun); the
    rows of each."""
    connection = _wrapper(connection)
    # What connection.cursor() and CursorWrapper.execute() check before every statement.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    connection.validate_no_broken_transaction()
    raw = connection.connection
    if raw.isolation_level is not None or raw.read_only is not None or raw.deferrable is not None:
        return _one_by_one(connection, statements)  # psycopg's BEGIN would say more than ours
    session = _session(connection)
    begin = not raw.autocommit and raw.pgconn.transaction_status == _idle()
    started = time.monotonic()
    with connection.wrap_database_errors:
        try:
            results = _send_and_read(raw, session, statements, begin=begin)
        except _Interrupted as interrupted:
            # The pipeline was left half read (a signal, a dead socket): nothing more can be
            # said on this connection. Django closes it and, inside atomic(), rolls back.
            connection.close()
            raise (interrupted.__cause__ or interrupted) from None
    if connection.queries_logged:
        duration = time.monotonic() - started
        for sql, params in statements:
            sql_text = cast("PostgresOperations", connection.ops).compose_sql(sql, params)
            connection.queries_log.append({"sql": sql_text, "time": f"{duration:.3f}"})
    return results


def _wrapper(connection: Any) -> BaseDatabaseWrapper:
    """The connection itself, given django.db.connection (a proxy) or a connection."""
    return connection if isinstance(connection, BaseDatabaseWrapper) else connections[connection.alias]


def _session(connection: BaseDatabaseWrapper) -> _Session:
    raw = connection.connection
    session = _sessions.get(connection)
    if session is None or session.connection is not raw:  # new, or Django reconnected
        session = _Session(connection)
        with _sessions_lock:
            _sessions[connection] = session
    return session


def _foreign_wrappers(connection: BaseDatabaseWrapper) -> bool:
    """Whether execute_wrapper()s are installed (they must see every statement)."""
    return bool(connection.execute_wrappers)


class _Interrupted(Exception):
    pass


def _send_and_read(
    raw: Any, session: _Session, statements: Sequence[Statement], *, begin: bool
) -> list[list[list[Any]]]:
    """One pipeline: send everything, one write; read every answer; raise the first failure."""
    from psycopg import errors

    pgconn = raw.pgconn
    try:
        pgconn.enter_pipeline_mode()
        expected = _send(pgconn, session, statements, begin=begin)
        session.round_trips += 1
        results, failure = _read(pgconn, session, expected, len(statements))
        pgconn.exit_pipeline_mode()
    except errors.Error as exc:
        if pgconn.pipeline_status:
            raise _Interrupted from exc
        raise
    except BaseException as exc:
        raise _Interrupted from exc
    if failure is not None:
        if isinstance(failure, errors.InvalidSqlStatementName):
            session.prepared.clear()  # dropped behind our back (DISCARD ALL): prepare them again
        raise failure
    return results


def _send(pgconn: Any, session: _Session, statements: Sequence[Statement], *, begin: bool) -> list[tuple[str, Any]]:
    """Queue the commands and flush them; what each result will answer, in order:
    ("begin", None), ("prepare", name), ("rows", index of the statement), ("deallocate", name)."""
    from psycopg.adapt import PyFormat

    expected: list[tuple[str, Any]] = []
    if begin:
        pgconn.send_query_params(b"BEGIN", None)
        expected.append(("begin", None))
    prepared, preparing = prepared_statements(), set()
    for index, (sql, params) in enumerate(statements):
        values = session.transformer.dump_sequence(params, [PyFormat.TEXT] * len(params)) if params else None
        if prepared:
            name = _name(sql)
            if name in session.prepared:
                session.prepared.move_to_end(name)
            elif name not in preparing:
                pgconn.send_prepare(name, _numbered(sql).encode(session.encoding))
                expected.append(("prepare", name))
                preparing.add(name)
            pgconn.send_query_prepared(name, values)
        else:
            pgconn.send_query_params(_numbered(sql).encode(session.encoding), values)
        expected.append(("rows", index))
    # Room for the new ones: the least recently used go, none of those this pipeline uses
    # (they were just moved to the end). Forgotten once PostgreSQL confirms (`_read`).
    excess = len(session.prepared) + len(preparing) - PREPARED_MAX
    for name in list(session.prepared)[: max(excess, 0)]:
        pgconn.send_query_params(b"DEALLOCATE " + name, None)
        expected.append(("deallocate", name))
    pgconn.pipeline_sync()
    while pgconn.flush():  # the socket's buffer is full: wait until it takes more
        select.select([], [pgconn.socket], [])
    return expected


def _read(
    pgconn: Any, session: _Session, expected: list[tuple[str, Any]], count: int
) -> tuple[list[list[list[Any]]], Exception | None]:
    """Every answer, up to the pipeline's sync: the rows of each statement, the first failure."""
    from psycopg import errors, pq

    results: list[list[list[Any]]] = [[] for _ in range(count)]
    failure = None
    for what, detail in expected:
        result = _result(pgconn, session)
        while _result(pgconn, session) is not None:  # the end of this command's results
            pass
        if result.status == pq.ExecStatus.FATAL_ERROR:
            failure = failure or _error(result, session.encoding)
        elif result.status == pq.ExecStatus.PIPELINE_ABORTED:
            continue  # skipped after the failure
        elif what == "prepare":
            session.prepared[detail] = None
        elif what == "deallocate":
            session.prepared.pop(detail, None)
        elif what == "rows":
            session.transformer.set_pgresult(result)
            results[detail] = session.transformer.load_rows(0, result.ntuples, list)
    sync = _result(pgconn, session)
    if sync is None or sync.status != pq.ExecStatus.PIPELINE_SYNC:
        raise errors.InternalError("the pipeline did not end where it should")
    return results, failure


def _error(result: Any, encoding: str) -> Exception:
    """The exception psycopg itself raises for a failed result, built from its documented API:
    the SQLSTATE's own class (`errors.lookup`), carrying the result as `info` so that `.diag`
    and `.sqlstate` read the server's fields, as core.db.errors does."""
    from psycopg import errors, pq

    code = result.error_field(pq.DiagnosticField.SQLSTATE)
    try:
        cls = errors.lookup(code.decode("ascii")) if code else errors.DatabaseError
    except KeyError:
        cls = errors.DatabaseError
    message = (result.error_message or b"").decode(encoding, "replace").strip()
    return cls(message, info=result, encoding=encoding)


def _result(pgconn: Any, session: _Session) -> Any:
    """The next result, waiting for it without holding the GIL (libpq's own wait would)."""
    while pgconn.is_busy():
        session.poll.poll()
        pgconn.consume_input()
    return pgconn.get_result()


def _idle() -> int:
    from psycopg import pq

    return pq.TransactionStatus.IDLE


_NAMES: dict[str, bytes] = {}


def _name(sql: str) -> bytes:
    """The statement's name on every connection: derived from its SQL, computed once."""
    name = _NAMES.get(sql)
    if name is None:
        name = _NAMES[sql] = b"rq_" + hashlib.blake2b(sql.encode(), digest_size=10).hexdigest().encode()
    return name


def _numbered(sql: str) -> str:
    """Django's `%s` placeholders as PostgreSQL's `$1, $2, ...`; `%%` back to `%`."""
    counter = iter(range(1, 1 << 30))
    return _PLACEHOLDER.sub(lambda m: "%" if m.group(1) == "%" else f"${next(counter)}", sql)
