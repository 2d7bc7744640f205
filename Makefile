# Developer entry points. `make run` and `make test` work on a fresh clone with only python3
# (the system packages they need are installed by scripts/system-packages.sh, as root or via sudo -n).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Only the packages that exist yet are type-checked.
TYPED_PACKAGES = $(wildcard negotiation projections realtime web demo)

.DEFAULT_GOAL := help
.PHONY: help .venv run-packages test-packages run test lint bench clean distclean

help:
	@echo "make run    start the app on http://$(HOST):$(PORT) (demo negotiation loaded on first start)"
	@echo "make test   ruff, mypy and the whole test suite"
	@echo "make lint   ruff and mypy only"
	@echo "make bench  run the benchmarks in bench/"
	@echo "make clean  remove caches (distclean also removes .venv and var/)"

# The stamp is newer than pyproject.toml once the install succeeded, so editing the
# dependencies reinstalls and nothing else does.
.venv: $(VENV)/.installed

# Checked on every run (a tenth of a second when everything is there). `make run` (and a
# server's `make .venv`) needs no browser or nginx; `make test` does.
run-packages:
	@scripts/system-packages.sh run

test-packages:
	@scripts/system-packages.sh test

$(VENV)/.installed: pyproject.toml | run-packages
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: run-packages .venv
	$(BIN)/negotiation serve --demo --host $(HOST) --port $(PORT)

lint: .venv
	$(BIN)/ruff check .
	$(BIN)/mypy $(TYPED_PACKAGES)

test: test-packages lint
	$(BIN)/pytest -q

bench: .venv
	@test -d bench || { echo "no bench/ folder yet"; exit 1; }
	for script in bench/*.py; do $(BIN)/python "$$script" || exit 1; done

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

# var/ holds the embedded PostgreSQL clusters (app data and the test cluster).
distclean: clean
	rm -rf $(VENV) var
