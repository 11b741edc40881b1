"""What a TemplateURL names, read as CloudFormation reads it: the object version its
``versionId`` names (moto read the key's latest version and ignored the query), and a
missing bucket, key or version refused with CloudFormation's ValidationError ``S3 error: …``
(moto failed with an internal error). cfnops pins every TemplateURL it sends to the version
it just wrote (cfnops/rollout/artifacts.py); offline, as on AWS, a later write of the same
key does not change what such a URL reads.
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlparse

from moto.cloudformation.exceptions import ValidationError

from ..core.registry import document, patch, replace

# S3's texts (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html: NoSuchBucket,
# NoSuchKey, NoSuchVersion), as CloudFormation passes them on
S3_ERROR = "S3 error: {} For more information check http://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html"
NO_SUCH_BUCKET = "The specified bucket does not exist."
NO_SUCH_KEY = "The specified key does not exist."
NO_SUCH_VERSION = "The specified version does not exist."


def locate(url: str) -> tuple[str, str, str | None]:
    """(bucket, key, versionId or None) of an S3 URL, virtual-hosted or path style."""
    parts = urlparse(url)
    path_style = "localhost" in parts.netloc or (
        parts.netloc.startswith("s3") and parts.netloc.endswith("amazonaws.com")
    )
    if path_style:
        bucket, _, key = parts.path.lstrip("/").partition("/")
    else:
        bucket, key = parts.netloc.split(".")[0], parts.path.lstrip("/")
    versions = parse_qs(parts.query).get("versionId")
    return bucket, unquote(key), versions[0] if versions else None


def read(url: str, account_id: str, partition: str) -> str:
    """The template text at ``url``, at the version it names."""
    from moto.s3.exceptions import MissingBucket
    from moto.s3.models import s3_backends

    bucket, key, version = locate(url)
    try:
        found = s3_backends[account_id][partition].get_object(bucket, key, version_id=version)
    except MissingBucket:
        raise ValidationError(message=S3_ERROR.format(NO_SUCH_BUCKET)) from None
    if found is None:
        raise ValidationError(message=S3_ERROR.format(NO_SUCH_VERSION if version else NO_SUCH_KEY))
    return found.value.decode("utf-8")


@patch(
    "a TemplateURL reads the object version its versionId names; a missing bucket, key or version is refused "
    "with CloudFormation's ValidationError 'S3 error: …'"
)
def _versioned_template_urls() -> None:
    from moto.cloudformation import models as cfn_models
    from moto.cloudformation import responses as cfn_responses

    def get_stack_from_s3_url(template_url: str, account_id: str, partition: str) -> str:
        return read(template_url, account_id, partition)

    replace(cfn_responses, "get_stack_from_s3_url", get_stack_from_s3_url)
    replace(cfn_models, "get_stack_from_s3_url", get_stack_from_s3_url)


__doc__ = document(__doc__, __name__)
