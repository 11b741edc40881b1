"""Check one value against one CloudFormation parameter declaration, as CloudFormation would.

``normalize`` returns the value as the string CloudFormation receives, or raises
ConstraintError with what was expected. Types: String (and AWS-specific string types),
Number, List<Number>, CommaDelimitedList and List<...>; constraints: AllowedValues,
AllowedPattern (whole value), Min/MaxLength, Min/MaxValue; for lists, per element.
"""

from __future__ import annotations

import re
from functools import lru_cache


class ConstraintError(ValueError):
    pass


def is_list_type(cfn_type: str) -> bool:
    return cfn_type == "CommaDelimitedList" or cfn_type.startswith("List<")


def is_number_type(cfn_type: str) -> bool:
    return cfn_type in ("Number", "List<Number>")


def format_number(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def _describe(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)


def _as_number(value: object) -> float:
    if isinstance(value, bool):
        raise ConstraintError(f"expected a number, got {_describe(value)}")
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        raise ConstraintError(f"expected a number, got {_describe(value)}") from None


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
            raise ConstraintError(f"expected one of {', '.join(_as_string(a) for a in allowed)}, got {text}")
        if "MinValue" in declaration and parsed < float(declaration["MinValue"]):
            raise ConstraintError(f"expected at least {format_number(float(declaration['MinValue']))}, got {text}")
        if "MaxValue" in declaration and parsed > float(declaration["MaxValue"]):
            raise ConstraintError(f"expected at most {format_number(float(declaration['MaxValue']))}, got {text}")
        return text
    text = _as_string(element)
    allowed = declaration.get("AllowedValues")
    if allowed is not None and text not in [_as_string(a) for a in allowed]:
        raise ConstraintError(f"expected one of {', '.join(_as_string(a) for a in allowed)}, got {text!r}")
    pattern = declaration.get("AllowedPattern")
    if pattern is not None and not _compiled(pattern).fullmatch(text):
        raise ConstraintError(f"expected a value matching {pattern}, got {text!r}")
    if "MinLength" in declaration and len(text) < int(declaration["MinLength"]):
        raise ConstraintError(f"expected at least {declaration['MinLength']} characters, got {len(text)}")
    if "MaxLength" in declaration and len(text) > int(declaration["MaxLength"]):
        raise ConstraintError(f"expected at most {declaration['MaxLength']} characters, got {len(text)}")
    return text


def normalize(value: object, declaration: dict) -> str:
    """The value as CloudFormation receives it, after every check of ``declaration``."""
    cfn_type = declaration.get("Type", "String")
    if isinstance(value, list) and not is_list_type(cfn_type):
        raise ConstraintError(f"expected a single value of type {cfn_type}, got a list")
    if isinstance(value, (dict, type(None))):
        raise ConstraintError(f"expected a value of type {cfn_type}, got {'nothing' if value is None else 'a mapping'}")
    number = is_number_type(cfn_type)
    checked = [_check_element(element, declaration, number) for element in _elements(value, cfn_type)]
    return ",".join(checked)
