# Two commands for a fresh clone (Python 3.11 on PATH as python3.11 or python3):
#   make book   create .venv if needed, install, build the HTML book into _build/html (English)
#               and _build/html/ko (Korean, from the catalogs in locales/ko)
#               (make book EDITION=cohort: the instructors' edition without solution blocks,
#               into _build/cohort/_build/html)
#   make test   create .venv if needed, install, lint (ruff, mypy), run every test (the book build included)
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JOBS ?= 2
# reader (the default: solutions in closed blocks) or cohort (no solution blocks at all)
EDITION ?= reader
BOOK_OUTPUT := $(if $(filter cohort,$(EDITION)),--path-output _build/cohort,)
# Real datasets come from a read-only local mirror when one sits beside the project (as
# ../shared/data does on the course's machines); otherwise the loaders download and cache them.
ifneq ($(wildcard ../shared/data),)
export COURSE_DATA_MIRROR ?= $(abspath ../shared/data)
endif

.PHONY: book test install system-deps lint release clean help
help:
	@sed -n '1,5p' Makefile

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), f"Python 3.11 is required, found {sys.version.split()[0]} at {sys.executable}"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(STAMP) system-deps

# Debian packages the tests use (a browser, fonts with Hangul, a sandbox). Installed only when
# missing and only where apt-get exists and we are root (CI is); elsewhere the tests that need
# them say what to install.
system-deps:
	@bash .ci/system-deps

# One build of _build/ at a time, sharing the tests' lock (tests/book_site.py); util-linux's
# flock is on every Linux, and without it (macOS) the build simply runs unlocked.
BOOK_LOCK := $(if $(shell command -v flock),flock _build/.book-build.lock,)
book: $(STAMP) system-deps
	mkdir -p _build
	COURSE_EDITION=$(EDITION) $(BOOK_LOCK) $(BIN)/jupyter-book build . $(BOOK_OUTPUT) --warningiserror --nitpick --keep-going
	COURSE_EDITION=$(EDITION) $(BOOK_LOCK) $(BIN)/course translations build $(BOOK_OUTPUT)

test: install lint
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile

# ruff and mypy on the two packages (seconds once mypy's cache, .mypy_cache, exists)
lint: $(STAMP)
	$(BIN)/ruff check course_lib course_tools
	$(BIN)/mypy course_lib course_tools

release: $(STAMP)
	$(BIN)/course release

clean:
	rm -rf _build .pytest_cache
