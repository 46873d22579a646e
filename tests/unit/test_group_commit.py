"""Group commit's queue (adapters/group_commit.py), with a write that only records: who writes
which group, and what each save is answered."""

from __future__ import annotations

import threading
import time

from adapters.group_commit import GroupCommit, Save


class Writes:
    """Records each group; the first can be held until released, as a slow commit would."""

    def __init__(self, hold_first: bool = False) -> None:
        self.groups: list[list[str]] = []
        self.writers: list[str] = []
        self.started, self.release = threading.Event(), threading.Event()
        if not hold_first:
            self.release.set()
        self.next_id = 1

    def __call__(self, group: list[Save]) -> None:
        self.groups.append([save.rows[0] for save in group])
        self.writers.append(threading.current_thread().name)
        self.started.set()
        self.release.wait(5)
        for save in group:
            if save.rows[0].startswith("taken"):
                save.error = ValueError(f"{save.rows[0]}: version taken")
                continue
            save.ids = list(range(self.next_id, self.next_id + len(save.rows)))
            self.next_id += len(save.rows)


def saving(groups: GroupCommit, name: str, rows: list[str],
           answers: dict[str, object]) -> threading.Thread:
    def run() -> None:
        try:
            answers[name] = groups.save(rows)
        except Exception as error:  # noqa: BLE001 - the answer under test
            answers[name] = error

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


def wait_queued(groups: GroupCommit, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(groups._queue) < count and time.monotonic() < deadline:  # noqa: SLF001
        time.sleep(0.001)


def test_a_save_with_nothing_in_flight_is_written_at_once_and_alone() -> None:
    writes = Writes()
    groups = GroupCommit(writes)
    assert groups.save(["a1", "a2"]) == [1, 2]
    assert groups.save(["b1"]) == [3]
    assert writes.groups == [["a1"], ["b1"]]


def test_saves_made_while_a_group_is_written_go_together_in_the_next_in_order() -> None:
    writes = Writes(hold_first=True)
    groups = GroupCommit(writes)
    answers: dict[str, object] = {}
    first = saving(groups, "first", ["f"], answers)
    assert writes.started.wait(5)
    others = [saving(groups, name, [name], answers) for name in ("b", "c")]
    wait_queued(groups, 1)
    others.append(saving(groups, "d", ["d"], answers))
    wait_queued(groups, 3)
    writes.release.set()
    for thread in [first, *others]:
        thread.join(5)
    assert writes.groups == [["f"], ["b", "c", "d"]]
    assert writes.writers == ["first", "b"]  # the first queued writes the next group
    assert answers == {"first": [1], "b": [2], "c": [3], "d": [4]}


def test_a_save_whose_version_was_taken_fails_alone() -> None:
    writes = Writes(hold_first=True)
    groups = GroupCommit(writes)
    answers: dict[str, object] = {}
    threads = [saving(groups, "first", ["f"], answers)]
    assert writes.started.wait(5)
    threads += [saving(groups, "b", ["b"], answers)]
    wait_queued(groups, 1)
    threads += [saving(groups, "taken", ["taken"], answers)]
    wait_queued(groups, 2)
    writes.release.set()
    for thread in threads:
        thread.join(5)
    assert writes.groups == [["f"], ["b", "taken"]]
    assert answers["b"] == [2]
    assert isinstance(answers["taken"], ValueError)


def test_a_group_that_cannot_be_written_fails_its_saves_and_the_next_group_is_written() -> None:
    release, started = threading.Event(), threading.Event()
    written: list[list[str]] = []

    def write(group: list[Save]) -> None:
        written.append([save.rows[0] for save in group])
        if len(written) == 1:
            started.set()
            release.wait(5)
            raise ConnectionError("the server went away")
        for save in group:
            save.ids = [len(written)]

    groups = GroupCommit(write)
    answers: dict[str, object] = {}
    threads = [saving(groups, "lost", ["lost"], answers)]
    assert started.wait(5)
    threads.append(saving(groups, "next", ["next"], answers))
    wait_queued(groups, 1)
    release.set()
    for thread in threads:
        thread.join(5)
    assert isinstance(answers["lost"], ConnectionError)
    assert answers["next"] == [2]
    assert groups.save(["after"]) == [3]  # nothing left in flight


def test_a_group_holds_at_most_max_saves() -> None:
    writes = Writes(hold_first=True)
    groups = GroupCommit(writes, max_saves=2)
    answers: dict[str, object] = {}
    threads = [saving(groups, "first", ["f"], answers)]
    assert writes.started.wait(5)
    for n, name in enumerate(("b", "c", "d")):
        threads.append(saving(groups, name, [name], answers))
        wait_queued(groups, n + 1)
    writes.release.set()
    for thread in threads:
        thread.join(5)
    assert writes.groups == [["f"], ["b", "c"], ["d"]]
    assert sorted(answers) == ["b", "c", "d", "first"]


def test_every_save_of_many_writers_is_answered_with_ids_of_its_own() -> None:
    threads = 8
    writes = Writes()
    groups = GroupCommit(writes)
    answers: dict[str, object] = {}
    writers = [saving(groups, f"w{n}-{i}", [f"w{n}-{i}", "x"], answers)
               for n in range(threads) for i in range(25)]
    for writer in writers:
        writer.join(10)
    ids = [i for answer in answers.values() for i in answer]  # type: ignore[attr-defined]
    assert len(answers) == threads * 25
    assert sorted(ids) == list(range(1, threads * 25 * 2 + 1))
