"""Who is asking, and where: the account and region every resource belongs to."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_REGION = "us-east-1"
PARTITION = "aws"


@dataclass(frozen=True, slots=True)
class RequestContext:
    """The scope of one API request.

    ``account`` and ``region`` partition all state, as in AWS; ``base_url`` is how the
    client reached us (for URLs we hand back, such as ``Code.Location``).
    """

    account: str
    region: str
    request_id: str
    base_url: str
