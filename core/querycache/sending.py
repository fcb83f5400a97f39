"""Statements bound to their values, and `run_together()`, which sends them in as few round
trips as the database allows (core.sqlbatch)."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from core import sqlbatch


class Sendable:
    """A statement bound to its values, waiting to be sent by `run_together()`: a compiled
    query (`Pending`) or a compiled write (`PendingWrite`)."""

    __slots__ = ("params", "sql", "using")

    def __init__(self, using: str, sql: str | None, params: list[Any]) -> None:
        self.using, self.sql, self.params = using, sql, params  # sql None: nothing to send

    def _receive(self, rows: list[list[Any]], connection: BaseDatabaseWrapper) -> None:
        raise NotImplementedError


S = TypeVar("S", bound=Sendable)


class PendingWrite(Sendable):
    """A compiled INSERT or UPDATE bound to its values; `done(rows)` runs once it is sent."""

    __slots__ = ("done",)

    def __init__(
        self, using: str, sql: str, params: list[Any], done: Callable[[list[list[Any]]], None] | None = None
    ) -> None:
        super().__init__(using, sql, params)
        self.done = done

    def _receive(self, rows: list[list[Any]], connection: BaseDatabaseWrapper) -> None:
        if self.done is not None:
            self.done(rows)


def run_together(*pending: S) -> tuple[S, ...]:
    """Send these statements in order, in one round trip where the database allows it
    (core.sqlbatch), and return them, answered. Under READ COMMITTED each one sees what
    was committed when it started, as if sent on its own: a count after a lock sees
    everything that lock waited for."""
    using = {p.using for p in pending}
    if len(using) > 1:
        raise ValueError("run_together() sends to one database at a time")
    to_send = [p for p in pending if p.sql is not None]
    if to_send:
        connection = connections[to_send[0].using]
        statements = [(p.sql, p.params) for p in to_send if p.sql is not None]

        def receive(results: list[list[list[Any]]]) -> None:
            for p, rows in zip(to_send, results, strict=True):
                p._receive(rows, connection)

        receive(sqlbatch.execute(connection, statements))
    return pending
