# Registrar developer commands (GNU make). Start with `make run` or `make test`.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# Written after a successful install; older than a requirements file means "install again".
INSTALLED := $(VENV)/.installed
REQUIREMENTS := $(wildcard requirements/*.in requirements/*.txt)

HOST ?= 127.0.0.1
PORT ?= 8000
# The demo worker runs every 15 s so the sandbox payment page reports back quickly;
# production runs `manage.py worker` on its default 5-minute interval (N5).
WORKER_INTERVAL ?= 15
URL := http://$(HOST):$(PORT)
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv install run test lint typecheck fmt vendor screenshots killstorm fuzz audit

help:
	@echo "make run    set up, load the demo data, start the web server and the worker (PORT=$(PORT))"
	@echo "make test   set up, run the test suite (SQLite; DATABASE_URL=postgres://... for PostgreSQL)"
	@echo "make lint   ruff check, ruff format --check and make typecheck"
	@echo "make typecheck   mypy with django-stubs (strict for the ledger's packages; pyproject.toml)"
	@echo "make fmt    ruff check --fix and ruff format"
	@echo "make venv   create .venv and install requirements/dev.in (again only when requirements change)"
	@echo "make screenshots   run the browser tests and write docs/screenshots/*.png"
	@echo "make vendor        fetch USWDS, htmx and axe-core from npm (versions in ui/vendor.json; UPDATE=1 after changing one)"
	@echo "make killstorm     SIGKILL 100 workers at random moments; nothing lost or done twice (KILLS=, REGISTRATIONS=)"
	@echo "make fuzz          Schemathesis over the whole API, FUZZ_EXAMPLES=1000 cases per operation (README)"
	@echo "make audit         pip-audit of the pinned versions (needs PyPI)"

$(BIN)/activate:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Registrar needs Python 3.11 or newer, found " + sys.version.split()[0] + ": run make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): $(BIN)/activate $(REQUIREMENTS)
	@echo "Installing requirements/dev.in into $(VENV) (pinned by requirements/constraints.txt)..."
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.in -c requirements/constraints.txt
	@touch $@

venv install: $(INSTALLED)

# The SQLite database, the test database and collected static files live in var/ (not in git).
var:
	@mkdir -p var

run: $(INSTALLED) | var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py load_demo
	@echo ""
	@echo "Registrar:        $(URL)/"
	@echo "Customer portal:  $(URL)/o/riverside/   (families: parker, nguyen, okafor, rivera, cohen, lee; My account: $(URL)/o/riverside/account/)"
	@echo "Office:           $(URL)/office/riverside/   (sign in as admin, frontdesk, manager or instructor: see the logins above)"
	@echo "  frontdesk: households, walk-up sale (to paid), take over carts, Pending, Occupancy"
	@echo "  manager:   the same without payments, plus delete holds and carts, enroll beyond capacity"
	@echo "  instructor: none of the desk (teach only); admin: everything, and Setup and Reports"
	@echo "Django admin:     $(URL)/admin/   (log in as admin)"
	@echo "API docs:         $(URL)/api/v1/docs"
	@echo "OpenAPI schema:   $(URL)/api/v1/openapi.json"
	@echo "Health, metrics:  $(URL)/health/ready   $(URL)/metrics"
	@echo "Starting the web server and the worker; Ctrl-C stops both."
	@echo ""
# Both run in the background of one shell, which waits until either exits or a signal comes,
# then stops the other. (Background jobs of a non-interactive shell ignore Ctrl-C themselves,
# hence the trap.)
	@trap 'kill $$web $$worker 2>/dev/null; wait; exit 130' INT TERM; \
	SITE_URL=$${SITE_URL:-$(URL)} $(PY) manage.py worker --interval $(WORKER_INTERVAL) & worker=$$!; \
	SITE_URL=$${SITE_URL:-$(URL)} $(PY) manage.py runserver --noreload $(HOST):$(PORT) & web=$$!; \
	while kill -0 $$web 2>/dev/null && kill -0 $$worker 2>/dev/null; do sleep 1; done; \
	kill -0 $$web 2>/dev/null || echo "The web server stopped; stopping the worker." >&2; \
	kill -0 $$worker 2>/dev/null || echo "The worker stopped; stopping the web server." >&2; \
	kill $$web $$worker 2>/dev/null; wait; exit 1

test: $(INSTALLED) | var
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# What it checks, and how strictly: [tool.mypy] in pyproject.toml.
typecheck: $(INSTALLED)
	$(BIN)/mypy

fmt: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The long kill storm (jobs/tests/test_kill_storm.py; the suite runs a short one): workers killed
# with SIGKILL at random moments while they delete due registrations and send their emails.
KILLS ?= 100
REGISTRATIONS ?= 100
killstorm: $(INSTALLED) | var
	KILLSTORM_KILLS=$(KILLS) KILLSTORM_REGISTRATIONS=$(REGISTRATIONS) $(BIN)/pytest -s -q jobs/tests/test_kill_storm.py $(PYTEST_ARGS)

# The long Schemathesis run (CI runs a short one): every operation, as a customer and as an
# administrator, FUZZ_EXAMPLES cases each, against gunicorn with DEBUG off (.ci/schemathesis).
FUZZ_EXAMPLES ?= 1000
FUZZ_PORT ?= 8541
fuzz: $(INSTALLED) | var
	.ci/schemathesis --max-examples $(FUZZ_EXAMPLES) --port $(FUZZ_PORT)

# Known vulnerabilities in the pinned versions (pip-audit in var/audit-venv, pinned by
# requirements/tools/audit.txt). Needs PyPI's JSON API: without it, says so and exits 2 (.ci/audit).
audit: | var
	@.ci/audit

# The browser tests with SCREENSHOTS=1: each test's screenshot() call writes
# docs/screenshots/<name>-desktop.png or -phone.png (Debian's chromium; see ui/testing/browser.py).
screenshots: $(INSTALLED) | var
	SCREENSHOTS=1 $(BIN)/pytest -m browser $(PYTEST_ARGS)

# The vendored front-end files (ui/static/ui/vendor/, ui/testing/vendor/) from the npm registry, at
# the versions in ui/vendor.json. Needs npm; CI never runs it (the files are committed).
vendor:
	$(PYTHON) -m ui.vendor $(if $(UPDATE),--update)
