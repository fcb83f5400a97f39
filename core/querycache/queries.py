"""Compile a hot ORM query once per process and shape, then run it with fresh values.

Building and compiling a queryset costs Django 0.3-1.5 ms of CPU; sending the same SQL costs
about 0.2 ms. On registration morning every add runs the same few SELECTs (token, cart lock,
participant, offering lock, count) thousands of times with only their values changing, so
those are compiled once (bench/README.md, "Where the time goes").

How: the queryset is built once with *sentinels* in place of the caller's values: numbers,
instants and strings that no real query uses. The compiled parameters are searched for them,
and each later call puts its own values at those positions. The ORM queryset stays the one
definition of the query; only its SQL text is reused, which also keeps the text identical
from call to call, so PostgreSQL can run it as a prepared statement.

Values that change the SQL's shape are part of the cache key: the length of a list (`IN`
with three ids is another statement than with one), and `None`/booleans, which are passed to
the builder as they are. A value the ORM would transform (`__contains`, `__iexact`, ...) or
inline into the SQL text cannot be found among the parameters, and compiling fails loudly.
"""

import itertools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

from core.querycache.sending import Sendable, run_together

M = TypeVar("M", bound=models.Model)

# Sentinels lie outside any real value: instants long past, and numbers that fit every integer
# column but are far beyond any id or count here (a lookup with a value out of a column's
# range would compile to "matches nothing" instead). CompiledUpdate compiles with them too.
INT_BASE = 2_000_000_000
INSTANT_BASE = datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC)
_MAX_SHAPES = 256  # per query; a catalog page asks with many list lengths


@dataclass(frozen=True)
class _Slot:
    name: str
    index: int | None  # position in a list value, None for a scalar


@dataclass(frozen=True)
class _Statement:
    sql: str | None  # None: Django found that the query matches nothing (an empty `IN` list)
    params: tuple[Any, ...]  # constants, and _Slot where a caller's value goes
    instant_slots: frozenset[str]  # names whose values are adapted like a DateTimeField's
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]
    annotations: tuple[str, ...] = ()  # objects(): the queryset's annotations, after the fields


class CompiledQuery(Generic[M]):
    """A queryset builder whose SQL is compiled once per database, shape and process.

    `build(**values)` must return a queryset of `model`; it is called with sentinels, never
    with the caller's values. `objects()` returns model instances (with the `related`
    foreign keys loaded, as `select_related` would, and the queryset's annotations set as
    attributes, as the ORM sets them), `rows()` the queryset's own `values_list()` tuples.
    Pass lists as lists or tuples (their order is kept), never sets.
    """

    def __init__(
        self, model: type[M], build: Callable[..., "models.QuerySet[Any]"], *, related: Sequence[str] = ()
    ) -> None:
        self.model = model
        self.build = build
        self.related = tuple(related)
        self._statements: dict[tuple[Any, ...], _Statement] = {}
        self._lock = threading.Lock()
        self._layout = self._field_layout()

    # --- running ------------------------------------------------------------------------

    def objects(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[M]:
        """The queryset's rows as model instances, related objects attached."""
        return run_together(self.pending(using=using, **values))[0].objects()

    def first(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> M | None:
        found = self.objects(using=using, **values)
        return found[0] if found else None

    def rows(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[list[Any]]:
        """The rows of the queryset as built (a `values_list()` queryset), converted as the
        ORM converts them (SQLite instants and decimals, for instance)."""
        return run_together(self.pending_rows(using=using, **values))[0].rows()

    def pending(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> "Pending[M]":
        """This query with these values, not sent yet: `run_together()` sends it with others,
        then `.objects()` answers what `objects()` would have."""
        return Pending(self, using, values, as_objects=True)

    def pending_rows(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> "Pending[M]":
        """As `pending()`, for `.rows()`."""
        return Pending(self, using, values, as_objects=False)

    def _objects(self, statement: _Statement, rows: list[list[Any]], using: str) -> list[M]:
        (_, _, own), *related = self._layout
        found = []
        for row in rows:
            instance = self.model.from_db(using, own, row[: len(own)])
            start = len(own)
            for path, model, attnames in related:
                _attach(instance, path, model.from_db(using, attnames, row[start : start + len(attnames)]))
                start += len(attnames)
            for name, value in zip(statement.annotations, row[start:], strict=True):
                setattr(instance, name, value)
            found.append(instance)
        return found

    # --- compiling ----------------------------------------------------------------------

    def _statement(self, connection: BaseDatabaseWrapper, values: dict[str, Any], *, as_objects: bool) -> _Statement:
        key = (connection.alias, connection.vendor, as_objects, *sorted(_shape(name, v) for name, v in values.items()))
        statement = self._statements.get(key)
        if statement is None:
            statement = self._compile(connection, values, as_objects=as_objects)
            with self._lock:
                if len(self._statements) >= _MAX_SHAPES:
                    self._statements.clear()
                self._statements[key] = statement
        return statement

    def _compile(self, connection: BaseDatabaseWrapper, values: dict[str, Any], *, as_objects: bool) -> _Statement:
        sentinels, by_adapted, instant_slots = self._sentinels(connection, values)
        queryset = self.build(**sentinels)
        annotations: tuple[str, ...] = ()
        if as_objects:
            annotations = tuple(queryset.query.annotation_select)
            fields = [f"{path}{a}" for path, _, names in self._layout for a in names]
            queryset = queryset.values_list(*fields, *annotations)
        compiler = queryset.query.get_compiler(connection=connection)
        try:
            sql, params = compiler.as_sql(with_col_aliases=False)
        except EmptyResultSet:
            if any(isinstance(v, list | tuple) and not v for v in values.values()):
                return _Statement(
                    sql=None, params=(), instant_slots=frozenset(), converters=(), annotations=annotations
                )
            raise ValueError(f"{self.build!r}: a value is out of its column's range") from None
        template = tuple(_slot_of(param, by_adapted) or param for param in params)
        missing = set(by_adapted.values()) - set(template)
        if missing:
            names = ", ".join(sorted({slot.name for slot in missing}))
            raise ValueError(f"{self.build!r}: the value of {names} is not a plain parameter of the compiled SQL")
        columns = [column for column, _, _ in compiler.select[: compiler.col_count]]
        converters = tuple(
            (position, tuple(convs), expression)
            for position, (convs, expression) in compiler.get_converters(columns).items()
        )
        return _Statement(
            sql=sql, params=template, instant_slots=instant_slots, converters=converters, annotations=annotations
        )

    def _sentinels(
        self, connection: BaseDatabaseWrapper, values: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[Any, _Slot], frozenset[str]]:
        """Stand-ins for the caller's values; where each lands once compiled; which are instants."""
        counter = itertools.count(1)
        sentinels: dict[str, Any] = {}
        by_adapted: dict[Any, _Slot] = {}
        instant_slots = set()
        for name, value in values.items():
            if value is None or isinstance(value, bool):
                sentinels[name] = value  # part of the shape: passed as it is
                continue
            is_list = isinstance(value, list | tuple)
            items = list(value) if is_list else [value]
            stand_ins = [
                self._sentinel(name, i if is_list else None, item, counter, by_adapted, connection)
                for i, item in enumerate(items)
            ]
            sentinels[name] = stand_ins if is_list else stand_ins[0]
            if items and isinstance(items[0], datetime):
                instant_slots.add(name)
        return sentinels, by_adapted, frozenset(instant_slots)

    @staticmethod
    def _sentinel(
        name: str,
        index: int | None,
        value: Any,
        counter: "itertools.count[int]",
        by_adapted: dict[Any, _Slot],
        connection: BaseDatabaseWrapper,
    ) -> Any:
        n = next(counter)
        if isinstance(value, datetime):
            sentinel: Any = INSTANT_BASE + timedelta(seconds=n)
            adapted: Any = connection.ops.adapt_datetimefield_value(sentinel)
        elif isinstance(value, int):
            sentinel = adapted = INT_BASE + n
        elif isinstance(value, str):
            sentinel = adapted = f"\x1fquerycache-{n}\x1f"
        else:
            raise TypeError(f"{name}: cannot stand in for a {type(value).__name__}")
        by_adapted[adapted] = _Slot(name, index)
        return sentinel

    def _field_layout(self) -> list[tuple[str, type[models.Model], list[str]]]:
        """(lookup prefix, model, attnames) of the model and each `related` foreign key."""
        layout: list[tuple[str, type[models.Model], list[str]]] = [
            ("", self.model, [f.attname for f in self.model._meta.concrete_fields])
        ]
        for path in self.related:
            model: type[models.Model] = self.model
            for part in path.split("__"):
                related_model = model._meta.get_field(part).related_model
                if not isinstance(related_model, type):
                    raise ValueError(f"{self.model.__name__}: {path} is not a chain of foreign keys")
                model = related_model
            layout.append((f"{path}__", model, [f.attname for f in model._meta.concrete_fields]))
        return layout


class Pending(Sendable, Generic[M]):
    """A compiled query bound to the caller's values, waiting to be sent by `run_together()`."""

    __slots__ = ("_rows", "as_objects", "query", "statement")

    def __init__(self, query: CompiledQuery[M], using: str, values: dict[str, Any], *, as_objects: bool) -> None:
        connection = connections[using]
        statement = query._statement(connection, values, as_objects=as_objects)
        params = []
        for param in statement.params:
            if isinstance(param, _Slot):
                value = values[param.name] if param.index is None else values[param.name][param.index]
                if param.name in statement.instant_slots:
                    value = connection.ops.adapt_datetimefield_value(value)
                params.append(value)
            else:
                params.append(param)
        super().__init__(using, statement.sql, params)
        self.query, self.statement, self.as_objects = query, statement, as_objects
        self._rows: list[list[Any]] | None = None if statement.sql is not None else []

    def objects(self) -> list[M]:
        """The rows as model instances, as `CompiledQuery.objects()` gives them."""
        if not self.as_objects:
            raise TypeError("made by pending_rows(): read it with rows()")
        return self.query._objects(self.statement, self._result(), self.using)

    def rows(self) -> list[list[Any]]:
        if self.as_objects:
            raise TypeError("made by pending(): read it with objects()")
        return self._result()

    def _result(self) -> list[list[Any]]:
        if self._rows is None:
            raise RuntimeError("not sent yet: pass it to run_together() first")
        return self._rows

    def _receive(self, rows: list[list[Any]], connection: BaseDatabaseWrapper) -> None:
        for row in rows:
            for position, converters, expression in self.statement.converters:
                value = row[position]
                for converter in converters:
                    value = converter(value, expression, connection)
                row[position] = value
        self._rows = rows


def _slot_of(param: Any, by_adapted: dict[Any, _Slot]) -> _Slot | None:
    try:
        return by_adapted.get(param)
    except TypeError:  # an unhashable constant is no sentinel
        return None


def _shape(name: str, value: Any) -> tuple[Any, ...]:
    if value is None or isinstance(value, bool):
        return (name, "value", value)
    if isinstance(value, list | tuple):
        return (name, "list", len(value))
    return (name, type(value).__name__)


def _attach(instance: models.Model, path: str, obj: models.Model) -> None:
    """Set `instance.a.b = obj` for `path` "a__b__", as select_related would."""
    parts = path.rstrip("_").split("__")
    owner = instance
    for part in parts[:-1]:
        owner = getattr(owner, part)
    setattr(owner, parts[-1], obj if obj.pk is not None else None)
