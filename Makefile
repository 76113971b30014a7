# Two commands from a fresh clone: `make build` and `make test`.
# Both create .venv and install the project first; nothing is installed by hand.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: build test test-perf check serve pdf bench clean lock

LOCK   := requirements.lock

# Every dependency, for the build and the tests, at the version requirements.lock names: a fresh clone
# and CI install the same versions. The project itself comes on top, without resolving anything again.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Resolve pyproject.toml's dependencies anew, in a scratch venv, and write their versions to requirements.lock.
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet -e '.[test]'
	printf '%s\n' '# Written by `make lock` from pyproject.toml: every dependency of the build and the tests, pinned.' > $(LOCK)
	.venv-lock/bin/python -m pip freeze --exclude-editable >> $(LOCK)
	rm -rf .venv-lock

build: $(STAMP)
	$(PY) build.py build

check: $(STAMP)
	$(PY) build.py check

serve: $(STAMP)
	$(PY) build.py serve

pdf: $(STAMP)
	$(PY) build.py pdf

# Timing bounds and the benchmark harness (marked perf) run apart: a loaded machine fails them for no fault.
test: $(STAMP)
	$(PY) -m pytest -n 2 -m "not perf"

test-perf: $(STAMP)
	$(PY) -m pytest -m perf

# Synthetic briefings of 100, 1,000 and 10,000 facts, every stage timed; figures to
# bench/results/latest.json and the README. Shorter: make bench BENCH_ARGS="--scales 4,40 --runs 1"
BENCH_ARGS ?=
bench: $(STAMP)
	$(PY) -m bench.run $(BENCH_ARGS)
	$(PY) -m bench.report --write README.md

clean:
	rm -rf site staging .site-* .pytest_cache .hypothesis
