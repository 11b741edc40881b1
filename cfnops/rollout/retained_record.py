"""The record of what `destroy` retained, kept where AWS keeps the environment's other
artifacts: ``s3://<artifacts bucket>/cfnops/retained/<environment>.json`` in the administrator
region (the bucket bootstrap made, which destroy leaves). Each destroy writes what it kept;
a later `destroy --remove-retained` reads it, so what an earlier destroy left is found
although its stacks (the only other list of it) are gone.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields

from botocore.exceptions import ClientError

from ..core.aws import error_code
from ..core.protocols import AwsFactory
from .deploy import artifacts_bucket
from .retained import Retained

FIELDS = tuple(f.name for f in fields(Retained))


@dataclass(frozen=True)
class Where:
    """The record's place: the caller's artifacts bucket in the administrator region."""

    bucket: str
    region: str
    environment: str

    @classmethod
    def of(cls, aws: AwsFactory, pattern: str, region: str, environment: str) -> Where:
        return cls(artifacts_bucket(pattern, aws.account_id(region), region), region, environment)

    @property
    def key(self) -> str:
        return f"cfnops/retained/{self.environment}.json"

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def read(aws: AwsFactory, where: Where) -> list[Retained]:
    """What earlier destroys recorded ([] when there is no record, or no bucket)."""
    try:
        body = aws.client("s3", where.region).get_object(Bucket=where.bucket, Key=where.key)["Body"].read()
    except ClientError as error:
        if error_code(error) in ("NoSuchKey", "NoSuchBucket", "404"):
            return []
        raise
    return [Retained(**{name: str(item[name]) for name in FIELDS}) for item in json.loads(body)]


def write(aws: AwsFactory, where: Where, items: list[Retained]) -> bool:
    """The record becomes ``items`` (none left: the record goes); False when there is no bucket."""
    s3 = aws.client("s3", where.region)
    body = json.dumps([asdict(item) for item in items], indent=1, sort_keys=True)
    try:
        if items:
            s3.put_object(Bucket=where.bucket, Key=where.key, Body=body.encode(), ContentType="application/json")
        else:
            s3.delete_object(Bucket=where.bucket, Key=where.key)
    except ClientError as error:
        if error_code(error) in ("NoSuchBucket", "404"):
            return False
        raise
    return True


def merged(*lists: list[Retained]) -> list[Retained]:
    """Every item once, in the order first seen."""
    return list(dict.fromkeys(item for items in lists for item in items))
