# Two commands for a fresh machine with Python 3.11 and make:
#   make demo   -- the whole instructor cycle (and reports) end to end
#   make test   -- the whole test suite
# Both create .venv and install the project into it first.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: demo test site venv chromium clean-generated benchmark coverage-study help

help:
	@echo "make demo   - create .venv, then run the instructor cycle end to end"
	@echo "make test   - create .venv, then run the whole test suite"
	@echo "make site   - build the course website (executed lectures) into site/"
	@echo "make benchmark - run the performance comparisons under benchmarks/"
	@echo "make coverage-study - do 95% intervals cover the simulator's true effects? (200 seeds)"

venv: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11 or run 'make PYTHON=python3 ...'"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (CBEC Lab)" >/dev/null
	touch $(STAMP)

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
	$(BIN)/python -m cbec.evaluation.coverage --seeds 200

clean-generated:
	rm -rf data/generated reports assignments/release assignments/submitted \
	       assignments/autograded assignments/feedback assignments/gradebook.db site build
