# cfnops: the fraud platform's CloudFormation, rendered, checked and rolled out by StackSets.
# `make help` lists the targets. Every user path starts here.

SHELL := /bin/bash
.DEFAULT_GOAL := help
ENV ?= staging
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CFNOPS := $(BIN)/python -m cfnops
STAMP := $(VENV)/.installed

STACKSET ?=
PRUNE ?=
CONFIRM ?=
RECREATE ?=
TIMEOUT ?= 3600
STACKSET_FLAGS := $(foreach s,$(STACKSET),--stackset $(s))
PRUNE_FLAG := $(if $(filter 1 true yes,$(PRUNE)),--prune,)
RECREATE_FLAG := $(if $(filter 1 true yes,$(RECREATE)),--recreate,)

FORMAT ?= text


.PHONY: chromium help setup lock render check lint validate validate-all plan deploy status bootstrap destroy drift parity localcloud demo test bench clean

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "  Variables: ENV=$(ENV) (dev|staging|prod)"

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@$(MAKE) --no-print-directory chromium
	@touch $(STAMP)

# Debian's chromium, for the test that opens the HTML drift report headless. Installed
# when we are root with apt; otherwise that one test skips and says why.
chromium:
	@command -v chromium >/dev/null 2>&1 && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the HTML report test"; \
		apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
		|| echo "chromium could not be installed: the HTML screenshot test will skip"; \
	else echo "not root or no apt: chromium not installed; the HTML screenshot test will skip"; fi

setup: $(STAMP) ## Create .venv and install the tool with everything its tests need (versions from requirements.lock)

lock: $(STAMP) ## Re-resolve requirements.lock from pyproject.toml (uv pip compile, every platform)
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra test --universal --python-version 3.11 -o requirements.lock

render: $(STAMP) ## Render templates_src/ to generated/ (deterministic) and the manifest
	$(CFNOPS) render

check: $(STAMP) ## Fail when generated/ is stale (exit 5)
	$(CFNOPS) check

lint: $(STAMP) ## cfn-lint + policy rules + checkov on generated/: zero findings (exit 4 otherwise)
	$(CFNOPS) lint

validate: $(STAMP) ## Validate parameters/<ENV>.yaml before any AWS call (exit 3 when invalid)
	$(CFNOPS) validate --env $(ENV)

validate-all: $(STAMP) ## Validate every environment's parameters
	@for env in dev staging prod; do $(CFNOPS) validate --env $$env || exit $$?; done

plan: $(STAMP) ## Preview the StackSets of ENV (exit 0 none, 2 changes); STACKSET=name to narrow
	$(CFNOPS) plan --env $(ENV) $(STACKSET_FLAGS)

deploy: $(STAMP) ## Check, plan and roll out ENV's StackSets; PRUNE=1 removes unwanted instances
	$(CFNOPS) deploy --env $(ENV) $(STACKSET_FLAGS) $(PRUNE_FLAG) --timeout $(TIMEOUT)

status: $(STAMP) ## Show ENV's stack instances per region and account
	$(CFNOPS) status --env $(ENV) $(STACKSET_FLAGS)

bootstrap: $(STAMP) ## Create the StackSet roles and the artifacts bucket (once per account); RECREATE=1 after a failed create
	$(CFNOPS) bootstrap --env $(ENV) $(RECREATE_FLAG)

destroy: $(STAMP) ## Delete ENV's instances then StackSets (prod needs CONFIRM=prod); data stays
	$(CFNOPS) destroy --env $(ENV) $(STACKSET_FLAGS) $(if $(CONFIRM),--confirm $(CONFIRM),) $(if $(REMOVE_RETAINED),--remove-retained,)

drift: $(STAMP) ## CloudFormation drift detection for ENV in every region (exit 0 in sync, 2 drifted, 1 failed)
	$(CFNOPS) drift --env $(ENV) $(STACKSET_FLAGS) --format $(FORMAT)

parity: $(STAMP) ## Values that differ between dev, staging and prod, and which rule explains each
	$(CFNOPS) parity

localcloud: $(STAMP) ## Run the offline AWS on 127.0.0.1 until Ctrl-C; prints what to export
	$(BIN)/python -m cfnops.localcloud

demo: $(STAMP) ## Offline: localcloud, render, lint, bootstrap, deploy ENV to 3 regions, re-run (no-op)
	$(BIN)/python scripts/demo.py

test: $(STAMP) ## Run the whole test suite
	$(BIN)/python -m pytest -q

bench: $(STAMP) ## Print speed figures (render, lint, deploy API calls)
	$(BIN)/python bench/bench.py

clean: ## Remove caches (keeps .venv)
	rm -rf .cache .pytest_cache .hypothesis
