# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000

.PHONY: run test install install-test browser lint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

## run: install, create the SQLite database, load demo data at Dortmund's size (once) and start the app
run: install
	$(BIN)/begleitservice db upgrade
	$(BIN)/begleitservice demo-data --if-empty --login demo@example.org --password Sonne-Tulpe-Kaffee-2026
	@echo ""
	@echo "  Anmelden unter http://localhost:$(PORT)  mit  demo@example.org / Sonne-Tulpe-Kaffee-2026"
	@echo ""
	$(BIN)/begleitservice run --port $(PORT)

## browser: the system Chromium and poppler for the browser and PDF tests (Debian/Ubuntu, as root or with sudo)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

## test: install what the tests need and run them (PostgreSQL too when TEST_DATABASE_URL is set)
test: install-test browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n 2 --dist loadgroup

lint: install-test
	$(BIN)/ruff check . && $(BIN)/ruff format --check .
