"""The offline AWS: moto, with the gaps our templates hit closed (never by bending them),
and a StackSet engine with CloudFormation's semantics on top of moto's stacks.

``install()`` patches moto in this process; tests call it before ``mock_aws``, and the
server (``python -m localcloud``) calls it before serving. moto is pinned
(pyproject.toml) because these patches reach into its internals.
"""

from __future__ import annotations

_installed = False


def install() -> None:
    """Apply every patch once (idempotent)."""
    global _installed
    if _installed:
        return
    from . import (
        agentcore,
        failures,
        globaldb,
        globaltables,
        limits,
        outputs,
        patches,
        peering,
        permissions,
        stacksets,
        updates,
    )

    patches.install()
    globaldb.install()
    globaltables.install()
    agentcore.install()
    outputs.install()
    peering.install()
    failures.install()
    updates.install()
    stacksets.install()
    limits.install()  # after stacksets: wraps its CreateStackSet/UpdateStackSet
    permissions.install()  # outermost: a refused handler touches nothing
    _installed = True
