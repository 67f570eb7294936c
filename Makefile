# The two commands: `make run` and `make test`. Everything they need, they install.
# The first Python 3.11 that can make a virtualenv, the distribution's own build first: Debian's
# python3.11 is compiled with profile-guided and link-time optimisation, which this project's consumers,
# services and benchmarks feel against a plain source build such as pyenv's (docs/performance.md).
PY ?= $(shell for p in /usr/bin/python3.11 python3.11 python3; do \
	command -v $$p >/dev/null && $$p -c 'import ensurepip' 2>/dev/null && { command -v $$p; break; }; done)
PY_REAL := $(shell $(PY) -c 'import os, sys; print(os.path.realpath(sys.executable))')
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell { cat pyproject.toml; echo $(PY_REAL); } | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=

.PHONY: install web run test lint tools test-unit test-e2e test-faults bench soak simulate publish clean

$(STAMP): pyproject.toml
	@test -n "$(PY_REAL)" || { echo "no Python 3.11 with venv found (Debian: apt-get install python3.11-venv)"; exit 1; }
	@# a virtualenv made by another interpreter is made anew
	@[ ! -x $(BIN)/python ] || [ "$$($(BIN)/python -c 'import os, sys; print(os.path.realpath(sys._base_executable))')" \
		= "$(PY_REAL)" ] || rm -rf $(VENV)
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

## run: migrate, start the broker, all services and consumers, seed demo data (Ctrl-C stops all)
run: install
	$(BIN)/python -m tools.devstack run

## web: the mobile web app's packages, build and unit tests (Vitest), and Debian's Chromium (with a CJK
## font for the screenshots) for the browser tests; without npm those are skipped, and said so
web: install
	@command -v chromium >/dev/null && fc-list :lang=zh | grep -q . || { [ "$$(id -u)" = 0 ] && { \
		apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && \
		apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null 2>&1; }; }; } || \
		echo "chromium not installed: the browser tests will be skipped"
	@if command -v npm >/dev/null; then cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build && \
		npx vitest run; else echo "npm not found: the web app's build, Vitest and browser tests are skipped"; fi

## test: the linters, then the whole suite against PostgreSQL (when reachable) and the bundled Kafka-compatible
## broker; the long fault runs are left to `make test-faults` so CI stays well under its time limit
test: install lint tools web
	$(BIN)/python -m pytest -m "not faults" $(PYTEST_ARGS)

## lint: ruff (pyflakes, pycodestyle, import order, bugbear) and mypy over all our Python; settings in pyproject.toml
LINTED := shared services tools bench tests
lint: install
	@# both run, so one pass shows everything; either failing fails the target
	@$(BIN)/ruff check $(LINTED); ruff=$$?; $(BIN)/mypy $(LINTED) && exit $$ruff

## tools: what tests/deploy run besides Python packages — promtool, from Debian's prometheus package
## (installed when missing and we are root; a fresh machine may have no package lists yet: update once)
tools:
	@command -v promtool >/dev/null || { [ "$$(id -u)" = 0 ] && { \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null 2>&1 || \
		{ apt-get update -qq >/dev/null 2>&1 && \
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null 2>&1; }; }; } || \
		echo "promtool not installed (not root?): the alert-rule checks are skipped"

test-unit: install tools
	$(BIN)/python -m pytest -m "not e2e and not faults" $(PYTEST_ARGS)

test-e2e: install
	$(BIN)/python -m pytest -m "e2e and not faults" $(PYTEST_ARGS)

## test-faults: the long fault runs (50,000 events, 30 s broker pause, PostgreSQL restart, every process on a host
## of its own in network namespaces, as root); restarts the local PostgreSQL
test-faults: install
	$(BIN)/python -m pytest -m faults $(PYTEST_ARGS)

clean:
	rm -rf var .pytest_cache

## simulate: a seeded core-banking stream into the running stack (make run first); ARGS="--customers 1000 --events 20000 --rate 1000"
simulate: install
	$(BIN)/python -m tools.simulator $(ARGS)

## publish: one core-banking event into the running stack, as core banking sends it (make run first):
## make publish EVENT=loan.due CIF=C000123 [ARGS='interest_due=9000.00 business_date=2026-12-01']
publish: install
	@test -n "$(EVENT)" -a -n "$(CIF)" || { echo "usage: make publish EVENT=loan.due CIF=C000123 [ARGS='key=value …']"; exit 2; }
	$(BIN)/python -m tools.publish $(EVENT) $(CIF) $(ARGS)

## bench: every benchmark in bench/ against the real stack; tables land in bench/results/
bench: install
	@# a fresh machine may have no package lists yet: update once if the first install finds nothing
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && { apt-get install -y -qq wrk >/dev/null 2>&1 || \
		{ apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq wrk >/dev/null 2>&1; }; }; } || \
		echo "wrk not installed: using the Python load generator (slower client, lower ceilings)"
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python -m bench.$$(basename $$script .py) || exit 1; done
