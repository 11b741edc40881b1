"""StackSet files of a project copy, loaded as the CLI loads them."""

from __future__ import annotations

from cfnops.inputs import stacksets as config
from cfnops.inputs.project import Project


def load(project: Project, environment: str = "staging"):
    platform = project.platform
    return config.load_all(
        project.root / "stacksets",
        project.display,
        environment,
        platform.registry,
        platform.regions,
        platform.environments,
        production=platform.environment(environment).production,
    )
