"""Where a process that follows the log (the payout process) keeps its tracked position.

A process writes its decisions into the event log itself, through the application; all it
keeps here is how far it has read. Its steps are idempotent, so a batch handled again after a
crash (position not yet recorded) changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder

from adapters.sqlite_datastore import read_model_datastore
from adapters.tracked_store import UPSTREAM, TrackedStore, UnitOfWork


class SQLiteProcessStore(TrackedStore, SQLiteTrackingRecorder):
    def __init__(self, path: Path, process: Any) -> None:
        super().__init__(read_model_datastore(path, pool_size=1))
        self.projection = process
        self.create_table()

    def unit_of_work(self, cursor: Any) -> UnitOfWork:
        return self.projection.unit_of_work()  # the process's own: it writes to the log

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute("DELETE FROM tracking WHERE application_name = ?", (UPSTREAM,))

    def rebuilt(self) -> None:
        pass


class PostgresProcessStore(TrackedStore, PostgresTrackingRecorder):
    def __init__(self, datastore: PostgresDatastore, process: Any) -> None:
        super().__init__(datastore, tracking_table_name=f"{process.name}_tracking")
        self.projection = process
        self.create_table()

    def unit_of_work(self, cursor: Any) -> UnitOfWork:
        return self.projection.unit_of_work()  # the process's own: it writes to the log

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(f'DELETE FROM "{self.datastore.schema}"."{self.tracking_table_name}"')

    def rebuilt(self) -> None:
        pass
