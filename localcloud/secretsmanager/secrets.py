"""AWS::SecretsManager::Secret on localcloud: a real secret in moto's Secrets Manager
(describe-secret, get-secret-value and drift see it), made by CreateSecret with the template's
SecretString or a value GetRandomPassword generates as GenerateSecretString says (merged into
SecretStringTemplate under GenerateStringKey, as the handler does); an update calls UpdateSecret
and sets the template's tags exactly; deletion deletes it without a recovery window (so its name
is free again, as localcloud's name tracking has it). Ref: the secret's ARN, as on AWS."""

from __future__ import annotations

import json
import uuid

from moto.secretsmanager.models import secretsmanager_backends

from ..cloudformation.patches import PutBacked, add_model
from ..core.values import flag

SECRET = "AWS::SecretsManager::Secret"
PASSWORD_FLAGS = ("ExcludeNumbers", "ExcludePunctuation", "ExcludeUppercase", "ExcludeLowercase", "IncludeSpace")


def _backend(account: str, region: str):
    return secretsmanager_backends[account][region]


def _tags(properties: dict) -> list[dict]:
    return [{"Key": t["Key"], "Value": str(t["Value"])} for t in properties.get("Tags") or []]


def _generated(backend, generate: dict) -> str:
    password = backend.get_random_password(
        int(generate.get("PasswordLength", 32)),
        generate.get("ExcludeCharacters", ""),
        *(flag(generate.get(name, False)) for name in PASSWORD_FLAGS),
        flag(generate.get("RequireEachIncludedType", True)),
    )
    value = json.loads(password)["RandomPassword"] if password.startswith("{") else password
    if generate.get("SecretStringTemplate") and generate.get("GenerateStringKey"):
        return json.dumps({**json.loads(generate["SecretStringTemplate"]), generate["GenerateStringKey"]: value})
    return value


def _create(name: str, properties: dict, account: str, region: str) -> str:
    """CreateSecret; the secret's ARN."""
    backend = _backend(account, region)
    value = properties.get("SecretString")
    if value is None:
        value = _generated(backend, properties.get("GenerateSecretString") or {})
    created = backend.create_secret(
        name=name,
        secret_string=value,
        secret_binary=None,
        description=properties.get("Description"),
        tags=_tags(properties),
        kms_key_id=properties.get("KmsKeyId"),
        client_request_token=None,
        replica_regions=properties.get("ReplicaRegions") or [],
        force_overwrite=False,
    )
    return json.loads(created)["ARN"] if isinstance(created, str) else created["ARN"]


def _update(name: str, properties: dict, account: str, region: str) -> None:
    """UpdateSecret (description, key), then the template's tags exactly; ``name``: the Ref, the ARN."""
    arn = name
    backend = _backend(account, region)
    backend.update_secret(
        secret_id=arn,
        secret_string=None,
        secret_binary=None,
        client_request_token=str(uuid.uuid4()),  # the SDK's idempotency token, as boto3 fills it in
        kms_key_id=properties.get("KmsKeyId"),
        description=properties.get("Description"),
    )
    wanted = _tags(properties)
    current = {t["Key"] for t in backend.secrets.get(arn).tags or []}
    backend.untag_resource(arn, sorted(current - {t["Key"] for t in wanted}))
    backend.tag_resource(arn, {t["Key"]: t["Value"] for t in wanted})


class SecretResource(PutBacked):
    """Ref: the secret's ARN; the secret itself lives in moto's Secrets Manager backend."""

    kind = SECRET
    put = staticmethod(_update)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[override]
        properties = cloudformation_json.get("Properties", {})
        logical_id = kwargs.get("LogicalId", resource_name)
        resource = cls(cls.kind, logical_id, resource_name, properties, account_id, region_name)
        resource.physical_resource_id = _create(
            properties.get("Name") or resource_name, properties, account_id, region_name
        )
        return resource

    def get_cfn_attribute(self, attribute_name: str):
        return self.physical_resource_id if attribute_name == "Id" else super().get_cfn_attribute(attribute_name)

    def delete(self, account_id: str, region_name: str) -> None:
        _backend(account_id, region_name).delete_secret(self.physical_resource_id, None, True)


add_model(SECRET, SecretResource)
