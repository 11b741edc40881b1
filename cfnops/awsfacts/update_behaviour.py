"""Update behaviour AWS documents per property ("Update requires: ..." on the Template
Reference page of the type) where the registry schema is silent or weaker.

The registry schema's ``createOnlyProperties`` only says "replaces"; the pages also say
"Some interruptions" (downtime, same identity) and, for a few properties, that the update
is rejected ("the update request fails"). The facts are data, hand-kept in
``update_behaviour.json`` (each with the page it was read from); that file also lists, per
type our templates use, the properties whose documented behaviour is the schema's, so
``reviewed`` tells a decided property from one nobody has looked up.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from pathlib import Path

PAGE = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/{}.html"
DATA_FILE = Path(__file__).with_name("update_behaviour.json")


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
    # one-way settings: a change away from one of these (normalised) old values is rejected
    fails_from: tuple[str, ...] = ()
    fails_reason: str = ""
    # a list whose documented behaviour is stricter when an element it already has is edited
    # ("Replacement if you edit an existing AttributeDefinition"): its elements' key field
    edit_key: str = ""
    edit_behaviour: Behaviour | None = None
    edit_reason: str = ""
    see_also: str = ""  # a service page explaining a fact the Template Reference page implies

    def edits_existing(self, sub_path: str, old: object, new: object) -> bool:
        """Whether a change of the property edits an element it already had: a change inside
        an element (``sub_path`` below the property, lists of the same length) or, for the
        whole list, an old element whose key is in the new list with other content. Adding
        (or dropping) elements is not an edit."""
        if not self.edit_key:
            return False
        if sub_path:
            return True
        before, after = _keyed(old, self.edit_key), _keyed(new, self.edit_key)
        return any(key in after and after[key] != element for key, element in before.items())

    def fails_when_changed_from(self, old: object) -> bool:
        return normalised(old) in self.fails_from

    def behaviour_for(self, old: object) -> Behaviour:
        """The behaviour of a change away from ``old`` (a one-way setting's reverse fails)."""
        return Behaviour.UPDATE_FAILS if self.fails_when_changed_from(old) else self.behaviour


def _keyed(value: object, key: str) -> dict[str, object]:
    """A list's elements by their key field (an element without one keys by its whole value)."""
    elements = value if isinstance(value, list) else []
    return {normalised(e.get(key, e) if isinstance(e, dict) else e): e for e in elements}


def normalised(value: object) -> str:
    """``True`` and ``"true"`` alike: the template's JSON value as a lower-case string."""
    return (value if isinstance(value, str) else json.dumps(value, default=repr)).lower()


def page_of(type_name: str) -> str:
    """The type's Template Reference page: ``AWS::RDS::DBInstance`` -> ``aws-resource-rds-dbinstance``."""
    _, service, resource = type_name.split("::")
    return PAGE.format(f"aws-resource-{service.lower()}-{resource.lower()}")


@dataclass(frozen=True)
class TypeFacts:
    type_name: str
    page_slug: str  # aws-resource-kms-key
    behaviours: dict[Behaviour, tuple[str, ...]]
    reasons: dict[str, str]
    read: str = "current"  # where the page was read (see update_behaviour.json's "about")
    as_schema: tuple[str, ...] = ()  # properties whose documented behaviour is the schema's
    see_also: dict[str, str] = field(default_factory=dict)  # a service page explaining the fact
    fails_from: dict[str, tuple[str, ...]] = field(default_factory=dict)
    fails_reasons: dict[str, str] = field(default_factory=dict)
    when_edited: dict[str, dict] = field(default_factory=dict)  # see Fact.edits_existing

    def facts(self) -> tuple[Fact, ...]:
        return tuple(self._fact(name, behaviour) for behaviour, names in self.behaviours.items() for name in names)

    def _fact(self, name: str, behaviour: Behaviour) -> Fact:
        edited = self.when_edited.get(name, {})
        return Fact(
            self.type_name,
            name,
            behaviour,
            PAGE.format(self.page_slug),
            self.reasons.get(name, ""),
            self.fails_from.get(name, ()),
            self.fails_reasons.get(name, ""),
            edited.get("key", ""),
            Behaviour[edited["behaviour"]] if edited else None,
            edited.get("reason", ""),
            self.see_also.get(name, ""),
        )


def _type_facts(type_name: str, entry: dict) -> TypeFacts:
    documented = entry.get("documented", {})
    behaviours: dict[Behaviour, tuple[str, ...]] = {}
    for name, fact in documented.items():
        behaviour = Behaviour[fact["behaviour"]]
        behaviours[behaviour] = (*behaviours.get(behaviour, ()), name)
    return TypeFacts(
        type_name,
        page_of(type_name).rsplit("/", 1)[1].removesuffix(".html"),
        behaviours,
        {name: fact["reason"] for name, fact in documented.items()},
        entry["read"],
        tuple(entry.get("as_schema", ())),
        {name: fact["see_also"] for name, fact in documented.items() if "see_also" in fact},
        {name: tuple(fact["fails_from"]) for name, fact in documented.items() if "fails_from" in fact},
        {name: fact["fails_reason"] for name, fact in documented.items() if "fails_reason" in fact},
        {name: fact["when_edited"] for name, fact in documented.items() if "when_edited" in fact},
    )


@cache
def _load() -> tuple[TypeFacts, ...]:
    types = json.loads(DATA_FILE.read_text(encoding="utf-8"))["types"]
    return tuple(_type_facts(name, entry) for name, entry in types.items())


FACTS: tuple[TypeFacts, ...] = _load()

_BY_KEY = {(f.type_name, f.property): f for entry in FACTS for f in entry.facts()}
_BY_TYPE = {entry.type_name: entry for entry in FACTS}


def documented(type_name: str, property_name: str) -> Fact | None:
    """The documented behaviour of a top-level property, when we hold a fact for it."""
    return _BY_KEY.get((type_name, property_name))


def facts() -> tuple[Fact, ...]:
    return tuple(_BY_KEY.values())


def reviewed(type_name: str, property_name: str) -> bool:
    """Whether the property's documented behaviour is known: a fact, or the schema's (as_schema)."""
    entry = _BY_TYPE.get(type_name)
    return entry is not None and (documented(type_name, property_name) is not None or property_name in entry.as_schema)


def type_facts(type_name: str) -> TypeFacts | None:
    return _BY_TYPE.get(type_name)
