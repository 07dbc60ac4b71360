"""What an SQL statement is, by its first word: asked of every statement the engines run."""

from __future__ import annotations

import functools

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


@functools.lru_cache(maxsize=1024)
def is_write(statement: str) -> bool:
    """Whether an SQL statement changes the database (by its first word). Cached: the
    statements come from SQLAlchemy's compiled cache, a few hundred distinct strings asked
    about once or twice per execution."""
    return statement.lstrip()[:7].upper().startswith(WRITES)
