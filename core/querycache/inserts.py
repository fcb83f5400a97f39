"""Compiled writes: a single-row INSERT, an UPDATE by primary key, and a chain of INSERTs
where a row takes the new id of an earlier one (one statement on PostgreSQL)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.sql import InsertQuery, UpdateQuery

from core import sqlbatch
from core.querycache.queries import INSTANT_BASE, INT_BASE
from core.querycache.sending import PendingWrite, Sendable, run_together

M = TypeVar("M", bound=models.Model)


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
        query.insert_values(self.fields, list(objs))
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = [self.model._meta.pk]
        [(sql, params)] = compiler.as_sql()
        if len(params) != len(self.fields):
            raise ValueError(f"{self.model.__name__}: the INSERT has parameters besides the field values")
        return sql


@dataclass(frozen=True)
class NewRow(Generic[M]):
    """An unsaved row and the compiled INSERT that writes it, handed by the code that owns the
    row to code whose own rows take its new id: the receiver writes it first, in one
    statement with its own rows where it can (a `CompiledInsertChain` whose first step is
    `inserter.model`), and never needs to import the row's model. The cart of an add's first
    hold is one (carts builds it, capacity writes it with the claim)."""

    inserter: CompiledInsert[M]
    obj: M


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
        self.fields = [_concrete_field(model, name) for name in fields]
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
        query.add_q(models.Q(pk=obj.pk))
        sql, params = query.get_compiler(connection=connection).as_sql()
        if len(params) != len(self.fields) + 1:
            raise ValueError(f"{self.model.__name__}: the UPDATE has parameters besides the values and the key")
        return sql


def _concrete_field(model: type[models.Model], name: str) -> "models.Field[Any, Any]":
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{model.__name__}.{name}: CompiledUpdate writes a model's own fields, not a relation")
    return field


def _stand_in(field: models.Field) -> Any:
    """A value of `field`'s type that the compiler writes as a placeholder."""
    kinds: list[tuple[type[models.Field], Any]] = [
        (models.DateTimeField, INSTANT_BASE),
        (models.DateField, INSTANT_BASE.date()),
        (models.BooleanField, False),
        (models.DecimalField, Decimal(0)),
        (models.IntegerField, INT_BASE),
        (models.ForeignKey, INT_BASE),
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
    ) -> None:
        """INSERT `objs`, one per step, then send `also` (other writes of the same step of the
        transaction), all in one round trip on PostgreSQL."""
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

        run_together(PendingWrite(using, sql, params, saved), *also)

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
