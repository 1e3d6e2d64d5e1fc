# Two commands on a fresh machine with Python 3.11: `make run` and `make test`.
#   make run [PORT=8000]   the site under gunicorn (memorials/gunicorn.conf.py) with the mail sender beside it
#   make dev [PORT=8000]   Flask's development server (reloads on change), with the mail sender
#   make test              the test suite (installs the test tools first)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
# Links in mail and share tags follow the port unless SITE_URL is set (memorials/config.py reads PORT).
export PORT
SITE_STAMP := $(VENV)/.site-$(shell cat requirements.txt | cksum | cut -d' ' -f1)
TEST_STAMP := $(VENV)/.tests-$(shell cat requirements.txt tests/requirements.txt | cksum | cut -d' ' -f1)

.PHONY: install install-site translations messages run dev test init-db bench clean

# What the site needs to run, and nothing else.
install-site: $(SITE_STAMP)

# The site plus the test tools (pytest, aiosmtpd, selenium, hypothesis, axe-core).
install: $(TEST_STAMP)

$(SITE_STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.site-*
	touch $@

$(TEST_STAMP): $(SITE_STAMP) tests/requirements.txt
	$(BIN)/python -m pip install --quiet -r tests/requirements.txt
	rm -f $(VENV)/.tests-*
	touch $@

# The Spanish (and any other) catalogs, compiled for gettext: part of every set-up, never a manual step.
CATALOGS := $(wildcard memorials/translations/*/LC_MESSAGES/messages.po)
translations: $(CATALOGS:.po=.mo)

memorials/translations/%/LC_MESSAGES/messages.mo: memorials/translations/%/LC_MESSAGES/messages.po $(SITE_STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

# For translators: collect every message from the code and templates, and add the new ones to each catalog.
messages: install-site
	$(BIN)/pybabel -q extract -F memorials/translations/babel.cfg -k _l -k lazy_gettext -k ngettext_lazy:1,2 \
		--no-wrap --sort-by-file -o memorials/translations/messages.pot .
	$(BIN)/pybabel -q update --no-wrap --ignore-obsolete -i memorials/translations/messages.pot -d memorials/translations

init-db: install-site translations
	$(BIN)/flask --app app init-db

run: init-db
	$(BIN)/flask --app app deliver-mail & sender=$$!; trap 'kill $$sender' EXIT INT TERM; \
	$(BIN)/gunicorn -c memorials/gunicorn.conf.py --bind 127.0.0.1:$(PORT) app:app

dev: init-db
	$(BIN)/flask --app app deliver-mail & sender=$$!; trap 'kill $$sender' EXIT INT TERM; \
	$(BIN)/flask --app app run --debug --host 127.0.0.1 --port $(PORT)

# The suite in parallel (pytest-xdist), one database of each kind per worker; TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto
test: install init-db
	$(BIN)/python -m pytest -c tests/pytest.ini --rootdir . -n $(TEST_WORKERS) $(PYTEST_ARGS)

bench: install init-db
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache
