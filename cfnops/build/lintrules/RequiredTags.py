from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER


def tag_keys(tags: object) -> set | None:
    """Tag keys of a list of {Key, Value} or a {key: value} map; None when unknowable."""
    if isinstance(tags, dict):
        return None if len(tags) == 1 and next(iter(tags)).startswith("Fn::") else set(tags)
    if isinstance(tags, list):
        return {tag.get("Key") for tag in tags if isinstance(tag, dict)}
    return None


class RequiredTags(CloudFormationLintRule):
    id = "E9001"
    shortdesc = "Required tags"
    description = (
        "Every taggable resource carries the platform's required tags (rule configuration ``tags``: "
        "cfnops passes them; alone, `--configure-rule E9001:tags=Owner`), plus the template's "
        "Metadata.cfnops.RequiredTags"
    )
    source_url = "https://github.com/fraud-platform/cfnops#conventions"
    tags = ["resources", "tags", "policy"]

    def __init__(self):
        super().__init__()
        self.config_definition = {"tags": {"default": [], "type": "list", "itemtype": "string"}}
        self.configure()

    def match(self, cfn):
        matches = []
        required = tuple(self.config["tags"]) + tuple(
            (cfn.template.get("Metadata") or {}).get("cfnops", {}).get("RequiredTags", [])
        )
        for name, resource in cfn.get_resources().items():
            try:
                schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(cfn.regions[0], resource.get("Type"))
            except Exception:  # noqa: BLE001 - unknown/custom types are not ours to judge
                continue
            if "Tags" not in schema.schema.get("properties", {}):
                continue
            keys = tag_keys((resource.get("Properties") or {}).get("Tags"))
            if keys is None and (resource.get("Properties") or {}).get("Tags") is not None:
                continue
            missing = [key for key in required if key not in (keys or set())]
            if missing:
                matches.append(
                    RuleMatch(
                        ["Resources", name, "Properties", "Tags"], f"{name} lacks required tags: {', '.join(missing)}"
                    )
                )
        return matches
