"""Data residency: no path out of a residency zone. A template bound to a zone (its
``Metadata.cfnops.AllowedRegions``) must equal a zone the platform declares, and its Rule
must refuse every other region. Resolved for every environment in each of its regions, none
of its resources may lead to a region outside the zone:

- a route or security-group rule to an address of a VPC the templates create in another
  region (the address space is read from the rendered VPCs, never typed); ``0.0.0.0/0`` is
  the internet, where no VPC's private addresses are reachable without such a route;
- a route through a peering connection or transit gateway it does not make itself;
- a peering, replica or anything else that names another region (``cross_region``), an ARN of
  another region, or a replication whose destination's region it cannot show;
- an import from a template that is not bound within the zone (whose resources, a network
  peered with other regions, say, no residency rule governs), and an import of its exports
  by such a template.

A value only deploy time knows, where a region or address must be shown, is refused too:
residency that cannot be shown is not residency.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from ...awsfacts import cross_region, intrinsics
from ..findings import Finding

RULE = "RESIDENCY"
ACCOUNT = "123456789012"
INTERNET = ipaddress.ip_network("0.0.0.0/0")
_ARN_REGION = re.compile(r"^arn:[^:]*:[^:]*:([^:]*):")
SG_RULES = ("AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress")


class Unknown(str):
    """A value only deploy time knows."""


class Own(Unknown):
    """A reference to a resource of the template itself."""


def allowed_regions(template: Mapping) -> list[str] | None:
    return ((template.get("Metadata") or {}).get("cfnops") or {}).get("AllowedRegions")


def deployed_regions(template: Mapping, scope) -> list[str]:
    allowed = allowed_regions(template)
    return [region for region in scope.regions if allowed is None or region in allowed]


class Instance:
    """One template resolved for one environment and region."""

    def __init__(self, name: str, template: Mapping, environment: str, region: str):
        self.name, self.template, self.environment, self.region = name, template, environment, region
        refs = {
            **intrinsics.parameter_values(template, {"Environment": environment}),
            "AWS::Region": region,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }
        self.conditions = intrinsics.evaluate_conditions(template, refs)
        own = {logical_id: Own(f"<{logical_id}>") for logical_id in self.resources}
        self.resolve = intrinsics.Resolver({**refs, **own}, self.conditions, self._unresolved, template.get("Mappings"))

    @property
    def resources(self) -> Mapping[str, dict]:
        return self.template.get("Resources") or {}

    def _unresolved(self, node: dict) -> Unknown:
        ((function, argument),) = node.items()
        if function == "Fn::GetAtt":
            logical_id = argument.split(".")[0] if isinstance(argument, str) else argument[0]
            if logical_id in self.resources:
                return Own(f"<{logical_id}>")
        return Unknown(f"<{function}>")

    def holds(self, item: Mapping) -> bool:
        """The item's Condition holds (or it has none)."""
        return "Condition" not in item or self.conditions.get(item["Condition"], True)

    def present(self) -> Iterator[tuple[str, dict]]:
        for logical_id, resource in self.resources.items():
            if self.holds(resource):
                yield logical_id, resource

    def exports(self) -> Iterator[str]:
        for output in (self.template.get("Outputs") or {}).values():
            if "Export" in output and self.holds(output):
                yield str(self.resolve(output["Export"]["Name"]))


def _instances(templates: Mapping[str, dict], scope) -> Iterator[Instance]:
    for name, template in templates.items():
        for environment in scope.environments:
            for region in deployed_regions(template, scope):
                yield Instance(name, template, environment, region)


def address_space(
    instances: list[Instance],
) -> dict[ipaddress.IPv4Network | ipaddress.IPv6Network, tuple[str, str, str]]:
    """Every VPC CIDR the templates create -> (region, template, environment)."""
    space = {}
    for instance in instances:
        for _, resource in instance.present():
            if resource["Type"] in ("AWS::EC2::VPC", "AWS::EC2::VPCCidrBlock"):
                cidr = instance.resolve((resource.get("Properties") or {}).get("CidrBlock"))
                if isinstance(cidr, str) and not isinstance(cidr, Unknown):
                    space[ipaddress.ip_network(cidr)] = (instance.region, instance.name, instance.environment)
    return space


@dataclass
class Check:
    """The findings on one bound template, in one environment and region."""

    instance: Instance
    zone: list[str]
    outside: dict  # CIDR -> (region, template, environment), regions outside the zone only
    found: dict  # path -> message, first one per path

    def refuse(self, path: str, message: str) -> None:
        where = f"({self.instance.environment}, {self.instance.region})"
        self.found.setdefault(path, f"{message} {where}: the template is bound to {', '.join(self.zone)}")

    def cidr(self, path: str, value) -> None:
        if isinstance(value, Unknown) or not isinstance(value, str):
            self.refuse(path, "an address only deploy time knows cannot be shown to stay inside")
            return
        network = ipaddress.ip_network(value, strict=False)
        if network == INTERNET:
            return
        for other, (region, template, environment) in self.outside.items():
            if network.overlaps(other):
                self.refuse(path, f"{value} overlaps {other}, the VPC of {template} in {region} ({environment})")
                return

    def region(self, path: str, value) -> None:
        if isinstance(value, Unknown) or not isinstance(value, str):
            self.refuse(path, "a region only deploy time knows cannot be shown to be inside")
        elif value not in self.zone:
            self.refuse(path, f"names region {value}")

    def values(self, path: str, node) -> None:
        """Regions and ARNs anywhere in a resolved value."""
        if isinstance(node, dict):
            for key, value in node.items():
                if key in cross_region.REGION_PROPERTIES:
                    self.region(f"{path}/{key}", value)
                else:
                    self.values(f"{path}/{key}", value)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                self.values(f"{path}/{index}", value)
        elif isinstance(node, str) and not isinstance(node, Unknown):
            match = _ARN_REGION.match(node)
            if match and match.group(1) and match.group(1) not in self.zone:
                self.refuse(path, f"names {node}, in region {match.group(1)}")


def _sg_rules(resource: dict, properties: dict) -> Iterator[tuple[str, dict]]:
    if resource["Type"] in SG_RULES:
        yield "Properties", properties
    elif resource["Type"] == "AWS::EC2::SecurityGroup":
        for key in ("SecurityGroupIngress", "SecurityGroupEgress"):
            for index, rule in enumerate(properties.get(key) or []):
                yield f"Properties/{key}/{index}", rule


def _own(value) -> bool:
    return isinstance(value, Own)


def check_resources(check: Check) -> None:
    instance = check.instance
    for logical_id, resource in instance.present():
        raw = resource.get("Properties") or {}
        properties = instance.resolve(raw)
        base = f"Resources/{logical_id}"
        for path, rule in _sg_rules(resource, properties):
            if "CidrIp" in rule:
                check.cidr(f"{base}/{path}/CidrIp", rule["CidrIp"])
        if resource["Type"] == "AWS::EC2::Route":
            if "DestinationCidrBlock" in properties:
                check.cidr(f"{base}/Properties/DestinationCidrBlock", properties["DestinationCidrBlock"])
            for target in cross_region.ROUTE_TO_OTHER_NETWORKS:
                if target in properties and not _own(properties[target]):
                    check.refuse(
                        f"{base}/Properties/{target}", f"routes through a {target} this template does not make"
                    )
        for (kind, name), (what, _) in cross_region.REPLICATION.items():
            value = properties.get(name)
            if resource["Type"] == kind and value not in (None, False, "false") and not _own(value):
                check.refuse(f"{base}/Properties/{name}", f"{what}")
        check.values(f"{base}/Properties", properties)


def _imports(node) -> Iterator[object]:
    if isinstance(node, dict):
        if set(node) == {"Fn::ImportValue"}:
            yield node["Fn::ImportValue"]
        for value in node.values():
            yield from _imports(value)
    elif isinstance(node, list):
        for value in node:
            yield from _imports(value)


def _within(template: Mapping, zone: list[str]) -> bool:
    allowed = allowed_regions(template)
    return allowed is not None and set(allowed) <= set(zone)


def check_imports(check: Check, templates: Mapping[str, dict], exporters: Mapping[tuple, str]) -> None:
    instance = check.instance
    for logical_id, resource in instance.present():
        for argument in _imports(resource.get("Properties") or {}):
            name = instance.resolve(argument)
            source = exporters.get((instance.environment, instance.region, str(name)))
            path = f"Resources/{logical_id}"
            if source is None:
                check.refuse(path, f"imports {name}, which no template exports there")
            elif not _within(templates[source], check.zone):
                check.refuse(path, f"imports {name} from {source}, which is not bound to the zone")


def check_rule(name: str, template: Mapping, zones: Mapping[str, tuple[str, ...]], display) -> list[Finding]:
    """The bound regions are a declared zone, and a Rule refuses every other region."""
    allowed = allowed_regions(template) or []
    findings = []
    if zones and set(allowed) not in [set(regions) for regions in zones.values()]:
        declared = "; ".join(f"{zone}: {', '.join(regions)}" for zone, regions in zones.items())
        findings.append(
            Finding(
                display(name),
                "Metadata/cfnops/AllowedRegions",
                RULE,
                "error",
                f"{', '.join(allowed)} is not a residency zone the platform declares ({declared})",
                "gate",
            )
        )
    expected = {"Fn::Contains": [sorted(allowed), {"Ref": "AWS::Region"}]}
    asserted = [
        {"Fn::Contains": [sorted(a["Assert"]["Fn::Contains"][0]), a["Assert"]["Fn::Contains"][1]]}
        for rule in (template.get("Rules") or {}).values()
        if "RuleCondition" not in rule
        for a in rule.get("Assertions", [])
        if isinstance(a.get("Assert"), dict) and "Fn::Contains" in a["Assert"]
    ]
    if expected not in asserted:
        findings.append(
            Finding(
                display(name),
                "Rules",
                RULE,
                "error",
                f"no Rule refuses regions outside {', '.join(allowed)} (Fn::Contains [regions, AWS::Region])",
                "gate",
            )
        )
    return findings


def check(templates: Mapping[str, dict], scope) -> list[Finding]:
    instances = list(_instances(templates, scope))
    space = address_space(instances)
    exporters = {(i.environment, i.region, export): i.name for i in instances for export in i.exports()}
    found: dict[str, dict] = {}
    findings: list[Finding] = []
    for name, template in templates.items():
        zone = allowed_regions(template)
        if zone is None:
            continue
        findings += check_rule(name, template, scope.residency, scope.display)
        outside = {cidr: owner for cidr, owner in space.items() if owner[0] not in zone}
        for instance in (i for i in instances if i.name == name):
            bound = Check(instance, zone, outside, found.setdefault(name, {}))
            check_resources(bound)
            check_imports(bound, templates, exporters)
        for (environment, region, export), source in exporters.items():
            if source != name:
                continue
            for importer in (i for i in instances if i.environment == environment and i.region == region):
                if importer.name != name and not _within(importer.template, zone) and _imports_export(importer, export):
                    found.setdefault(importer.name, {}).setdefault(
                        "Resources", f"imports {export} of {name}, which is bound to {', '.join(zone)}"
                    )
    findings += [
        Finding(scope.display(name), path, RULE, "error", message, "gate")
        for name, paths in found.items()
        for path, message in paths.items()
    ]
    return sorted(findings)


def _imports_export(instance: Instance, export: str) -> bool:
    return any(
        str(instance.resolve(argument)) == export
        for _, resource in instance.present()
        for argument in _imports(resource.get("Properties") or {})
    )
