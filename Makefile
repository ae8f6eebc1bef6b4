# `make TARGET` for those who have make: each target calls tasks.py, the one entry point
# that works on every OS (`py tasks.py TARGET` on Windows), so both do the same thing.
# `make` alone lists the targets.
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
TASKS = $(PYTHON) tasks.py --venv $(VENV)

# `make check` asks a question (is the exercise done?), so it runs in make's question mode
# (-q), where exit status 1 means "not yet" and make adds no error line of its own;
# QUESTION (`+`) runs the recipe in that mode. `make -n check` only shows it, as before.
ifeq ($(MAKECMDGOALS),check)
ifeq ($(findstring n,$(firstword -$(MAKEFLAGS))),)
MAKEFLAGS += -q
QUESTION := +
endif
endif

.PHONY: help install doctor services services-down services-status demo run reset mysql-shell dynamodb-items influx-points test practice check compose-cli bench lint format clean

help:
	@$(TASKS) help
install:
	@$(TASKS) install
doctor:
	@$(TASKS) doctor
services:
	@$(TASKS) services
services-down:
	@$(TASKS) services-down
services-status:
	@$(TASKS) services-status
demo:
	@$(TASKS) demo "$(or $(SECTION),all)" "$(PAUSE)"
run:
	@$(TASKS) run $(SCRIPT)
reset:
	@$(TASKS) reset
mysql-shell:
	@$(TASKS) mysql-shell
dynamodb-items:
	@$(TASKS) dynamodb-items
influx-points:
	@$(TASKS) influx-points
test:
	@$(TASKS) test
practice:
	@$(TASKS) practice
check:  # exit 1 while a test is TODO, without make's error line: see practice/check.mk
	$(QUESTION)@$(TASKS) check "$(EXERCISE)" "$(FILE)"
compose-cli:
	@$(TASKS) compose-cli
bench:
	@$(TASKS) bench $(BENCH_ARGS)
lint:
	@$(TASKS) lint
format:
	@$(TASKS) format
clean:
	@$(TASKS) clean
