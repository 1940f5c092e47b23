# Cadenza: `make run` serves the demo studio; `make test` runs every test.
# Links in emails point at the port `make run` serves unless PUBLIC_BASE_URL says otherwise.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi.py

.PHONY: run test test-postgres bench lint lock install install-dev system-deps clean

# Installs come from the lock files: every package, transitive ones included, pinned to the
# version CI tested and to the hashes of its files (pip refuses anything else).
$(BIN)/activate: requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# A venv's bundled pip may predate 23.3, which refuses a hashed lock whose packages ask
	# for a dependency's extras (weasyprint wants fonttools[woff]).
	$(BIN)/python -m pip install --quiet --upgrade 'pip>=24.2'
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $(BIN)/activate

install: $(BIN)/activate

$(VENV)/.dev-installed: $(BIN)/activate requirements-dev.lock
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
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
	  export PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://127.0.0.1:$(PORT)}; \
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

# ruff, the import contracts (.importlinter), bandit (.bandit.yml), then pip-audit over the dev lock (runtime packages included).
# pip-audit needs PyPI's per-release JSON API or OSV; where neither answers, the audit is
# skipped with a warning saying so (AUDIT_REQUIRED=1 makes that an error). A known
# vulnerability always fails.
lint: install-dev
	$(BIN)/ruff check app tests .ci config.py wsgi.py
	$(BIN)/lint-imports
	$(BIN)/bandit -q -c .bandit.yml -r app tests .ci config.py wsgi.py
	$(BIN)/python .ci/audit_dependencies.py requirements-dev.lock

# Regenerates the locks from the readable choices in requirements.txt and requirements-dev.txt,
# keeping every other pin where it is; LOCK_ARGS=--upgrade moves them all to the newest.
# The dev lock is resolved within the runtime lock, so both install the same runtime packages.
LOCK := $(BIN)/uv pip compile --quiet --generate-hashes --universal --python-version 3.11 \
	--custom-compile-command "make lock" $(LOCK_ARGS)
lock: install-dev
	$(LOCK) requirements.txt -o requirements.lock
	$(LOCK) requirements-dev.txt -c requirements.lock -o requirements-dev.lock

clean:
	rm -rf $(VENV) instance .pytest_cache
