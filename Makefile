# Two commands from a fresh clone: `make build` and `make test`.
# Both create .venv and install the project first; nothing is installed by hand.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: build test check serve pdf bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

build: $(STAMP)
	$(PY) build.py build

check: $(STAMP)
	$(PY) build.py check

serve: $(STAMP)
	$(PY) build.py serve

pdf: $(STAMP)
	$(PY) build.py pdf

test: $(STAMP)
	$(PY) -m pytest

# Synthetic briefings of 100, 1,000 and 10,000 facts, every stage timed; figures to
# bench/results/latest.json and the README. Shorter: make bench BENCH_ARGS="--scales 4,40 --runs 1"
BENCH_ARGS ?=
bench: $(STAMP)
	$(PY) -m bench.run $(BENCH_ARGS)
	$(PY) -m bench.report --write README.md

clean:
	rm -rf site staging .site-* .pytest_cache .hypothesis
