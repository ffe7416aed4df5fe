# Two commands on a fresh machine with Python 3.11+:
#   make run    installs what it needs into .venv and opens PracticeRx on demo data
#   make test   installs what it needs into .venv and runs the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench clean

$(STAMP): pyproject.toml examples/practice-rx-south-leeds/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[postgres,test,ui]' -e examples/practice-rx-south-leeds
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/practice-rx --demo

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/worklist.py

clean:
	rm -rf $(VENV)
