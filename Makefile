# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: install run test test-fast lint bench soak clean system-deps screenshots

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

## Serve the API on 127.0.0.1:8000 (SQLite under ./var, demo catalogue on first start).
run: install
	$(BIN)/comptoir serve --demo

## PostGIS and RUM for the PostgreSQL search read model, Chromium for the merchant page's
## browser test (Debian packages; each skipped when present).
system-deps:
	@test -f /usr/share/postgresql/15/extension/postgis.control || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	    postgresql-15-postgis-3; }
	@test -f /usr/share/postgresql/15/extension/rum.control || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	    postgresql-15-rum; }
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	    chromium; }

## Lint, then every suite on SQLite and on a throwaway PostgreSQL 15 (stopped at the end).
test: install lint system-deps
	$(BIN)/python tests/pgcluster.py -- $(BIN)/pytest

## Domain and use-case tests only (no database server): the quick loop while coding.
test-fast: install
	$(BIN)/pytest tests/unit tests/test_architecture.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

## The concurrent last-units race (64 clients over HTTP) 20 times on PostgreSQL (~5 minutes).
soak: install system-deps
	COMPTOIR_SOAK_RUNS=20 $(BIN)/python tests/pgcluster.py -- $(BIN)/pytest -q \
	  tests/http/test_checkout_race.py -k postgres

## The shop's pages at a desktop's and a phone's width, written to docs/screenshots/ by the
## browser journeys (Chromium, SQLite; docs/web.md).
screenshots: install system-deps
	$(BIN)/pytest -q tests/web -k sqlite

## Benchmarks (figures printed next to their baselines; see docs/benchmarks.md).
bench: install system-deps
	$(BIN)/python tests/pgcluster.py --durable -- $(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
