"""Group commit: the saves that concurrent requests of one process make at the same moment,
written to the log together — one statement, one commit, one WAL flush and one hold of the
log's table lock for many saves (docs/architecture.md, "Group commit").

Leaders and followers, without a thread of its own: a save that finds no group being written
writes at once, alone when the process is idle (it never waits for company). Saves that come
meanwhile queue; once the group in flight is written, the first of them writes the next group
with the saves queued behind it, at most `MAX_SAVES`. Each save is answered on its own: its
notification ids, or its own error (a version taken meanwhile fails that save alone). An error
of the whole statement (the connection lost, the table lock not had in time) fails every save
of the group, and each caller retries its own save, as it would alone.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

# Each save of a group is a subtransaction; PostgreSQL slows every snapshot taken while a
# transaction has more than 64.
MAX_SAVES = 32


@dataclass(eq=False)
class Save:
    """One caller's events, and its answer once its group is written."""

    rows: Sequence[Any]
    ids: list[int] | None = None
    error: BaseException | None = None
    leads: bool = False  # this caller writes the next group
    turn: threading.Event = field(default_factory=threading.Event)


class GroupCommit:
    def __init__(self, write: Callable[[list[Save]], None], max_saves: int = MAX_SAVES) -> None:
        """`write(group)`: writes the group in one transaction and answers each save (its
        `ids` or its `error`); raising fails the saves it did not answer."""
        self._write, self.max_saves = write, max_saves
        self._lock = threading.Lock()
        self._queue: deque[Save] = deque()
        self._writing = False

    def save(self, rows: Sequence[Any]) -> list[int]:
        mine = Save(rows)
        with self._lock:
            self._queue.append(mine)
            if not self._writing:  # nothing in flight: write now
                self._writing = mine.leads = True
        if not mine.leads:
            mine.turn.wait()  # answered, or handed the next group
        if mine.leads:
            self._lead()
        if mine.error is not None:
            raise mine.error
        assert mine.ids is not None
        return mine.ids

    def _lead(self) -> None:
        """Write the saves queued now (this caller's first among them), then hand over."""
        with self._lock:
            group = [self._queue.popleft()
                     for _ in range(min(len(self._queue), self.max_saves))]
        failed: BaseException = RuntimeError("the group was not written")
        try:
            self._write(group)
        except Exception as error:  # noqa: BLE001 - answered to every save of the group
            failed = error
        finally:
            for save in group:
                if save.ids is None and save.error is None:
                    save.error = failed
            with self._lock:
                if self._queue:
                    successor = self._queue[0]
                    successor.leads = True
                    successor.turn.set()
                else:
                    self._writing = False
            for save in group:
                save.turn.set()
