"""The CloudWatch metric filters AWS Security Hub's controls CloudWatch.1-14 require on the log
group a multi-region CloudTrail trail delivers to (CIS AWS Foundations Benchmark v1.2.0 3.1-3.14,
v1.4.0 4.x; CloudWatch.1 also PCI DSS v3.2.1 7.2.1), each with an alarm notifying an SNS topic
with a subscription. Security Hub checks the patterns literally: "This control fails if the exact
metric filters prescribed by CIS are not used. Additional fields or terms cannot be added to the
metric filters." (https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html)
"""

from __future__ import annotations

from dataclasses import dataclass

PAGE = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html"


@dataclass(frozen=True)
class Control:
    number: int  # CloudWatch.<number>
    name: str  # the metric's name (CamelCase): the filter and its alarm are named after it
    watches: str  # what the alarm says it saw
    pattern: str

    @property
    def url(self) -> str:
        return f"{PAGE}#cloudwatch-{self.number}"


def _any_event(*names: str) -> str:
    return " || ".join(f"($.eventName={name})" for name in names)


def _of_source(source: str, *names: str) -> str:
    return f"{{($.eventSource={source}) && ({_any_event(*names)})}}"


CONTROLS = (
    Control(
        1,
        "RootUserUsage",
        'usage of the "root" user',
        '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}',
    ),
    Control(
        2,
        "UnauthorizedApiCalls",
        "unauthorized API calls",
        '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}',
    ),
    Control(
        3,
        "ConsoleSignInWithoutMfa",
        "Management Console sign-in without MFA",
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
        '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    ),
    Control(
        4,
        "IamPolicyChanges",
        "IAM policy changes",
        _of_source(
            "iam.amazonaws.com",
            "DeleteGroupPolicy",
            "DeleteRolePolicy",
            "DeleteUserPolicy",
            "PutGroupPolicy",
            "PutRolePolicy",
            "PutUserPolicy",
            "CreatePolicy",
            "DeletePolicy",
            "CreatePolicyVersion",
            "DeletePolicyVersion",
            "AttachRolePolicy",
            "DetachRolePolicy",
            "AttachUserPolicy",
            "DetachUserPolicy",
            "AttachGroupPolicy",
            "DetachGroupPolicy",
        ),
    ),
    Control(
        5,
        "CloudTrailChanges",
        "CloudTrail configuration changes",
        "{" + _any_event("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging") + "}",
    ),
    Control(
        6,
        "ConsoleAuthenticationFailures",
        "Management Console authentication failures",
        '{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}',
    ),
    Control(
        7,
        "KeyDisabledOrScheduledForDeletion",
        "disabling or scheduled deletion of customer managed keys",
        _of_source("kms.amazonaws.com", "DisableKey", "ScheduleKeyDeletion"),
    ),
    Control(
        8,
        "BucketPolicyChanges",
        "S3 bucket policy changes",
        _of_source(
            "s3.amazonaws.com",
            "PutBucketAcl",
            "PutBucketPolicy",
            "PutBucketCors",
            "PutBucketLifecycle",
            "PutBucketReplication",
            "DeleteBucketPolicy",
            "DeleteBucketCors",
            "DeleteBucketLifecycle",
            "DeleteBucketReplication",
        ),
    ),
    Control(
        9,
        "ConfigChanges",
        "AWS Config configuration changes",
        _of_source(
            "config.amazonaws.com",
            "StopConfigurationRecorder",
            "DeleteDeliveryChannel",
            "PutDeliveryChannel",
            "PutConfigurationRecorder",
        ),
    ),
    Control(
        10,
        "SecurityGroupChanges",
        "security group changes",
        "{"
        + _any_event(
            "AuthorizeSecurityGroupIngress",
            "AuthorizeSecurityGroupEgress",
            "RevokeSecurityGroupIngress",
            "RevokeSecurityGroupEgress",
            "CreateSecurityGroup",
            "DeleteSecurityGroup",
        )
        + "}",
    ),
    Control(
        11,
        "NetworkAclChanges",
        "changes to network access control lists (NACL)",
        "{"
        + _any_event(
            "CreateNetworkAcl",
            "CreateNetworkAclEntry",
            "DeleteNetworkAcl",
            "DeleteNetworkAclEntry",
            "ReplaceNetworkAclEntry",
            "ReplaceNetworkAclAssociation",
        )
        + "}",
    ),
    Control(
        12,
        "NetworkGatewayChanges",
        "changes to network gateways",
        "{"
        + _any_event(
            "CreateCustomerGateway",
            "DeleteCustomerGateway",
            "AttachInternetGateway",
            "CreateInternetGateway",
            "DeleteInternetGateway",
            "DetachInternetGateway",
        )
        + "}",
    ),
    Control(
        13,
        "RouteTableChanges",
        "route table changes",
        _of_source(
            "ec2.amazonaws.com",
            "CreateRoute",
            "CreateRouteTable",
            "ReplaceRoute",
            "ReplaceRouteTableAssociation",
            "DeleteRouteTable",
            "DeleteRoute",
            "DisassociateRouteTable",
        ),
    ),
    Control(
        14,
        "VpcChanges",
        "VPC changes",
        "{"
        + _any_event(
            "CreateVpc",
            "DeleteVpc",
            "ModifyVpcAttribute",
            "AcceptVpcPeeringConnection",
            "CreateVpcPeeringConnection",
            "DeleteVpcPeeringConnection",
            "RejectVpcPeeringConnection",
            "AttachClassicLinkVpc",
            "DetachClassicLinkVpc",
            "DisableVpcClassicLink",
            "EnableVpcClassicLink",
        )
        + "}",
    ),
)
