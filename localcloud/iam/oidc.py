"""AWS::IAM::OIDCProvider on localcloud: a real provider in moto's IAM (ListOpenIDConnectProviders
and AssumeRoleWithWebIdentity see it), its Ref and Arn ``arn:aws:iam::<account>:oidc-provider/<host/path>``
as on AWS (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-oidcprovider.html#aws-resource-iam-oidcprovider-return-values);
moto's CloudFormation does not model the type (it would be a placeholder with another ARN).
"""

from __future__ import annotations

from moto.iam.models import iam_backends

from ..cloudformation.patches import Placeholder, add_model

OIDC_PROVIDER = "AWS::IAM::OIDCProvider"


class OidcProviderResource(Placeholder):
    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[override]
        properties = cloudformation_json.get("Properties", {})
        resource = cls(
            OIDC_PROVIDER, kwargs.get("LogicalId", resource_name), resource_name, properties, account_id, region_name
        )
        provider = iam_backends[account_id]["aws"].create_open_id_connect_provider(
            properties["Url"],
            properties.get("ThumbprintList", []),
            properties.get("ClientIdList", []),
            properties.get("Tags", []),
        )
        resource.physical_resource_id = provider.arn
        return resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):  # type: ignore[override]
        return None

    def delete(self, account_id: str, region_name: str) -> None:
        iam_backends[account_id]["aws"].delete_open_id_connect_provider(self.physical_resource_id)

    def get_cfn_attribute(self, attribute_name: str):
        return self.physical_resource_id if attribute_name == "Arn" else super().get_cfn_attribute(attribute_name)


add_model(OIDC_PROVIDER, OidcProviderResource)
