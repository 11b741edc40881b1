"""A resource that CloudFormation's handler failed, worded as a StackSet instance reports
it: ``ResourceLogicalId:<id>, ResourceType:<type>, ResourceStatusReason:Resource handler
returned message: "<service's message>" (RequestToken: …, HandlerErrorCode: <code>).``"""

from __future__ import annotations

import uuid


class ResourceFailed(Exception):
    def __init__(self, logical_id: str, resource_type: str, service_message: str, handler_error_code: str):
        self.logical_id, self.resource_type, self.handler_error_code = logical_id, resource_type, handler_error_code
        self.handler_message = (f'Resource handler returned message: "{service_message}" '
                                f"(RequestToken: {uuid.uuid4()}, HandlerErrorCode: {handler_error_code})")
        self.message = f"ResourceLogicalId:{logical_id}, ResourceType:{resource_type}, ResourceStatusReason:{self.handler_message}"
        super().__init__(self.message)


def service_detail(service: str, status: int) -> str:
    """The SDK's suffix on a service error inside a handler message."""
    return f"(Service: {service}, Status Code: {status}, Request ID: {uuid.uuid4()})"
