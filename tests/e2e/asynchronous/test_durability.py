"""Never lose an event: a server killed with SIGKILL while a thousand accepted events are
queued or running restarts on its data directory and takes every one of them to its final
outcome. Each success sends its record (naming the event) to an SQS queue on an
independent peer, so what reached an outcome is read back from outside the server."""

from __future__ import annotations

import json
import signal
import sqlite3
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from tests.e2e.asynchronous.support import peer_client, peer_env, queue_arn, starts
from tests.e2e.invoking import deploy
from tests.helpers import LambentProcess

EVENTS = 1000
SENDERS = 16
#: Slow enough that the kill finds most events queued and some running.
HANDLER = (
    "import time\ndef handler(event, context):\n    time.sleep(0.05)\n    return event['id']\n"
)


class Received:
    """Every record the queue got, by event id (an event may be reported twice: a crash
    repeats work, it never loses it)."""

    def __init__(self, sqs: Any, url: str) -> None:
        self._sqs = sqs
        self._url = url
        self.ids: dict[str, int] = {}

    def poll(self) -> None:
        while True:
            answer = self._sqs.receive_message(
                QueueUrl=self._url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            )
            batch = answer.get("Messages", [])
            if not batch:
                return
            for message in batch:
                record = json.loads(message["Body"])
                assert record["requestContext"]["condition"] == "Success"
                event_id = record["requestPayload"]["id"]
                assert record["responsePayload"] == event_id
                self.ids[event_id] = self.ids.get(event_id, 0) + 1
            self._sqs.delete_message_batch(
                QueueUrl=self._url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)
                ],
            )


def remaining(data_dir: Path) -> tuple[int, int]:
    with sqlite3.connect(data_dir / "events.db") as c:
        events = c.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        deliveries = c.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
    return int(events), int(deliveries)


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_sigkill_with_a_thousand_events_loses_none(peer: str, tmp_path: Path) -> None:
    sqs = peer_client(peer, "sqs")
    url = sqs.create_queue(QueueName=f"outcomes-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    received = Received(sqs, url)
    data_dir = tmp_path / "data"
    server = LambentProcess(data_dir, env=peer_env(peer)).start()
    client = server.client()
    name = deploy(client, {"app.py": HANDLER})
    client.put_function_event_invoke_config(
        FunctionName=name,
        DestinationConfig={"OnSuccess": {"Destination": queue_arn(sqs, url)}},
    )

    accepted: set[str] = set()
    lock = threading.Lock()
    ids = [f"event-{n:04d}" for n in range(EVENTS)]

    def send(event_id: str) -> None:
        try:
            answer = client.invoke(
                FunctionName=name,
                InvocationType="Event",
                Payload=json.dumps({"id": event_id}),
            )
        except (BotoCoreError, ClientError):
            return  # the server died before answering: not accepted, nothing promised
        if answer["StatusCode"] == 202:
            with lock:
                accepted.add(event_id)

    with ThreadPoolExecutor(max_workers=SENDERS) as pool:
        sending = [pool.submit(send, event_id) for event_id in ids]
        # Kill once every event is accepted and some have reached their outcome, while
        # most are still queued or running (the server's own queue says how far it is).
        deadline = time.monotonic() + 120
        while not (all(f.done() for f in sending) and remaining(data_dir)[0] <= EVENTS - 100):
            assert time.monotonic() < deadline, "no outcomes before the kill"
            time.sleep(0.01)
        server.stop(signal.SIGKILL)
        for future in sending:
            future.result()
    assert len(accepted) == EVENTS
    queued, owed = remaining(data_dir)
    assert queued >= EVENTS / 2, f"only {queued} events were queued when the server died"

    restarted = LambentProcess(data_dir, env=peer_env(peer)).start()
    try:
        deadline = time.monotonic() + 240
        while not accepted <= received.ids.keys():
            assert time.monotonic() < deadline, (
                f"{len(accepted - received.ids.keys())} accepted events never reached an "
                f"outcome (queued, pending deliveries: {remaining(data_dir)})"
            )
            received.poll()
            time.sleep(0.2)
        # Nothing left behind: no event queued, no delivery owed.
        assert wait_empty(data_dir)
    finally:
        assert restarted.stop() == 0
    assert received.ids.keys() <= set(ids)
    repeated = sum(count - 1 for count in received.ids.values())
    print(
        f"accepted {len(accepted)}, queued at the kill {queued}, deliveries owed {owed}, "
        f"reported twice {repeated}"
    )


def wait_empty(data_dir: Path, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while remaining(data_dir) != (0, 0):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.mark.slow
@pytest.mark.timeout(200)
def test_events_queued_at_a_clean_shutdown_run_after_the_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    server = LambentProcess(data_dir, "--async-concurrency", "2").start()
    client = server.client()
    name = deploy(
        client, {"app.py": "import time\ndef handler(event, context):\n    time.sleep(1)\n"}
    )
    sent = {
        client.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")["ResponseMetadata"][
            "RequestId"
        ]
        for _ in range(20)
    }
    time.sleep(0.5)
    assert server.stop() == 0
    queued, _ = remaining(data_dir)
    assert queued > 0, "everything ran before the shutdown"

    restarted = LambentProcess(data_dir, "--async-concurrency", "10").start()
    try:
        logs = restarted.client("logs")
        assert wait_empty(data_dir, timeout=60)
        started: set[str] = set()
        deadline = time.monotonic() + 15
        while not sent <= started and time.monotonic() < deadline:
            started = set(starts(logs, name))
            time.sleep(0.2)
        assert sent <= started
    finally:
        assert restarted.stop() == 0
