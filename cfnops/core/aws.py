"""boto3 sessions and clients: the one place that configures them.

One retry layer: botocore's own (``standard`` mode by default, ``CFNOPS_RETRY_MODE`` and
``CFNOPS_MAX_ATTEMPTS`` to change it), which retries throttling and transient errors with
backoff. Nothing else in cfnops retries an API call. boto3 itself honours AWS_PROFILE,
AWS_REGION and AWS_ENDPOINT_URL (localcloud), so the product never knows where it points.
"""

from __future__ import annotations

import os
import re
import threading
from collections import Counter
from contextlib import contextmanager

import boto3
import botocore.config
import botocore.exceptions

from . import interrupt
from .errors import AwsAccessError, AwsCallError, CfnopsError

ACCESS_ERRORS = (
    "AccessDenied",
    "AccessDeniedException",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "SignatureDoesNotMatch",
)


CREDENTIAL_ERRORS = (
    botocore.exceptions.NoCredentialsError,
    botocore.exceptions.PartialCredentialsError,
    botocore.exceptions.CredentialRetrievalError,
    botocore.exceptions.TokenRetrievalError,
    botocore.exceptions.SSOError,
    botocore.exceptions.NoRegionError,
    botocore.exceptions.ProfileNotFound,
    botocore.exceptions.InvalidConfigError,
)
UNREACHABLE = (botocore.exceptions.ConnectionError, botocore.exceptions.HTTPClientError)
# The first call of every command (GetCallerIdentity) finds out fast whether the endpoint answers:
# two attempts, short timeouts, so a stopped localcloud is reported within 10 seconds.
PROBE_TIMEOUTS = {"connect_timeout": 3, "read_timeout": 4, "total_max_attempts": 2}


def client_config() -> botocore.config.Config:
    return botocore.config.Config(
        retries={
            "mode": os.environ.get("CFNOPS_RETRY_MODE", "standard"),
            "max_attempts": int(os.environ.get("CFNOPS_MAX_ATTEMPTS", "8")),
        },
        connect_timeout=10,
        user_agent_extra="cfnops",
    )


def probe_config() -> botocore.config.Config:
    return botocore.config.Config(
        retries={"mode": "standard", "total_max_attempts": PROBE_TIMEOUTS["total_max_attempts"]},
        connect_timeout=PROBE_TIMEOUTS["connect_timeout"],
        read_timeout=PROBE_TIMEOUTS["read_timeout"],
        user_agent_extra="cfnops",
    )


class Aws:
    """A session and its clients, created up front and shared by threads (clients are
    thread-safe; sessions are not)."""

    def __init__(self, session: boto3.Session | None = None):
        self.session = session or boto3.Session()
        self._clients: dict[tuple[str, str], object] = {}
        self._lock = threading.Lock()
        self._caller: dict | None = None
        self.calls: Counter = Counter()
        self.session.events.register("before-call", self._count)
        # the call, and each attempt of it (retries), checked before any other hook (a stubber
        # that answers at before-send, as moto's, included)
        for event in ("before-call", "before-send"):
            self.session.events.register_first(event, interrupt.refuse_request)

    def _count(self, model, **_) -> None:
        self.calls[f"{model.service_model.service_name}:{model.name}"] += 1

    def client(self, service: str, region: str):
        with self._lock:
            key = (service, region)
            if key not in self._clients:
                self._clients[key] = self.session.client(service, region_name=region, config=client_config())
            return self._clients[key]

    def _identity(self, region: str) -> dict:
        """GetCallerIdentity, with short timeouts (probe_config), asked once: a session's
        credentials name one caller."""
        with translate_errors(), self._lock:
            if self._caller is None:
                probe = self.session.client("sts", region_name=region, config=probe_config())
                self._caller = probe.get_caller_identity()
            return self._caller

    def account_id(self, region: str) -> str:
        """The caller's account; the first call of a command."""
        return self._identity(region)["Account"]

    def caller_arn(self, region: str) -> str:
        """The caller's ARN as STS gives it (a role session: ``arn:…:sts::…:assumed-role/<role>/<session>``)."""
        return self._identity(region)["Arn"]


@contextmanager
def translate_errors():
    """Credentials problems become one clear line (exit 6); everything else passes
    (cli/main.py turns the rest into one line with ``describe``)."""
    try:
        yield
    except CREDENTIAL_ERRORS + (botocore.exceptions.ClientError,) as error:
        described = describe(error)
        if isinstance(described, AwsAccessError):
            raise described from None
        raise


def is_aws_error(error: BaseException) -> bool:
    return isinstance(error, (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError))


def describe(error: BaseException) -> CfnopsError:
    """Any botocore failure as one line: credentials and access (exit 6), an endpoint that
    does not answer, or the operation, code and message of a refused call (exit 1)."""
    if isinstance(error, botocore.exceptions.NoCredentialsError):
        return AwsAccessError(
            "no AWS credentials: set AWS_PROFILE (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), "
            "or run `make localcloud` and export what it prints"
        )
    if isinstance(error, botocore.exceptions.PartialCredentialsError):
        return AwsAccessError(
            f"incomplete AWS credentials: {one_line(error)}: set both AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE"
        )
    if isinstance(error, CREDENTIAL_ERRORS):
        return AwsAccessError(one_line(error))
    if isinstance(error, UNREACHABLE):
        return AwsCallError(unreachable(error))
    if isinstance(error, botocore.exceptions.ClientError):
        line = (
            f"{error.operation_name}: {error_code(error) or 'error'}: {one_line(error_message(error)) or 'no message'}"
        )
        return AwsAccessError(line) if error_code(error) in ACCESS_ERRORS else AwsCallError(line)
    return AwsCallError(f"AWS: {one_line(error)}")


def unreachable(error: BaseException) -> str:
    url = str(getattr(error, "kwargs", {}).get("endpoint_url") or os.environ.get("AWS_ENDPOINT_URL") or "AWS")
    match = re.match(r"^[a-z]+://[^/]+", url)
    endpoint = match.group(0) if match else url
    if os.environ.get("AWS_ENDPOINT_URL"):
        hint = (
            "is localcloud running? Start it with `make localcloud` in another shell and export what it prints "
            "(or unset AWS_ENDPOINT_URL to use AWS)"
        )
    else:
        hint = "check the network, proxy and AWS_REGION"
    return f"cannot reach {endpoint} ({type(error).__name__}): {hint}"


def one_line(value: object, limit: int = 300) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def error_code(error: botocore.exceptions.ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "")


def error_message(error: botocore.exceptions.ClientError) -> str:
    return error.response.get("Error", {}).get("Message", "")
