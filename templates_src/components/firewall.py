"""AWS WAF (v2, REGIONAL) in front of an internet-facing load balancer.

AWS managed rule groups (common rule set, known bad inputs, SQL injection) and a
rate-based rule per client IP, associated with the load balancer; every request is
logged to a CMK-encrypted log group whose name starts with ``aws-waf-logs-`` (WAF
accepts no other name) and whose ARN is given without the ``:*`` that the log group's
``Arn`` attribute ends in (WAF refuses that form as an invalid ARN).
"""

from __future__ import annotations

from troposphere import GetAtt, Ref, Sub, Template, wafv2

from ..conventions import name_pattern, physical_name, standard_tags
from . import observability

MANAGED_RULE_GROUPS = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
)
RATE_LIMIT_PER_5_MINUTES = 2000  # requests from one IP address in any 5-minute window


def _visibility(metric: str) -> wafv2.VisibilityConfig:
    return wafv2.VisibilityConfig(CloudWatchMetricsEnabled=True, MetricName=metric, SampledRequestsEnabled=True)


def _managed_rule(priority: int, name: str) -> wafv2.WebACLRule:
    return wafv2.WebACLRule(
        Name=name,
        Priority=priority,
        OverrideAction=wafv2.OverrideAction(**{"None": {}}),
        Statement=wafv2.Statement(
            ManagedRuleGroupStatement=wafv2.ManagedRuleGroupStatement(VendorName="AWS", Name=name)
        ),
        VisibilityConfig=_visibility(name),
    )


def _rate_rule(priority: int, limit: int) -> wafv2.WebACLRule:
    return wafv2.WebACLRule(
        Name="RateLimitPerIp",
        Priority=priority,
        Action=wafv2.RuleAction(Block=wafv2.BlockAction()),
        Statement=wafv2.Statement(RateBasedStatement=wafv2.RateBasedStatement(Limit=limit, AggregateKeyType="IP")),
        VisibilityConfig=_visibility("RateLimitPerIp"),
    )


def add_web_acl(
    template: Template, suffix: str, load_balancer, key, log_retention_days, rate_limit: int = RATE_LIMIT_PER_5_MINUTES
) -> wafv2.WebACL:
    """The web ACL ``{env}-{region}-waf-<suffix>``, associated with ``load_balancer``, logging to
    ``aws-waf-logs-{env}-{region}-waf-<suffix>``."""
    rules = [_managed_rule(index, name) for index, name in enumerate(MANAGED_RULE_GROUPS)]
    rules.append(_rate_rule(len(rules), rate_limit))
    acl = template.add_resource(
        wafv2.WebACL(
            "WebAcl",
            Name=physical_name("waf", suffix),
            Scope="REGIONAL",
            Description=Sub(f"${{Environment}} {suffix}: AWS managed rules and a rate limit"),
            DefaultAction=wafv2.DefaultAction(Allow=wafv2.AllowAction()),
            Rules=rules,
            VisibilityConfig=_visibility(f"{suffix}-waf"),
            Tags=standard_tags(),
        )
    )
    template.add_resource(
        wafv2.WebACLAssociation("WebAclAssociation", ResourceArn=Ref(load_balancer), WebACLArn=GetAtt(acl, "Arn"))
    )
    log_name = "aws-waf-logs-" + name_pattern("waf", suffix)
    log_group = observability.add_named_log_group(template, "WebAclLogGroup", Sub(log_name), log_retention_days, key)
    template.add_resource(
        wafv2.LoggingConfiguration(
            "WebAclLogging",
            ResourceArn=GetAtt(acl, "Arn"),
            LogDestinationConfigs=[
                Sub(f"arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{log_name}")
            ],
            DependsOn=[log_group.title],
        )
    )
    return acl
