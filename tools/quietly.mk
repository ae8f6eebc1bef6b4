# Included by the Makefiles: how every target ends a failure. The task has already said
# why in one line; make would add "make: *** [Makefile:NN: demo] Error 1" and exit 2.
# Each target asks a question (did the task succeed?), so make runs in its question mode
# (-q): there a recipe's status 1 means "not up to date", make's own status is 1, and make
# adds no line (GNU make's manual: "Instead of Executing Recipes"; measured with GNU Make
# 4.3). RUN (`+`) runs the recipe in that mode, and QUIETLY makes any failure status 1
# (a status 2 would bring make's line back). `make -n TARGET` only shows the command.
ifeq ($(findstring n,$(firstword -$(MAKEFLAGS))),)
MAKEFLAGS += -q
RUN := +
endif
QUIETLY := || exit 1
