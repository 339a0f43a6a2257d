# Two commands for a fresh machine with Python 3.11 and make:
#   make demo   -- the whole instructor cycle (and reports) end to end
#   make test   -- the whole test suite
# Both create .venv and install the project into it first, with the exact versions of
# requirements.lock (made by `make lock` from pyproject.toml's ranges).

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements.lock
# uv resolves the lock; it lives in a venv of its own so .venv holds exactly the lock and the project
UV_VERSION := 0.13.9
LOCK_TOOL  := .lock-tool
UV         := $(LOCK_TOOL)/bin/uv
LOCK_ARGS  = pyproject.toml --extra test --universal --python-version 3.11 -o $(LOCK)
UPGRADE ?=
PYTEST_ARGS ?=

.PHONY: demo test site venv lock chromium clean-generated benchmark coverage-study help

help:
	@echo "make demo   - create .venv, then run the instructor cycle end to end"
	@echo "make test   - create .venv, then run the whole test suite"
	@echo "make lock   - resolve pyproject.toml's ranges into $(LOCK) (exact versions; UPGRADE=1 for the newest)"
	@echo "make site   - build the course website (executed lectures) into site/"
	@echo "make benchmark - run the performance comparisons under benchmarks/"
	@echo "make coverage-study - do 95% intervals cover the simulator's true effects? (200 + 1,000 seeds, ~25 min)"

venv: $(STAMP)

$(STAMP): $(LOCK) pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11 or run 'make PYTHON=python3 ...'"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (CBEC Lab)" >/dev/null
	touch $(STAMP)

# Kept pins stay unless UPGRADE=1 (uv reads the old lock as its preferences).
lock: $(UV)
	$(UV) pip compile $(LOCK_ARGS) --custom-compile-command "make lock" --quiet $(if $(UPGRADE),--upgrade)
	@{ echo "# Exact versions of every package CBEC Lab installs (make demo / make test: pip install -r $(LOCK),"; \
	   echo "# then the project itself with pip install --no-deps -e .). Made by 'make lock' with uv $(UV_VERSION):"; \
	   echo "#   uv pip compile $(LOCK_ARGS)"; \
	   echo "# for Python 3.11 to 3.13 on Linux, macOS and Windows. Do not edit: change pyproject.toml, run 'make lock'."; \
	   cat $(LOCK); } > $(LOCK).tmp && mv $(LOCK).tmp $(LOCK)

$(LOCK):
	@echo "$(LOCK) is missing: run 'make lock' (it resolves pyproject.toml's ranges into exact versions)"; exit 2

$(UV):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11 or run 'make PYTHON=python3 ...'"; exit 2; }
	$(PYTHON) -m venv $(LOCK_TOOL)
	$(LOCK_TOOL)/bin/python -m pip install --quiet uv==$(UV_VERSION)

demo: $(STAMP)
	$(BIN)/cbec demo

test: $(STAMP) chromium
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

# The browser tests drive the system's Chromium (Playwright's own download is not used).
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || [ -n "$$CBEC_CHROMIUM" ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Chromium for the browser tests (apt-get install chromium)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The browser tests need Chromium: run 'sudo apt-get install chromium' (or set CBEC_CHROMIUM)"; exit 2; \
	  fi; }

site: $(STAMP)
	$(BIN)/cbec site

benchmark: $(STAMP)
	$(BIN)/python benchmarks/bench_simulator.py
	$(BIN)/python benchmarks/bench_reports.py
	$(BIN)/python benchmarks/bench_autograde.py
	$(BIN)/python benchmarks/bench_livestream.py --sizes 1e6,1e7,1e8
	$(BIN)/python benchmarks/bench_attribution.py
	$(BIN)/python benchmarks/bench_competition.py

coverage-study: $(STAMP)
	$(BIN)/python -m cbec.evaluation.coverage --seeds 200 --cluster-seeds 1000

clean-generated:
	rm -rf data/generated reports assignments/release assignments/submitted \
	       assignments/autograded assignments/feedback assignments/gradebook.db site build
