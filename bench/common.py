"""Timing, percentiles and reporting shared by the benchmarks."""

from __future__ import annotations

import os
import platform
import resource
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.table import Table

console = Console()


@dataclass(frozen=True)
class Figures:
    name: str
    count: int
    seconds: float
    latencies_ms: list[float]

    @property
    def throughput(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def measure(name: str, operation: Callable[[int], object], count: int, warmup: int = 20) -> Figures:
    for i in range(warmup):
        operation(-1 - i)
    latencies = []
    started = time.perf_counter()
    for i in range(count):
        t0 = time.perf_counter()
        operation(i)
        latencies.append((time.perf_counter() - t0) * 1000)
    return Figures(name, count, time.perf_counter() - started, latencies)


def concurrently(clients: int, work: list[Any], act: Callable[[dict, Any], object],
                 name: str | None = None) -> Figures:
    """Run `act(client_state, item)` over `work` split among `clients` threads."""
    latencies: list[float] = []
    lock = threading.Lock()
    chunks = [work[i::clients] for i in range(clients)]

    def client(items: list[Any]) -> None:
        state: dict = {}
        for item in items:
            started = time.perf_counter()
            act(state, item)
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(client, chunks))
    return Figures(name or f"{clients} client(s)", len(work), time.perf_counter() - started,
                   latencies)


def median_of_runs(runs: list[Figures]) -> Figures:
    """The run with the median throughput: noisy 2-core machines need several runs."""
    ordered = sorted(runs, key=lambda f: f.throughput)
    return ordered[len(ordered) // 2]


def report(title: str, rows: list[tuple[Figures, Figures | None]]) -> None:
    """Each measured path beside its baseline, with the ratio of their p50 latencies."""
    table = Table(title=title)
    for column in ("path", "ops", "ops/s", "p50 ms", "p95 ms", "p99 ms", "vs baseline"):
        table.add_column(column, justify="right" if column != "path" else "left")
    for figures, baseline in rows:
        ratio = ""
        if baseline is not None and baseline.percentile(50):
            ratio = f"{figures.percentile(50) / baseline.percentile(50):.1f}× p50"
        table.add_row(figures.name, str(figures.count), f"{figures.throughput:,.0f}",
                      f"{figures.percentile(50):.2f}", f"{figures.percentile(95):.2f}",
                      f"{figures.percentile(99):.2f}", ratio)
    console.print(table)
    console.print(f"peak RSS {peak_rss_mb():.0f} MB · {machine()}")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    return (f"{platform.node()} {platform.machine()} {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d}")


def median(values: list[float]) -> float:
    return statistics.median(values)
