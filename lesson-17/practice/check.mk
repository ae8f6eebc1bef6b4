# `make check` inside an exercise's folder: each folder's Makefile includes this file.
# It checks that folder's exercise: `make check` (the starter) or `make check FILE=mine.py`.
# While a test is TODO the exit status is 1, without make's own error line (the report
# above it says what to do), as for every target of the top Makefile: tools/quietly.mk.
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))../..)
PYTHON ?= python3
include $(ROOT)/tools/quietly.mk

.PHONY: check
check:
	$(RUN)@$(PYTHON) $(ROOT)/tasks.py --venv $(ROOT)/.venv check "" "$(FILE)" $(QUIETLY)
