"""The fraud platform's parameter rules beyond each template's own constraints (seed 001):
environment rules (one environment's values of a parameter, in whichever template declares
it), cross-parameter rules (parameters of one template compared with each other) and the
differences between environments that are intended, with why. All data: add a row, not a
branch. cfnops runs them (``cfnops.inputs.env_rules``) through ``platform.PLATFORM``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from cfnops.inputs.constraints import format_number
from cfnops.inputs.env_rules import CrossRule, EnvironmentRule, at_least, at_most, equals

# Valid Fargate task sizes: CPU units -> (min MiB, max MiB, step MiB)
FARGATE_MEMORY = {
    256: (512, 2048, None),
    512: (1024, 4096, 1024),
    1024: (2048, 8192, 1024),
    2048: (4096, 16384, 1024),
    4096: (8192, 30720, 1024),
}
FARGATE_256_MEMORY = (512, 1024, 2048)


ENVIRONMENT_RULES = (
    EnvironmentRule(("prod",), "DbInstanceCount", at_least(2), "prod needs at least 2 Aurora instances"),
    EnvironmentRule(("prod",), "DbDeletionProtection", equals("true"), "prod needs Aurora deletion protection (true)"),
    EnvironmentRule(
        ("prod",),
        "LoadBalancerDeletionProtection",
        equals("true"),
        "prod needs load balancer deletion protection (true): PCI DSS rule ELB_DELETION_PROTECTION_ENABLED",
    ),
    EnvironmentRule(
        ("staging",), "DbDeletionProtection", equals("true"), "staging needs Aurora deletion protection (true)"
    ),
    EnvironmentRule(
        ("staging", "prod"),
        "TableDeletionProtection",
        equals("true"),
        "staging and prod need table deletion protection (true)",
    ),
    EnvironmentRule(
        ("prod",),
        "IteratorAgeThresholdMs",
        at_most(60000),
        "prod alarms when the oldest unread record is older than a minute: at most 60000 ms",
    ),
    EnvironmentRule(("prod",), "AuditLogRetentionDays", at_least(365), "prod keeps audit logs at least 365 days"),
    EnvironmentRule(
        ("prod",), "HighlyAvailableNat", equals("true"), "prod needs a NAT gateway per availability zone (true)"
    ),
    EnvironmentRule(("prod",), "MinTasks", at_least(2), "prod needs at least 2 tasks"),
    EnvironmentRule(("dev",), "IamMode", equals("read-only"), "dev must use IamMode read-only"),
    EnvironmentRule(("staging",), "IamMode", equals("limited-write"), "staging must use IamMode limited-write"),
    EnvironmentRule(("prod",), "IamMode", equals("full-access"), "prod must use IamMode full-access"),
    EnvironmentRule(
        ("staging",),
        "GlobalDbLagThresholdMs",
        at_most(5000),
        "staging alarms when a secondary region lags more than 5 s: at most 5000 ms",
    ),
    EnvironmentRule(
        ("prod",),
        "GlobalDbLagThresholdMs",
        at_most(1000),
        "prod alarms when a secondary region lags more than 1 s: at most 1000 ms",
    ),
    # the payments seed's validation rules
    EnvironmentRule(("dev",), "LambdaMemoryMb", equals("1024"), "dev must use 1024 MB Lambda memory"),
    EnvironmentRule(("staging",), "LambdaMemoryMb", equals("2048"), "staging must use 2048 MB Lambda memory"),
    EnvironmentRule(("prod",), "LambdaMemoryMb", equals("4096"), "prod must use 4096 MB Lambda memory"),
    EnvironmentRule(("dev",), "DbInstanceClass", equals("db.t4g.medium"), "dev must use db.t4g.medium"),
    EnvironmentRule(
        ("staging", "prod"), "DbInstanceClass", equals("db.r6g.large"), "staging and prod must use db.r6g.large"
    ),
    EnvironmentRule(
        ("dev", "staging"), "DbConnectionsThreshold", equals("100"), "dev and staging alarm at 100 database connections"
    ),
    EnvironmentRule(("prod",), "DbConnectionsThreshold", equals("200"), "prod alarms at 200 database connections"),
    EnvironmentRule(("dev",), "DurationThresholdMs", equals("5000"), "dev alarms at 5000 ms duration"),
    EnvironmentRule(("staging",), "DurationThresholdMs", equals("3000"), "staging alarms at 3000 ms duration"),
    EnvironmentRule(("prod",), "DurationThresholdMs", equals("2000"), "prod alarms at 2000 ms duration"),
    # error alarms tighten towards prod (payments' template Rule ProdErrorThreshold refuses the same)
    EnvironmentRule(("dev",), "ErrorThreshold", at_most(20), "dev alarms at 20 errors or fewer"),
    EnvironmentRule(("staging",), "ErrorThreshold", at_most(10), "staging alarms at 10 errors or fewer"),
    EnvironmentRule(("prod",), "ErrorThreshold", at_most(5), "prod alarms at 5 errors or fewer"),
)


def _tasks_bounds(values: Mapping[str, str]) -> str | None:
    if float(values["MinTasks"]) > float(values["MaxTasks"]):
        return f"MaxTasks must be at least MinTasks ({values['MinTasks']}), got {values['MaxTasks']}"
    return None


def _fargate_size(values: Mapping[str, str]) -> str | None:
    cpu, memory = int(float(values["TaskCpu"])), int(float(values["TaskMemory"]))
    low, high, step = FARGATE_MEMORY[cpu]
    valid = memory in FARGATE_256_MEMORY if step is None else low <= memory <= high and memory % step == 0
    if valid:
        return None
    sizes = ", ".join(map(str, FARGATE_256_MEMORY)) if step is None else f"{low} to {high} in steps of {step}"
    return f"Fargate with TaskCpu {cpu} takes TaskMemory {sizes}, got {format_number(memory)}"


def _global_database_class(values: Mapping[str, str]) -> str | None:
    """Aurora global databases need memory-optimized (db.r*) instances (Aurora User Guide,
    configuration requirements of a global database)."""
    if values["EnableGlobalDatabase"] == "true" and not values["DbInstanceClass"].startswith("db.r"):
        return f"an Aurora global database needs a memory-optimized class (db.r*), got {values['DbInstanceClass']}"
    return None


def _retire_after_global(values: Mapping[str, str]) -> str | None:
    if values["RetireRegionalTable"] == "true" and values["EnableGlobalTable"] != "true":
        return "the regional table can only be retired once EnableGlobalTable is true (and its items copied), got true"
    return None


CROSS_RULES = (
    CrossRule("MaxTasks", ("MinTasks", "MaxTasks"), _tasks_bounds),
    CrossRule("EnableGlobalDatabase", ("EnableGlobalDatabase", "DbInstanceClass"), _global_database_class),
    CrossRule("RetireRegionalTable", ("RetireRegionalTable", "EnableGlobalTable"), _retire_after_global),
    CrossRule("TaskMemory", ("TaskCpu", "TaskMemory"), _fargate_size),
)


# Keys meant to differ between environments, and why. `make parity` calls any other
# difference "unexplained": the accidental kind it exists to catch.
INTENDED_DIFFERENCES = MappingProxyType(
    {
        "CostCenter": "each environment is billed to its own cost centre",
        "AlertEmail": "each environment alerts its own on-call list",
        "AzCount": "sizing: prod spans three zones",
        "FlowLogRetentionDays": "retention grows with the environment's audit needs",
        "LogRetentionDays": "retention grows with the environment's audit needs",
        "TaskCpu": "sizing",
        "TaskMemory": "sizing",
        "MaxTasks": "sizing",
        "ReservedConcurrency": "sizing",
        "ShardCount": "sizing",
        "StreamRetentionHours": "replay window grows with the environment",
        "RdsInstanceClass": "sizing",
        "RdsStorageGb": "sizing",
        "CacheNodeType": "sizing",
        "ImageTag": "each environment runs the release it has been promoted to",
        "ProcessorMemoryMb": "sizing",
        "IteratorAgeThresholdMs": "prod alarms first: a stream falling behind is an outage there",
        "LatencyThresholdMs": "alarms tighten from dev to prod (5000 / 3000 / 2000 ms)",
        "GlobalDbLagThresholdMs": "replication lag alarms tighten from dev to prod (10000 / 5000 / 1000 ms)",
        "EnableGlobalDatabase": "prod replicates its Aurora cluster to every region; lower environments only when testing it",
    }
)
