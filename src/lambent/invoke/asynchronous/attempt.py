"""One attempt at a queued event: find what it runs and how errors are handled, admit
it, run it, and say what happened. Nothing is written here (see ``outcome``).

What an attempt can end in, as AWS tells them apart:

- the function answered: success, or a function error (``X-Amz-Function-Error``);
- a throttle (429: no concurrency for it) or a system error (the platform failed);
- no attempt at all: the event aged out in the queue, the function's reserved
  concurrency is 0, or the function (or the alias invoked) is gone.
"""

from __future__ import annotations

import enum
import logging
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Protocol

from lambent.domain.arn import LATEST, FunctionRef
from lambent.domain.clock import Clock
from lambent.domain.event_invoke import ON_FAILURE, ON_SUCCESS, destination
from lambent.domain.invocation_record import Response
from lambent.domain.retry import Failure, Policy
from lambent.domain.rules import RuleViolation
from lambent.environments import Environments, Request, Target
from lambent.errors import TooManyRequests
from lambent.invoke.asynchronous.configs import EventConfigs
from lambent.invoke.cache import InvokeCache
from lambent.store.events import Event
from lambent.store.events import Lane as LaneKey

log = logging.getLogger(__name__)

THROTTLED = "Rate Exceeded."


class Admit(Protocol):
    """Concurrency admission: hold one unit of the function's concurrency for the ``with``
    block, or raise :class:`~lambent.errors.TooManyRequests` (a throttle)."""

    def __call__(
        self, lane: LaneKey, reserved: int | None, reserved_total: int, provisioned: int
    ) -> AbstractContextManager[None]: ...


def admit_all(
    lane: LaneKey, reserved: int | None, reserved_total: int, provisioned: int
) -> nullcontext[None]:
    """No admission beyond the dispatcher's own per-function bound."""
    return nullcontext()


class Kind(enum.Enum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    #: Older than its maximum age before it could run.
    EXPIRED = "expired"
    #: Reserved concurrency 0: AWS sends the event to the failure destinations at once.
    ZERO_CONCURRENCY = "zero concurrency"
    #: The function, or the version or alias invoked, no longer exists.
    GONE = "gone"


@dataclass(frozen=True, slots=True)
class Routes:
    """Where the event's outcome is reported (ARNs; None: nowhere)."""

    on_success: str | None = None
    on_failure: str | None = None
    dead_letter: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: Kind
    #: When the attempt began.
    started_at: float
    policy: Policy
    #: The version run (or that would have run).
    version: str
    routes: Routes = Routes()
    #: Whether the function was invoked (throttled tries count: AWS's count is approximate).
    attempted: bool = False
    failure: Failure | None = None
    #: The function's answer, when it gave one.
    response: Response | None = None
    #: What a throttle or system error said.
    message: str = ""
    log_group: str = ""


def _log_group(config: dict[str, Any]) -> str:
    group = (config.get("LoggingConfig") or {}).get("LogGroup")
    return str(group or f"/aws/lambda/{config['FunctionName']}")


class Runner:
    def __init__(
        self,
        cache: InvokeCache,
        configs: EventConfigs,
        environments: Environments,
        admit: Admit,
        clock: Clock,
        scale: float,
    ) -> None:
        self._cache = cache
        self._configs = configs
        self._environments = environments
        self._admit = admit
        self._clock = clock
        self._scale = scale

    async def run(self, event: Event) -> Outcome:
        started = self._clock()
        qualifier = event.qualifier or LATEST
        stored = await self._configs.get(event.account, event.region, event.function, qualifier)
        policy = Policy.of(stored.config if stored else None, self._scale)
        ref = FunctionRef(event.account, event.region, event.function, event.qualifier)
        try:
            loaded = await self._cache.get(ref)
        except RuleViolation:
            group = f"/aws/lambda/{event.function}"
            return Outcome(Kind.GONE, started, policy, qualifier, log_group=group)
        resolved = loaded.candidates.pick()
        config = resolved.config
        routes = Routes(
            destination(stored.config if stored else None, ON_SUCCESS),
            destination(stored.config if stored else None, ON_FAILURE),
            (config.get("DeadLetterConfig") or {}).get("TargetArn") or None,
        )

        def done(kind: Kind, **more: Any) -> Outcome:
            version, group = str(config["Version"]), _log_group(config)
            return Outcome(kind, started, policy, version, routes, log_group=group, **more)

        if policy.expired(event.accepted_at, started):
            return done(Kind.EXPIRED)
        if loaded.reserved == 0:
            return done(Kind.ZERO_CONCURRENCY)
        state = config.get("State")
        if state not in (None, "Active"):
            message = f"The function is currently in the following state: {state}"
            return done(Kind.FAILED, failure=Failure.SYSTEM_ERROR, message=message)
        target = Target(
            event.account, event.region, config, resolved.code.package, resolved.code.layers
        )
        request = Request(
            request_id=event.request_id,
            payload=event.payload,
            invoked_arn=resolved.invoked_arn,
            client_context=event.client_context,
        )
        try:
            # As for a synchronous invocation: admission only if no provisioned
            # environment of the version is free.
            result = await self._environments.invoke(
                target,
                request,
                tail=False,
                admit=lambda: self._admit(
                    event.lane, loaded.reserved, loaded.reserved_total, loaded.provisioned
                ),
            )
        except TooManyRequests as e:
            return done(Kind.FAILED, attempted=True, failure=Failure.THROTTLE, message=e.message)
        except Exception as e:
            log.exception("event %s of %s: system error", event.request_id, event.function)
            return done(Kind.FAILED, attempted=True, failure=Failure.SYSTEM_ERROR, message=str(e))
        response = Response(config["Version"], result.payload, result.error_type)
        if result.error_type is None:
            return done(Kind.SUCCEEDED, attempted=True, response=response)
        return done(Kind.FAILED, attempted=True, failure=Failure.FUNCTION_ERROR, response=response)
