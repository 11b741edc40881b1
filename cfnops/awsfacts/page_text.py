"""What the current Template Reference page of a type says, in a property's text, about the
update behaviour of that property.

The pages print each property's description from the type's registry schema (the one
cfn-lint ships, ``schemas.py``), so the current page's words can be read offline: "Changing
the type of an existing AttributeDefinition requires replacement of the table", "For an
HTTPS listener, update requires some interruptions", "the update request fails". This
module finds those statements; a test checks that the plan is at least as strict for every
property our templates set (``update_behaviour`` holds the fact that makes it so). The
naming boilerplate ("If you specify a name, you cannot perform updates that require
replacement of this resource") says nothing about the property's own changes and is skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import schemas
from .update_behaviour import Behaviour

# strictest first: the first pattern that matches decides
STATEMENTS = (
    (Behaviour.UPDATE_FAILS, re.compile(r"the update request fails", re.I)),
    (
        Behaviour.REPLACEMENT,
        re.compile(
            r"\brequires replacement\b|results in resource replacement|without replacing the|\bis immutable\b", re.I
        ),
    ),
    (
        Behaviour.SOME_INTERRUPTIONS,
        re.compile(r"some interruptions?\b|short interruption|requires an interruption|result in interruptions", re.I),
    ),
)
BOILERPLATE = re.compile(
    r"[^.]*(updates that require replacement of this resource|require no or some interruption|"
    r"replace the resource, specify a new name|change any properties that require replacement)[^.]*\.?",
    re.I,
)


@dataclass(frozen=True)
class Statement:
    type_name: str
    property: str
    behaviour: Behaviour
    words: str  # the sentence of the page that says it


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start)) + 1
    right = min((i for i in (text.find(". ", end), text.find("\n", end)) if i >= 0), default=len(text))
    return " ".join(text[left : right + 1].split())


def statement(type_name: str, property_name: str) -> Statement | None:
    """The strictest update behaviour the property's text on the current page states, if any."""
    if not schemas.is_known(type_name):
        return None
    description = schemas.schema(type_name)["properties"].get(property_name, {}).get("description", "")
    text = BOILERPLATE.sub("", description)
    for behaviour, pattern in STATEMENTS:
        match = pattern.search(text)
        if match:
            return Statement(type_name, property_name, behaviour, _sentence(text, match.start(), match.end()))
    return None
