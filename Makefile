# Two entry points: `make demo` and `make test`. Each installs what is missing first (idempotent).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install browser lint bench clean

demo: install
	$(BIN)/leakmap demo -o demo-output

test: install
	$(BIN)/python -m pytest

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
