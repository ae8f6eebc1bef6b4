# `make check` inside an exercise's folder: each folder's Makefile includes this file.
# It checks that folder's exercise: `make check` (the starter) or `make check FILE=mine.py`.
# While a test is TODO the exit status is non-zero, without make's own error line (the
# report above it says what to do): make is ended by SIGPIPE, which shells do not report.
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))../..)
PYTHON ?= python3

.PHONY: check
check:
	@$(PYTHON) $(ROOT)/tasks.py --venv $(ROOT)/.venv check "" "$(FILE)" || kill -PIPE $$PPID
