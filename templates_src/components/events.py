"""EventBridge: a bus per template and rules that route its events to Kinesis or Lambda."""

from __future__ import annotations

import awacs.kinesis
import awacs.kms
import awacs.sqs
from awacs.aws import Allow, ArnEquals, Condition, Principal, Statement
from troposphere import GetAtt, Ref, Template, awslambda, events, sqs

from .. import policies
from ..conventions import physical_name, standard_tags
from .identity import add_role

RETRY_ATTEMPTS = 8
RETRY_MAX_AGE_SECONDS = 3600


def add_bus(template: Template, suffix: str) -> events.EventBus:
    return template.add_resource(events.EventBus("EventBus", Name=physical_name("bus", suffix), Tags=standard_tags()))


def _rule(
    template: Template, title: str, suffix: str, description: str, bus, pattern: dict, targets: list
) -> events.Rule:
    return template.add_resource(
        events.Rule(
            title,
            Name=physical_name("rule", suffix),
            Description=description,
            EventBusName=Ref(bus),
            EventPattern=pattern,
            State="ENABLED",
            Targets=targets,
            Tags=standard_tags(),
        )
    )


def delivery(dead_letter_queue) -> dict:
    """Retry for an hour, then keep the event in the dead-letter queue."""
    return dict(
        RetryPolicy=events.RetryPolicy(
            MaximumRetryAttempts=RETRY_ATTEMPTS, MaximumEventAgeInSeconds=RETRY_MAX_AGE_SECONDS
        ),
        DeadLetterConfig=events.DeadLetterConfig(Arn=GetAtt(dead_letter_queue, "Arn")),
    )


def route_to_stream(
    template: Template,
    title: str,
    suffix: str,
    description: str,
    bus,
    pattern: dict,
    stream,
    key,
    partition_key_path: str,
    dead_letter_queue,
) -> events.Rule:
    """Events matching ``pattern`` are put on the Kinesis ``stream`` (with a role that may do only that)."""
    role = add_role(
        template,
        f"{title}Role",
        f"{suffix}-events",
        policies.service_trust_for_account("events.amazonaws.com"),
        "EventBridge: put the routed events on their stream",
        [
            policies.allow(
                policies.actions(awacs.kinesis.PutRecord, awacs.kinesis.PutRecords), [GetAtt(stream, "Arn")]
            ),
            policies.kms_use_statement(GetAtt(key, "Arn"), awacs.kms.GenerateDataKey),
        ],
    )
    return _rule(
        template,
        title,
        suffix,
        description,
        bus,
        pattern,
        [
            events.Target(
                Id="stream",
                Arn=GetAtt(stream, "Arn"),
                RoleArn=GetAtt(role, "Arn"),
                KinesisParameters=events.KinesisParameters(PartitionKeyPath=partition_key_path),
                **delivery(dead_letter_queue),
            )
        ],
    )


def route_to_function(
    template: Template, title: str, suffix: str, description: str, bus, pattern: dict, function, dead_letter_queue
) -> events.Rule:
    rule = _rule(
        template,
        title,
        suffix,
        description,
        bus,
        pattern,
        [events.Target(Id="function", Arn=GetAtt(function, "Arn"), **delivery(dead_letter_queue))],
    )
    template.add_resource(
        awslambda.Permission(
            f"{title}Permission",
            Action="lambda:InvokeFunction",
            FunctionName=Ref(function),
            Principal="events.amazonaws.com",
            SourceArn=GetAtt(rule, "Arn"),
            SourceAccount=Ref("AWS::AccountId"),
        )
    )
    return rule


def allow_dead_lettering(template: Template, title: str, dead_letter_queue, rules: list) -> sqs.QueuePolicy:
    """EventBridge writes an undeliverable event to a rule's DLQ with its own service
    principal: the queue must allow that, for exactly these rules (one policy per queue,
    listing them all: a second QueuePolicy on the same queue would replace the first)."""
    return template.add_resource(
        sqs.QueuePolicy(
            title,
            Queues=[Ref(dead_letter_queue)],
            PolicyDocument=policies.document(
                Statement(
                    Sid="EventBridgeDeadLetters",
                    Effect=Allow,
                    Principal=Principal("Service", "events.amazonaws.com"),
                    Action=policies.actions(awacs.sqs.SendMessage),
                    Resource=[GetAtt(dead_letter_queue, "Arn")],
                    Condition=Condition(ArnEquals("aws:SourceArn", [GetAtt(rule, "Arn") for rule in rules])),
                )
            ),
        )
    )
