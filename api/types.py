"""Bounded input types for the API's parameters and schemas: every integer within what the
database can hold (PostgreSQL's bigint, SQLite's 64-bit integer), so that a number too large
is a 400 naming the parameter, never an overflow (500) in the database driver."""

from typing import Annotated

from annotated_types import Ge, Le

DB_MAX = 2**63 - 1  # bigint; ids are BigAutoField
INT_MAX = 2**31 - 1  # integer columns (capacity, counts, minutes)

Id = Annotated[int, Ge(1), Le(DB_MAX)]
Count = Annotated[int, Ge(0), Le(INT_MAX)]
Offset = Annotated[int, Ge(0), Le(INT_MAX)]
Limit = Annotated[int, Ge(1), Le(1000)]
Int = Annotated[int, Ge(-INT_MAX - 1), Le(INT_MAX)]  # an integer column's range, sign allowed
