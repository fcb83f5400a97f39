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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.sql import InsertQuery, UpdateQuery

from registrar import sqlbatch

M = TypeVar("M", bound=models.Model)

# Sentinels lie outside any real value: instants long past, and numbers that fit every integer
# column but are far beyond any id or count here (a lookup with a value out of a column's
# range would compile to "matches nothing" instead).
_INT_BASE = 2_000_000_000
_INSTANT_BASE = datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC)
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
        found = []
        for row in rows:
            start, instance = 0, None
            for path, model, attnames in self._layout:
                obj = model.from_db(using, attnames, row[start : start + len(attnames)])
                start += len(attnames)
                if instance is None:
                    instance = obj
                else:
                    _attach(instance, path, obj)
            for name, value in zip(statement.annotations, row[start:], strict=True):
                setattr(instance, name, value)
            found.append(instance)
        return found  # type: ignore[return-value]

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
            sentinel: Any = _INSTANT_BASE + timedelta(seconds=n)
            adapted = connection.ops.adapt_datetimefield_value(sentinel)
        elif isinstance(value, int):
            sentinel = adapted = _INT_BASE + n
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
                model = model._meta.get_field(part).related_model  # type: ignore[assignment]
            layout.append((f"{path}__", model, [f.attname for f in model._meta.concrete_fields]))
        return layout


class Sendable:
    """A statement bound to its values, waiting to be sent by `run_together()`: a compiled
    query (`Pending`) or a compiled write (`PendingWrite`)."""

    __slots__ = ("params", "sql", "using")

    def __init__(self, using: str, sql: str | None, params: list[Any]) -> None:
        self.using, self.sql, self.params = using, sql, params  # sql None: nothing to send

    def _receive(self, rows: list[list[Any]], connection: BaseDatabaseWrapper) -> None:
        raise NotImplementedError


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


def run_together(*pending: Sendable, at_commit: bool = False) -> tuple[Sendable, ...]:
    """Send these statements in order, in one round trip where the database allows it
    (registrar.sqlbatch), and return them, answered. Under READ COMMITTED each one sees what
    was committed when it started, as if sent on its own: a count after a lock sees
    everything that lock waited for.

    With `at_commit`, writes that end their transaction's work are held, on PostgreSQL, to go
    with its COMMIT (`sqlbatch.defer`): later statements still see them, but what they return
    (new ids) is set only once they are sent, at the latest when the transaction commits."""
    using = {p.using for p in pending}
    if len(using) > 1:
        raise ValueError("run_together() sends to one database at a time")
    to_send = [p for p in pending if p.sql is not None]
    if to_send:
        connection = connections[to_send[0].using]
        statements = [(p.sql, p.params) for p in to_send]

        def receive(results: list[list[list[Any]]]) -> None:
            for p, rows in zip(to_send, results, strict=True):
                p._receive(rows, connection)

        if at_commit:
            sqlbatch.defer(connection, statements, receive)
        else:
            receive(sqlbatch.execute(connection, statements))
    return pending


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


class CompiledInsert(Generic[M]):
    """`bulk_create()` of plain values, with its SQL compiled once per database and row count.

    Every concrete field but the auto primary key is written, values prepared exactly as the
    ORM prepares them (`pre_save`, `get_db_prep_save`); the new primary keys come back in the
    same statement (`RETURNING`, PostgreSQL and SQLite 3.35+) and are set on the instances.
    No signals are sent, as with `bulk_create()`. Expressions as values are refused. Only a
    single row is compiled (an add writes one of each); several rows go through
    `bulk_create()` itself, whose multi-row SQL differs by database (PostgreSQL: UNNEST).
    """

    def __init__(self, model: type[M]) -> None:
        self.model = model
        meta = model._meta
        self.fields = [f for f in meta.concrete_fields if f is not meta.auto_field and not f.generated]
        self._statements: dict[tuple[str, str], str] = {}

    def insert(self, objs: Sequence[M], *, using: str = DEFAULT_DB_ALIAS) -> list[M]:
        if not objs:
            return list(objs)
        if len(objs) > 1:
            return self.model._base_manager.using(using).bulk_create(objs)
        connection = connections[using]
        [obj] = objs
        params = self.prepare(obj, connection)
        key = (connection.alias, connection.vendor)
        sql = self._statements.get(key)
        if sql is None:
            sql = self._statements[key] = self._compile(connection, objs)
        [[(pk,)]] = sqlbatch.execute(connection, [(sql, params)])
        _saved(obj, pk, using)
        return [obj]

    def prepare(self, obj: M, connection: BaseDatabaseWrapper) -> list[Any]:
        """The parameters of `obj`'s row, one per field, as the ORM prepares them."""
        params = []
        for field in self.fields:
            value = field.pre_save(obj, add=True)
            if hasattr(value, "resolve_expression"):
                raise TypeError(f"{field.name}: CompiledInsert writes plain values, not expressions")
            params.append(field.get_db_prep_save(value, connection=connection))
        return params

    def _compile(self, connection: BaseDatabaseWrapper, objs: Sequence[M]) -> str:
        if not connection.features.can_return_columns_from_insert:
            raise NotImplementedError(f"{connection.vendor} cannot return the id of an INSERT")
        query = InsertQuery(self.model)
        query.insert_values(self.fields, objs)
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = [self.model._meta.pk]
        [(sql, params)] = compiler.as_sql()
        if len(params) != len(self.fields):
            raise ValueError(f"{self.model.__name__}: the INSERT has parameters besides the field values")
        return sql


def _saved(obj: models.Model, pk: Any, using: str) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = using


class CompiledUpdate(Generic[M]):
    """UPDATE of some fields of one row, by primary key, compiled once per database: the
    values prepared as `save(update_fields=...)` prepares them. `pending(obj)` binds it to
    `obj` for `run_together()`, to go with the other statements of its step."""

    def __init__(self, model: type[M], fields: Sequence[str]) -> None:
        self.model = model
        self.fields = [model._meta.get_field(name) for name in fields]
        self._sql: dict[str, str] = {}

    def pending(self, obj: M, *, using: str = DEFAULT_DB_ALIAS) -> PendingWrite:
        if obj.pk is None:
            raise ValueError(f"{self.model.__name__}: only a saved row can be updated")
        connection = connections[using]
        sql = self._sql.get(using)
        if sql is None:
            sql = self._sql[using] = self._compile(connection, obj)
        params = [field.get_db_prep_save(getattr(obj, field.attname), connection=connection) for field in self.fields]
        return PendingWrite(using, sql, [*params, obj.pk])

    def _compile(self, connection: BaseDatabaseWrapper, obj: M) -> str:
        # Compiled with stand-ins: a None would be inlined as NULL instead of a placeholder.
        query = UpdateQuery(self.model)
        query.add_update_fields([(field, None, _stand_in(field)) for field in self.fields])
        query.add_filter("pk", obj.pk)
        sql, params = query.get_compiler(connection=connection).as_sql()
        if len(params) != len(self.fields) + 1:
            raise ValueError(f"{self.model.__name__}: the UPDATE has parameters besides the values and the key")
        return sql


def _stand_in(field: models.Field) -> Any:
    """A value of `field`'s type that the compiler writes as a placeholder."""
    kinds: list[tuple[type[models.Field], Any]] = [
        (models.DateTimeField, _INSTANT_BASE),
        (models.DateField, _INSTANT_BASE.date()),
        (models.BooleanField, False),
        (models.DecimalField, Decimal(0)),
        (models.IntegerField, _INT_BASE),
        (models.ForeignKey, _INT_BASE),
        (models.CharField, ""),
        (models.TextField, ""),
    ]
    for kind, value in kinds:
        if isinstance(field, kind):
            return value
    raise TypeError(f"{field}: CompiledUpdate has no stand-in for a {type(field).__name__}")


class CompiledInsertChain:
    """Single-row INSERTs in order, where a row may take the new primary key of an earlier
    one: a claim its new cart's id, an audit event its claim's id. On PostgreSQL the chain is
    one statement (each INSERT a data-modifying `WITH` part), so a granted add writes its
    cart, claim and audit event in one round trip; elsewhere it is one `CompiledInsert`
    after another, the ids filled in between.

    Each step is a model, or `(model, links)` where `links` maps a field's attname to the
    index of the earlier step whose new id it takes, or `"<json field>__<key>"` to set that
    key of a JSON object field. The instances passed to `insert()` get their ids and the
    linked values, as if they had been saved one by one.
    """

    def __init__(self, *steps: type[models.Model] | tuple[type[models.Model], Mapping[str, int]]) -> None:
        self.steps: list[_ChainStep] = []
        for i, step in enumerate(steps):
            model, links = (step, {}) if isinstance(step, type) else step
            inserter = CompiledInsert(model)
            attnames = {f.attname for f in inserter.fields}
            columns: dict[str, int] = {}
            json_keys: dict[str, list[tuple[str, int]]] = {}
            for name, source in links.items():
                attname, _, key = name.partition("__")
                if attname not in attnames:
                    raise ValueError(f"{model.__name__} has no field {attname!r}")
                if not 0 <= source < i:
                    raise ValueError(f"{model.__name__}.{name}: links to step {source}, not an earlier one")
                if key:
                    json_keys.setdefault(attname, []).append((key, source))
                else:
                    columns[attname] = source
            self.steps.append(_ChainStep(inserter, columns, json_keys))
        self._sql: dict[str, str] = {}

    def insert(
        self,
        objs: Sequence[models.Model],
        *,
        using: str = DEFAULT_DB_ALIAS,
        also: Sequence[Sendable] = (),
        at_commit: bool = False,
    ) -> None:
        """INSERT `objs`, one per step, then send `also` (other writes of the same step of the
        transaction), all in one round trip on PostgreSQL; with `at_commit`, in the round trip
        of the transaction's COMMIT (`run_together`), the ids set on `objs` then."""
        if len(objs) != len(self.steps):
            raise ValueError(f"{len(self.steps)} rows expected, {len(objs)} given")
        connection = connections[using]
        if connection.vendor != "postgresql":
            for step, obj in zip(self.steps, objs, strict=True):
                step.link(obj, [o.pk for o in objs])
                step.inserter.insert([obj], using=using)
            run_together(*also)
            return
        params = [param for step, obj in zip(self.steps, objs, strict=True) for param in step.params(obj, connection)]
        sql = self._sql.get(using)
        if sql is None:
            sql = self._sql[using] = self._compile(connection)

        def saved(rows: list[list[Any]]) -> None:
            [ids] = rows
            for step, obj, pk in zip(self.steps, objs, ids, strict=True):
                _saved(obj, pk, using)
                step.link(obj, ids)

        run_together(PendingWrite(using, sql, params, saved), *also, at_commit=at_commit)

    def _compile(self, connection: BaseDatabaseWrapper) -> str:
        # Identifiers only, each through quote_name; every value is a parameter.
        qn = connection.ops.quote_name

        def new_id(step: int) -> str:
            pk = qn(self.steps[step].inserter.model._meta.pk.column)
            return f"(SELECT {pk} FROM {qn(f'step{step}')})"  # noqa: S608

        parts = []
        for i, step in enumerate(self.steps):
            meta = step.inserter.model._meta
            values = []
            for field in step.inserter.fields:
                if field.attname in step.columns:
                    values.append(new_id(step.columns[field.attname]))
                    continue
                value = "%s"
                for _, source in step.json_keys.get(field.attname, ()):
                    value = f"({value}::jsonb || jsonb_build_object(%s::text, {new_id(source)}))"
                values.append(value)
            columns = ", ".join(qn(f.column) for f in step.inserter.fields)
            insert = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({', '.join(values)})"  # noqa: S608
            parts.append(f"{qn(f'step{i}')} AS ({insert} RETURNING {qn(meta.pk.column)})")
        return f"WITH {', '.join(parts)} SELECT {', '.join(new_id(i) for i in range(len(self.steps)))}"


@dataclass(frozen=True)
class _ChainStep:
    inserter: CompiledInsert[Any]
    columns: dict[str, int]  # attname -> the step whose new id it takes
    json_keys: dict[str, list[tuple[str, int]]]  # JSON field attname -> (key, step) pairs

    def params(self, obj: models.Model, connection: BaseDatabaseWrapper) -> list[Any]:
        """The row's parameters in the order of `_compile`'s placeholders."""
        params = []
        for field, value in zip(self.inserter.fields, self.inserter.prepare(obj, connection), strict=True):
            if field.attname in self.columns:
                continue  # written as the earlier step's new id, in the SQL itself
            params.append(value)
            params.extend(key for key, _ in self.json_keys.get(field.attname, ()))
        return params

    def link(self, obj: models.Model, ids: Sequence[Any]) -> None:
        """Set on `obj` the new ids it takes (those of earlier steps)."""
        for attname, source in self.columns.items():
            setattr(obj, attname, ids[source])
        for attname, keys in self.json_keys.items():
            for key, source in keys:
                getattr(obj, attname)[key] = ids[source]
