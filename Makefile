# Two commands on a fresh Debian machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
TEST_STAMP := $(VENV)/.installed-test-stamp

.PHONY: demo test lint typecheck pytest system-deps bench lock clean test-durations

$(STAMP): pyproject.toml requirements/lock.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements/lock.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	# byte-compile now: with PYTHONDONTWRITEBYTECODE set, every command would recompile its imports
	$(BIN)/python -m compileall -q src
	touch $(STAMP)

# the tests also need the `spark` extra (PySpark, ~450 MB), which `make demo` does not. PyPI
# has no PySpark wheel: an online install builds it from source (~17 s) every time, since uv
# revalidates the source and cannot reuse its earlier build; so the build uv cached, when there
# is one, is installed first without the network, and only failing that (a fresh machine,
# an empty cache: it fails in a second, changing nothing) the online install runs
$(TEST_STAMP): $(STAMP) requirements/lock-spark.txt
	$(BIN)/uv pip install --offline --quiet --compile-bytecode --python $(BIN)/python \
	  -r requirements/lock-spark.txt 2>/dev/null \
	|| $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python \
	  -r requirements/lock-spark.txt
	touch $(TEST_STAMP)

## demo: install, generate the synthetic demo data, load it and print the summary
demo: $(STAMP)
	$(BIN)/digex demo

## test: lint, type-check and run the whole test suite (what CI runs); mypy runs beside the
## tests (two jobs: pytest mostly keeps one core busy), each one's output printed whole
test: $(TEST_STAMP)
	$(MAKE) --no-print-directory -j2 --output-sync=target lint typecheck pytest

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests scripts bench
	$(BIN)/ruff format --check src tests scripts bench

typecheck: $(TEST_STAMP)
	$(BIN)/mypy --strict src

## system-deps: Debian packages the tests use (PostgreSQL); a no-op when present
system-deps:
	bash scripts/system-deps.sh

# what the tests keep for a reader (e.g. the Arabic chart as drawn): test-artefacts/
# every test: the slow, PostgreSQL and Spark ones too (plain `pytest` leaves them out), on two
# pytest-xdist workers (pyproject's addopts); a file's tests run on one worker (its module
# fixtures built once, one JVM for the Spark file), the files handed out in the order
# tests/conftest.py's hand_out_order gives (no worker waiting on the other's demo store, then
# longest first)
pytest: $(TEST_STAMP) system-deps
	DIGEX_TEST_ARTEFACTS=$${DIGEX_TEST_ARTEFACTS:-$(CURDIR)/test-artefacts} $(BIN)/pytest -m ""

## test-durations: run every test and record each file's time in tests/durations.json (the
## order `make test` hands files to its two workers, longest first); commit the result
test-durations: $(TEST_STAMP) system-deps
	DIGEX_RECORD_DURATIONS=1 $(BIN)/pytest -m "" -q

## bench: the performance benchmark (not part of `make test`): digex and the alternatives side by
## side at 1M and 10M rows; extra options with ARGS, e.g. `make bench ARGS="--big"` (adds 100M)
bench: $(STAMP)
	$(BIN)/python bench/run.py --sizes 1M,10M $(ARGS)

## lock: re-resolve the lock files after changing pyproject.toml
lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev -o requirements/lock.txt
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra spark \
		--constraint requirements/lock.txt -o requirements/lock-spark.txt

clean:
	rm -rf $(VENV) demo .pytest_cache .mypy_cache .ruff_cache
