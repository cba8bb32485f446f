"""Invoke: synchronous (RequestResponse), DryRun and Event invocations of a function."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lambent.domain.arn import parse_function_ref
from lambent.domain.context import RequestContext
from lambent.domain.rules import Kind, RuleViolation
from lambent.environments import Environments, Request, Target
from lambent.errors import InvalidRequestContent, LambentError
from lambent.invoke.admission import Admission, Limits
from lambent.invoke.asynchronous import EventQueue
from lambent.invoke.cache import InvokeCache
from lambent.runtimes import RuntimeUnavailable

log = logging.getLogger(__name__)


class InvalidRuntime(LambentError):
    """The host cannot run the function's runtime (AWS's modelled 502)."""

    code = "InvalidRuntimeException"
    status = 502


@dataclass(frozen=True, slots=True)
class InvokeDeps:
    cache: InvokeCache
    environments: Environments
    admission: Admission
    #: The account's concurrency limit.
    account_limit: int
    #: Where Event invocations are queued.
    events: EventQueue


def _check_payload(payload: bytes) -> None:
    """AWS refuses a payload that is not JSON before running anything."""
    if not payload:
        return
    try:
        json.loads(payload)
    except (ValueError, UnicodeDecodeError) as e:
        raise InvalidRequestContent(
            f"Could not parse request body into json: Could not parse payload into json: {e}"
        ) from None


def _check_state(config: Mapping[str, Any]) -> None:
    state = config.get("State")
    if state not in (None, "Active"):
        raise RuleViolation(
            "The operation cannot be performed at this time. "
            f"The function is currently in the following state: {state}",
            Kind.CONFLICT,
        )


async def invoke(
    deps: InvokeDeps, ctx: RequestContext, params: dict[str, Any]
) -> Mapping[str, Any]:
    ref = parse_function_ref(ctx, params["FunctionName"], params.get("Qualifier"))
    payload: bytes = params.get("Payload") or b""
    _check_payload(payload)
    loaded = await deps.cache.get(ref)
    resolved = loaded.candidates.pick()
    limits = Limits(
        account=ref.account,
        region=ref.region,
        function=ref.name,
        reserved=loaded.reserved,
        account_limit=deps.account_limit,
        reserved_total=loaded.reserved_total,
        provisioned=loaded.provisioned,
    )
    config = resolved.config
    _check_state(config)
    try:
        deps.environments.choose_runtime(config["Runtime"])
    except RuntimeUnavailable as e:
        raise InvalidRuntime(str(e)) from None
    kind = params.get("InvocationType") or "RequestResponse"
    version = config["Version"]
    if kind == "DryRun":
        return {"StatusCode": 204}
    request = Request(
        # AWS: the invocation's request id is the Invoke call's (x-amzn-RequestId).
        request_id=ctx.request_id,
        payload=payload or b"{}",
        invoked_arn=resolved.invoked_arn,
        client_context=_client_context(params.get("ClientContext")),
    )
    target = Target(ref.account, ref.region, config, resolved.code.package, resolved.code.layers)
    if kind == "Event":
        # 202 only once the event is on disk: the queue runs it within the function's
        # concurrency, retries it and reports its outcome (lambent.invoke.asynchronous).
        await deps.events.accept(ref, request.request_id, request.payload, request.client_context)
        return {"StatusCode": 202}
    tail = params.get("LogType") == "Tail"
    # Admission only if no provisioned environment is free (AWS: those are allocated).
    result = await deps.environments.invoke(
        target, request, tail, admit=lambda: deps.admission.slot(limits)
    )
    answer: dict[str, Any] = {
        "StatusCode": 200,
        "Payload": result.payload,
        "ExecutedVersion": version,
    }
    if result.error_type is not None:
        answer["FunctionError"] = "Unhandled"
    if tail:
        answer["LogResult"] = base64.b64encode(result.log_tail).decode()
    return answer


async def invoke_async(
    deps: InvokeDeps, ctx: RequestContext, params: dict[str, Any]
) -> Mapping[str, Any]:
    """The deprecated InvokeAsync: the event is queued as an Event invocation's is, and the
    answer is 202 with ``Status``."""
    ref = parse_function_ref(ctx, params["FunctionName"])
    payload: bytes = params.get("InvokeArgs") or b""
    _check_payload(payload)
    loaded = await deps.cache.get(ref)
    _check_state(loaded.candidates.primary.config)
    await deps.events.accept(ref, ctx.request_id, payload or b"{}", None)
    return {"Status": 202}


def _client_context(encoded: str | None) -> str | None:
    """``X-Amz-Client-Context`` is base64 JSON; the runtime gets the JSON itself."""
    if encoded is None:
        return None
    try:
        return base64.b64decode(encoded, validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        raise RuleViolation("Client context must be a valid Base64-encoded JSON object.") from None
