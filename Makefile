# motcua: `make run` and `make test` do everything on a fresh machine.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
PORT ?= 8000
HTMX := node_modules/htmx.org/dist/htmx.min.js
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.DEFAULT_GOAL := help
.PHONY: help setup run test lint format translations-extract translations-update \
	translations-compile load-national bench clean browser-tools

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-22s %s\n", $$1, $$2}'

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/activate requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

static/vendor/htmx.min.js: node_modules/.package-lock.json
	mkdir -p static/vendor
	cp $(HTMX) $@

setup: $(VENV)/.installed static/vendor/htmx.min.js translations-compile ## Install, migrate, load data (idempotent)
	$(FLASK) db upgrade
	$(FLASK) data load

run: setup ## Set up, then serve on http://127.0.0.1:$(PORT) with gunicorn
	PORT=$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py 'app:create_app()'

test: $(VENV)/.installed static/vendor/htmx.min.js translations-compile browser-tools ## Lint, then the whole test suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest $(PYTEST_ARGS)

# The browser tests drive Debian's Chromium (never a downloaded one) and check HTML with the
# Nu Html Checker, which runs on Java. Both come from Debian's packages when missing.
$(CHROMIUM):
	$(SUDO) apt-get install -y chromium || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }

browser-tools: $(CHROMIUM) node_modules/.package-lock.json ## Chromium and Java for the browser tests (apt-get)
	@command -v java >/dev/null || $(SUDO) apt-get install -y default-jre-headless

lint: $(VENV)/.installed ## ruff lint and format check, mypy on domain/, services/, models/
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.installed ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

translations-extract: $(VENV)/.installed ## Collect gettext strings into translations/messages.pot
	PYTHONPATH=. $(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k N_ --no-location --sort-output \
		--ignore-dirs='.* node_modules tests bench' \
		-o translations/messages.pot .

translations-update: translations-extract ## Merge new strings into every language's .po
	$(BIN)/pybabel -q update -i translations/messages.pot -d translations --no-fuzzy-matching \
		--ignore-obsolete --ignore-pot-creation-date
	$(BIN)/python -m tools.source_catalog translations/vi/LC_MESSAGES/messages.po

translations-compile: $(VENV)/.installed ## Compile .po into .mo (done by setup and test)
	$(BIN)/pybabel -q compile -d translations

load-national: setup ## Add the whole national catalogue (5,670 procedures) for full-scale search
	$(FLASK) data load-national

bench: setup browser-tools ## Run the speed benchmarks in bench/
	$(BIN)/python bench/search.py
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/slow_network.py

clean: ## Remove what setup built (keeps instance/ and its database)
	rm -rf $(VENV) node_modules static/vendor
	find translations -name '*.mo' -delete
