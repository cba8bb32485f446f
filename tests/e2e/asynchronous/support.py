"""What the asynchronous-invocation tests share: an SQS/SNS peer (moto's server), a Lambent
server configured to reach it, sending events, and reading back what functions and queues
received."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config

from lambent.store import async_metrics
from tests.e2e.invoking import log_messages, unique
from tests.helpers import REGION, LambentProcess

#: Dummy credentials: the peer accepts any, and nothing may reach real AWS.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "moto", "AWS_SECRET_ACCESS_KEY": "moto"}

#: Prints every event it gets, whole, as one line: a recorder destination.
RECORDER = "import json\ndef handler(event, context):\n    print('RECORD ' + json.dumps(event))\n"
#: Fails every time.
FAILING = "def handler(event, context):\n    raise ValueError('boom ' + str(event.get('n')))\n"
#: Prints what it got, and answers it.
ECHO = "def handler(event, context):\n    print('GOT ' + str(event))\n    return {'echo': event}\n"
#: Takes three seconds.
SLOW = "import time\ndef handler(event, context):\n    time.sleep(3)\n    return 'slow'\n"


def peer_env(endpoint: str) -> dict[str, str]:
    """How a Lambent server is pointed at the peer: as any AWS SDK is configured."""
    return {
        "AWS_ENDPOINT_URL_SQS": endpoint,
        "AWS_ENDPOINT_URL_SNS": endpoint,
        "AWS_ENDPOINT_URL_EVENTBRIDGE": endpoint,
        "AWS_ENDPOINT_URL_S3": endpoint,
        **CREDENTIALS,
    }


def peer_client(endpoint: str, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="moto",
        aws_secret_access_key="moto",
        config=Config(retries={"max_attempts": 2}),
    )


def queue_arn(sqs: Any, url: str) -> str:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return str(attributes["Attributes"]["QueueArn"])


def drain(
    sqs: Any,
    url: str,
    until: Callable[[list[dict[str, Any]]], bool],
    timeout: float = 30,
) -> list[dict[str, Any]]:
    """Messages received (and deleted) from the queue until ``until`` holds."""
    deadline = time.monotonic() + timeout
    found: list[dict[str, Any]] = []
    while True:
        answer = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=0,
            MessageAttributeNames=["All"],
        )
        batch = answer.get("Messages", [])
        found += batch
        if batch:
            sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)
                ],
            )
        if until(found):
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{url}: the condition never held; got {found}")
        if not batch:
            time.sleep(0.1)


def record_for(logs: Any, recorder: str, request_id: str, timeout: float = 30) -> dict[str, Any]:
    """The record of the invocation ``request_id`` that the recorder printed."""
    lines = log_messages(
        logs,
        f"/aws/lambda/{recorder}",
        lambda messages: any(request_id in m for m in messages),
        timeout=timeout,
    )
    found = [
        json.loads(m[len("RECORD ") :])
        for m in lines
        if m.startswith("RECORD ") and request_id in m
    ]
    (record,) = [r for r in found if r["requestContext"]["requestId"] == request_id]
    return record


def starts(logs: Any, name: str) -> list[str]:
    """The request ids of the function's START lines, in its log group."""
    lines = log_messages(logs, f"/aws/lambda/{name}", lambda messages: True, timeout=5)
    return [m.split()[2] for m in lines if m.startswith("START RequestId: ")]


def settled_starts(logs: Any, name: str, quiet: float = 1.0) -> list[str]:
    """START lines, once their number has not changed for ``quiet`` seconds (the log sink
    writes in batches, and a retry could still be on its way)."""
    seen = starts(logs, name)
    while True:
        time.sleep(quiet)
        again = starts(logs, name)
        if again == seen:
            return seen
        seen = again


def queue(sqs: Any) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=unique("q"))["QueueUrl"]
    return url, queue_arn(sqs, url)


def event(client: Any, name: str, payload: Any, **kwargs: Any) -> str:
    """Invoke with InvocationType Event; the request id (which the event keeps)."""
    response = client.invoke(
        FunctionName=name, InvocationType="Event", Payload=json.dumps(payload), **kwargs
    )
    assert response["StatusCode"] == 202
    assert response["Payload"].read() == b""
    return str(response["ResponseMetadata"]["RequestId"])


def counters(server: LambentProcess, name: str) -> async_metrics.AsyncCounters:
    with sqlite3.connect(server.data_dir / "events.db") as c:
        return async_metrics.read(c, ("000000000000", "us-east-1", name))
