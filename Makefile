# Goodword: `make run` serves the site on http://127.0.0.1:8000, `make test` runs every test.
# Everything runs from the project's own virtualenv (.venv), created on first use.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Touched after a successful `pip install -e '.[dev]'`: reinstall only when pyproject.toml
# is newer than the last install.
INSTALLED := $(VENV)/.installed
# One marker per database (DATABASE_URL, or the default SQLite file): demo data is
# created on the first `make run` against it, never again (use `make seed` for that).
DB_KEY := $(shell printf '%s' "$$DATABASE_URL" | md5sum | cut -c1-12)
SEEDED := $(VENV)/.seeded-$(DB_KEY)
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# The browser tests drive Debian's Chromium (tests/browser/conftest.py reads CHROMIUM_PATH too).
CHROMIUM_PATH ?= /usr/bin/chromium

.PHONY: help venv run test lint format bench messages translations migrate seed chromium \
	clean distclean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "} {printf "  make %-13s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' || { \
		echo "error: Goodword needs Python 3.11; run make PYTHON=/path/to/python3.11 ..." >&2; \
		exit 1; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "error: could not create $(VENV); on Debian: apt-get install python3-venv" >&2; \
		exit 1; }

$(INSTALLED): pyproject.toml | $(BIN)/python
	@echo "Installing Goodword and its dependencies into $(VENV) (pyproject.toml changed)"
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

venv: $(INSTALLED) ## Create .venv and install the project with its dev tools

translations: venv ## Compile locale/*/LC_MESSAGES/*.po to .mo (no GNU gettext needed)
	$(BIN)/python manage.py compile_translations

messages: venv ## Extract messages into locale/{en,zh_Hans} (needs GNU gettext)
	@command -v xgettext >/dev/null || { \
		echo "error: make messages needs GNU gettext: apt-get install gettext" >&2; exit 1; }
	@mkdir -p locale
	$(BIN)/python manage.py makemessages --locale=en --locale=zh_Hans \
		--ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=media \
		--ignore=test-results --ignore=tests --ignore=bench

migrate: venv ## Apply database migrations
	$(BIN)/python manage.py migrate --noinput

seed: venv ## Create (or complete) the demo data; safe to run again
	$(BIN)/python manage.py seed_demo
	@touch $(SEEDED)

run: venv translations ## Migrate, seed demo data on first run, serve http://127.0.0.1:8000
	@set -e; first_run=no; \
	if [ ! -f $(SEEDED) ] || { [ -z "$$DATABASE_URL" ] && [ ! -f db.sqlite3 ]; }; then \
		first_run=yes; \
	fi; \
	echo "$(BIN)/python manage.py migrate --noinput"; \
	$(BIN)/python manage.py migrate --noinput; \
	if [ $$first_run = yes ]; then \
		echo "First run on this database: creating demo data (manage.py seed_demo)"; \
		$(BIN)/python manage.py seed_demo; \
		touch $(SEEDED); \
	fi
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

chromium: ## Make sure Debian's Chromium is there for the browser tests
	@if [ ! -x "$(CHROMIUM_PATH)" ]; then \
		if [ "$(CHROMIUM_PATH)" = /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] \
				&& command -v apt-get >/dev/null; then \
			echo "Installing Debian's chromium for the browser tests"; \
			apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk; \
		else \
			echo "error: the browser tests need Chromium at $(CHROMIUM_PATH), and it is missing." >&2; \
			echo "       As root: apt-get install chromium fonts-noto-cjk (or set CHROMIUM_PATH)" >&2; \
			exit 1; \
		fi; \
	fi

test: venv translations chromium ## Run the tests; extra pytest args: make test PYTEST_ARGS="-k foo"
	$(BIN)/pytest $(PYTEST_ARGS)

lint: venv ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv ## Fix what ruff can and format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: venv ## Run the benchmarks (each prints a ratio against its baseline)
	$(BIN)/python -m bench.photo_processing
	$(BIN)/python -m bench.product_page
	$(BIN)/python -m bench.club_feed
	$(BIN)/python -m bench.qa
	$(BIN)/python -m bench.reputation
	$(BIN)/python -m bench.search --reviews 100000
	$(BIN)/python -m bench.chat_fanout

clean: ## Remove build output and caches (keeps .venv, the database and media)
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -path ./$(VENV) -prune -o -path '*/locale/*/LC_MESSAGES/*.mo' -type f -exec rm -f {} +
	rm -rf staticfiles test-results .pytest_cache .ruff_cache bench/.data

distclean: clean ## Also remove .venv, the SQLite database and uploaded media
	rm -rf $(VENV) media db.sqlite3 db.sqlite3-wal db.sqlite3-shm
