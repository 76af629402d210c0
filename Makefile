# Two entry points a fresh machine needs: `make demo` and `make test`.
# Each creates .venv with the interpreter in $(PYTHON) and installs what it needs itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CUSTOMERS ?= 10000
SEED ?= 42
OUT ?= out/demo

.PHONY: demo test lint typecheck docs bench-smoke bench install clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/bankcrm demo --customers $(CUSTOMERS) --seed $(SEED) --out $(OUT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

docs: $(STAMP)
	$(BIN)/mkdocs build --strict --quiet --site-dir site

bench-smoke: $(STAMP)
	$(BIN)/python -m benchmarks --smoke

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# Static checks and the benchmark smoke run first, the test suite last so that its summary
# closes the output.
test: lint typecheck docs bench-smoke
	CI=1 $(BIN)/pytest -q

clean:
	rm -rf $(VENV) site out .pytest_cache .mypy_cache .ruff_cache .hypothesis
