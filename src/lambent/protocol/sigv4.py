"""The caller's account and region, read from a SigV4 credential scope (not verified yet)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from lambent.domain.context import DEFAULT_REGION

# Credential=AKID/20260101/us-west-2/lambda/aws4_request
_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([a-z0-9-]+)/[^/]+/aws4_request")
_ACCOUNT_KEY = re.compile(r"^\d{12}$")


def caller_scope(
    headers: Mapping[str, str], query: Mapping[str, list[str]], default_account: str
) -> tuple[str, str]:
    """``(account, region)`` of a request, signed in the header or presigned, or unsigned.

    Until authentication exists, an access key id of twelve digits names the account
    (so one server can hold several accounts); any other key uses ``default_account``.
    """
    found = _SCOPE.search(headers.get("authorization", ""))
    if found is None and "X-Amz-Credential" in query:
        found = _SCOPE.search("Credential=" + query["X-Amz-Credential"][-1])
    if found is None:
        return default_account, DEFAULT_REGION
    key, region = found.group(1), found.group(2)
    return (key if _ACCOUNT_KEY.match(key) else default_account), region
