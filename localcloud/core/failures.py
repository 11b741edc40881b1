"""Failures that name their resource, as CloudFormation reports them: moto raises the
service's error from deep inside a stack operation with no word of which resource it was
handling; here each resource's create, update and delete re-raise it as a
``ResourceFailure`` carrying the logical id, the type and the handler's message. A StackSet
instance shows it as ``ResourceLogicalId:<id>, ResourceType:<type>,
ResourceStatusReason:Resource handler returned message: "<message>"``."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from dataclasses import dataclass

from cfnops.awsfacts.account_quotas import Refusal

from .state import State


class ResourceFailure(Exception):
    def __init__(self, logical_id: str, resource_type: str, cause: BaseException):
        self.logical_id, self.resource_type = logical_id, resource_type
        self.cause: BaseException | None = cause  # None: a failure localcloud decides itself
        self.handler_message = message_of(cause)
        self.message = (
            f"ResourceLogicalId:{logical_id}, ResourceType:{resource_type}, "
            f'ResourceStatusReason:Resource handler returned message: "{self.handler_message}"'
        )
        super().__init__(self.message)


class ResourceFailed(ResourceFailure):
    """A failure localcloud decides itself (a permission, a limit), worded with the handler
    error code AWS gives: ``... (RequestToken: …, HandlerErrorCode: <code>)``."""

    def __init__(self, logical_id: str, resource_type: str, service_message: str, handler_error_code: str):
        self.logical_id, self.resource_type = logical_id, resource_type
        self.cause = None
        self.handler_error_code = handler_error_code
        self.handler_message = (
            f'Resource handler returned message: "{service_message}" '
            f"(RequestToken: {uuid.uuid4()}, HandlerErrorCode: {handler_error_code})"
        )
        self.message = (
            f"ResourceLogicalId:{logical_id}, ResourceType:{resource_type}, ResourceStatusReason:{self.handler_message}"
        )
        Exception.__init__(self, self.message)


class Refused(Exception):
    """Mixed into a service's own error raised for an AWS refusal moto does not make
    (awsfacts ``Refusal``): CloudFormation's handler reports it with the service's name and
    status and the refusal's HandlerErrorCode (``handling``)."""

    refusal: Refusal

    def handler_failure(self, logical_id: str, resource_type: str) -> ResourceFailed:
        detail = service_detail(self.refusal.service, self.refusal.status)
        return ResourceFailed(
            logical_id, resource_type, f"{message_of(self)} {detail}", self.refusal.handler_error_code
        )


def service_detail(service: str, status: int) -> str:
    """The SDK's suffix on a service error inside a handler message."""
    return f"(Service: {service}, Status Code: {status}, Request ID: {uuid.uuid4()})"


@dataclass
class LastFailure:
    """Why a stack's last update failed (kept for whoever runs it: the StackSet engine reports it)."""

    error: Exception | None = None


UPDATE_FAILURE: State[LastFailure] = State("update_failure", LastFailure)


def message_of(error: BaseException) -> str:
    """The service's own message (moto's errors keep it in ``message``)."""
    return getattr(error, "message", None) or str(error) or type(error).__name__


@contextmanager
def handling(logical_id: str, resource_type: str):
    """Errors raised while handling one resource become that resource's failure; one
    already named (a resource created on demand by a reference) keeps its own name."""
    try:
        yield
    except ResourceFailure:
        raise
    except Refused as error:
        raise error.handler_failure(logical_id, resource_type) from error
    except Exception as error:  # any handler error is the resource's failure
        raise ResourceFailure(logical_id, resource_type, error) from error
