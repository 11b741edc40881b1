"""Check one value against one CloudFormation parameter declaration, as CloudFormation would.

``normalize`` returns the value as the string CloudFormation receives, or raises
ConstraintError with what was expected. Types: String (and AWS-specific string types),
Number, List<Number>, CommaDelimitedList and List<...>; constraints: AllowedValues,
AllowedPattern (whole value), Min/MaxLength, Min/MaxValue; for lists, per element.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from ..core.errors import shown_value


class ConstraintError(ValueError):
    """``expected`` and, when the message repeats the value, ``got`` (see ``hidden``)."""

    def __init__(self, expected: str, got: object = None, shows_value: bool = True):
        self.expected, self.got, self.shows_value = expected, got, shows_value
        super().__init__(expected if got is None else f"{expected}, got {got}")

    def hidden(self) -> str:
        """The message without the value (NoEcho and secret parameters)."""
        return (
            f"{self.expected}, got a value that is not shown (NoEcho)"
            if self.shows_value and self.got is not None
            else str(self)
        )


def is_list_type(cfn_type: str) -> bool:
    return cfn_type == "CommaDelimitedList" or cfn_type.startswith("List<")


def is_number_type(cfn_type: str) -> bool:
    return cfn_type in ("Number", "List<Number>")


def format_number(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def _as_number(value: object) -> float:
    if isinstance(value, bool):
        raise ConstraintError("expected a number", shown_value(value))
    try:
        number = float(value) if isinstance(value, (int, float)) else float(str(value).strip())
    except (ValueError, OverflowError):
        raise ConstraintError("expected a number", shown_value(value)) from None
    if not math.isfinite(number):  # .nan, "NaN", .inf, 1e999: CloudFormation has no such numbers
        raise ConstraintError("expected a finite number", shown_value(value))
    return number


def _as_string(value: object) -> str:
    if isinstance(value, bool):  # YAML's true/false, as CloudFormation spells them
        return "true" if value else "false"
    if isinstance(value, float):
        return format_number(value)
    return str(value)


def _elements(value: object, cfn_type: str) -> list:
    if isinstance(value, list):
        return value
    if is_list_type(cfn_type):
        return [item.strip() for item in str(value).split(",")] if str(value) else []
    return [value]


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def _check_element(element: object, declaration: dict, number: bool) -> str:
    if number:
        parsed = _as_number(element)
        text = format_number(parsed)
        allowed = declaration.get("AllowedValues")
        if allowed is not None and parsed not in [_as_number(a) for a in allowed]:
            raise ConstraintError(
                f"expected one of {', '.join(_as_string(a) for a in allowed)}", shown_value(text, quote=False)
            )
        if "MinValue" in declaration and parsed < float(declaration["MinValue"]):
            raise ConstraintError(
                f"expected at least {format_number(float(declaration['MinValue']))}", shown_value(text, quote=False)
            )
        if "MaxValue" in declaration and parsed > float(declaration["MaxValue"]):
            raise ConstraintError(
                f"expected at most {format_number(float(declaration['MaxValue']))}", shown_value(text, quote=False)
            )
        return text
    text = _as_string(element)
    allowed = declaration.get("AllowedValues")
    if allowed is not None and text not in [_as_string(a) for a in allowed]:
        raise ConstraintError(f"expected one of {', '.join(_as_string(a) for a in allowed)}", shown_value(text))
    pattern = declaration.get("AllowedPattern")
    if pattern is not None and not _compiled(pattern).fullmatch(text):
        raise ConstraintError(f"expected a value matching {pattern}", shown_value(text))
    if "MinLength" in declaration and len(text) < int(declaration["MinLength"]):
        raise ConstraintError(f"expected at least {declaration['MinLength']} characters", len(text), shows_value=False)
    if "MaxLength" in declaration and len(text) > int(declaration["MaxLength"]):
        raise ConstraintError(f"expected at most {declaration['MaxLength']} characters", len(text), shows_value=False)
    return text


def _unquoted_scalar(value: object, cfn_type: str, allowed) -> None:
    """YAML turns unquoted 1.10 into 1.1 and 010 into 8: a string parameter takes only
    strings, so that what CloudFormation receives is what the file says. The one exception:
    true/false for a parameter whose allowed values are "true" and "false" (safeyaml reads
    only those words as booleans, never yes/no/on/off)."""
    if isinstance(value, bool) and sorted(map(str, allowed or [])) == ["false", "true"]:
        return
    if isinstance(value, (bool, int, float)):
        kind = "a boolean" if isinstance(value, bool) else "a number"
        raise ConstraintError(f"expected a string for type {cfn_type}: quote it (YAML read {kind})", shown_value(value))


def normalize(value: object, declaration: dict) -> str:
    """The value as CloudFormation receives it, after every check of ``declaration``."""
    cfn_type = declaration.get("Type", "String")
    if not is_number_type(cfn_type):
        for element in value if isinstance(value, list) else [value]:
            _unquoted_scalar(element, cfn_type, declaration.get("AllowedValues"))
    if isinstance(value, list) and not is_list_type(cfn_type):
        raise ConstraintError(f"expected a single value of type {cfn_type}, got a list")
    if isinstance(value, (dict, type(None))):
        raise ConstraintError(f"expected a value of type {cfn_type}, got {'nothing' if value is None else 'a mapping'}")
    number = is_number_type(cfn_type)
    checked = [_check_element(element, declaration, number) for element in _elements(value, cfn_type)]
    return ",".join(checked)
