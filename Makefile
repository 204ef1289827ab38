# Two entry points: `make demo` and `make test`. Each installs what is missing first (idempotent).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NPM_TEST  := tests/npm
NPM_STAMP := $(NPM_TEST)/node_modules/.installed
TCF_CMP   := tests/web/cmp/dist/tcf-cmp.js
GPP_CMP   := tests/web/cmp/dist/gpp-cmp.js

.PHONY: demo test install setup test-cache redis lint bench clean

demo: install
	$(BIN)/leakmap demo -o demo-output

test: install $(NPM_STAMP) $(TCF_CMP) $(GPP_CMP) redis test-cache
	$(BIN)/python -m pytest -n 2 --dist loadfile --durations=15

# The suite's own leakmap cache (tests never read the user's): the consent engine installed there.
test-cache: $(STAMP)
	@LEAKMAP_CACHE=$(CURDIR)/.cache/test $(BIN)/leakmap setup >/dev/null

# The scale-out tests start a real Redis server (Debian package redis-server; installed as root).
redis:
	@command -v redis-server >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }; } || \
	  { echo "redis-server is missing: install it (Debian/Ubuntu: apt-get install redis-server)"; exit 1; }

# Test-only npm packages (reference data and real consent platforms for the test web).
$(NPM_STAMP): $(NPM_TEST)/package.json $(NPM_TEST)/package-lock.json
	npm ci --prefix $(NPM_TEST) --no-audit --no-fund --loglevel=error
	@touch $@

# The test web's CMPs (TCF, GPP): their sources and the IAB's packages bundled with esbuild (never committed).
$(TCF_CMP) $(GPP_CMP): $(NPM_STAMP) tests/web/cmp/tcf-cmp.mjs tests/web/cmp/gpp-cmp.mjs tests/web/cmp/vendor-list.json
	$(BIN)/python -m tests.web.cmp.build --force

install: $(STAMP) setup

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

# A Chromium (Playwright's own if present, else the system one; Debian's installed as root) and
# DuckDuckGo's autoconsent, pinned and integrity-checked, from npm into the user cache.
setup: $(STAMP)
	@$(BIN)/leakmap setup

lint: install
	$(BIN)/ruff check leakmap bench

bench: install
	$(BIN)/python bench/crawl.py

clean:
	rm -rf $(VENV) demo-output .pytest_cache
