"""boto3 sessions and clients: the one place that configures them.

One retry layer: botocore's own (``standard`` mode by default, ``CFNOPS_RETRY_MODE`` and
``CFNOPS_MAX_ATTEMPTS`` to change it), which retries throttling and transient errors with
backoff. Nothing else in cfnops retries an API call. boto3 itself honours AWS_PROFILE,
AWS_REGION and AWS_ENDPOINT_URL (localcloud), so the product never knows where it points.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from contextlib import contextmanager

import boto3
import botocore.config
import botocore.exceptions

from .errors import AwsAccessError

ACCESS_ERRORS = ("AccessDenied", "AccessDeniedException", "UnrecognizedClientException", "InvalidClientTokenId",
                 "ExpiredToken", "ExpiredTokenException", "SignatureDoesNotMatch")


def client_config() -> botocore.config.Config:
    return botocore.config.Config(
        retries={"mode": os.environ.get("CFNOPS_RETRY_MODE", "standard"),
                 "max_attempts": int(os.environ.get("CFNOPS_MAX_ATTEMPTS", "8"))},
        user_agent_extra="cfnops",
    )


class Aws:
    """A session and its clients, created up front and shared by threads (clients are
    thread-safe; sessions are not)."""

    def __init__(self, session: boto3.Session | None = None):
        self.session = session or boto3.Session()
        self._clients: dict[tuple[str, str], object] = {}
        self._lock = threading.Lock()
        self.calls: Counter = Counter()
        self.session.events.register("before-call", self._count)

    def _count(self, model, **_) -> None:
        self.calls[f"{model.service_model.service_name}:{model.name}"] += 1

    def client(self, service: str, region: str):
        with self._lock:
            key = (service, region)
            if key not in self._clients:
                self._clients[key] = self.session.client(service, region_name=region, config=client_config())
            return self._clients[key]

    def account_id(self, region: str) -> str:
        with translate_errors():
            return self.client("sts", region).get_caller_identity()["Account"]


@contextmanager
def translate_errors():
    """Credentials problems become one clear line (exit 6); everything else passes."""
    try:
        yield
    except botocore.exceptions.NoCredentialsError:
        raise AwsAccessError("no AWS credentials: set AWS_PROFILE (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), "
                             "or run `make localcloud` and export what it prints") from None
    except (botocore.exceptions.NoRegionError, botocore.exceptions.ProfileNotFound) as error:
        raise AwsAccessError(str(error)) from None
    except botocore.exceptions.ClientError as error:
        if error_code(error) in ACCESS_ERRORS:
            raise AwsAccessError(f"{error.operation_name}: {error_code(error)}: {error_message(error)}") from None
        raise


def error_code(error: botocore.exceptions.ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "")


def error_message(error: botocore.exceptions.ClientError) -> str:
    return error.response.get("Error", {}).get("Message", "")
