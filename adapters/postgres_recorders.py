"""eventsourcing's PostgreSQL recorders, sending the stored events of a save in binary, and
the log's saves as one statement (several at once under load).

eventsourcing inserts a save's events as one array of a composite type (`unnest(%s::…[])`),
which psycopg writes as text: every byte of every event's state escaped as hex, then parsed
back by the server. Sent in binary (`%b`), an 8-event save costs 0.11 ms of client CPU instead
of 0.26 and half the time end to end (measured 2026-11-29, PostgreSQL 15); a stock feed's 1,000
events and its snapshots gain the most. The rows written are the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import (
    DatabaseError,
    DataError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    StoredEvent,
)
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresFactory,
)
from eventsourcing.utils import retry
from psycopg.sql import SQL, Composed, Identifier

from adapters.group_commit import GroupCommit, Save


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
    """The log's recorder: a save is one statement, a function that takes the table lock and
    inserts, run as its own transaction; the saves a process's threads make while another is
    being written go together in the next statement (adapters/group_commit.py). A save
    returns its new events' notification ids, as eventsourcing's insert does; and it sends no
    NOTIFY.

    eventsourcing's save is a transaction of three round trips: BEGIN, the table lock and the
    insert, synced to read the ids; then COMMIT; then an empty sync. The table lock, which
    serialises every save, was held from the first to the second, while the client, a Python
    thread, won its process's GIL back to send the COMMIT: sampled at 16 checkout clients, a
    session sat idle holding the lock half of the time. Here the server commits as soon as the
    insert is done (docs/architecture.md, "Writing the log").

    No NOTIFY: nothing here LISTENs (followers poll the head and are woken within their
    process), and a transaction that notifies holds a database-wide lock from its commit's
    start to its end (PostgreSQL keeps notifications in commit order that way)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.insert_events_statement = _binary_insert(self) + SQL(" RETURNING notification_id")
        names = {"schema": Identifier(self.datastore.schema),
                 "function": Identifier(INSERT_FUNCTION),
                 "groups_function": Identifier(GROUPS_FUNCTION),
                 "table": Identifier(self.events_table_name),
                 "stored_event_type": Identifier(self.stored_event_type_name)}
        # What both functions do first, and how both insert: the lock that keeps ids in
        # commit order, then the events of a save in their order.
        lock_the_log = (
            "SET LOCAL lock_timeout = '" + str(int(self.datastore.lock_timeout)) + "s'; "
            "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; ")
        insert = ("INSERT INTO {schema}.{table} (originator_id, originator_version, topic, "
                  "state) SELECT originator_id, originator_version, topic, state FROM unnest")
        self.sql_create_statements.append(SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}"
            "(events {schema}.{stored_event_type}[]) RETURNS SETOF bigint "
            "LANGUAGE plpgsql AS $$ BEGIN " + lock_the_log
            + "RETURN QUERY " + insert + "(events) RETURNING notification_id; "
            "END $$").format(**names))
        self.insert_function_call = SQL(
            "SELECT * FROM {schema}.{function}(%b::{schema}.{stored_event_type}[])"
        ).format(**names)
        # A group of saves: each in its own exception block (a subtransaction), answered with
        # its ids or its own error; the lock once for all.
        self.sql_create_statements.append(SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{groups_function}"
            "(events {schema}.{stored_event_type}[], sizes int[]) "
            "RETURNS TABLE (save int, ids bigint[], error_code text, error_message text) "
            "LANGUAGE plpgsql AS $$ DECLARE first int := 1; BEGIN " + lock_the_log
            + "FOR i IN 1 .. array_length(sizes, 1) LOOP "
            "  save := i; ids := NULL; error_code := NULL; error_message := NULL; "
            "  BEGIN "
            "    WITH inserted AS (" + insert + "(events[first : first + sizes[i] - 1]) "
            "      RETURNING notification_id) "
            "    SELECT array_agg(notification_id ORDER BY notification_id) INTO ids "
            "    FROM inserted; "
            "  EXCEPTION WHEN OTHERS THEN "
            "    error_code := SQLSTATE; error_message := SQLERRM; "
            "  END; "
            "  RETURN NEXT; "
            "  first := first + sizes[i]; "
            "END LOOP; END $$").format(**names))
        self.insert_groups_call = SQL(
            "SELECT save, ids, error_code, error_message FROM {schema}.{groups_function}"
            "(%b::{schema}.{stored_event_type}[], %s)"
        ).format(**names)
        self.groups = GroupCommit(self._write_group)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent],
                      **kwargs: Any) -> Sequence[int] | None:
        if not stored_events:
            return []
        return self.groups.save([
            self.construct_pg_stored_event(e.originator_id, e.originator_version, e.topic,
                                           e.state) for e in stored_events])

    def _write_group(self, group: list[Save]) -> None:
        """One statement on an autocommit connection: it is its own transaction."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            if len(group) == 1:  # alone: no subtransaction needed
                curs.execute(self.insert_function_call, (group[0].rows,), prepare=True)
                group[0].ids = [row[INSERT_FUNCTION] for row in curs.fetchall()]
                return
            curs.execute(self.insert_groups_call,
                         ([row for save in group for row in save.rows],
                          [len(save.rows) for save in group]), prepare=True)
            for answer in curs.fetchall():
                save = group[answer["save"] - 1]
                if answer["error_code"] is None:
                    save.ids = answer["ids"]
                else:
                    save.error = _error_of(answer["error_code"], answer["error_message"])

    def _notify_channel(self, curs: Any) -> None:
        pass


INSERT_FUNCTION = "comptoir_insert_events"
GROUPS_FUNCTION = "comptoir_insert_event_groups"


def _error_of(code: str, message: str) -> Exception:
    """A save's own error in a group, as eventsourcing would have raised it for the save
    alone: a constraint (its version taken meanwhile) or the data it carried."""
    if code.startswith("23"):
        return IntegrityError(message)
    if code.startswith("22"):
        return DataError(message)
    return DatabaseError(f"{code}: {message}")


class BinaryPostgresFactory(PostgresFactory):
    aggregate_recorder_class = BinaryAggregateRecorder
    application_recorder_class = BinaryApplicationRecorder
