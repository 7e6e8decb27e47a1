# carbonpeak — two commands on a fresh machine:
#   make run    install what is missing, migrate var/carbonpeak.db, load the demo data, serve :8000
#   make test   install what is missing (Python deps, Chromium, CJK fonts, PostgreSQL up),
#               lint, then run every test on SQLite and on PostgreSQL
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
PYTEST_ARGS ?= -n 2 --durations=20
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help run test test-sqlite test-pg lint deps sysdeps postgres mosquitto benchmark screenshot demo-data clean

help:
	@echo "make run    — start carbonpeak on http://127.0.0.1:8000 with the synthetic demo data"
	@echo "make test   — lint and run every test on SQLite and PostgreSQL"

$(VENV)/.synced: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	uv sync --frozen --python $(PYTHON)
	@touch $@

deps: $(VENV)/.synced

# the web server, and beside it the MQTT listener of the energy management centre (stopped with it)
run: deps mosquitto
	$(BIN)/carbonpeak db migrate
	@$(BIN)/carbonpeak meters listen & listener=$$!; trap 'kill $$listener 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/carbonpeak run

# Debian packages for the page tests: Chromium and the Noto CJK fonts.
sysdeps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -q "Noto Sans CJK"; then \
	  echo "installing chromium and fonts-noto-cjk (apt)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

# The local PostgreSQL server: start it if it is down.
postgres:
	@if ! pg_isready -q -h 127.0.0.1 -p 5432; then \
	  echo "starting PostgreSQL"; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; \
	  for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	fi

# The local Mosquitto broker (meter readings over MQTT): start it if nothing listens on 1883.
mosquitto:
	@if ! (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null; then \
	  echo "starting Mosquitto"; \
	  mosquitto -d -c /etc/mosquitto/mosquitto.conf; \
	  for i in $$(seq 1 20); do (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null && break; sleep 0.5; done; \
	fi

lint: deps
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy

test-sqlite: deps sysdeps mosquitto
	env -u CARBONPEAK_DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

test-pg: deps sysdeps postgres mosquitto
	CARBONPEAK_DATABASE_URL=$(PG_URL) $(BIN)/pytest $(PYTEST_ARGS)

test: lint test-sqlite test-pg

benchmark: deps
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b; done

screenshot: deps sysdeps
	$(BIN)/python scripts/screenshot.py

demo-data:
	$(PYTHON) scripts/make_demo_data.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
