"""Delivering records and dead letters to AWS services (SQS, SNS, EventBridge, S3) with
boto3, configured as any AWS SDK is: ``AWS_ENDPOINT_URL_SQS`` and friends, the usual
credential chain. The same configuration reaches real AWS or any compatible service.

How each destination takes a record (AWS, "Capturing records of Lambda asynchronous
invocations"): SQS and SNS as the message; EventBridge as the ``detail`` of an event from
``lambda`` whose ``detail-type`` names the result and whose ``resources`` are the
function and the destination; S3 (failures only) as an object. FIFO queues and topics
cannot take records: delivering to one fails, as on AWS.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from lambent.domain.event_invoke import DEAD_LETTER_SERVICES, service_of
from lambent.domain.invocation_record import EVENT_SOURCE
from lambent.store.outbox import Delivery, Kind

_CONFIG = Config(connect_timeout=5, read_timeout=15, retries={"max_attempts": 2})


class DeliveryFailed(Exception):
    """The target did not take the delivery (it is retried later, and counted)."""


def _region(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[3] or None if len(parts) > 3 else None


class Targets:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str | None], Any] = {}
        self._queue_urls: dict[str, str] = {}

    async def send(self, delivery: Delivery) -> None:
        await asyncio.to_thread(self._send, delivery)

    def _client(self, service: str, region: str | None) -> Any:
        with self._lock:
            client = self._clients.get((service, region))
            if client is None:
                session = boto3.session.Session()
                client = session.client(service, region_name=region, config=_CONFIG)
                self._clients[(service, region)] = client
            return client

    def _send(self, delivery: Delivery) -> None:
        service = service_of(delivery.target)
        if delivery.kind is Kind.DEAD_LETTER and service not in DEAD_LETTER_SERVICES:
            raise DeliveryFailed(
                f"{delivery.target}: a dead-letter queue is an SQS queue or SNS topic"
            )
        try:
            if service == "sqs":
                self._sqs(delivery)
            elif service == "sns":
                self._sns(delivery)
            elif service == "events":
                self._events(delivery)
            elif service == "s3":
                self._s3(delivery)
            else:
                raise DeliveryFailed(f"{delivery.target} cannot take asynchronous records")
        except (BotoCoreError, ClientError) as e:
            raise DeliveryFailed(f"{delivery.target}: {e}") from e

    def _queue_url(self, arn: str) -> str:
        found = self._queue_urls.get(arn)
        if found is None:
            parts = arn.split(":")
            if len(parts) != 6:
                raise DeliveryFailed(f"{arn} is not an SQS queue ARN")
            client = self._client("sqs", _region(arn))
            answer = client.get_queue_url(QueueName=parts[5], QueueOwnerAWSAccountId=parts[4])
            found = str(answer["QueueUrl"])
            self._queue_urls[arn] = found
        return found

    def _sqs(self, delivery: Delivery) -> None:
        if delivery.target.endswith(".fifo"):
            raise DeliveryFailed(f"{delivery.target}: FIFO queues cannot take records")
        arguments: dict[str, Any] = {
            "QueueUrl": self._queue_url(delivery.target),
            "MessageBody": delivery.body.decode("utf-8", errors="replace"),
        }
        if delivery.extra.get("MessageAttributes"):
            arguments["MessageAttributes"] = delivery.extra["MessageAttributes"]
        self._client("sqs", _region(delivery.target)).send_message(**arguments)

    def _sns(self, delivery: Delivery) -> None:
        if delivery.target.endswith(".fifo"):
            raise DeliveryFailed(f"{delivery.target}: FIFO topics cannot take records")
        arguments: dict[str, Any] = {
            "TopicArn": delivery.target,
            "Message": delivery.body.decode("utf-8", errors="replace"),
        }
        if delivery.extra.get("MessageAttributes"):
            arguments["MessageAttributes"] = delivery.extra["MessageAttributes"]
        self._client("sns", _region(delivery.target)).publish(**arguments)

    def _events(self, delivery: Delivery) -> None:
        entry = {
            "Source": EVENT_SOURCE,
            "DetailType": delivery.extra.get("DetailType", ""),
            "Detail": delivery.body.decode("utf-8", errors="replace"),
            "Resources": list(delivery.extra.get("Resources", [])),
            "EventBusName": delivery.target,
        }
        answer = self._client("events", _region(delivery.target)).put_events(Entries=[entry])
        if answer.get("FailedEntryCount"):
            failed = (answer.get("Entries") or [{}])[0]
            raise DeliveryFailed(
                f"{delivery.target}: {failed.get('ErrorCode')}: {failed.get('ErrorMessage')}"
            )

    def _s3(self, delivery: Delivery) -> None:
        bucket = delivery.target.split(":")[-1]
        moment = float(delivery.extra.get("Timestamp") or time.time())
        day = time.strftime("%Y/%m/%d/%H", time.gmtime(moment))
        stamp = time.strftime("%Y-%m-%dT%H.%M.%S", time.gmtime(moment))
        key = f"aws/lambda/async/{delivery.extra.get('Function', '')}/{day}/{stamp}-{uuid.uuid4()}"
        self._client("s3", None).put_object(Bucket=bucket, Key=key, Body=delivery.body)
