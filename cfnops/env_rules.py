"""Rules a parameter file must satisfy beyond the template's own constraints (seed 001).

Environment rules hold for one environment's values of a parameter, in whichever
template declares it. Cross-parameter rules hold everywhere and compare parameters of
one template with each other. Both are data: add a row, not a branch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .constraints import format_number

# Valid Fargate task sizes: CPU units -> (min MiB, max MiB, step MiB)
FARGATE_MEMORY = {256: (512, 2048, None), 512: (1024, 4096, 1024), 1024: (2048, 8192, 1024),
                  2048: (4096, 16384, 1024), 4096: (8192, 30720, 1024)}
FARGATE_256_MEMORY = (512, 1024, 2048)


@dataclass(frozen=True)
class EnvironmentRule:
    environments: tuple[str, ...]
    parameter: str
    holds: Callable[[str], bool]
    expectation: str

    def problem(self, environment: str, value: str) -> str | None:
        if environment in self.environments and not self.holds(value):
            return f"{self.expectation}, got {value}"
        return None


@dataclass(frozen=True)
class CrossRule:
    """``check`` gets the template's resolved values and returns a problem or None;
    the problem is reported on ``parameter``."""

    parameter: str
    needs: tuple[str, ...]
    check: Callable[[Mapping[str, str]], str | None]


def at_least(number: float) -> Callable[[str], bool]:
    return lambda value: float(value) >= number


def at_most(number: float) -> Callable[[str], bool]:
    return lambda value: float(value) <= number


def equals(expected: str) -> Callable[[str], bool]:
    return lambda value: value == expected


ENVIRONMENT_RULES = (
    EnvironmentRule(("prod",), "DbInstanceCount", at_least(2), "prod needs at least 2 Aurora instances"),
    EnvironmentRule(("prod",), "DbDeletionProtection", equals("true"), "prod needs Aurora deletion protection (true)"),
    EnvironmentRule(("staging",), "DbDeletionProtection", equals("true"), "staging needs Aurora deletion protection (true)"),
    EnvironmentRule(("staging", "prod"), "TableDeletionProtection", equals("true"),
                    "staging and prod need table deletion protection (true)"),
    EnvironmentRule(("prod",), "IteratorAgeThresholdMs", at_most(60000),
                    "prod alarms when the oldest unread record is older than a minute: at most 60000 ms"),
    EnvironmentRule(("prod",), "AuditLogRetentionDays", at_least(365), "prod keeps audit logs at least 365 days"),
    EnvironmentRule(("prod",), "HighlyAvailableNat", equals("true"), "prod needs a NAT gateway per availability zone (true)"),
    EnvironmentRule(("prod",), "MinTasks", at_least(2), "prod needs at least 2 tasks"),
    EnvironmentRule(("dev",), "IamMode", equals("read-only"), "dev must use IamMode read-only"),
    EnvironmentRule(("staging",), "IamMode", equals("limited-write"), "staging must use IamMode limited-write"),
    EnvironmentRule(("prod",), "IamMode", equals("full-access"), "prod must use IamMode full-access"),
    # the payments seed's validation rules
    EnvironmentRule(("dev",), "LambdaMemoryMb", equals("1024"), "dev must use 1024 MB Lambda memory"),
    EnvironmentRule(("staging",), "LambdaMemoryMb", equals("2048"), "staging must use 2048 MB Lambda memory"),
    EnvironmentRule(("prod",), "LambdaMemoryMb", equals("4096"), "prod must use 4096 MB Lambda memory"),
    EnvironmentRule(("dev",), "DbInstanceClass", equals("db.t4g.medium"), "dev must use db.t4g.medium"),
    EnvironmentRule(("staging", "prod"), "DbInstanceClass", equals("db.r6g.large"), "staging and prod must use db.r6g.large"),
    EnvironmentRule(("dev", "staging"), "DbConnectionsThreshold", equals("100"), "dev and staging alarm at 100 database connections"),
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


CROSS_RULES = (
    CrossRule("MaxTasks", ("MinTasks", "MaxTasks"), _tasks_bounds),
    CrossRule("TaskMemory", ("TaskCpu", "TaskMemory"), _fargate_size),
)


# Keys meant to differ between environments, and why. `make parity` calls any other
# difference "unexplained": the accidental kind it exists to catch.
INTENDED_DIFFERENCES = {
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
}
