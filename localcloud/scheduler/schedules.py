"""AWS::Scheduler::Schedule on localcloud: a real schedule in moto's EventBridge Scheduler
(get-schedule and drift see it), made by CreateSchedule and changed by UpdateSchedule (which
replaces every setting, as on AWS), deleted by DeleteSchedule. Ref: the schedule's name
(Name, or CloudFormation's generated name), as on AWS."""

from __future__ import annotations

from moto.scheduler.models import scheduler_backends

from ..cloudformation.patches import PutBacked, add_model

SCHEDULE = "AWS::Scheduler::Schedule"


def _settings(properties: dict) -> dict:
    return {
        "description": properties.get("Description"),
        "end_date": properties.get("EndDate"),
        "flexible_time_window": properties.get("FlexibleTimeWindow") or {},
        "group_name": properties.get("GroupName"),
        "kms_key_arn": properties.get("KmsKeyArn"),
        "schedule_expression": properties["ScheduleExpression"],
        "schedule_expression_timezone": properties.get("ScheduleExpressionTimezone"),
        "start_date": properties.get("StartDate"),
        "state": properties.get("State") or "ENABLED",
        "target": dict(properties["Target"]),
    }


def _put(name: str, properties: dict, account: str, region: str) -> None:
    backend = scheduler_backends[account][region]
    group = backend.get_schedule_group(properties.get("GroupName"))
    if name in group.schedules:
        backend.update_schedule(name=name, **_settings(properties))
    else:
        backend.create_schedule(name=name, action_after_completion=None, **_settings(properties))


class ScheduleResource(PutBacked):
    """Ref: the schedule's name; the schedule itself lives in moto's Scheduler backend."""

    kind = SCHEDULE
    put = staticmethod(_put)

    def __init__(self, resource_type, logical_id, generated_name, properties, account, region):
        super().__init__(resource_type, logical_id, generated_name, properties, account, region)
        self.physical_resource_id = properties.get("Name") or self.physical_resource_id

    def get_cfn_attribute(self, attribute_name: str):
        if attribute_name == "Arn":
            group = self._properties.get("GroupName") or "default"
            return f"arn:aws:scheduler:{self.region}:{self.account_id}:schedule/{group}/{self.physical_resource_id}"
        return super().get_cfn_attribute(attribute_name)

    def delete(self, account_id: str, region_name: str) -> None:
        scheduler_backends[account_id][region_name].delete_schedule(
            self._properties.get("GroupName"), self.physical_resource_id
        )


add_model(SCHEDULE, ScheduleResource)
