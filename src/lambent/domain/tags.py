"""Tags on a resource: the rules TagResource and UntagResource apply, in AWS's words."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from lambent.domain.rules import RuleViolation

#: Tags one resource may carry (AWS Lambda quotas).
TAGS_PER_RESOURCE = 50


def tagged(current: Mapping[str, str], adding: Mapping[str, str]) -> dict[str, str]:
    """The tags after TagResource: new keys added, existing keys overwritten."""
    if not adding:
        # AWS's answer to an empty Tags map, verbatim.
        raise RuleViolation("An error occurred and the request cannot be processed.")
    merged = {**current, **adding}
    if len(merged) > TAGS_PER_RESOURCE:
        raise RuleViolation("Number of tags exceeds resource tag limit.")
    return merged


def untagged(current: Mapping[str, str], keys: Iterable[str]) -> dict[str, str]:
    """The tags after UntagResource; keys the resource does not carry are ignored."""
    dropped = set(keys)
    return {key: value for key, value in current.items() if key not in dropped}
