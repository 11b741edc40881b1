"""Buckets a deleted bootstrap stack kept, taken back by the next creation (resource import).

The bootstrap's buckets have fixed names (deploy finds the artifacts bucket by its name) and
are kept when their stack goes (DeletionPolicy), as is the audit trail's locked bucket, which
nobody can delete before its objects' retention ends. A later creation of the stack would
fail on them ("already exists"). So before a creation, every kept bucket of the template
whose condition holds here and which exists now is imported, with the KMS key its encryption
names when that key is kept too (awsfacts/resource_import.py: a change set of type IMPORT, a
template of only those resources, each with its DeletionPolicy); the update that follows adds
the rest of the template.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from botocore.exceptions import ClientError

from ..awsfacts import intrinsics, resource_import
from ..core.aws import error_code

KEPT = ("Retain", "RetainExceptOnCreate")
BUCKET = "AWS::S3::Bucket"
KEY = "AWS::KMS::Key"


@dataclass(frozen=True)
class Adoption:
    template: dict  # the import's template: parameters, conditions, the resources imported
    resources: list[dict]  # ResourcesToImport

    @property
    def logical_ids(self) -> list[str]:
        return [r["LogicalResourceId"] for r in self.resources]


def _resolver(template: dict, values: dict[str, str], account: str, region: str) -> intrinsics.Resolver:
    refs = {**intrinsics.parameter_values(template, values), "AWS::AccountId": account, "AWS::Region": region}
    refs.setdefault("AWS::Partition", "aws")
    return intrinsics.Resolver(refs, intrinsics.evaluate_conditions(template, refs))


def _kept_buckets(template: dict, resolver: intrinsics.Resolver) -> dict[str, str]:
    """logical id -> name, for each kept bucket with a name known before deploy, created here."""
    found = {}
    for logical_id, resource in (template.get("Resources") or {}).items():
        if resource.get("Type") != BUCKET or resource.get("DeletionPolicy") not in KEPT:
            continue
        condition = resource.get("Condition")
        if condition and not resolver.condition(condition):
            continue
        name = resolver((resource.get("Properties") or {}).get("BucketName"))
        if isinstance(name, str) and "${" not in name:
            found[logical_id] = name
    return found


def _exists(s3, name: str) -> bool:
    try:
        s3.head_bucket(Bucket=name)
    except ClientError as error:
        if error_code(error) in ("404", "NoSuchBucket", "NotFound"):
            return False
        raise
    return True


def _key_of(template: dict, s3, logical_id: str, name: str) -> tuple[str, str] | None:
    """(the kept key's logical id, its KeyId) that the bucket's default encryption uses."""
    rules = (
        (template["Resources"][logical_id].get("Properties") or {})
        .get("BucketEncryption", {})
        .get("ServerSideEncryptionConfiguration", [])
    )
    target = next((r["ServerSideEncryptionByDefault"].get("KMSMasterKeyID") for r in rules), None)
    key_id = str(target.get("Fn::GetAtt", [""])[0]) if isinstance(target, dict) else ""
    key = template["Resources"].get(key_id) or {}
    if key.get("Type") != KEY or key.get("DeletionPolicy") not in KEPT:
        return None
    actual = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
    arn = actual[0]["ApplyServerSideEncryptionByDefault"].get("KMSMasterKeyID", "")
    return (key_id, arn.rsplit("/", 1)[-1]) if arn else None


def _entry(type_name: str, logical_id: str, value: str) -> dict:
    return {
        "ResourceType": type_name,
        "LogicalResourceId": logical_id,
        "ResourceIdentifier": {resource_import.identifier_property(type_name): value},
    }


def plan(template_text: str, values: dict[str, str], account: str, region: str, s3) -> Adoption | None:
    """What a creation of the template in ``region`` must import first, or None: nothing kept exists."""
    template = json.loads(template_text)
    entries = []
    for logical_id, name in _kept_buckets(template, _resolver(template, values, account, region)).items():
        if not _exists(s3, name):
            continue
        entries.append(_entry(BUCKET, logical_id, name))
        key = _key_of(template, s3, logical_id, name)
        if key is not None:
            entries.append(_entry(KEY, *key))
    if not entries:
        return None
    ids = {e["LogicalResourceId"] for e in entries}
    resources = {k: v for k, v in template["Resources"].items() if k in ids}
    body = {**{k: v for k, v in template.items() if k not in ("Resources", "Outputs")}, "Resources": resources}
    return Adoption(body, entries)
