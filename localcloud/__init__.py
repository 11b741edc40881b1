"""The offline AWS: moto, with the gaps our templates hit closed (never by bending them),
and a StackSet engine with CloudFormation's semantics on top of moto's stacks.

``install()`` patches moto in this process; tests call it before ``mock_aws``, and the
server (``python -m localcloud``) calls it before serving. moto is pinned
(pyproject.toml) because these patches reach into its internals. Every patch goes through
one registry (core/registry.py): ``python -m localcloud --patches`` lists them, in order.
"""

from __future__ import annotations


def install() -> None:
    """Apply every patch once (idempotent), in the registry's order."""
    from .applicationautoscaling import scaling  # noqa: F401 - each registers its patches
    from .awslambda import concurrency  # noqa: F401
    from .cloudformation import agentcore, imports, limits, outputs, patches, permissions, protection, updates  # noqa: F401
    from .cloudtrail import trails  # noqa: F401
    from .cloudwatch import alarms  # noqa: F401
    from .core import registry
    from .drift import responses as drift  # noqa: F401
    from .dynamodb import globaltables  # noqa: F401
    from .ec2 import addresses, peering  # noqa: F401
    from .elasticache import groups  # noqa: F401
    from .iam import oidc  # noqa: F401
    from .logs import metric_events, metric_filters  # noqa: F401
    from .organizations import access  # noqa: F401
    from .rds import clusters, globaldb  # noqa: F401
    from .s3 import bucket_policies  # noqa: F401
    from .scheduler import schedules  # noqa: F401
    from .secretsmanager import secrets  # noqa: F401
    from .servicequotas import applied  # noqa: F401
    from .sns import subscriptions  # noqa: F401
    from .stacksets import autodeploy, orgaccess  # noqa: F401
    from .stacksets import responses as stacksets  # noqa: F401
    from .sts import identity, trust, web_identity  # noqa: F401
    from .wafv2 import web_acls  # noqa: F401

    registry.install()
