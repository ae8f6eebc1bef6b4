# `make check` inside an exercise's folder: each folder's Makefile includes this file.
# It checks that folder's exercise: `make check` (the starter) or `make check FILE=mine.py`.
# While a test is TODO the exit status is 1, without make's own error line (the report
# above it says what to do): `make check` asks a question, so it runs in make's question
# mode (-q), where status 1 means "not up to date" and make says nothing more;
# QUESTION (`+`) runs the recipe in that mode. `make -n check` only shows it.
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))../..)
PYTHON ?= python3
ifeq ($(MAKECMDGOALS),check)
ifeq ($(findstring n,$(firstword -$(MAKEFLAGS))),)
MAKEFLAGS += -q
QUESTION := +
endif
endif

.PHONY: check
check:
	$(QUESTION)@$(PYTHON) $(ROOT)/tasks.py --venv $(ROOT)/.venv check "" "$(FILE)"
