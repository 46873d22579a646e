"""Many aggregates' stored events in a few queries (bulk commands: a stock feed of 1,000 lines
loads 1,000 claims and listings). eventsourcing's repository reads one aggregate per query (two
with snapshots); these read the same tables — each aggregate's latest snapshot, then its events
after it — for up to 500 ids per query, in one read transaction of the application's own
datastore. Decoding and replay stay the application's (its mapper, its aggregates).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg import sql

CHUNK = 500

_SNAPSHOTS = ("SELECT originator_id, originator_version, topic, state FROM {snapshots} s "
              "WHERE originator_id {ids} AND originator_version = (SELECT MAX(originator_version)"
              " FROM {snapshots} t WHERE t.originator_id = s.originator_id)")
_EVENTS = ("SELECT originator_id, originator_version, topic, state FROM {events} e "
           "WHERE originator_id {ids} AND originator_version > COALESCE((SELECT "
           "MAX(originator_version) FROM {snapshots} s WHERE s.originator_id = e.originator_id),"
           " 0) ORDER BY originator_id, originator_version")


def _grouped(ids: Sequence[UUID], rows: list[tuple[UUID, int, str, bytes]]
             ) -> dict[UUID, list[StoredEvent]]:
    found: dict[UUID, list[StoredEvent]] = {i: [] for i in ids}
    for originator_id, version, topic, state in rows:
        found[originator_id].append(StoredEvent(originator_id, version, topic, bytes(state)))
    return found


class SQLiteStoredStreams:
    def __init__(self, events: SQLiteApplicationRecorder, snapshots_table: str) -> None:
        self.recorder, self.events, self.snapshots = events, events.events_table_name, \
            snapshots_table

    def latest(self, ids: Sequence[UUID]) -> dict[UUID, list[StoredEvent]]:
        """Per id: its latest snapshot (if any), then its events after it, in order."""
        rows: list[tuple[UUID, int, str, bytes]] = []
        with self.recorder.datastore.transaction(commit=False) as cursor:
            for start in range(0, len(ids), CHUNK):
                chunk = [i.hex for i in ids[start:start + CHUNK]]
                where = f"IN ({','.join('?' * len(chunk))})"
                for template in (_SNAPSHOTS, _EVENTS):
                    cursor.execute(template.format(events=self.events, snapshots=self.snapshots,
                                                   ids=where), chunk)
                    rows += [(UUID(hex=r[0]), r[1], r[2], r[3]) for r in cursor.fetchall()]
        return _grouped(ids, rows)


class PostgresStoredStreams:
    def __init__(self, events: PostgresApplicationRecorder, snapshots_table: str) -> None:
        self.recorder = events
        schema = events.datastore.schema
        self.names = {"events": sql.Identifier(schema, events.events_table_name),
                      "snapshots": sql.Identifier(schema, snapshots_table),
                      "ids": sql.SQL("= ANY(%s)")}

    def latest(self, ids: Sequence[UUID]) -> dict[UUID, list[StoredEvent]]:
        """Per id: its latest snapshot (if any), then its events after it, in order."""
        rows: list[tuple[UUID, int, str, bytes]] = []
        with self.recorder.datastore.transaction(commit=False) as cursor:
            for start in range(0, len(ids), CHUNK):
                chunk = list(ids[start:start + CHUNK])
                for template in (_SNAPSHOTS, _EVENTS):
                    cursor.execute(sql.SQL(template).format(**self.names), (chunk,))
                    rows += [(r["originator_id"], r["originator_version"], r["topic"],
                              r["state"]) for r in cursor.fetchall()]
        return _grouped(ids, rows)


def stored_streams(app: Any) -> SQLiteStoredStreams | PostgresStoredStreams | None:
    """The reader for this application's store (None for the in-memory one)."""
    snapshots = getattr(getattr(app, "snapshots", None), "recorder", None)
    table = getattr(snapshots, "events_table_name", None)
    if table is None:
        return None
    if isinstance(app.recorder, SQLiteApplicationRecorder):
        return SQLiteStoredStreams(app.recorder, table)
    if isinstance(app.recorder, PostgresApplicationRecorder):
        return PostgresStoredStreams(app.recorder, table)
    return None
