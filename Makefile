# wacr developer commands. `make demo` and `make test` work on a fresh clone with Python 3.10+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup demo test lint format typecheck contracts codegen check-codegen pytest bench bench-compare docs clean

# The fleet tests (tests/fleet) start their own redis-server: make sure the binary is there.
setup: $(STAMP)
	@sh scripts/ensure-redis.sh

# Reinstall only when the dependency list changes, so `make test` stays quick.
$(STAMP): pyproject.toml
	@echo "Installing wacr and its development tools into $(VENV) (once; about a minute on a fresh machine)..."
	@start=$$(date +%s); \
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV); \
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip && \
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]' && \
	echo "Installed in $$(( $$(date +%s) - start )) s." && touch $(STAMP)

# The demo needs no Redis: only the package.
demo: $(STAMP)
	$(BIN)/python examples/demo.py

test: lint typecheck contracts check-codegen pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# mypy --strict on the package, codegen, examples and tests/typing; pyright (strict) on the typed
# user examples (pyrightconfig.json), and every public name fully typed for pyright's users.
typecheck: setup
	$(BIN)/mypy
	$(BIN)/pyright
	PYTHONPATH=src $(BIN)/pyright --verifytypes wacr --ignoreexternal

# The import rules in pyproject.toml ([tool.importlinter]): models know no transport, the
# pipeline knows no resource, only the CLI loads the CLI or the emulator, the emulator knows no client.
contracts: setup
	$(BIN)/lint-imports --no-cache --no-logo

codegen: setup
	$(BIN)/python codegen/generate.py

check-codegen: setup
	$(BIN)/python codegen/generate.py --check

# One worker per CPU (pytest-xdist): the suite is mostly loopback servers and subprocesses.
pytest: setup
	$(BIN)/python -m pytest -n auto

bench: setup
	$(BIN)/python bench/run.py

# The throughput ratios of this tree against those of a revision, in one sitting: make bench-compare REV=<rev>
bench-compare: setup
	$(BIN)/python bench/compare.py $(REV)

# The documentation site (mkdocs.yml, docs/); --strict turns every warning (a broken link, a
# missing reference) into a failure.
docs: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

clean:
	rm -rf $(VENV) build dist src/*.egg-info .mypy_cache .ruff_cache
