"""Compile a hot ORM query or write once per process and shape, then run it with fresh values
(decision 0004): `queries` (SELECTs), `inserts` (INSERT, UPDATE, chained INSERTs), `sending`
(statements bound to their values, sent together by `run_together`)."""

from core.querycache.inserts import CompiledInsert, CompiledInsertChain, CompiledUpdate, NewRow
from core.querycache.queries import CompiledQuery, Pending
from core.querycache.sending import PendingWrite, Sendable, run_together

__all__ = [
    "CompiledInsert",
    "CompiledInsertChain",
    "CompiledQuery",
    "CompiledUpdate",
    "NewRow",
    "Pending",
    "PendingWrite",
    "Sendable",
    "run_together",
]
