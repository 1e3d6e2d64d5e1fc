# Two commands on a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt tests/requirements.txt | cksum | cut -d' ' -f1)

.PHONY: install run test init-db bench clean

install: $(STAMP)

$(STAMP): requirements.txt tests/requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r tests/requirements.txt
	rm -f $(VENV)/.installed-*
	touch $@

init-db: install
	$(BIN)/flask --app app init-db

run: init-db
	$(BIN)/flask --app app deliver-mail & sender=$$!; trap 'kill $$sender' EXIT INT TERM; \
	$(BIN)/flask --app app run --host 127.0.0.1 --port 5000

test: init-db
	$(BIN)/python -m pytest -c tests/pytest.ini --rootdir . $(PYTEST_ARGS)

bench: init-db
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache
