# Every target creates .venv when it is missing and installs the package with its test extra
# (so `make run` installs the test tools too: one install serves every target).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench lint clean torch

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/quizapp $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

lint: $(STAMP)
	$(BIN)/python -m pip install --quiet ruff
	$(BIN)/ruff check quizapp solvers tests benchmarks

# Optional: PyTorch for the cross-check tests (not a required dependency; they are skipped without it).
# Pinned to 2.13.0: on this project's machines pip takes a CPU build of exactly that version from
# local disk. Elsewhere pip downloads the default build for your platform, which on Linux x86_64
# is a CUDA build of several GB; the tests run on the CPU either way.
torch: $(STAMP)
	$(BIN)/python -m pip install torch==2.13.0

clean:
	rm -rf $(VENV) build dist .pytest_cache
