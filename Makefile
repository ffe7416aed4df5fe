# Two commands on a fresh machine with Python 3.11+:
#   make run    installs what it needs into .venv and opens PracticeRx on demo data
#   make test   installs what it needs into .venv and runs the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench mutation mutation-domain clean wheel-check bundle bundle-check

$(STAMP): pyproject.toml examples/practice-rx-south-leeds/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[postgres,test,ui]' -e examples/practice-rx-south-leeds
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/practice-rx --demo

test: $(STAMP)
	$(BIN)/python -m pytest

# What a practice installs (docs/install.md): the wheel, checked installed in a new venv,
# and the PyInstaller folder dist/practice-rx/ (BUNDLE_PLUGINS="dist-name ...": area
# plugins built in), checked offscreen. Neither needs make on the practice's PC.
PACKAGING := $(VENV)/.packaging
BUNDLE_PLUGINS ?=
export BUNDLE_PLUGINS

$(PACKAGING): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[packaging]'
	touch $(PACKAGING)

wheel-check: $(PACKAGING)
	$(BIN)/python scripts/check_install.py wheel

bundle: $(PACKAGING)
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
	  packaging/practice-rx.spec

bundle-check: bundle
	$(BIN)/python scripts/check_install.py bundle dist/practice-rx

bench: $(STAMP)
	$(BIN)/python bench/worklist.py

# Mutation testing (docs/testing.md): every rule that protects a patient or a record must be
# held by a test on its own. mutmut changes the code one small edit at a time and reruns the
# tests that reach it; scripts/mutation.py prints the kill rate per area and fails
# under the targets (95% domain, 90% services). SQLite only, two workers: the machine is shared.
MUTMUT_ENV := PRACTICE_RX_TEST_BACKENDS=sqlite QT_QPA_PLATFORM=offscreen
MUTMUT_JOBS ?= 2

mutation: $(STAMP)
	$(MUTMUT_ENV) $(BIN)/python scripts/mutation.py run --max-children $(MUTMUT_JOBS)
	$(BIN)/python scripts/mutate_tables.py
	$(BIN)/python scripts/mutation.py report

mutation-domain: $(STAMP)
	$(MUTMUT_ENV) $(BIN)/python scripts/mutation.py run domain --max-children $(MUTMUT_JOBS)
	$(BIN)/python scripts/mutate_tables.py
	$(BIN)/python scripts/mutation.py report --area domain

clean:
	rm -rf $(VENV) build dist mutants mutants-*
