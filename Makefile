# Every target installs what it needs into .venv on first use, from the lock files in
# requirements/ (every dependency, transitive ones included), with uv bootstrapped from PyPI:
# a fresh machine needs only Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV_VERSION := 0.13.9
UV     := $(BIN)/uv
STAMP  := $(VENV)/.installed-stamp
CONTRACT_STAMP := $(VENV)/.contract-stamp
# pytest exits 5 when it collected no tests: a suite that silently lost its tests must not pass.
PYTEST_NO_TESTS_IS_FAILURE = rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing on purpose" >&2; exit 1; fi; exit $$rc

.DEFAULT_GOAL := help
.PHONY: help install lock generate check-generated lint typecheck test e2e contract emulator bench dist ci clean

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

install: $(STAMP) ## Create .venv and install the project with its locked development tools

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)

# The contract run alone needs less than development: `make contract` installs only that.
$(CONTRACT_STAMP): pyproject.toml requirements/contract.lock | $(UV)
	$(UV) pip install --quiet --python $(BIN)/python -r requirements/contract.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(CONTRACT_STAMP)

$(STAMP): pyproject.toml requirements/dev.lock | $(UV)
	$(UV) pip install --quiet --python $(BIN)/python -r requirements/dev.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP) $(CONTRACT_STAMP)

lock: $(UV) ## Re-resolve requirements/*.lock from pyproject.toml (after changing a dependency)
	$(UV) pip compile pyproject.toml --extra cli --extra contract --group dev --universal --python-version 3.11 -q -o requirements/dev.lock
	$(UV) pip compile pyproject.toml --extra contract --universal --python-version 3.11 -q -o requirements/contract.lock

generate: $(STAMP) ## Regenerate generated/ from openapi.yaml (from scratch, deterministic)
	$(BIN)/python tools/generate_client.py

check-generated: $(STAMP) ## Fail with a diff if generated/ differs from what openapi.yaml produces
	$(BIN)/python tools/generate_client.py --check

lint: $(STAMP) ## ruff lint and format check over everything, generated/ included
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP) ## mypy --strict on the generated client, the hand-written code, the tests, benchmarks and tools
	$(BIN)/mypy generated/kling_gateway_api client/kling_gateway common/kling_common emulator/kling_emulator emulator/kling_upstream contract_tests/kling_contract tests benchmarks tools

# Every pytest worker compiles (and rewrites the asserts of) every module it imports unless it
# may keep the bytecode: with PYTHONDONTWRITEBYTECODE set, that is seconds of CPU per worker
# at every run. __pycache__ is ignored by git.
unexport PYTHONDONTWRITEBYTECODE

# Workers for pytest-xdist: every core, and at least 4 (part of the suite waits on real
# servers and sockets, which other workers overlap; on 2 busy cores 4 workers also keep
# the suite's share of the CPU); PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); echo $$(( n < 4 ? 4 : n )))
# The end-to-end proofs are CPU-bound schemathesis processes: one worker per core.
E2E_WORKERS ?= auto

# The property tests draw a quarter of their examples here; `make e2e` draws them all.
TEST_EXAMPLE_SHARE ?= 0.25

test: $(STAMP) ## The test suite, end-to-end proofs aside (PYTEST_WORKERS=0: one process)
	KLING_TEST_EXAMPLE_SHARE=$(TEST_EXAMPLE_SHARE) $(BIN)/pytest -m "not e2e" -n $(PYTEST_WORKERS) $(PYTEST_ARGS) tests; $(PYTEST_NO_TESTS_IS_FAILURE)

# Whole schemathesis runs (the faithful emulator, 18 broken and 3 drifting gateways) and the
# wheel in a fresh virtual environment: minutes, not seconds, so not in the development loop.
# One file per worker, so that the wheel is built once.
e2e: $(STAMP) ## The end-to-end proofs (marked e2e) and the property tests with all their examples; CI runs them with the rest
	KLING_TEST_EXAMPLE_SHARE=1 $(BIN)/pytest -m "e2e or properties" -n $(E2E_WORKERS) --dist loadfile $(PYTEST_ARGS) tests; $(PYTEST_NO_TESTS_IS_FAILURE)

# make exits 2 whenever a recipe fails: kling-contract's own exit code is its last line.
contract: $(CONTRACT_STAMP) ## Contract checks (kling-contract): the embedded emulator by default, a live gateway with --task-id/KLING_TASK_ID (ARGS="--help")
	$(BIN)/kling-contract $(ARGS)

emulator: $(STAMP) ## Run the gateway emulator on 127.0.0.1:8080 (ARGS="--help" for options)
	$(BIN)/kling-emulator $(ARGS)

bench: $(STAMP) ## Benchmarks; writes benchmarks/report.md
	$(UV) pip install --quiet --python $(BIN)/python -e ".[bench]"
	$(BIN)/python -m benchmarks

# The package is on no index yet: its wheel and sdist, for a path install (README, "In your CI").
dist: $(UV) ## Build the wheel and the sdist into dist/
	rm -rf dist
	$(UV) build --quiet --out-dir dist .

ci: check-generated lint typecheck test e2e contract ## What CI runs

clean: ## Remove .venv and caches
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache build dist
