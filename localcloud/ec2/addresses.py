"""Elastic IP addresses against the account's limit on localcloud (moto allocates any number):
an AllocateAddress (AWS::EC2::EIP's handler calls it) beyond the applied quota of the Region
(servicequotas/applied.py; AWS's default 5) is refused with EC2's AddressLimitExceeded
(awsfacts.account_quotas.ELASTIC_IPS). Every allocated address counts, associated or not,
as on AWS."""

from __future__ import annotations

from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models import elastic_ip_addresses

from cfnops.awsfacts.account_quotas import ELASTIC_IPS

from ..core.failures import Refused
from ..core.registry import document, patch, replace
from ..servicequotas.applied import applied


class AddressLimitExceeded(Refused, EC2ClientError):
    def __init__(self) -> None:
        assert ELASTIC_IPS.refusal is not None
        self.refusal = ELASTIC_IPS.refusal
        super().__init__(self.refusal.error_code, self.refusal.message)


def check(backend) -> None:
    """Refuse one more address when the Region's addresses already fill the applied quota."""
    if len(backend.addresses) >= applied(backend.account_id, backend.region_name, ELASTIC_IPS):
        raise AddressLimitExceeded()


@patch("AllocateAddress beyond the applied Elastic IP quota is refused (AddressLimitExceeded), as on AWS")
def _address_limit() -> None:
    backend_class = elastic_ip_addresses.ElasticAddressBackend
    original = backend_class.allocate_address

    def allocate_address(self, domain, address=None, tags=None):
        check(self)
        return original(self, domain, address, tags)

    replace(backend_class, "allocate_address", allocate_address)


__doc__ = document(__doc__, __name__)
