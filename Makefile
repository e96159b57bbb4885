# make run   set up everything (venv, install, migrate, demo import, index) and serve
# make test  install and run the whole suite
# make bench the archive against a Whoosh + jieba baseline on generated speeches (README, Performance)
# make bench-relevance  questions of a public retrieval set: the archive, Whoosh + jieba and BM25 side by side
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: install run test lint bench bench-relevance clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py import_speeches demo/
	$(PY) manage.py rebuild_index
	SECURE_SSL_REDIRECT=0 $(PY) manage.py runserver $(HOST)

lint: install
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

test: install lint
	$(VENV)/bin/pytest

# Speeches generated per run, each size in its own scratch data directory (never var/):
# a temporary folder, or $(ARCHIVE_DATA_DIR)/bench when ARCHIVE_DATA_DIR is set.
# 100,000 (about an hour): make bench BENCH_SIZES="100000" BENCH_ARGS="--extracted-files 2 --runs 2 --baseline-runs 0".
# BENCH_ARGS: see python -m bench.run -h.
BENCH_SIZES ?= 1000 10000
BENCH_ARGS ?=
bench: install
	$(PY) -m bench.run --sizes $(BENCH_SIZES) $(if $(ARCHIVE_DATA_DIR),--dir $(ARCHIVE_DATA_DIR)/bench) $(BENCH_ARGS)

# Reads ../shared/eval/retrieval/cmrc2018_trial.json (RELEVANCE_ARGS="--data FILE" for another set
# in SQuAD's format, "--halves" to see each half of the paragraphs, "--json FILE" for every rank).
RELEVANCE_ARGS ?=
bench-relevance: install
	$(PY) -m bench.relevance $(RELEVANCE_ARGS)

clean:
	rm -rf $(VENV) var
