"""AWS::S3::BucketPolicy on localcloud: the bucket's real policy in moto's S3 (get-bucket-policy
and drift see it), put by PutBucketPolicy at creation and on each update, removed by
DeleteBucketPolicy. Ref: the bucket's name, as on AWS (the schema's primaryIdentifier is Bucket).

moto enforces a bucket policy's public (Principal ``*``) statements without their conditions, so
the templates' TLS-only Deny (``aws:SecureTransport`` false) would refuse every request;
localcloud evaluates those conditions (cfnops.awsfacts.policy_eval) with the request's
``aws:PrincipalArn`` (the caller's IAM user or role, as STS names it) and ``aws:SecureTransport``
true, as every AWS endpoint is HTTPS (the server's plain-HTTP socket is localcloud's, not AWS's)."""

from __future__ import annotations

import json
from contextvars import ContextVar

from moto.s3.models import FakeBucket, s3_backends

from cfnops.awsfacts import policy_eval

from ..cloudformation.patches import PutBacked, add_model
from ..core.registry import document, patch, replace, unwrapped

BUCKET_POLICY = "AWS::S3::BucketPolicy"
SECURE = {"aws:SecureTransport": "true"}  # what an AWS endpoint's request carries: always HTTPS
CALLER: ContextVar[str | None] = ContextVar("s3_caller", default=None)  # the request's aws:PrincipalArn


def _put(name: str, properties: dict, account: str, region: str) -> None:
    document = properties["PolicyDocument"]
    policy = document if isinstance(document, str) else json.dumps(document)
    s3_backends[account]["aws"].put_bucket_policy(properties["Bucket"], policy.encode())


class BucketPolicyResource(PutBacked):
    """Ref: the bucket's name; the policy itself lives on moto's bucket."""

    kind = BUCKET_POLICY
    put = staticmethod(_put)

    def __init__(self, resource_type, logical_id, generated_name, properties, account, region):
        super().__init__(resource_type, logical_id, generated_name, properties, account, region)
        self.physical_resource_id = properties["Bucket"]

    def delete(self, account_id: str, region_name: str) -> None:
        backend = s3_backends[account_id]["aws"]
        if self.physical_resource_id in backend.buckets:  # a bucket deleted first took its policy along
            backend.delete_bucket_policy(self.physical_resource_id)


add_model(BUCKET_POLICY, BucketPolicyResource)


def principal_arn(caller_arn: str) -> str:
    """aws:PrincipalArn of a caller: an assumed role's session is its role's ARN
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn)."""
    head, _, rest = caller_arn.partition(":assumed-role/")
    if not rest:
        return caller_arn
    return f"{head.replace(':sts::', ':iam::', 1)}:role/{rest.split('/', 1)[0]}"


def _request() -> dict:
    caller = CALLER.get()
    return {**SECURE, "aws:PrincipalArn": principal_arn(caller)} if caller else dict(SECURE)


def _public(statement: dict) -> bool:
    principal = statement.get("Principal")
    return principal == "*" or (isinstance(principal, dict) and principal.get("AWS") == "*")


@patch(
    "a bucket policy's public statements are enforced with their conditions (aws:SecureTransport true: "
    "AWS's endpoints are HTTPS), not as if every condition held"
)
def _bucket_policy_conditions() -> None:
    from moto.iam.access_control import PermissionResult

    original = unwrapped(FakeBucket, "get_permission")

    def get_permission(self, action: str, resource: str):
        if self.policy is None:
            return PermissionResult.NEUTRAL
        policy = json.loads(self.policy)
        statements = policy.get("Statement", [])
        statements = statements if isinstance(statements, list) else [statements]
        public = {**policy, "Statement": [s for s in statements if _public(s)]}
        try:
            decision = policy_eval.evaluate([public], action, resource, _request())
        except ValueError:  # a condition operator policy_eval does not evaluate: moto's own answer
            return original(self, action, resource)
        if decision.allowed:
            return PermissionResult.PERMITTED
        return PermissionResult.DENIED if decision.reason == "explicitly denied" else PermissionResult.NEUTRAL

    replace(FakeBucket, "get_permission", get_permission)


@patch("S3 requests remember their caller (its aws:PrincipalArn) while a bucket policy is evaluated")
def _s3_requests_know_their_caller() -> None:
    from moto.s3.responses import S3Response
    from moto.sts.models import sts_backends

    def remembering(original):
        def respond(self, request, full_url):
            _, caller, _ = sts_backends[self.current_account]["aws"].get_caller_identity(
                self.get_access_key(), self.region
            )
            token = CALLER.set(caller)
            try:
                return original(self, request, full_url)
            finally:
                CALLER.reset(token)

        return respond

    for name in ("_bucket_response", "_key_response"):
        replace(S3Response, name, remembering(unwrapped(S3Response, name)))


__doc__ = document(__doc__, __name__)
