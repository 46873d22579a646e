# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: install run test test-fast lint bench clean

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

## Lint, then every suite on SQLite and on a throwaway PostgreSQL 15 (stopped at the end).
test: install lint
	$(BIN)/python tests/pgcluster.py -- $(BIN)/pytest

## Domain and use-case tests only (no database server): the quick loop while coding.
test-fast: install
	$(BIN)/pytest tests/unit tests/test_architecture.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

## Benchmarks (figures printed next to their baselines; see docs/benchmarks.md).
bench: install
	$(BIN)/python tests/pgcluster.py --durable -- $(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
