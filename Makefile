# make run   set up everything (venv, install, migrate, demo import, index) and serve
# make test  install and run the whole suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: install run test lint bench clean

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

clean:
	rm -rf $(VENV) var
