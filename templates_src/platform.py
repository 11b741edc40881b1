"""The fraud platform as the one value cfnops takes. pyproject.toml names it
(``[tool.cfnops] platform = "templates_src.platform:PLATFORM"``); the tool loads it once and
never imports this package by name."""

from __future__ import annotations

from cfnops.inputs.platform import Platform

from . import BOOTSTRAP, REGISTRY
from .conventions import (
    ADMINISTRATION_ROLE,
    ARTIFACTS_BUCKET,
    ARTIFACTS_WRITERS,
    ENVIRONMENTS,
    EXECUTION_ROLE,
    REGIONS,
    RESIDENCY,
    STANDARD_TAG_KEYS,
)
from .environment_rules import CROSS_RULES, ENVIRONMENT_RULES, INTENDED_DIFFERENCES

PLATFORM = Platform(
    name="fraud-platform",
    regions=REGIONS,
    environments=ENVIRONMENTS,
    registry=REGISTRY,
    bootstrap=BOOTSTRAP,
    required_tags=STANDARD_TAG_KEYS,
    artifacts_bucket=ARTIFACTS_BUCKET,
    artifacts_writers=ARTIFACTS_WRITERS,
    protected=("staging", "prod"),  # a stateful replacement or removal needs ALLOW_REPLACE
    production=("prod",),  # also interruptions; CONFIRM to destroy, RetainStacks, one region at a time
    environment_rules=ENVIRONMENT_RULES,
    cross_rules=CROSS_RULES,
    intended_differences=INTENDED_DIFFERENCES,
    residency=RESIDENCY,
    administration_role=ADMINISTRATION_ROLE,
    execution_role=EXECUTION_ROLE,
)
