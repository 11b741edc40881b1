"""The organization layout's figure (issue 27): staging of tests/fixtures/orgplatform in 1, 5
and 20 member accounts of its OU x 3 regions on localcloud (in-process, 0 s operations, the
permission checks on: every member has its execution role from the members' bootstrap): wall,
mutating calls and reads of the first deploy and of an unchanged re-deploy. Target: calls grow
with StackSets, not with instances; wall within 1.5x of one account."""

from __future__ import annotations

import io
import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "orgplatform"
MUTATING = ("CreateStackSet", "UpdateStackSet", "CreateStackInstances", "UpdateStackInstances", "DeleteStackInstances")


def _organization(work: Path, accounts: int) -> None:
    import boto3

    orgs = boto3.client("organizations", region_name="us-east-1")
    orgs.create_organization(FeatureSet="ALL")
    root = orgs.list_roots()["Roots"][0]["Id"]
    units = {
        name: orgs.create_organizational_unit(ParentId=root, Name=name)["OrganizationalUnit"]["Id"]
        for name in ("dev", "staging", "prod")
    }
    for index in range(accounts):
        account = orgs.create_account(AccountName=f"staging-{index}", Email=f"s{index}@example.com")[
            "CreateAccountStatus"
        ]["AccountId"]
        orgs.move_account(AccountId=account, SourceParentId=root, DestinationParentId=units["staging"])
    boto3.client("cloudformation", region_name="us-east-1").activate_organizations_access()
    management = boto3.client("sts", region_name="us-east-1").get_caller_identity()["Account"]
    lines = ["layout: organization", f'deployment_account: {{id: "{management}"}}', "environments:"]
    lines += [f"  {name}: {{organizational_units: [{unit}]}}" for name, unit in units.items()]
    (work / "organization.yaml").write_text("\n".join(lines) + "\n")


def figures(quick: bool) -> None:
    os.environ["LOCALCLOUD_OPERATION_SECONDS"] = "0"
    os.environ.pop("LOCALCLOUD_PERMISSIONS", None)
    warnings.simplefilter("ignore")
    sys.path.insert(0, str(ROOT))
    import localcloud
    from cfnops.build import render
    from cfnops.cli.progress import PlainProgress
    from cfnops.core.aws import Aws
    from cfnops.inputs import platform as platform_module
    from cfnops.inputs.project import Project
    from cfnops.rollout.deploy import DeployOptions
    from cfnops.rollout.operations import WaitSettings
    from cfnops.rollout.pipeline import bootstrap_environment, deploy_environment

    localcloud.install()
    from moto import mock_aws

    wait = WaitSettings(first_poll=0.0, max_poll=0.05)
    quiet = PlainProgress(io.StringIO())
    first = None
    for accounts in (1,) if quick else (1, 5, 20):
        with tempfile.TemporaryDirectory() as scratch, mock_aws():
            work = Path(scratch) / "org"
            shutil.copytree(FIXTURE, work, ignore=shutil.ignore_patterns("__pycache__"))
            _organization(work, accounts)
            project = Project(work, platform_module.load(work))
            render.write(project, render.render(project))
            list(bootstrap_environment(project, "staging", lambda region: Aws(), wait, recreate=False))
            options = DeployOptions(artifacts_bucket=project.platform.artifacts_bucket, wait=wait)
            for what in ("first deploy", "unchanged re-deploy"):
                aws = Aws()
                started = time.perf_counter()
                rollout = deploy_environment(project, "staging", aws, quiet, options, run_lint=False)
                seconds = time.perf_counter() - started
                calls = {k.split(":", 1)[1]: v for k, v in aws.calls.items() if k.startswith("cloudformation:")}
                mutating = sum(v for k, v in calls.items() if k in MUTATING)
                reads = sum(v for k, v in calls.items() if k not in MUTATING)
                first = first if first is not None or what != "first deploy" else seconds
                ratio = f" ({seconds / first:.2f}x one account)" if what == "first deploy" and first else ""
                print(
                    f"{what}, {accounts:>2} account(s) x 3 regions{'':<6} {seconds:7.3f}s{ratio}  "
                    f"mutating {mutating}  reads {reads} ({reads / len(rollout.plans):.1f}/StackSet)"
                )
