"""`make bench`: every benchmark, on both backends, one after the other (about 20 minutes).

    python -m bench [--without-search]   # without the 500k-listing search: about 12 minutes
"""

from __future__ import annotations

import sys

from bench import (
    audit,
    authentication,
    checkout,
    freshness,
    group_commit,
    import_fiches,
    pages,
    projection,
    search,
    stock_feed,
    stock_updates,
)


def main() -> None:
    with_search = "--without-search" not in sys.argv[1:]
    for backend in ("sqlite", "postgres"):
        stock_updates.run(backend, count=1000, runs=3)
        stock_feed.run(backend, count=1000, runs=5)
        freshness.run(backend, count=100)
        projection.run(backend, merchants=1000, listings=20)
        import_fiches.run(backend, merchants=22_000)
        if with_search:
            search.run(backend, merchants=22_000, listings=500_000, count=300)
        audit.run(backend, events=200_000, runs=5)
        authentication.run(backend, count=2000, runs=3)
        pages.run(backend, count=300)
    checkout.run("postgres", per_client=40)
    group_commit.run(saves=4000)


if __name__ == "__main__":
    main()
