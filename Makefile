# Two entry points: `make demo` and `make test`. Each installs what is missing first (idempotent).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NPM_TEST  := leakmap/tests/npm
NPM_STAMP := $(NPM_TEST)/node_modules/.installed

.PHONY: demo test install browser lint bench clean

demo: install
	$(BIN)/leakmap demo -o demo-output

test: install $(NPM_STAMP)
	$(BIN)/python -m pytest

# Test-only npm packages (reference data and real consent platforms for the test web).
$(NPM_STAMP): $(NPM_TEST)/package.json $(NPM_TEST)/package-lock.json
	npm ci --prefix $(NPM_TEST) --no-audit --no-fund --loglevel=error
	@touch $@

install: $(STAMP) browser

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

# A Chromium: Playwright's own if present, else the system one; installs Debian's as root.
browser: $(STAMP)
	@$(BIN)/python -m leakmap.crawler.browser --ensure

lint: install
	$(BIN)/ruff check leakmap bench

bench: install
	$(BIN)/python bench/crawl.py

clean:
	rm -rf $(VENV) demo-output .pytest_cache
