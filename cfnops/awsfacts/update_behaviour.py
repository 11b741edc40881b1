"""Update behaviour AWS documents per property ("Update requires: ..." on the Template
Reference page of the type) where the registry schema is silent or weaker.

The registry schema's ``createOnlyProperties`` only says "replaces"; the pages also say
"Some interruptions" (downtime, same identity) and, for a few properties, that the update
is rejected ("the update request fails"). Each fact names its page. Extend ``FACTS`` by
adding a ``TypeFacts`` for the type (one page, its properties by behaviour).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

PAGE = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/{}.html"


class Behaviour(Enum):
    """Ordered from least to most strict (``max`` takes the stricter)."""

    NO_INTERRUPTION = 0
    SOME_INTERRUPTIONS = 1
    REPLACEMENT = 2
    UPDATE_FAILS = 3


@dataclass(frozen=True)
class Fact:
    type_name: str
    property: str
    behaviour: Behaviour
    page: str
    reason: str = ""


@dataclass(frozen=True)
class TypeFacts:
    type_name: str
    page_slug: str  # aws-resource-kms-key
    behaviours: dict[Behaviour, tuple[str, ...]]
    reasons: dict[str, str]

    def facts(self) -> tuple[Fact, ...]:
        page = PAGE.format(self.page_slug)
        return tuple(
            Fact(self.type_name, name, behaviour, page, self.reasons.get(name, ""))
            for behaviour, names in self.behaviours.items()
            for name in names
        )


_KMS_FAILS = (
    "the Template Reference page: changing it on an existing KMS key makes the update request fail, "
    "whatever the UpdateReplacePolicy (the fix is a new key)"
)

FACTS: tuple[TypeFacts, ...] = (
    TypeFacts(
        "AWS::KMS::Key",
        "aws-resource-kms-key",
        {Behaviour.UPDATE_FAILS: ("KeySpec", "KeyUsage", "Origin", "MultiRegion")},
        dict.fromkeys(("KeySpec", "KeyUsage", "Origin", "MultiRegion"), _KMS_FAILS),
    ),
    TypeFacts(
        "AWS::RDS::DBInstance",
        "aws-resource-rds-dbinstance",
        {Behaviour.SOME_INTERRUPTIONS: ("DBInstanceClass", "DBParameterGroupName")},
        {
            "DBInstanceClass": "the page says Some interruptions: the instance is modified (and restarted), same identity",
            "DBParameterGroupName": "the page says Some interruptions: a changed parameter group may restart the instance",
        },
    ),
    TypeFacts(
        "AWS::DynamoDB::Table",
        "aws-resource-dynamodb-table",
        {Behaviour.REPLACEMENT: ("KeySchema",)},
        {"KeySchema": "the page says Replacement where the schema lists KeySchema as only conditionally create-only"},
    ),
)

_BY_KEY = {(f.type_name, f.property): f for entry in FACTS for f in entry.facts()}


def documented(type_name: str, property_name: str) -> Fact | None:
    """The documented behaviour of a top-level property, when we hold a fact for it."""
    return _BY_KEY.get((type_name, property_name))


def facts() -> tuple[Fact, ...]:
    return tuple(_BY_KEY.values())
