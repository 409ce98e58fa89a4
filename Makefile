# Détente — build/test wrapper around uv. See pyproject.toml for dependencies.
#
#   make setup       create/refresh .venv from uv.lock (bootstraps uv into .tools/ if needed)
#   make test        fast suite (not slow) + doctests of src/detente, 2 xdist workers;
#                    make test PYTEST_ARGS="-k foo"
#   make test-slow   only tests marked slow
#   make lint        ruff + mypy
#   make analyze     report on the seed scenario -> report.html
#   make bench       benchmark record: engine, sweep, analyses -> bench/results/*.json, vs targets

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test
MAKEFLAGS += --no-print-directory

# The system interpreter (3.11): uv must never try to download a Python build.
PYTHON ?= python3
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON_PREFERENCE := only-system
export UV_NO_PROGRESS := 1
# Byte-compile every installed module at install time (and detente's own sources in `setup`):
# with PYTHONDONTWRITEBYTECODE set, as on many CI machines and shells, Python would otherwise
# recompile each module from source on every run (the Prisoner's Dilemma: 1.0 s of CPU
# instead of 0.4 s). Existing .pyc files are still read when that variable is set.
export UV_COMPILE_BYTECODE := 1

UV_VERSION ?= 0.13.9
UV_LOCAL := $(CURDIR)/.tools/uv/bin/uv
UV ?= $(shell command -v uv 2>/dev/null || echo $(UV_LOCAL))

VENV := .venv
VPY := $(VENV)/bin/python
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: setup vendor test test-slow lint analyze bench clean

# Bootstrap uv with pip into .tools/uv when it is not on PATH.
$(UV_LOCAL):
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target .tools/uv "uv==$(UV_VERSION)"
	@test -x $@

# `uv sync --locked` is a ~0.1 s no-op when .venv already matches uv.lock.
setup: $(UV)
	$(UV) sync --locked --all-extras --group dev --python $(PYTHON)
	@$(VPY) -m compileall -q -j 0 src/detente >/dev/null
	@$(MAKE) vendor

# Browser libraries of the web workspace (cytoscape, dagre; swagger-ui-dist for /docs) from
# npm, copied into the static folder (gitignored), never loaded from a CDN. Skipped with a
# note when npm is missing: the graph view and /docs then say so (/openapi.json still works).
VENDOR := src/detente/web/static/vendor
vendor:
	@if ! command -v npm >/dev/null 2>&1; then \
	  echo "note: npm not found; the web state graph and the /docs API browser will be unavailable (skipping vendor JS)"; \
	elif [ -f $(VENDOR)/.stamp ] && [ $(VENDOR)/.stamp -nt package-lock.json ] \
	     && [ -f $(VENDOR)/LICENSE-dagre.txt ] && [ -f $(VENDOR)/swagger-ui-bundle.js ]; then :; \
	else \
	  npm ci --no-audit --no-fund --loglevel=error && mkdir -p $(VENDOR) && \
	  cp node_modules/cytoscape/dist/cytoscape.min.js node_modules/dagre/dist/dagre.min.js \
	     node_modules/cytoscape-dagre/cytoscape-dagre.js \
	     node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
	     $(VENDOR)/ && \
	  for p in cytoscape dagre cytoscape-dagre swagger-ui-dist; do \
	    cp node_modules/$$p/LICENSE $(VENDOR)/LICENSE-$$p.txt; done && touch $(VENDOR)/.stamp \
	  || echo "note: npm ci failed; the web state graph and /docs will be unavailable"; \
	fi

# pytest exits 5 when it ran no test: that is a failure here too.
define run_pytest
	@echo '+ $(VPY) -m pytest $(1)'
	@rc=0; $(VPY) -m pytest $(1) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "error: pytest ran no tests (exit 5)" >&2; fi; \
	exit $$rc
endef

# Doctests: every example in a docstring of src/detente runs (--doctest-modules).
test: setup
	$(call run_pytest,-q -m "not slow" -n $(PYTEST_WORKERS) $(PYTEST_ARGS) tests --doctest-modules src/detente)

test-slow: setup
	$(call run_pytest,-q -m slow $(PYTEST_ARGS) tests)

lint: setup
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy src

analyze: setup
	$(VENV)/bin/detente report scenarios/korea-2015.yaml -o report.html

# BENCH_ARGS: e.g. --big (24 options), --skip-dense, --only sweep (see bench/run_all.py)
bench: setup
	$(VPY) bench/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .tools .pytest_cache .mypy_cache .ruff_cache build dist report.html
