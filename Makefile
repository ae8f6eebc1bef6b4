# One entry point for students, instructors and CI. `make` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The service manager runs in .venv (PyMySQL and python-dotenv, as the lesson): every
# target that uses it installs first, except `services-down` and `clean`, which take
# the system Python when .venv is gone.
VENV_OR_SYSTEM = $(if $(wildcard $(PY)),$(PY),$(PYTHON))
SERVICES = $(VENV_OR_SYSTEM) tools/services/services.py
LOOK = $(PY) tools/services/look.py
# Every lesson script, in lesson order, as `make demo` runs them.
DEMO := 01/main.py 02/main.py 03/main.py 04/main.py 05/write.py 05/query.py 05/plot.py \
	03/pool.py 03/migrate.py 03/advanced_queries.py 04/advanced_operations.py \
	04/concurrency.py 03/connections.py 03/error_handling.py 03/query_optimisation.py \
	03/indexing.py 03/batching.py 04/indexes.py 05/downsample.py \
	03/pitfall_unclosed.py 03/pitfall_error_handling.py 03/pitfall_credentials.py \
	03/pitfall_transactions.py 03/pitfall_schema.py 03/pitfall_no_pool.py \
	05/pitfall_unclosed_writer.py 01/pitfall_sql_injection.py

.PHONY: help install doctor practice check reset mysql-shell dynamodb-items influx-points services services-down services-status compose-cli demo test bench lint format clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

install: ## create .venv (PYTHON=python3.x to choose), install requirements.txt, create .env
	@$(PYTHON) tools/install.py --venv $(VENV)
	@test -f .env || { cp .env.example .env && echo "install: created .env from .env.example"; }

doctor: ## when something is wrong: check Python, .venv, .env, ports and servers, say the fix
	@$(PYTHON) tools/doctor.py --venv $(VENV)

services: install ## start MySQL, DynamoDB Local and InfluxDB (Docker if present, else natively)
	$(SERVICES) up

services-down: ## stop the servers that `make services` started
	$(SERVICES) down

services-status: install ## show whether each server is reachable with the .env settings
	$(SERVICES) status

demo: install services ## run every lesson script in order, as a student would (SECTION=03: one section)
	@ran=0; for script in $(DEMO); do \
	  dir=$${script%/*}; file=$${script#*/}; \
	  if [ -n "$(SECTION)" ] && [ "$$dir" != "$(SECTION)" ]; then continue; fi; \
	  ran=$$((ran + 1)); \
	  printf '\n=== lesson-17/%s: cd lesson-17/%s && python3 %s\n' "$$script" "$$dir" "$$file"; \
	  (cd lesson-17/$$dir && PATH="$(CURDIR)/$(VENV)/bin:$$PATH" python3 $$file) || exit 1; \
	done; \
	if [ $$ran = 0 ]; then echo "error: no section '$(SECTION)': choose 01, 02, 03, 04 or 05" >&2; exit 2; fi

reset: install ## empty the lesson's databases, tables and buckets, as a fresh `make services` has them
	$(SERVICES) reset

mysql-shell: install ## the MySQL (MariaDB) command-line client, logged in with the .env settings
	@$(LOOK) mysql

dynamodb-items: install ## list DynamoDB Local's tables and the first items of each
	@$(LOOK) dynamodb

influx-points: install ## the newest points of the lesson's InfluxDB bucket
	@$(LOOK) influxdb

test: install services compose-cli ## run every script end to end against the real servers (pytest)
	$(PY) -m pytest

practice: install services ## every practice exercise: its solution passes, its starter fails
	$(PY) tools/practice.py verify

check: install services ## check your practice work: make check EXERCISE=3 [FILE=path/to/mine.py]
	@test -n "$(EXERCISE)" || { echo "error: say which exercise: make check EXERCISE=1 (1 to 6)"; exit 2; }
	@$(PY) tools/practice.py check $(EXERCISE) $(FILE)

compose-cli: ## find `docker compose`, or build the same Compose once (the tests validate with it)
	@python3 tools/services/compose_cli.py >/dev/null

bench: install services ## the performance chapter measured: ratios, a table, benchmarks/results/bench.png
	$(PY) benchmarks/bench.py $(BENCH_ARGS)

lint: install ## ruff check, ruff format --check, and actionlint on the GitHub workflows
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@$(PY) tools/actionlint.py

format: install ## apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean: ## stop the servers, remove .venv and the servers' data (Docker volumes too); keeps .env
	-$(SERVICES) down --volumes
	rm -rf $(VENV) .services .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
