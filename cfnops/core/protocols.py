"""The shapes the stages rely on, as Protocols: where clients come from (``AwsFactory``,
``core.aws.Aws`` in the product, a stubbed or localcloud one in tests) and where progress
goes (``Progress``, ``cli.progress`` in the product).

boto3 clients are typed as named ``Any`` aliases: boto3 is untyped and its stubs are not in
the lock, so the alias documents which client a parameter takes without claiming more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

if TYPE_CHECKING:  # annotations only: core does not import the stages at run time
    from ..rollout.operations import InstanceResult, Outcome

CloudFormationClient: TypeAlias = Any
DynamoDBClient: TypeAlias = Any


class AwsFactory(Protocol):
    """Clients per service and region, shared by threads; the caller's account."""

    def client(self, service: str, region: str) -> Any: ...

    def account_id(self, region: str) -> str: ...

    def caller_arn(self, region: str) -> str: ...


class Progress(Protocol):
    """What the rollout, destroy, drift and table-copy stages report while they run."""

    def note(self, stackset: str, message: str) -> None: ...

    def started(self, stackset: str, operation_id: str, action: str) -> None: ...

    def instances(self, stackset: str, results: tuple[InstanceResult, ...]) -> None: ...

    def finished(self, outcome: Outcome) -> None: ...
