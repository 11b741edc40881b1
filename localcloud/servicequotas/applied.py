"""The account's applied quotas on localcloud, per account and Region, for the account-level
quotas cfnops knows (awsfacts.account_quotas): AWS's default until a
RequestServiceQuotaIncrease raises it. localcloud grants a request at once (AWS reviews it;
an adjustable quota is often raised within minutes, a large one may take days), so a
rehearsal makes the same request docs/first-deploy.md asks for.
GetServiceQuota answers the applied value; the refusals (awslambda/concurrency.py,
ec2/addresses.py) read it.
"""

from __future__ import annotations

import json
import uuid

from moto.core.exceptions import JsonRESTError
from moto.servicequotas import models as sq_models
from moto.servicequotas import responses as sq_responses

from cfnops.awsfacts.account_quotas import QUOTAS, Quota

from ..core.registry import document, patch, replace, unwrapped
from ..core.state import State

# quota code -> the value a granted request raised it to
RAISED: State[dict[str, float]] = State("raised_quotas", dict)


class NoSuchQuota(JsonRESTError):
    def __init__(self, service_code: str, quota_code: str):
        super().__init__(
            "NoSuchResourceException",
            f"The request failed because the specified service quota {service_code}/{quota_code} does not exist.",
        )


class IllegalArgument(JsonRESTError):
    def __init__(self, message: str):
        super().__init__("IllegalArgumentException", message)


def _backend(account: str, region: str):
    return sq_models.servicequotas_backends[account][region]


def applied(account: str, region: str, quota: Quota) -> int:
    """What the account may use of ``quota`` in ``region`` now."""
    return int(RAISED.of(_backend(account, region)).get(quota.key, quota.default))


def _known(service_code: str, quota_code: str) -> Quota:
    quota = QUOTAS.get(quota_code)
    if quota is None or quota.code is None or quota.service != service_code:  # no code: not in Service Quotas
        raise NoSuchQuota(service_code, quota_code)
    return quota


def _described(backend, quota: Quota) -> dict:
    return {
        "ServiceCode": quota.service,
        "QuotaCode": quota.code,
        "QuotaName": quota.name,
        "QuotaArn": f"arn:aws:servicequotas:{backend.region_name}:{backend.account_id}:{quota.service}/{quota.code}",
        "Value": float(applied(backend.account_id, backend.region_name, quota)),
        "Unit": "None",
        "Adjustable": True,
        "GlobalQuota": False,
    }


def request_increase(backend, service_code: str, quota_code: str, desired: float) -> dict:
    """A request for ``desired``, granted at once; AWS refuses one that does not raise the quota."""
    quota = _known(service_code, quota_code)
    current = applied(backend.account_id, backend.region_name, quota)
    if desired <= current:
        raise IllegalArgument(f"The desired value {desired:g} must be greater than the current value {current}.")
    RAISED.of(backend)[quota.key] = desired
    return {
        "Id": uuid.uuid4().hex,
        "ServiceCode": quota.service,
        "QuotaCode": quota.code,
        "QuotaName": quota.name,
        "DesiredValue": float(desired),
        "Status": "APPROVED",
        "QuotaArn": _described(backend, quota)["QuotaArn"],
        "Unit": "None",
        "GlobalQuota": False,
    }


@patch(
    "Service Quotas answers the applied value of the account-level quotas cfnops knows (AWS's default, or what "
    "a RequestServiceQuotaIncrease raised it to: granted at once; moto had neither the request nor these quotas)"
)
def _applied_quotas() -> None:
    backend_class, response_class = sq_models.ServiceQuotasBackend, sq_responses.ServiceQuotasResponse
    original_get = unwrapped(backend_class, "get_service_quota")

    def get_service_quota(self, service_code: str, quota_code: str) -> dict:
        if quota_code in QUOTAS:
            return _described(self, _known(service_code, quota_code))
        return original_get(self, service_code, quota_code)

    def request_service_quota_increase(self) -> str:
        params = json.loads(self.body)
        requested = request_increase(
            self.backend, str(params.get("ServiceCode")), str(params.get("QuotaCode")), float(params["DesiredValue"])
        )
        return json.dumps({"RequestedQuota": requested})

    replace(backend_class, "get_service_quota", get_service_quota)
    replace(response_class, "request_service_quota_increase", request_service_quota_increase)


__doc__ = document(__doc__, __name__)
