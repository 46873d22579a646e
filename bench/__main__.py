"""`make bench`: every benchmark, on both backends, one after the other."""

from __future__ import annotations

from bench import stock_updates


def main() -> None:
    for backend in ("sqlite", "postgres"):
        stock_updates.run(backend, count=1000, runs=3)


if __name__ == "__main__":
    main()
