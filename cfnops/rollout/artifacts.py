"""Templates through the artifacts bucket: written with the deploying credentials, read by
CloudFormation from a TemplateURL that names the object version just written, so what a
StackSet or the bootstrap stack reads is what cfnops wrote even if the key is overwritten
in between (the bucket is versioned;
https://docs.aws.amazon.com/AmazonS3/latest/userguide/RetrievingObjectVersions.html)."""

from __future__ import annotations


def upload(s3, bucket: str, region: str, key: str, body: bytes) -> str:
    """PutObject, then the object's URL pinned to the version S3 answered with."""
    written = s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/json")
    url = f"https://{bucket}.s3.{region}.amazonaws.com/{key}"
    return f"{url}?versionId={written['VersionId']}" if written.get("VersionId") else url
