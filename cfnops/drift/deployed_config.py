"""What each stack instance says it runs (outputs ConfigManifest and ConfigHash), beside
what the parameter files give now: the deployed half of `make parity`.

Reads per StackSet ListStackInstances (administrator region), then DescribeStacks of each
instance's stack in its region: possible for the caller's own account only (the same
account holds every environment); an instance of another account is listed as unreadable.
A deployed hash is trusted only when it is the SHA-256 of the deployed manifest.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from ..awsfacts import statuses as aws_status
from ..core.protocols import AwsFactory
from ..inputs import accounts, confighash, params
from ..inputs import stacksets as config
from ..inputs.project import Project

DEPLOYED, NOT_DEPLOYED, UNREADABLE = "deployed", "not deployed", "unreadable"


@dataclass(frozen=True)
class DeployedConfig:
    template: str
    environment: str
    region: str
    account: str
    local_hash: str
    local_manifest: dict
    status: str  # DEPLOYED | NOT_DEPLOYED | UNREADABLE
    deployed_hash: str = ""
    deployed_manifest_text: str = ""

    @property
    def deployed_manifest(self) -> dict:
        return json.loads(self.deployed_manifest_text) if self.deployed_manifest_text else {}

    @property
    def hash_matches_manifest(self) -> bool:
        """The deployed hash is the SHA-256 of the deployed manifest (it was computed honestly)."""
        return confighash.sha256(self.deployed_manifest_text) == self.deployed_hash

    @property
    def changed_locally(self) -> list[str]:
        """Manifest keys the parameter files now set otherwise than deployed."""
        return differing_keys(self.deployed_manifest, self.local_manifest)


def differing_keys(first: Mapping, second: Mapping) -> list[str]:
    return sorted(key for key in set(first) | set(second) if first.get(key) != second.get(key))


def _manifest_output(template: Mapping) -> tuple[str, str] | None:
    """(hash parameter, manifest output) of a template with a computed hash, else None."""
    return next(iter(confighash.computed(template).items()), None)


def _outputs(aws: AwsFactory, region: str, stack_id: str) -> dict[str, str]:
    stacks = aws.client("cloudformation", region).describe_stacks(StackName=stack_id)["Stacks"]
    return {o["OutputKey"]: o.get("OutputValue", "") for o in stacks[0].get("Outputs", [])}


def _instances(aws: AwsFactory, spec: config.StackSetSpec) -> list[dict]:
    client = aws.client("cloudformation", spec.administrator_region)
    pages = client.get_paginator("list_stack_instances").paginate(StackSetName=spec.name)
    return [summary for page in pages for summary in page.get("Summaries", [])]


def _stackset_exists(aws: AwsFactory, spec: config.StackSetSpec) -> bool:
    client = aws.client("cloudformation", spec.administrator_region)
    names = {
        s["StackSetName"]
        for page in client.get_paginator("list_stack_sets").paginate(Status=aws_status.StackSet.ACTIVE)
        for s in page.get("Summaries", [])
    }
    return spec.name in names


def read_environment(
    project: Project, aws: AwsFactory, environment: str, templates: Mapping[str, dict]
) -> list[DeployedConfig]:
    """Every instance of every StackSet of ``environment`` whose template has a computed hash."""
    specs = config.load_project(project, environment, templates)
    resolved = params.resolve_deployed(project, environment, templates, specs)
    rows: list[DeployedConfig] = []
    for spec in specs:
        body = templates[spec.template]
        pair = _manifest_output(body)
        if pair is None:
            continue
        hash_name, output = pair
        caller = aws.account_id(spec.administrator_region)
        deployed = (
            {(s["Account"], s["Region"]): s for s in _instances(aws, spec)} if _stackset_exists(aws, spec) else {}
        )
        for region in spec.regions:
            values = resolved.plain(spec.template, region)
            local = dict(
                template=spec.template,
                environment=environment,
                region=region,
                local_hash=values[hash_name],
                local_manifest=json.loads(confighash.resolve_output(body, output, values)),
            )
            # SERVICE_MANAGED: its accounts are known only from its instances
            targets = accounts.targets(spec, caller) or tuple(a for a, r in deployed if r == region) or (caller,)
            for account in targets:
                summary = deployed.get((account, region))
                if summary is None or not summary.get("StackId"):
                    rows.append(DeployedConfig(account=account, status=NOT_DEPLOYED, **local))
                elif account != caller:
                    rows.append(DeployedConfig(account=account, status=UNREADABLE, **local))
                else:
                    outputs = _outputs(aws, region, summary["StackId"])
                    rows.append(
                        DeployedConfig(
                            account=account,
                            status=DEPLOYED,
                            deployed_hash=outputs.get(hash_name, ""),
                            deployed_manifest_text=outputs.get(output, ""),
                            **local,
                        )
                    )
    return rows
