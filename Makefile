# Cadenza: `make run` serves the demo studio; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi.py

.PHONY: run test test-postgres bench lint install install-dev system-deps clean

$(BIN)/activate: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(BIN)/activate

install: $(BIN)/activate

$(VENV)/.dev-installed: $(BIN)/activate requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.dev-installed

install-dev: $(VENV)/.dev-installed

# Browser tests drive Debian's chromium; PDF tests read invoices with poppler's pdftotext.
# Install whichever is missing.
system-deps:
	@missing=""; \
	  command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	  command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	  if [ -n "$$missing" ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	  fi

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	@echo "Cadenza on http://127.0.0.1:$(PORT)  (admin@demo.test / demo-password)"
	@trap 'kill 0' EXIT; \
	  $(BIN)/flask jobs worker & \
	  $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

test: install-dev system-deps
	$(BIN)/python -m pytest -n 2 --dist loadfile

test-postgres: install-dev system-deps
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
	  $(BIN)/python -m pytest -n 2 --dist loadfile

# Builds (once) the large demo studio under instance/bench/ and prints the timing table;
# BENCH_ARGS="--only calendar --repeat 5" narrows it. Results: bench/results/latest.md.
# The throughput runs need wrk (Debian package); installed when missing.
bench: install
	@command -v wrk >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: install-dev
	$(BIN)/ruff check app tests config.py wsgi.py

clean:
	rm -rf $(VENV) instance .pytest_cache
