"""Naming, tagging and the parameters every template shares.

Names follow ``{env}-{region}-{kind}-{suffix}``: the environment and the region are
both in every physical name, so the same template can run in three regions of one
account (and next to another environment) without collisions.
"""

from __future__ import annotations

from types import MappingProxyType

from troposphere import AWSObject, Equals, Export, Not, Output, Parameter, Ref, Sub, Tags, Template

# region_title: a region in logical ids and parameter names (us-west-2 -> UsWest2), the tool's
# spelling, since StackSet files' region_outputs name outputs with it.
from cfnops.inputs.region_outputs import region_title  # noqa: F401 (re-exported)

ENVIRONMENTS = ("dev", "staging", "prod")
REGIONS = ("us-east-1", "us-west-2", "eu-west-1")
PRIMARY_REGION = REGIONS[0]
# Data-residency zones: the platform's regions whose data stays there (platform.PLATFORM's
# residency). A template bound to one (restrict_regions) deploys there only, and the gate
# refuses any route, peering, rule, import or replication of it that leads outside.
EU = "EU"
RESIDENCY = MappingProxyType({EU: ("eu-west-1",)})
MANAGED_BY = "cfnops"
STANDARD_TAG_KEYS = ("Environment", "Owner", "CostCenter", "ManagedBy", "Project")  # required on every resource (E9001)
# bootstrap's bucket for templates over TemplateBody's limit (cfnops fills account and region)
ARTIFACTS_BUCKET = "cfnops-artifacts-{account}-{region}"
# the bootstrap parameter naming who alone may use that bucket (bootstrap puts its caller first)
ARTIFACTS_WRITERS = "ArtifactsWriters"

ENVIRONMENT = "Environment"
OWNER = "Owner"
COST_CENTER = "CostCenter"
PROJECT = "Project"


# Region roles: cfnops fills PrimaryRegion from the StackSet file's primary_region (the
# administrator region by default) and creates that region's instance before the others.
PRIMARY_REGION_PARAMETER = "PrimaryRegion"
IS_PRIMARY_REGION = "IsPrimaryRegion"
IS_SECONDARY_REGION = "IsSecondaryRegion"


def add_region_roles(template: Template) -> None:
    """The PrimaryRegion parameter and the IsPrimaryRegion / IsSecondaryRegion conditions:
    the same template creates a global resource in one region and joins it in the others."""
    template.add_parameter(
        Parameter(
            PRIMARY_REGION_PARAMETER,
            Type="String",
            AllowedValues=list(REGIONS),
            Description="Set by cfnops from the StackSet's primary_region: where global resources are created first",
        )
    )
    template.add_condition(IS_PRIMARY_REGION, Equals(Ref("AWS::Region"), Ref(PRIMARY_REGION_PARAMETER)))
    template.add_condition(IS_SECONDARY_REGION, Not(Equals(Ref("AWS::Region"), Ref(PRIMARY_REGION_PARAMETER))))


def global_name(suffix: str) -> Sub:
    """``{env}-{suffix}-global``: one name for a resource that spans the regions (an Aurora
    global cluster), so the environment alone keeps it apart."""
    return Sub(f"${{{ENVIRONMENT}}}-{suffix}-global")


def name_pattern(kind: str, suffix: str) -> str:
    """``{env}-{region}-{kind}-{suffix}`` as a Fn::Sub pattern, for names built on it."""
    return f"${{{ENVIRONMENT}}}-${{AWS::Region}}-{kind}-{suffix}"


def physical_name(kind: str, suffix: str) -> Sub:
    """``{env}-{region}-{kind}-{suffix}``, resolved by CloudFormation at deploy time."""
    return Sub(name_pattern(kind, suffix))


# Each environment's StackSets run with its own pair of roles (platform.PLATFORM names them,
# stackset_roles creates them): the execution role carries its environment as a tag, and the
# policies the three share scope every name by that tag, so dev's role reaches dev's names only.
ADMINISTRATION_ROLE = "cfnops-{environment}-stackset-administration"
EXECUTION_ROLE = "cfnops-{environment}-stackset-execution"
# IAM's policy variable for the calling role's Environment tag, as Fn::Sub writes it (${!...})
PRINCIPAL_ENVIRONMENT = "${!aws:PrincipalTag/" + ENVIRONMENT + "}"


def name_glob(kind: str, environment: str = PRINCIPAL_ENVIRONMENT) -> str:
    """IAM-style glob matching the environment's ``{env}-{region}-{kind}-...`` names."""
    return f"{environment}-*-{kind}-*"


# The permissions boundary every role of our templates carries, one per environment.
# Bootstrap creates them; an environment's execution role may only create or change roles
# that carry its environment's boundary, and may change no boundary. Each denies the other
# environments' names, so a role created by one environment's StackSet cannot reach another's.
PERMISSIONS_BOUNDARY = "cfnops-{environment}-workload-boundary"
ANY_PERMISSIONS_BOUNDARY = PERMISSIONS_BOUNDARY.format(environment="*")


def permissions_boundary_name(environment: str) -> str:
    return PERMISSIONS_BOUNDARY.format(environment=environment)


def permissions_boundary_arn(environment: str = f"${{{ENVIRONMENT}}}") -> Sub:
    """The boundary's ARN as a Fn::Sub: by default the stack's own environment (its parameter);
    PRINCIPAL_ENVIRONMENT for the calling role's."""
    return Sub(f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:policy/{permissions_boundary_name(environment)}")


def account_unique_name(kind: str, suffix: str) -> Sub:
    """The physical name plus the account id, for names unique across all accounts (buckets)."""
    return Sub(name_pattern(kind, suffix) + "-${AWS::AccountId}")


def export_name(template: str, output: str) -> Sub:
    """Export names are regional already; the environment keeps envs apart in one account."""
    return Sub(f"${{{ENVIRONMENT}}}-{template}-{output}")


def flag_parameter(name: str, default: str, description: str) -> Parameter:
    """A true/false switch: CloudFormation has no boolean parameter type, so "true"/"false" text."""
    return Parameter(name, Type="String", AllowedValues=["true", "false"], Default=default, Description=description)


def new_template(description: str, parameters: list[Parameter]) -> Template:
    """A template with the standard parameters, then the template's own. No transforms:
    what a template deploys is exactly what it says (and what the execution role covers)."""
    template = Template(Description=description)
    add_standard_parameters(template)
    for parameter in parameters:
        template.add_parameter(parameter)
    return template


def add_exported_outputs(template: Template, template_name: str, outputs: dict) -> None:
    """``{name: (value, description)}`` as outputs exported ``{env}-<template>-<name>``."""
    for name, (value, description) in outputs.items():
        template.add_output(
            Output(name, Description=description, Value=value, Export=Export(export_name(template_name, name)))
        )


def add_standard_parameters(template: Template) -> None:
    """Environment, Owner, CostCenter and Project: the tag values of every resource."""
    template.add_parameter(
        Parameter(
            ENVIRONMENT,
            Type="String",
            AllowedValues=list(ENVIRONMENTS),
            Description="Deployment environment; part of every name and tag",
        )
    )
    template.add_parameter(
        Parameter(
            OWNER,
            Type="String",
            AllowedPattern=r"^[a-z0-9][a-z0-9-]{1,62}$",
            Description="Owning team (lower-case, dashes)",
        )
    )
    template.add_parameter(
        Parameter(
            COST_CENTER,
            Type="String",
            AllowedPattern=r"^CC-[0-9]{4}$",
            Description="Cost centre code, CC-NNNN",
        )
    )
    template.add_parameter(
        Parameter(
            PROJECT,
            Type="String",
            Default="fraud-platform",
            AllowedPattern=r"^[a-z0-9][a-z0-9-]{1,62}$",
            Description="Project tag value",
        )
    )


def standard_tags(environment: str | None = None, **extra: str) -> Tags:
    """The five tags every taggable resource carries, plus any extra ones; ``environment``
    for a resource of one environment in a stack of the account (bootstrap's roles)."""
    return Tags(
        Environment=environment or Ref(ENVIRONMENT),
        Owner=Ref(OWNER),
        CostCenter=Ref(COST_CENTER),
        ManagedBy=MANAGED_BY,
        Project=Ref(PROJECT),
        **extra,
    )


METADATA_KEY = "cfnops"  # template Metadata read by the lint rules and the StackSet checks


def _cfnops_metadata(template: Template) -> dict:
    metadata = dict(template.metadata or {})
    template.set_metadata(metadata)
    return metadata.setdefault(METADATA_KEY, {})


def require_tags(template: Template, **tags) -> None:
    """Add ``tags`` to every tagged resource of the template (call it last) and make
    the lint gate require them there too."""
    for resource in template.resources.values():
        existing = resource.properties.get("Tags")
        if isinstance(existing, Tags):
            resource.Tags = existing + Tags(**tags)
        elif isinstance(existing, dict):
            resource.Tags = {**existing, **tags}
    _cfnops_metadata(template)["RequiredTags"] = sorted(tags)


def restrict_regions(template: Template, regions: list[str], reason: str) -> None:
    """Refuse to create the stack outside ``regions``: a template Rule, checked by
    CloudFormation before any resource, and metadata cfnops checks StackSets against."""
    template.add_rule(
        "AllowedRegions",
        {"Assertions": [{"Assert": {"Fn::Contains": [regions, Ref("AWS::Region")]}, "AssertDescription": reason}]},
    )
    _cfnops_metadata(template)["AllowedRegions"] = list(regions)


def standard_tag_map() -> dict:
    """The standard tags as a {key: value} map, for the types that take one (Bedrock)."""
    return {tag["Key"]: tag["Value"] for tag in standard_tags().to_dict()}


def retain(resource: AWSObject) -> AWSObject:
    """Stateful resources keep their data on stack deletion and on replacement.

    RetainExceptOnCreate, not Retain: when the creation that made the resource rolls
    back, the new, empty resource is deleted too, so a named resource left behind does
    not block the retry ("already exists"). UpdateReplacePolicy has no such value."""
    resource.DeletionPolicy = "RetainExceptOnCreate"
    resource.UpdateReplacePolicy = "Retain"
    return resource


def retain_always(resource: AWSObject) -> AWSObject:
    """Never deleted by CloudFormation, not even when the creation that made it rolls back: for
    what holds data nobody can delete (S3 Object Lock in compliance mode) and the key that data
    needs. A rollback that tried would fail on the locked objects (ROLLBACK_FAILED, then
    DELETE_FAILED for the whole retention); kept, the next creation imports it (bootstrap)."""
    resource.DeletionPolicy = "Retain"
    resource.UpdateReplacePolicy = "Retain"
    return resource


def snapshot(resource: AWSObject) -> AWSObject:
    """For databases: a final snapshot on deletion and on replacement."""
    resource.DeletionPolicy = "Snapshot"
    resource.UpdateReplacePolicy = "Snapshot"
    return resource


def used_outside(resource: AWSObject, by: str) -> AWSObject:
    """A data resource whose readers or writers are no role of these templates (a producer
    outside the platform, the operator's own credentials): who, written beside it. The test
    that every data resource has a job accepts it only with this."""
    if not by.strip():
        raise ValueError(f"{resource.title} is used outside the templates: say by whom")
    metadata = dict(getattr(resource, "Metadata", {}) or {})
    metadata.setdefault(METADATA_KEY, {})["UsedOutside"] = by
    resource.Metadata = metadata
    return resource


def suppress(resource: AWSObject, rule: str, reason: str) -> AWSObject:
    """Suppress one finding of one rule on this one resource, with a written reason.

    checkov rules (CKV*) use checkov's native per-resource skip; everything else uses
    cfn-lint's per-resource ``ignore_checks`` plus a reason recorded beside it. The
    lint gate refuses a suppression without a reason and any template-wide ignore.
    """
    if not reason.strip():
        raise ValueError(f"suppression of {rule} on {resource.title} needs a reason")
    metadata = dict(getattr(resource, "Metadata", {}) or {})
    if rule.startswith("CKV"):
        skips = metadata.setdefault("checkov", {}).setdefault("skip", [])
        skips.append({"id": rule, "comment": reason})
    else:
        config = metadata.setdefault("cfn-lint", {}).setdefault("config", {})
        config.setdefault("ignore_checks", []).append(rule)
        metadata.setdefault("SuppressionReasons", {})[rule] = reason
    resource.Metadata = metadata
    return resource
