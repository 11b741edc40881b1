"""Template ``drift-watch``: drift detection that runs by itself, one per environment, in the
administrator region (components/drift_watch.py). It watches every other template's StackSet
of its environment."""

from __future__ import annotations

from troposphere import Template

from .components import drift_watch
from .conventions import add_standard_parameters

NAME = "drift-watch"


def build() -> Template:
    from . import WORKLOADS  # read when rendering: by then every template module is registered

    template = Template(
        Description="cfnops drift watch: scheduled DetectStackSetDrift, CloudWatch metrics, an alarm and a drift topic"
    )
    add_standard_parameters(template)
    watched = [f"{name}-${{Environment}}" for name in WORKLOADS if name != NAME]
    drift_watch.add_drift_watch(template, watched)
    return template
