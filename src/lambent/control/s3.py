"""Fetching deployment packages from S3, or any store the AWS endpoint settings point at."""

from __future__ import annotations

import asyncio
from functools import cache
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from lambent.domain import limits
from lambent.domain.rules import RuleViolation


@cache
def _client(region: str) -> Any:
    # boto3 reads AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL and the usual credential chain,
    # so the same configuration reaches real S3 or a compatible store.
    return boto3.session.Session().client("s3", region_name=region)


def _get(region: str, bucket: str, key: str, version: str | None) -> bytes:
    args = {"Bucket": bucket, "Key": key}
    if version:
        args["VersionId"] = version
    try:
        found = _client(region).get_object(**args)
        # No package fits in more than the unzipped limit: refuse before reading it all.
        if int(found.get("ContentLength", 0)) > limits.UNZIPPED_CODE_MAX:
            raise RuleViolation(
                f"Unzipped size must be smaller than {limits.UNZIPPED_CODE_MAX} bytes"
            )
        body: bytes = found["Body"].read()
    except ClientError as e:
        error = e.response.get("Error", {})
        raise RuleViolation(
            "Error occurred while GetObject. "
            f"S3 Error Code: {error.get('Code', 'Unknown')}. "
            f"S3 Error Message: {error.get('Message', str(e))}"
        ) from e
    except BotoCoreError as e:
        raise RuleViolation(f"Error occurred while GetObject. {e}") from e
    return body


async def fetch_s3(region: str, bucket: str, key: str, version: str | None) -> bytes:
    """The object's bytes, or InvalidParameterValue with S3's error as AWS reports it."""
    return await asyncio.to_thread(_get, region, bucket, key, version)
