"""The values ``region_outputs`` declares, read from the other instances' stack outputs.

For each source StackSet: ListStackInstances in its administrator region, for the caller's
account (the only one region_outputs allows), gives each region's StackId; DescribeStacks
with that id in that region gives its Outputs. A value whose source is not there yet (no
StackSet, no instance in that region, no stack, or the stack lacks the output) is pending:
its region is held back until a later pass of the rollout finds it (staged.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from botocore.exceptions import ClientError

from ..core.aws import error_code
from ..core.protocols import AwsFactory
from ..inputs import region_outputs
from .plan import Desired


@dataclass(frozen=True)
class Read:
    need: region_outputs.Need
    source_name: str  # the source StackSet's name (with the environment)
    value: str | None  # None: pending

    def describe(self) -> str:
        found = self.value if self.value is not None else "not there yet"
        return f"{self.need.parameter} <- {self.source_name} {self.need.source} output {self.need.output}: {found}"


@dataclass(frozen=True)
class RegionValues:
    reads: tuple[Read, ...] = ()

    def values(self, region: str) -> dict[str, str]:
        return {r.need.parameter: r.value for r in self.reads if r.need.region == region and r.value is not None}

    @property
    def blocked(self) -> dict[str, list[Read]]:
        """Region -> the reads it still waits for."""
        waiting: dict[str, list[Read]] = {}
        for read in self.reads:
            if read.value is None:
                waiting.setdefault(read.need.region, []).append(read)
        return waiting


@dataclass
class OutputReader:
    """Stack outputs of StackSet instances in one account, each stack read once."""

    aws: AwsFactory
    account: str
    _stacks: dict = field(default_factory=dict)
    _outputs: dict = field(default_factory=dict)

    def know(self, spec, instances) -> None:
        """The instances a plan already listed (``InstanceState``s): no second ListStackInstances."""
        self._stacks[spec.name] = {i.region: i.stack_id for i in instances if i.account == self.account and i.stack_id}

    def stack_ids(self, spec) -> dict[str, str]:
        """Region -> StackId of ``spec``'s instances in the account ({} when the StackSet does not exist)."""
        if spec.name not in self._stacks:
            client = self.aws.client("cloudformation", spec.administrator_region)
            found: dict[str, str] = {}
            try:
                pages = client.get_paginator("list_stack_instances").paginate(
                    StackSetName=spec.name, StackInstanceAccount=self.account
                )
                for page in pages:
                    found.update({s["Region"]: s["StackId"] for s in page["Summaries"] if s.get("StackId")})
            except ClientError as error:
                if error_code(error) != "StackSetNotFoundException":
                    raise
            self._stacks[spec.name] = found
        return self._stacks[spec.name]

    def outputs(self, spec, region: str) -> dict[str, str]:
        key = (spec.name, region)
        if key not in self._outputs:
            stack_id = self.stack_ids(spec).get(region)
            self._outputs[key] = self._describe(stack_id, region) if stack_id else {}
        return self._outputs[key]

    def _describe(self, stack_id: str, region: str) -> dict[str, str]:
        client = self.aws.client("cloudformation", region)
        try:
            stacks = client.describe_stacks(StackName=stack_id)["Stacks"]
        except ClientError as error:
            if error_code(error) == "ValidationError":  # "Stack ... does not exist": the instance has no stack (yet)
                return {}
            raise
        return {o["OutputKey"]: o.get("OutputValue", "") for stack in stacks for o in stack.get("Outputs", [])}


def read(reader: OutputReader, spec, specs_by_key: dict) -> RegionValues:
    """Every value ``spec`` reads, known or pending."""
    reads = []
    for need in region_outputs.needs(spec):
        source = specs_by_key[need.stackset]
        reads.append(Read(need, source.name, reader.outputs(source, need.source).get(need.output)))
    return RegionValues(tuple(reads))


def pending_text(read: Read) -> str:
    """What the plan shows for a value not known yet."""
    return f"(read at deploy: {read.source_name} {read.need.source} output {read.need.output})"


def with_values(desired: Desired, values: RegionValues) -> Desired:
    """The desired overrides plus the values read (a pending one shows where it will come from)."""
    overrides = {region: dict(values_) for region, values_ in desired.overrides.items()}
    for read_ in values.reads:
        if read_.need.region in overrides:
            overrides[read_.need.region][read_.need.parameter] = (
                read_.value if read_.value is not None else pending_text(read_)
            )
    return replace(desired, overrides=overrides, region_reads=values.reads)


def held_back(desired: Desired, blocked) -> Desired:
    """Only the regions whose values are all known: the others wait for a later pass."""
    regions = tuple(region for region in desired.spec.regions if region not in blocked)
    overrides = {region: values for region, values in desired.overrides.items() if region in regions}
    return replace(desired, spec=replace(desired.spec, regions=regions), overrides=overrides)
