"""The problem collector of one StackSet file, with the shapes its checks share: a list of
strings (choices or a pattern) and a value given per environment."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..core.errors import shown_value
from .paramfiles import type_name, unknown
from .problems import Problems


class StackSetProblems(Problems):
    """Checks one StackSet file, collecting every problem as a one-line message."""

    def strings(
        self, value, key: str, pattern: re.Pattern | None = None, choices: Iterable[str] | None = None
    ) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(key, f"expected a list of strings, got {type_name(value)}")
            return ()
        for index, item in enumerate(value):
            if choices is not None and item not in choices:
                self.problem(f"{key}[{index}]", unknown(item, choices, "value"))
            elif pattern is not None and not pattern.match(item):
                self.problem(f"{key}[{index}]", f"expected a value matching {pattern.pattern}, got {shown_value(item)}")
        return tuple(value)

    def per_environment(self, value, key: str, environment: str, environments) -> object:
        """A value for every environment, or a mapping environment -> value."""
        if isinstance(value, dict):
            for env in value:
                if env not in environments:
                    self.problem(f"{key}.{env}", unknown(str(env), environments, "environment"))
            return value.get(environment, [])
        return value
