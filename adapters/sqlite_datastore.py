"""SQLite connections for read models: a larger page cache, memory-mapped reads, and commits
that do not wait for the disk.

SQLite's default cache is 2 MB per connection; a search over half a million listings reads
far more, and each pooled connection would otherwise re-read it through system calls.
"""

from __future__ import annotations

from pathlib import Path

from eventsourcing.sqlite import SQLiteConnection, SQLiteConnectionPool, SQLiteDatastore

READ_PRAGMAS = (
    "PRAGMA cache_size = -65536",  # 64 MiB per connection
    "PRAGMA mmap_size = 1073741824",  # up to 1 GiB of the file mapped
    "PRAGMA temp_store = MEMORY",
    # A read model is derived data whose rows and tracked position commit together: losing
    # its last commits to a power cut only means replaying them. WAL keeps the file intact.
    "PRAGMA synchronous = NORMAL",
)


class _TunedPool(SQLiteConnectionPool):
    def _create_connection(self) -> SQLiteConnection:
        connection = super()._create_connection()
        for pragma in READ_PRAGMAS:
            connection._sqlite_conn.execute(pragma)  # noqa: SLF001 - the pool's own connection
        return connection


def read_model_datastore(path: Path, pool_size: int = 4) -> SQLiteDatastore:
    path.parent.mkdir(parents=True, exist_ok=True)
    datastore = SQLiteDatastore(db_name=str(path), lock_timeout=10, pool_size=pool_size)
    datastore.pool.close()  # nothing opened yet: replaced by the tuned pool
    datastore.pool = _TunedPool(db_name=str(path), lock_timeout=10, pool_size=pool_size,
                                max_overflow=pool_size * 2)
    return datastore
