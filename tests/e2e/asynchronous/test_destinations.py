"""Where outcomes go: invocation records to a recorder function, SQS queues and EventBridge;
dead letters to SQS and SNS with AWS's attributes; failed deliveries counted and retried."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.asynchronous.support import (
    ECHO,
    FAILING,
    counters,
    drain,
    event,
    peer_client,
    queue,
    record_for,
    settled_starts,
)
from tests.e2e.invoking import FUNCTION_ARN, deploy, unique, wait_until
from tests.helpers import LambentProcess


def test_on_success_record_goes_to_a_function(client: Any, logs: Any, recorder: str) -> None:
    name = deploy(client, {"app.py": ECHO})
    client.put_function_event_invoke_config(
        FunctionName=name,
        DestinationConfig={"OnSuccess": {"Destination": FUNCTION_ARN + recorder}},
    )
    request_id = event(client, name, {"hello": "world"})
    record = record_for(logs, recorder, request_id)
    assert set(record) == {
        "version",
        "timestamp",
        "requestContext",
        "requestPayload",
        "responseContext",
        "responsePayload",
    }
    assert record["version"] == "1.0"
    assert record["requestContext"] == {
        "requestId": request_id,
        "functionArn": f"{FUNCTION_ARN}{name}:$LATEST",
        "condition": "Success",
        "approximateInvokeCount": 1,
    }
    assert record["requestPayload"] == {"hello": "world"}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert record["responsePayload"] == {"echo": {"hello": "world"}}


def test_records_go_to_sqs_queues(client: Any, sqs: Any) -> None:
    ok_url, ok_arn = queue(sqs)
    failed_url, failed_arn = queue(sqs)
    good = deploy(client, {"app.py": ECHO})
    bad = deploy(client, {"app.py": FAILING})
    for name in (good, bad):
        client.put_function_event_invoke_config(
            FunctionName=name,
            MaximumRetryAttempts=0,
            DestinationConfig={
                "OnSuccess": {"Destination": ok_arn},
                "OnFailure": {"Destination": failed_arn},
            },
        )
    succeeded = event(client, good, {"n": 1})
    failed = event(client, bad, {"n": 2})
    (ok,) = drain(sqs, ok_url, lambda found: len(found) >= 1)
    (ko,) = drain(sqs, failed_url, lambda found: len(found) >= 1)
    success, failure = json.loads(ok["Body"]), json.loads(ko["Body"])
    assert success["requestContext"]["requestId"] == succeeded
    assert success["requestContext"]["condition"] == "Success"
    assert success["responsePayload"] == {"echo": {"n": 1}}
    assert failure["requestContext"]["requestId"] == failed
    assert failure["requestContext"]["condition"] == "RetriesExhausted"
    assert failure["requestContext"]["approximateInvokeCount"] == 1
    assert failure["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    assert failure["responsePayload"]["errorType"] == "ValueError"


def test_dead_letter_queue_gets_the_event_with_awss_attributes(
    client: Any, logs: Any, sqs: Any
) -> None:
    url, arn = queue(sqs)
    name = deploy(client, {"app.py": FAILING}, DeadLetterConfig={"TargetArn": arn})
    client.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
    request_id = event(client, name, {"n": 42})
    (message,) = drain(sqs, url, lambda found: len(found) >= 1)
    assert json.loads(message["Body"]) == {"n": 42}
    attributes = message["MessageAttributes"]
    assert attributes["RequestID"] == {"StringValue": request_id, "DataType": "String"}
    assert attributes["ErrorCode"] == {"StringValue": "200", "DataType": "Number"}
    assert attributes["ErrorMessage"] == {"StringValue": "boom 42", "DataType": "String"}
    assert settled_starts(logs, name) == [request_id] * 2


def test_a_failed_delivery_is_counted_and_retried_until_it_lands(
    server: LambentProcess, client: Any, sqs: Any
) -> None:
    queue_name = unique("later")
    arn = f"arn:aws:sqs:us-east-1:123456789012:{queue_name}"
    name = deploy(client, {"app.py": ECHO})
    client.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": arn}}
    )
    request_id = event(client, name, {"n": 1})
    # The queue does not exist yet: deliveries fail, and each failure is counted.
    assert wait_until(lambda: counters(server, name).destination_delivery_failures >= 2, timeout=15)
    url = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
    (message,) = drain(sqs, url, lambda found: len(found) >= 1, timeout=20)
    assert json.loads(message["Body"])["requestContext"]["requestId"] == request_id
    counted = counters(server, name)
    assert counted.received == 1 and counted.dropped == 0


def test_sns_dead_letter_topic_gets_the_event_with_awss_attributes(
    client: Any, sqs: Any, peer: str
) -> None:
    sns = peer_client(peer, "sns")
    topic = sns.create_topic(Name=unique("dlq"))["TopicArn"]
    url, arn = queue(sqs)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    name = deploy(client, {"app.py": FAILING}, DeadLetterConfig={"TargetArn": topic})
    client.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    request_id = event(client, name, {"n": 5})
    (message,) = drain(sqs, url, lambda found: len(found) >= 1)
    notification = json.loads(message["Body"])
    assert notification["TopicArn"] == topic
    assert json.loads(notification["Message"]) == {"n": 5}
    attributes = notification["MessageAttributes"]
    assert attributes["RequestID"] == {"Type": "String", "Value": request_id}
    assert attributes["ErrorCode"] == {"Type": "Number", "Value": "200"}
    assert attributes["ErrorMessage"] == {"Type": "String", "Value": "boom 5"}


def test_eventbridge_destination_gets_lambdas_event(client: Any, sqs: Any, peer: str) -> None:
    events = peer_client(peer, "events")
    url, arn = queue(sqs)
    rule = unique("rule")
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["lambda"]}))
    events.put_targets(Rule=rule, Targets=[{"Id": "records", "Arn": arn}])
    bus = "arn:aws:events:us-east-1:123456789012:event-bus/default"
    try:
        name = deploy(client, {"app.py": ECHO})
        client.put_function_event_invoke_config(
            FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": bus}}
        )
        request_id = event(client, name, {"n": 6})
        (message,) = drain(sqs, url, lambda found: len(found) >= 1)
    finally:
        events.remove_targets(Rule=rule, Ids=["records"])
        events.delete_rule(Name=rule)
    delivered = json.loads(message["Body"])
    assert delivered["source"] == "lambda"
    assert delivered["detail-type"] == "Lambda Function Invocation Result - Success"
    function_arn = f"{FUNCTION_ARN}{name}:$LATEST"
    assert delivered["resources"] == [function_arn, bus]
    assert delivered["detail"]["requestContext"]["requestId"] == request_id
    assert delivered["detail"]["responsePayload"] == {"echo": {"n": 6}}
