"""What every localcloud API handler answers with: CloudFormation's error shape and
NextToken/MaxResults paging, shared by the StackSet engine and drift detection."""

from __future__ import annotations

from typing import Any

from moto.cloudformation.exceptions import CloudFormationError
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult


class ApiError(CloudFormationError):
    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


def paged(self: CloudFormationResponse, items: list, key: str) -> ActionResult:
    token = self._get_param("NextToken") or "0"
    if not token.isdigit() or int(token) > len(items):  # a token this API did not give
        raise ApiError("ValidationError", "Invalid NextToken")
    start = int(token)
    size = int(self._get_param("MaxResults") or 100)
    result: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        result["NextToken"] = str(start + size)
    return ActionResult(result)
