"""Django's PostgreSQL backend, with a transaction's held writes sent together with its COMMIT.

Everything is Django's (`django.db.backends.postgresql`) but the end of a transaction: when
core.sqlbatch holds writes for it (`defer()`: the INSERTs of an add to cart), COMMIT goes
out in the same round trip as they do, instead of one round trip after them. A rollback or a
close drops them unsent. settings.py selects this backend for every PostgreSQL `DATABASE_URL`.
"""

from django.db.backends.postgresql import base

from core import sqlbatch


# The three hooks are Django's, called by commit(), rollback() and close(); django-stubs leaves
# such private methods out, hence the ignores.
class DatabaseWrapper(base.DatabaseWrapper):
    def _commit(self) -> None:
        if self.connection is not None and sqlbatch.commit(self):
            return
        super()._commit()  # type: ignore[misc]

    def _rollback(self) -> None:
        sqlbatch.discard(self)
        super()._rollback()  # type: ignore[misc]

    def _close(self) -> None:
        sqlbatch.discard(self)
        super()._close()  # type: ignore[misc]
