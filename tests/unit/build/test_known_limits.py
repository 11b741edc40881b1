"""README "Known limits" says which templates are over CloudFormation's TemplateBody limit as
committed (and so need the artifacts bucket): the sizes are read from generated/, never typed."""

from __future__ import annotations

import re

from cfnops.awsfacts.cfn_limits import TEMPLATE_BODY_BYTES, body_for
from cfnops.build import bootstrap_seed
from tests.conftest import PLATFORM
from tests.support import docs

LIMIT_LINE = re.compile(
    rf"Templates over the {TEMPLATE_BODY_BYTES:,}-byte TemplateBody limit.*?Today these are (.*?) \(", re.S
)


def readme_known_limits() -> str:
    return docs.section("Known limits")


def readme_list() -> set[str]:
    match = LIMIT_LINE.search(readme_known_limits())
    assert match, "README Known limits no longer says which templates are over the TemplateBody limit"
    return set(re.findall(r"`([a-z-]+)`", match.group(1)))


def test_the_templates_named_over_the_limit_are_the_ones_generated_says(project):
    sizes = {name: len(project.template_path(name).read_bytes()) for name in PLATFORM.workloads}
    assert readme_list() == {name for name, size in sizes.items() if size > TEMPLATE_BODY_BYTES}, sizes
    bootstrap = project.template_path(PLATFORM.bootstrap).read_text(encoding="utf-8")
    # sent without whitespace, or (when even that is over) seeded with the artifacts bucket, as the README says
    first, whole = bootstrap_seed.body_or_seed(bootstrap, PLATFORM.artifacts_bucket)
    assert len(first.encode()) <= TEMPLATE_BODY_BYTES
    assert (whole is None) == (body_for(bootstrap) is not None)
    staged = body_for(bootstrap) is None
    assert ("`stackset-roles` is staged" in readme_known_limits()) == staged, "README Known limits says otherwise"
