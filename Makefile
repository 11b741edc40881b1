# cfnops: the fraud platform's CloudFormation, rendered, checked and rolled out by StackSets.
# `make help` lists the targets. Every user path starts here.

SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CFNOPS := $(BIN)/cfnops
STAMP := $(VENV)/.installed

STACKSET ?=
PRUNE ?=
CONFIRM ?=
RECREATE ?=
ALLOW_FAILOVER ?=
TIMEOUT ?= 3600
ALLOW_REPLACE ?=
DRIFT ?=
NO_CHROMIUM ?=
PRUNE_FLAG := $(if $(filter 1 true yes,$(value PRUNE)),--prune,)
RECREATE_FLAG := $(if $(filter 1 true yes,$(value RECREATE)),--recreate,)
REMOVE_RETAINED_FLAG := $(if $(filter 1 true yes,$(value REMOVE_RETAINED)),--remove-retained,)
DRIFT_FLAG := $(if $(filter 1 true yes,$(value DRIFT)),--drift,)
DEPLOYED_FLAG := $(if $(filter 1 true yes,$(value DEPLOYED)),--deployed,)
QUICK_FLAG := $(if $(filter 1 true yes,$(value QUICK)),--quick,)

# ENV, STACKSET, TIMEOUT and CONFIRM are checked by make itself before any shell sees them,
# taken as written ($(value): `make ENV='$$(shell ...)'` is text, not a function), then quoted.
# The platform's environments, read from the platform itself (`cfnops platform environments`)
# once, when a target first needs them (after .venv exists): adding one is an edit of the platform.
platform_list = $(or $(shell $(BIN)/python -m cfnops platform $(1) 2>/dev/null),$(error cannot read the platform's $(1): `$(BIN)/python -m cfnops platform $(1)` says why))
ENVIRONMENTS = $(eval ENVIRONMENTS := $(call platform_list,environments))$(ENVIRONMENTS)
STACKSET_NAMES := $(basename $(notdir $(wildcard stacksets/*.yaml)))
override ENV_TEXT := $(value ENV)
override STACKSET_TEXT := $(value STACKSET)
override TIMEOUT_TEXT := $(value TIMEOUT)
override CONFIRM_TEXT := $(value CONFIRM)
override ALLOW_FAILOVER_TEXT := $(value ALLOW_FAILOVER)
override ALLOW_REPLACE_TEXT := $(value ALLOW_REPLACE)
override FORMAT_TEXT = $(value FORMAT)
ENV_ARG = '$(if $(filter-out 1,$(words $(ENV_TEXT)))$(filter-out $(ENVIRONMENTS),$(ENV_TEXT)),$(error ENV must be one of $(ENVIRONMENTS), got '$(ENV_TEXT)'),$(ENV_TEXT))'
# targets that change AWS take ENV from the command line only: never the default, never the
# shell's environment (sh itself uses $$ENV); without it make stops before any AWS call
EXPLICIT_ENV_ARG = $(if $(filter command line,$(origin ENV)),$(ENV_ARG),$(error make $@ changes AWS: name the environment on the command line, make $@ ENV=<one of $(ENVIRONMENTS)>; nothing was called))
# drift also takes ENV=all: every environment in one report
DRIFT_ENV_ARG = '$(if $(filter-out 1,$(words $(ENV_TEXT)))$(filter-out $(ENVIRONMENTS) all,$(ENV_TEXT)),$(error ENV must be one of $(ENVIRONMENTS) all, got '$(ENV_TEXT)'),$(ENV_TEXT))'
STACKSET_FLAGS = $(foreach s,$(STACKSET_TEXT),$(if $(filter $(s),$(STACKSET_NAMES) $(addsuffix -$(ENV_TEXT),$(STACKSET_NAMES))),--stackset '$(s)',$(error STACKSET: unknown StackSet '$(s)': expected one of $(STACKSET_NAMES))))
strip_digits = $(subst 9,,$(subst 8,,$(subst 7,,$(subst 6,,$(subst 5,,$(subst 4,,$(subst 3,,$(subst 2,,$(subst 1,,$(subst 0,,$(1)))))))))))
TIMEOUT_ARG = '$(if $(filter-out 1,$(words $(TIMEOUT_TEXT)))$(call strip_digits,$(TIMEOUT_TEXT)),$(error TIMEOUT must be a whole number of seconds, got '$(TIMEOUT_TEXT)'),$(TIMEOUT_TEXT))'
ALLOW_FAILOVER_FLAG = $(if $(ALLOW_FAILOVER_TEXT),$(if $(filter-out 1,$(ALLOW_FAILOVER_TEXT)),$(error ALLOW_FAILOVER can only be 1, got '$(ALLOW_FAILOVER_TEXT)'),--allow-failover),)
# ALLOW_REPLACE: only letters, digits, '-', '/' and ',' (cfnops checks the StackSet/LogicalId shape itself)
NAME_CHARS := a b c d e f g h i j k l m n o p q r s t u v w x y z A B C D E F G H I J K L M N O P Q R S T U V W X Y Z 0 1 2 3 4 5 6 7 8 9 - /
strip_chars = $(if $(2),$(call strip_chars,$(subst $(firstword $(2)),,$(1)),$(wordlist 2,$(words $(2)),$(2))),$(1))
ALLOW_REPLACE_FLAG = $(if $(ALLOW_REPLACE_TEXT),$(if $(filter-out 1,$(words $(ALLOW_REPLACE_TEXT)))$(subst $(comma),,$(call strip_chars,$(ALLOW_REPLACE_TEXT),$(NAME_CHARS))),$(error ALLOW_REPLACE must be StackSet/LogicalId[,StackSet/LogicalId...], got '$(ALLOW_REPLACE_TEXT)'),--allow-replace '$(ALLOW_REPLACE_TEXT)'),)
FORMAT_ARG = '$(if $(filter-out text json markdown,$(FORMAT_TEXT)),$(error FORMAT must be text, json or markdown, got '$(FORMAT_TEXT)'),$(FORMAT_TEXT))'
comma := ,
# CONFIRM names the environment destroyed (a production one needs it: the platform says which)
CONFIRM_FLAG = $(if $(CONFIRM_TEXT),$(if $(filter-out 1,$(words $(CONFIRM_TEXT)))$(filter-out $(ENV_TEXT),$(CONFIRM_TEXT)),$(error CONFIRM can only be $(ENV_TEXT), the environment destroyed, got '$(CONFIRM_TEXT)'),--confirm '$(CONFIRM_TEXT)'),)
# plan and drift: their documented outcome 2 (changes, drift) is an answer, not a failure of
# make: said in one line, and make succeeds. CI reads the codes from $(CFNOPS) itself.
define outcome
code=0; $(1) || code=$$?; \
if [ $$code = 2 ]; then echo "$(2) (cfnops exit 2; in CI run $(CFNOPS) directly for its exit codes)" >&2; exit 0; fi; exit $$code
endef

FORMAT ?= text


.PHONY: chromium help setup lock upgrade-lint render check lint validate validate-all plan deploy copy-tables status history bootstrap destroy drift parity localcloud demo test test-fast bench clean

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "  Variables: ENV=name (one of $(if $(wildcard $(STAMP)),$(ENVIRONMENTS),the platform's environments); no default; deploy, copy-tables, bootstrap and destroy need it on the command line), STACKSET=name, PRUNE=1, ALLOW_FAILOVER=1, RECREATE=1, DEPLOYED=1, CONFIRM=<ENV> (destroy of a production environment), FORMAT=text|json|markdown, DRIFT=1, ALLOW_REPLACE=StackSet/LogicalId[,...], NO_CHROMIUM=1"
	@echo
	@echo "  Exit codes: make itself exits 2 on any failure; its last line names the tool's own code"
	@echo "  (\`make: *** [Makefile:N: deploy] Error 7\`). plan and drift exit 0 when they have an answer"
	@echo "  and print it (changes to make, drifted). CI uses $(CFNOPS) directly: 0 ok, 1 failed,"
	@echo "  2 changes or drift, 3 invalid input, 4 lint findings, 5 stale generated/, 6 AWS credentials"
	@echo "  or access, 7 not bootstrapped, 130 interrupted (see README, Exit codes)."

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@$(MAKE) --no-print-directory chromium
	@touch $(STAMP)

# Debian's chromium, for the test that opens the HTML drift report headless. Installed
# when we are root with apt, saying so first; NO_CHROMIUM=1 skips it. Without it that one
# test skips and says why.
chromium:
	@command -v chromium >/dev/null 2>&1 && exit 0; \
	if [ -n "$(NO_CHROMIUM)" ]; then echo "NO_CHROMIUM set: chromium not installed; the HTML screenshot test will skip"; exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium with apt (apt-get update, then apt-get install chromium, a few hundred MB)"; \
		echo "  for the HTML report screenshot test; NO_CHROMIUM=1 skips this"; \
		apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
		|| echo "chromium could not be installed: the HTML screenshot test will skip"; \
	else echo "not root or no apt: chromium not installed; the HTML screenshot test will skip"; fi

setup: $(STAMP) ## Create .venv with the tool (.venv/bin/cfnops) and its test needs; as root also Debian's chromium via apt (NO_CHROMIUM=1 skips)

lock: $(STAMP) ## Re-resolve requirements.lock from pyproject.toml (uv pip compile, every platform)
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra test --universal --python-version 3.11 -o requirements.lock

upgrade-lint: $(STAMP) ## Upgrade cfn-lint and checkov (only them) in requirements.lock, install, lint; then commit the lock
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra test --universal --python-version 3.11 -o requirements.lock \
		--upgrade-package cfn-lint --upgrade-package checkov
	$(BIN)/pip install --quiet -r requirements.lock
	@touch $(STAMP)
	$(CFNOPS) lint
	@echo "upgrade-lint: the gate passes with the new cfn-lint and checkov; commit requirements.lock (git diff requirements.lock shows what moved)"

render: $(STAMP) ## Render templates_src/ to generated/ (deterministic) and the manifest
	$(CFNOPS) render

check: $(STAMP) ## Fail when generated/ is stale (exit 5), then the house rules: ruff check, ruff format, mypy (pyproject.toml) and actionlint on .github/workflows
	$(CFNOPS) check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/actionlint -no-color

lint: $(STAMP) ## cfn-lint + policy rules + checkov on generated/: zero findings (exit 4 otherwise)
	$(CFNOPS) lint

validate: $(STAMP) ## Validate parameters/<ENV>.yaml before any AWS call (exit 3 when invalid)
	$(CFNOPS) validate --env $(ENV_ARG)

validate-all: $(STAMP) ## Validate every environment's parameters
	@for env in $(ENVIRONMENTS); do $(CFNOPS) validate --env $$env || exit $$?; done

plan: $(STAMP) ## Preview ENV's StackSets: resource changes per region, replacements, data at risk; FORMAT=json|markdown, DRIFT=1
	@$(call outcome,$(CFNOPS) plan --env $(ENV_ARG) $(STACKSET_FLAGS) --format $(FORMAT_ARG) $(DRIFT_FLAG),make plan: there are changes to make)

deploy: $(STAMP) ## Check, plan and roll out ENV's StackSets; PRUNE=1 removes unwanted instances; ALLOW_REPLACE=StackSet/LogicalId; ALLOW_FAILOVER=1 a new primary region
	$(CFNOPS) deploy --env $(EXPLICIT_ENV_ARG) $(STACKSET_FLAGS) $(PRUNE_FLAG) $(ALLOW_FAILOVER_FLAG) --timeout $(TIMEOUT_ARG) $(ALLOW_REPLACE_FLAG)

copy-tables: $(STAMP) ## Copy ENV's regional tables into the global tables that replace them (idempotent; docs/regions.md)
	$(CFNOPS) copy-tables --env $(EXPLICIT_ENV_ARG) $(STACKSET_FLAGS)

status: $(STAMP) ## Show ENV's stack instances per region and account
	$(CFNOPS) status --env $(ENV_ARG) $(STACKSET_FLAGS)

history: $(STAMP) ## What each of ENV's StackSets received, when and where, from AWS's operation records; FORMAT=json|markdown
	$(CFNOPS) history --env $(ENV_ARG) $(STACKSET_FLAGS) --format $(FORMAT_ARG)

bootstrap: $(STAMP) ## Create the StackSet roles and the artifacts bucket (once per account); RECREATE=1 after a failed create
	$(CFNOPS) bootstrap --env $(EXPLICIT_ENV_ARG) $(RECREATE_FLAG)

destroy: $(STAMP) ## Delete ENV's instances then StackSets (a production environment needs CONFIRM=<ENV>); data stays
	$(CFNOPS) destroy --env $(EXPLICIT_ENV_ARG) $(STACKSET_FLAGS) $(CONFIRM_FLAG) $(REMOVE_RETAINED_FLAG)

drift: $(STAMP) ## CloudFormation drift detection for ENV (or ENV=all) in every region (prints in sync or drifted; fails if detection failed)
	@$(call outcome,$(CFNOPS) drift --env $(DRIFT_ENV_ARG) $(STACKSET_FLAGS) --format '$(if $(filter-out text json markdown,$(value FORMAT)),$(error FORMAT must be text, json or markdown, got '$(value FORMAT)'),$(value FORMAT))',make drift: drift found (see the report above))

parity: $(STAMP) ## Values that differ between the platform's environments, and which rule explains each; DEPLOYED=1 also compares the stacks' ConfigHash
	$(CFNOPS) parity $(DEPLOYED_FLAG)

localcloud: $(STAMP) ## Run the offline AWS on 127.0.0.1 until Ctrl-C; prints what to export
	$(BIN)/python -m localcloud

demo: $(STAMP) ## Offline: localcloud, render, lint, bootstrap, deploy ENV to 3 regions, re-run (no-op)
	$(BIN)/python scripts/demo.py

test: $(STAMP) ## Run the whole test suite
	$(BIN)/python -m pytest -q

test-fast: $(STAMP) ## The unit lane: everything but tests marked slow (localcloud, rollouts), on every core
	$(BIN)/python -m pytest -q -m "not slow" -n auto --dist loadfile

bench: $(STAMP) ## Print speed figures (render, lint, deploy API calls); QUICK=1: every figure's path in seconds (CI)
	$(BIN)/python bench/bench.py $(QUICK_FLAG)

clean: ## Remove caches (keeps .venv)
	rm -rf .cache .pytest_cache .hypothesis
