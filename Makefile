# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000

.PHONY: run test install install-test browser lint translations

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
	@command -v chromium >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium poppler-utils >/dev/null; }

## test: install what the tests need and run them (PostgreSQL too when TEST_DATABASE_URL is set)
test: install-test browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n 2 --dist loadgroup

lint: install-test
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

## translations: collect the strings marked with _() into translations/messages.pot, merge them into the
## catalogues (translations/<lang>/LC_MESSAGES/messages.po) and compile the .mo files the app reads (committed;
## tests/app/test_translations.py fails when a .mo is older than its .po or a volunteer's string is untranslated)
LOCALES := tr en ru pl ar
translations: install
	$(BIN)/pybabel -q extract -F babel.cfg -k lazy_gettext -k _l -k lazy_ngettext:1,2 --add-location=file \
	  --sort-by-file --no-wrap --omit-header -o translations/messages.pot .
	for l in $(LOCALES); do \
	  [ -f translations/$$l/LC_MESSAGES/messages.po ] || \
	    $(BIN)/pybabel -q init -i translations/messages.pot -d translations -l $$l --no-wrap; \
	  $(BIN)/pybabel -q update -i translations/messages.pot -d translations -l $$l --no-wrap \
	    --ignore-obsolete --no-fuzzy-matching; \
	done
	$(BIN)/pybabel -q compile -d translations --statistics
