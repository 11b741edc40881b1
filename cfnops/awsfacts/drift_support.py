"""Which resource types CloudFormation's drift detection checks, from AWS's own truth.

CloudFormation detects drift by reading the live resource through the type's resource
provider, so a type is checked when its registry schema has a ``read`` handler (the schemas
cfn-lint bundles, ``schemas``), minus the types AWS's "Resource type support" table marks
as not supporting drift detection (EXCLUDED, each with its reason). Every other type is
NOT_CHECKED on AWS ("Any resources that do not currently support drift detection have a
status of NOT_CHECKED").

Sources:
- https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-import-supported-resources.html
  ("Resource type support": import, drift detection and IaC generator per type)
- https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackResourceDriftInformation.html
  (NOT_CHECKED for types that do not support drift detection)
- https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackResourceDrift.html
  ("Only resource properties explicitly defined in the stack template are checked for drift")
"""

from __future__ import annotations

from . import schemas

SUPPORT_URL = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-import-supported-resources.html"

EXCLUDED: dict[str, str] = {}
"""Types with a read handler that the "Resource type support" table marks as not supporting
drift detection, each with AWS's words. Empty: of the types the platform uses, none with a
read handler is marked so (add a row with the table's reason when one is)."""


def checked(type_name: str, region: str = schemas.DEFAULT_REGION) -> bool:
    """True when CloudFormation's drift detection compares ``type_name`` resources."""
    if type_name in EXCLUDED or not schemas.is_known(type_name, region):
        return False
    return "read" in (schemas.schema(type_name, region).get("handlers") or {})


def why_not_checked(type_name: str, region: str = schemas.DEFAULT_REGION) -> str:
    """AWS's reason a type is NOT_CHECKED ("" when it is checked)."""
    if type_name in EXCLUDED:
        return EXCLUDED[type_name]
    if not schemas.is_known(type_name, region):
        return f"{type_name} has no registry schema in {region}, so CloudFormation cannot read it"
    if checked(type_name, region):
        return ""
    return (
        f"{type_name}'s registry schema has no read handler, so CloudFormation cannot read it for drift ({SUPPORT_URL})"
    )


DRIFT_URL = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html"

NEVER_COMPARED: dict[str, str] = {
    "kmskeyid": (
        "CloudFormation does not perform drift detection on the KMSKeyId property of any resources: "
        f"AWS KMS keys can be referenced by multiple aliases ({DRIFT_URL}, Considerations when detecting drift)"
    ),
}
"""Property names (lowercased: resources spell it KMSKeyId or KmsKeyId) AWS's drift page says
are compared on no resource, at any depth, each with AWS's words."""

WRITE_ONLY = (
    "the service never returns it (the registry schema lists it in writeOnlyProperties), so CloudFormation "
    f"cannot include it in drift detection results ({DRIFT_URL}, Considerations when detecting drift)"
)


def not_compared(type_name: str, path: tuple[str, ...], region: str = schemas.DEFAULT_REGION) -> str:
    """AWS's reason the property at ``path`` (names, list indexes as digits) of a ``type_name``
    resource is never compared by drift detection, or "" when it is compared (if set)."""
    if path and path[-1].lower() in NEVER_COMPARED:
        return NEVER_COMPARED[path[-1].lower()]
    if not schemas.is_known(type_name, region):
        return ""
    for pointer in schemas.schema(type_name, region).get("writeOnlyProperties", ()):
        parts = tuple(pointer.split("/")[2:])  # /properties/A/*/B -> (A, *, B)
        if len(parts) == len(path) and all(
            p == q or (p == "*" and q.isdigit()) for p, q in zip(parts, path, strict=True)
        ):
            return WRITE_ONLY
    return ""


STACKSET_OPERATIONS = ("UpdateStackSet", "CreateStackInstances", "UpdateStackInstances")
"""The StackSet operations that change instance stacks (cfnops deploy calls them)."""

REVERT_DRIFT_URL = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/drift-aware-change-sets.html"


def revert_drift_operations() -> tuple[str, ...]:
    """The StackSet operations that accept a deployment mode (drift-aware change sets'
    REVERT_DRIFT is CreateChangeSet's ``DeploymentMode``), read from botocore's
    CloudFormation model; empty means no StackSet operation can revert drift."""
    from .stackset_limits import service_model

    model = service_model("cloudformation")
    return tuple(op for op in STACKSET_OPERATIONS if "DeploymentMode" in model.operation_model(op).input_shape.members)
