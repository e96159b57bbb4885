# make run   set up what serving needs (venv, runtime packages, migrate, demo import), build the
#            search index if it is missing or out of date, and serve
# make test  install the test tools too and run the whole suite
# make bench the archive against a Whoosh + jieba baseline on generated speeches (docs/performance.md)
# make bench-relevance  questions of a public retrieval set: the archive, Whoosh + jieba and BM25 side by side
# make clean remove the venv and the data folder var/
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: install install-dev run test lint bench bench-relevance clean

# Two stamps: what serving needs (requirements.txt) and the test tools on top (requirements-dev.txt).
$(VENV)/.installed-runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed-runtime

install-dev: $(VENV)/.installed-dev

# The demo import changes nothing the second time; the index is checked, not rebuilt, when
# current. The job worker (admin uploads, long admin actions, queued index updates) runs next
# to the web server and stops with it.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py import_speeches demo/
	$(PY) manage.py rebuild_index --if-needed
	$(PY) manage.py find_shared_passages --pending
	$(PY) manage.py run_jobs & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; SECURE_SSL_REDIRECT=0 $(PY) manage.py runserver $(HOST)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

test: install-dev lint
	$(VENV)/bin/pytest

# Speeches generated per run, each size in its own scratch data directory (never var/):
# a temporary folder, or $(ARCHIVE_DATA_DIR)/bench when ARCHIVE_DATA_DIR is set.
# 100,000 (about 25 minutes): make bench BENCH_SIZES="100000" BENCH_ARGS="--extracted-files 2 --runs 2 --baseline-runs 0".
# BENCH_ARGS: see python -m bench.run -h.
BENCH_SIZES ?= 1000 10000
BENCH_ARGS ?=
bench: install
	$(PY) -m bench.run --sizes $(BENCH_SIZES) $(if $(ARCHIVE_DATA_DIR),--dir $(ARCHIVE_DATA_DIR)/bench) $(BENCH_ARGS)

# Reads ../shared/eval/retrieval/cmrc2018_trial.json (RELEVANCE_ARGS="--data FILE" for another set
# in SQuAD's format, "--halves" to see each half of the paragraphs, "--json FILE" for every rank).
RELEVANCE_ARGS ?=
bench-relevance: install-dev
	$(PY) -m bench.relevance $(RELEVANCE_ARGS)

clean:
	rm -rf $(VENV) var
