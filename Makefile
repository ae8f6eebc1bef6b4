# `make TARGET` for those who have make: each target calls tasks.py, the one entry point
# that works on every OS (`py tasks.py TARGET` on Windows), so both do the same thing.
# `make` alone lists the targets.
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
TASKS = $(PYTHON) tasks.py --venv $(VENV)

include tools/quietly.mk  # every target: a failure is status 1, without make's own line

.PHONY: help install doctor services services-down services-status demo run reset mysql-shell dynamodb-items influx-points test practice check compose-cli bench lint format clean

help:
	$(RUN)@$(TASKS) help $(QUIETLY)
install:
	$(RUN)@$(TASKS) install $(QUIETLY)
doctor:
	$(RUN)@$(TASKS) doctor $(QUIETLY)
services:
	$(RUN)@$(TASKS) services $(QUIETLY)
services-down:
	$(RUN)@$(TASKS) services-down $(QUIETLY)
services-status:
	$(RUN)@$(TASKS) services-status $(QUIETLY)
demo:
	$(RUN)@$(TASKS) demo "$(or $(SECTION),all)" "$(PAUSE)" $(QUIETLY)
run:
	$(RUN)@$(TASKS) run $(SCRIPT) $(QUIETLY)
reset:
	$(RUN)@$(TASKS) reset $(QUIETLY)
mysql-shell:
	$(RUN)@$(TASKS) mysql-shell $(QUIETLY)
dynamodb-items:
	$(RUN)@$(TASKS) dynamodb-items $(QUIETLY)
influx-points:
	$(RUN)@$(TASKS) influx-points $(QUIETLY)
test:
	$(RUN)@$(TASKS) test $(QUIETLY)
practice:
	$(RUN)@$(TASKS) practice $(QUIETLY)
check:
	$(RUN)@$(TASKS) check "$(EXERCISE)" "$(FILE)" $(QUIETLY)
compose-cli:
	$(RUN)@$(TASKS) compose-cli $(QUIETLY)
bench:
	$(RUN)@$(TASKS) bench $(BENCH_ARGS) $(QUIETLY)
lint:
	$(RUN)@$(TASKS) lint $(QUIETLY)
format:
	$(RUN)@$(TASKS) format $(QUIETLY)
clean:
	$(RUN)@$(TASKS) clean $(QUIETLY)
