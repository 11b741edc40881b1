"""CloudFormation resource import: a stack made from resources that exist already.

From the AWS CloudFormation User Guide, "Bringing existing resources into CloudFormation
management" (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-import.html)
and "Create a stack from existing resources"
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-import-new-stack.html):

- an import is a change set of type ``IMPORT`` with ``ResourcesToImport``: each one's type,
  logical id and identifier (its property name → the resource's actual value); executing it
  leaves the stack ``IMPORT_COMPLETE``;
- the template describes the entire stack: the stack's resources and the ones imported, no
  others (an import creates nothing); "Each resource to import must have a DeletionPolicy
  attribute";
- CloudFormation validates that "the resource to import exists" and "does not belong to
  another stack in the same Region";
- the identifier property is the type's primary identifier in its registry schema
  (``primaryIdentifier``: ``/properties/BucketName`` for AWS::S3::Bucket,
  ``/properties/KeyId`` for AWS::KMS::Key).
"""

from __future__ import annotations

from .schemas import schema

URL = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-import.html"
CHANGE_SET_TYPE = "IMPORT"


def identifier_property(type_name: str) -> str:
    """The property that identifies a resource of ``type_name`` in ResourcesToImport."""
    [pointer] = schema(type_name)["primaryIdentifier"]
    return pointer.rsplit("/", 1)[1]


def needs_deletion_policy(resource: dict) -> bool:
    """True when ``resource`` (a template's) cannot be imported: it has no DeletionPolicy."""
    return "DeletionPolicy" not in resource
