"""Lambda's reserved concurrency against the account's limit on localcloud (moto enforces
none unless an environment variable says so): a function's reservation that would leave
the account's unreserved concurrency in the Region below its minimum (100, or the whole
limit of an account whose limit is lower) is refused with Lambda's
InvalidParameterValueException (awsfacts.account_quotas.LAMBDA_CONCURRENCY), whether it comes
through PutFunctionConcurrency or a template's ReservedConcurrentExecutions at creation or on
an update. The limit is the applied quota (servicequotas/applied.py)."""

from __future__ import annotations

from typing import Any

from moto.awslambda import models as lambda_models
from moto.awslambda.exceptions import InvalidParameterValueException

from cfnops.awsfacts.account_quotas import LAMBDA_CONCURRENCY

from ..core.failures import Refused
from ..core.registry import document, patch, replace
from ..servicequotas.applied import applied


class ConcurrencyRefused(Refused, InvalidParameterValueException):
    def __init__(self, minimum: int):
        assert LAMBDA_CONCURRENCY.refusal is not None
        self.refusal = LAMBDA_CONCURRENCY.refusal
        super().__init__(self.refusal.message.format(minimum=minimum))


def _amount(value: Any) -> int:
    return int(value) if value not in (None, "") else 0


def check(backend, function_name: str, requested: Any) -> None:
    """Refuse reserving ``requested`` for ``function_name`` when the other functions' reservations
    and it leave less than the minimum unreserved."""
    if requested in (None, ""):
        return
    limit = applied(backend.account_id, backend.region_name, LAMBDA_CONCURRENCY)
    minimum = min(LAMBDA_CONCURRENCY.headroom, limit)
    others = sum(
        _amount(function.reserved_concurrency)
        for function in backend.list_functions()
        if function.function_name != function_name
    )
    if limit - others - _amount(requested) < minimum:
        raise ConcurrencyRefused(minimum)


def set_reserved(function, value: Any, account: str, region: str) -> None:
    """An update of ReservedConcurrentExecutions, as CloudFormation's handler makes it:
    PutFunctionConcurrency, or DeleteFunctionConcurrency when the template drops it."""
    backend = lambda_models.lambda_backends[account][region]
    if value in (None, ""):
        backend.delete_function_concurrency(function.function_name)
    else:
        backend.put_function_concurrency(function.function_name, str(value))


@patch(
    "a reservation that leaves the account's unreserved concurrency below its minimum is refused "
    "(CreateFunction from a template's ReservedConcurrentExecutions, PutFunctionConcurrency), against the applied "
    "quota"
)
def _reserved_concurrency() -> None:
    backend_class = lambda_models.LambdaBackend
    original_create, original_put = backend_class.create_function, backend_class.put_function_concurrency

    def create_function(self, spec: dict[str, Any]):
        check(self, spec.get("FunctionName") or "", spec.get("ReservedConcurrentExecutions"))
        return original_create(self, spec)

    def put_function_concurrency(self, function_name: str, reserved_concurrency: str):
        check(self, self.get_function(function_name).function_name, reserved_concurrency)
        return original_put(self, function_name, reserved_concurrency)

    replace(backend_class, "create_function", create_function)
    replace(backend_class, "put_function_concurrency", put_function_concurrency)


__doc__ = document(__doc__, __name__)
