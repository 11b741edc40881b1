"""moto's backend of a service for one account and Region, by the service's moto package name."""

from __future__ import annotations

import importlib
from typing import Any


def backend(service: str, backends: str, account: str, region: str) -> Any:
    """``moto.<service>.<backends>[account][region]``, e.g. ("iam", "iam_backends", account, "aws")."""
    return getattr(importlib.import_module(f"moto.{service}"), backends)[account][region]
