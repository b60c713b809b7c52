# Two commands on a fresh clone: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
# PostgreSQL used by `make test-postgres` (trust auth on this machine's server).
POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/postgres

.PHONY: run serve test test-postgres lint format bench install install-dev assets db seed browser nginx fonts system-deps clean help i18n translations

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

# Leaflet plugins and Natural Earth outlines from the npm registry, exactly as locked.
assets/node_modules/.installed: assets/package.json assets/package-lock.json
	npm ci --prefix assets --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# The message catalogues (eventmap/translations/<lang>/LC_MESSAGES/messages.po) are compiled
# into .mo files here, never committed: every install has them, a clean clone included.
TRANSLATIONS := eventmap/translations
POT := $(TRANSLATIONS)/messages.pot
MO_FILES := $(patsubst %.po,%.mo,$(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po))

$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po | $(VENV)/.runtime
	$(BIN)/pybabel -q compile -i $< -o $@

translations: $(MO_FILES)  ## Compile the message catalogues (part of make run/make test)

# Extract every string marked in the code and templates, give each language of
# eventmap/languages.py a catalogue (new ones start empty), bring them up to date, compile.
i18n: $(VENV)/.runtime  ## Extract the strings into messages.pot, update every catalogue, compile them
	mkdir -p $(TRANSLATIONS)
	$(BIN)/pybabel -q extract -F babel.cfg -k lazy_gettext -k _l -k lazy_ngettext:1,2 \
	  --add-location=file --sort-output --project=eventmap -o $(POT) eventmap templates
	for lang in $$($(BIN)/python -c 'from eventmap.languages import DEFAULT, SUPPORTED; print(*(c for c in SUPPORTED if c != DEFAULT))'); do \
	  po=$(TRANSLATIONS)/$$lang/LC_MESSAGES/messages.po; \
	  test -f $$po || { $(BIN)/pybabel -q init -i $(POT) -d $(TRANSLATIONS) -l $$lang && sed -i '0,/^#, fuzzy$$/{/^#, fuzzy$$/d}' $$po; }; \
	done
	$(BIN)/pybabel -q update -i $(POT) -d $(TRANSLATIONS) --ignore-obsolete
	$(BIN)/pybabel compile -d $(TRANSLATIONS) --statistics

install: $(VENV)/.runtime assets/node_modules/.installed $(MO_FILES)  ## Create .venv, install runtime dependencies, front-end assets and compiled catalogues

install-dev: $(VENV)/.dev assets/node_modules/.installed $(MO_FILES)  ## Install the test and lint tools too

assets: assets/node_modules/.installed  ## Install the front-end files the app serves (npm ci)

db: install  ## Create or upgrade the database schema
	$(FLASK) db upgrade

seed: db  ## Import data/parties.csv (safe to repeat: unchanged rows are left alone)
	$(FLASK) import data/parties.csv

run: seed  ## Set everything up and serve on http://127.0.0.1:5000
	@echo "eventmap: serving on http://$(HOST):$(PORT) (Ctrl-C stops)"
	$(FLASK) run --host $(HOST) --port $(PORT)

serve: seed  ## Serve with gunicorn (threads per worker; settings in gunicorn.conf.py) on EVENTMAP_BIND
	$(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

test: install-dev  ## Set up and run the whole test suite (SQLite unless DATABASE_URL says otherwise)
	$(BIN)/python -m pytest

test-postgres: install-dev  ## Run the suite against PostgreSQL (each run makes and drops its own database)
	DATABASE_URL=$(POSTGRES_URL) $(BIN)/python -m pytest

lint: install-dev  ## Check style and common mistakes with ruff, and the import contracts
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check eventmap tests bench wsgi.py gunicorn.conf.py
	$(BIN)/ruff format --check eventmap tests bench wsgi.py gunicorn.conf.py

# The geocoding peer bench.geocoder compares ours with, apart from the app (requirements-peer.txt).
PEER_VENV := .venv-peer
$(PEER_VENV)/.installed: requirements-peer.txt
	$(PYTHON) -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/pip install --quiet -r requirements-peer.txt
	touch $@

bench: install-dev $(PEER_VENV)/.installed  ## Measure speed, memory and accuracy targets; writes docs/benchmarks.md
	$(BIN)/python -m bench.geocoder
	$(BIN)/python -m bench.map
	$(BIN)/python -m bench.nearby
	$(BIN)/python -m bench.backup
	$(BIN)/python -m bench.photos
	$(BIN)/python -m bench.memories
	BENCH_PAGES_WRITE=1 BENCH_PAGES_EVENTS=45 $(BIN)/python -m bench.pages
	BENCH_PAGES_WRITE=1 $(BIN)/python -m bench.pages
	BENCH_PAGES_WRITE=1 BENCH_PAGES_EVENTS=100000 $(BIN)/python -m bench.pages

format: install-dev  ## Rewrite files in the house style
	$(BIN)/ruff check --fix eventmap tests bench wsgi.py gunicorn.conf.py
	$(BIN)/ruff format eventmap tests bench wsgi.py gunicorn.conf.py

browser:  ## Install Debian's Chromium for the browser tests (needs root)
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }

# Debian starts a freshly installed nginx on port 80 where it can; the tests run their own.
nginx:  ## Install Debian's nginx for the reverse-proxy test (needs root; the nginx service is left stopped)
	@test -x /usr/sbin/nginx || { \
	  apt-get update -qq && apt-get install -y -qq nginx && \
	  if [ -d /run/systemd/system ]; then systemctl disable --now nginx.service; \
	  else invoke-rc.d nginx stop >/dev/null 2>&1 || true; fi; }

system-deps: browser nginx fonts wrk  ## Install the Debian packages the suite needs (Chromium, nginx, Noto fonts, wrk; needs root)

# Share cards draw titles in any script with these; without them cards still draw (boxes).
FONT_PACKAGES := fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji fonts-dejavu-core
fonts:  ## Install Debian's Noto fonts for the share cards (needs root)
	@dpkg -s $(FONT_PACKAGES) >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(FONT_PACKAGES); }

.PHONY: loadtest loadtest-short wrk
wrk:  ## Install Debian's wrk (4.1.0) for the load test (needs root)
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }

loadtest: install-dev wrk browser  ## Load test make serve: SQLite and PostgreSQL x 45, 10,000, 100,000 events (~40 min); writes docs/benchmarks.md
	POSTGRES_URL=$(POSTGRES_URL) $(BIN)/python -m bench.loadtest $(LOADTEST_ARGS)

loadtest-short: install-dev wrk  ## The CI form: 45 and 10,000 events, 3 s per endpoint (< 5 min); fails on any error or lost submission
	POSTGRES_URL=$(POSTGRES_URL) $(BIN)/python -m bench.loadtest --short $(LOADTEST_ARGS)

clean:  ## Remove the virtualenv and caches (keeps instance/ and its database)
	rm -rf $(VENV) $(PEER_VENV) .pytest_cache .ruff_cache
