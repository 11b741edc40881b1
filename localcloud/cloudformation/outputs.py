"""Stack outputs with a Condition export only when it holds, as CloudFormation's do (moto
exported every output's value, so a conditional output naming a resource that was not
created failed the stack: "Fn::GetAtt references undefined resource")."""

from __future__ import annotations

from moto.cloudformation import parsing

from ..core.registry import document, patch, replace


@patch("an output with a Condition is exported only when the condition holds")
def _conditional_exports() -> None:
    def exports(self) -> list:
        conditions = self._resource_map.lazy_condition_map
        return [
            parsing.Export(
                self._stack_id,
                parsing.clean_json(value["Export"].get("Name"), self._resource_map),
                parsing.clean_json(value.get("Value"), self._resource_map),
            )
            for value in (self._output_json_map or {}).values()
            if value.get("Export") and ("Condition" not in value or conditions.get(value["Condition"]))
        ]

    replace(parsing.OutputMap, "exports", property(exports))


__doc__ = document(__doc__, __name__)
