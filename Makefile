# Linli (邻里) — every target installs what it needs by itself.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
STAMP := $(VENV)/.installed-$(shell cat requirements-dev.lock | cksum | cut -d' ' -f1)
NODE_STAMP := node_modules/.installed
MP_STAMP := miniprogram/node_modules/.installed
PORT ?= 8080

.DEFAULT_GOAL := help
.PHONY: help install run test test-miniprogram reliability fuzz audit test-fast test-infra lint format docs synth bench soak clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements-dev.lock
	test -x $(PYTHON) || $(PY) -m venv $(VENV)
	$(PYTHON) -m pip install -q --disable-pip-version-check -r requirements-dev.lock
	rm -f $(VENV)/.installed-* && touch $@

$(NODE_STAMP): package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(MP_STAMP): miniprogram/package-lock.json
	npm ci --prefix miniprogram --no-audit --no-fund --loglevel=error
	touch $@

install: $(STAMP) ## Create the virtualenv from the lock file

run: $(STAMP) ## Start the local sandbox at http://127.0.0.1:$(PORT) (PORT=… to change)
	PORT=$(PORT) $(PYTHON) -m local

test: $(STAMP) $(NODE_STAMP) test-miniprogram ## The test suite, but for the fault/race suites and the API fuzzing (the browser tests use node_modules/axe-core)
	$(PYTHON) -m pytest -m "not fuzz and not reliability" -n 2 --dist loadgroup --durations=15

test-miniprogram: $(MP_STAMP) ## The mini-program's page tests (jest + miniprogram-simulate, in miniprogram/)
	cd miniprogram && npx jest --ci

reliability: $(STAMP) ## Fault injection and race suites, in a sandbox of their own (CI runs it after make test)
	$(PYTHON) -m pytest -m reliability --durations=10

fuzz: $(STAMP) ## Fuzz every API operation with every role from /openapi.json (schemathesis; CI runs it after make test)
	$(PYTHON) -m pytest -m fuzz

audit: $(STAMP) ## pip-audit of the locked dependencies: fails on a known vulnerability, says AUDIT NOT DONE where it could not look
	$(PYTHON) .ci/audit_dependencies.py

test-fast: $(STAMP) ## Unit and contract tests only
	$(PYTHON) -m pytest tests/unit tests/contract

test-infra: $(STAMP) ## CDK assertion and cdk-nag tests on the synthesized template
	$(PYTHON) -m pytest tests/infrastructure

lint: $(STAMP) ## Ruff lint and format check
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(STAMP) ## Format the code
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

docs: $(STAMP) ## Regenerate the generated parts of the docs (event examples in docs/integrators.md)
	cd functions && ../$(PYTHON) -m notify.domain.examples ../docs/integrators.md

REGION ?=
synth: $(STAMP) $(NODE_STAMP) ## Synthesize the stack into cdk.out/ (no AWS account, no Docker); REGION=cn-north-1 or cn-northwest-1: AWS China
	npx cdk synth --quiet $(if $(REGION),--context region=$(REGION))

bench: $(STAMP) ## Benchmarks: cost per order, time to answer, cold start, matching, API; writes docs/benchmarks.md (<10 min)
	$(PYTHON) -m bench && $(PYTHON) -m bench.transactions

ORDERS ?= 1000
SEED ?= 8
THREADS ?= 16
MAX_SECONDS ?= 3600
soak: $(STAMP) ## Load without loss: ORDERS (1000) randomised orders in the sandbox, then invariants over everything stored (SEED, THREADS, MAX_SECONDS)
	$(PYTHON) -m soak --orders $(ORDERS) --seed $(SEED) --threads $(THREADS) --max-seconds $(MAX_SECONDS)

clean: ## Remove the virtualenv, build output and caches
	rm -rf $(VENV) build cdk.out node_modules miniprogram/node_modules .pytest_cache .ruff_cache .hypothesis
