"""AWS managed KMS keys (a service's default key, ``aws/<service>``), as AWS documents them:

- their aliases always have the form ``alias/aws/<service-name>``
  (https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html), and nobody else may
  create an alias with that prefix: CreateAlias reserves ``alias/aws/`` for AWS managed keys
  (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html), so
  ``kms:ResourceAliases`` matching it names AWS managed keys only
  (https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html);
- they carry no tags of ours (tags are for customer managed keys,
  https://docs.aws.amazon.com/kms/latest/developerguide/tagging-keys.html): a condition on
  ``aws:ResourceTag/…`` never holds for them;
- their key policy lets the account's principals use them only through the service that owns
  them (``kms:ViaService``, ``kms:CallerAccount``), for USE_ACTIONS
  (https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key).
"""

from __future__ import annotations

ALIASES = "alias/aws/*"
VIA_ANY_SERVICE = "*.amazonaws.com"
USE_ACTIONS = (
    "kms:CreateGrant",
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
)
