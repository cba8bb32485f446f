"""AWS Lambda's quotas, as AWS documents them (Lambda quotas page), in one place."""

from __future__ import annotations

from typing import Final

KIB: Final = 1024
MIB: Final = 1024 * KIB

#: Deployment package (.zip) uploaded directly in the request.
ZIPPED_CODE_MAX: Final = 50 * MIB
#: Unzipped deployment package, layers included.
UNZIPPED_CODE_MAX: Final = 250 * MIB
#: All deployment packages and layers of an account and region.
TOTAL_CODE_STORAGE: Final = 75 * 1024 * MIB
#: The HTTP request carrying a base64 zip (AWS: "Request must be smaller than 70167211 bytes",
#: recorded 2023-11; the older 69905067 is below the base64 of a 50 MB zip, so a request
#: could never reach the "Zipped size must be smaller than 52428800 bytes" check).
CODE_REQUEST_MAX: Final = 70_167_211
#: Any other control-plane request.
REQUEST_MAX: Final = 6 * MIB
#: Synchronous invocation payloads, request and response.
SYNC_PAYLOAD_MAX: Final = 6 * MIB
#: A synchronous invocation's response: AWS allows 100 bytes more than 6 MiB (its own
#: Runtime Interface Emulator, and the 6291556 in AWS's error message).
SYNC_RESPONSE_MAX: Final = 6 * MIB + 100
#: Asynchronous (Event) invocation payloads: 1 MB since AWS raised it from 256 KB in 2025
#: (AWS refuses more with "N byte payload is too large for the Event invocation type
#: (limit 1048576 bytes)").
ASYNC_PAYLOAD_MAX: Final = 1_048_576
#: All environment variables of a function, measured as AWS does (the JSON of the map).
ENVIRONMENT_MAX: Final = 4 * KIB
#: A function's resource-based policy.
POLICY_MAX: Final = 20 * KIB
#: Layers one function may use.
LAYERS_PER_FUNCTION: Final = 5
#: Function timeout in seconds.
TIMEOUT_MAX: Final = 900
#: Default account concurrency.
CONCURRENT_EXECUTIONS: Final = 1000
#: Concurrency that reserved concurrency may never take from the account.
UNRESERVED_CONCURRENCY_MIN: Final = 100

#: Request size limits by operation, and the name AWS gives the operation in the message
#: ("Request must be smaller than N bytes for the NAME operation").
REQUEST_LIMITS: Final[dict[str, tuple[int, str]]] = {
    "CreateFunction": (CODE_REQUEST_MAX, "CreateFunction"),
    "UpdateFunctionCode": (CODE_REQUEST_MAX, "UpdateFunctionCode"),
    "PublishLayerVersion": (CODE_REQUEST_MAX, "PublishLayerVersion"),
    "Invoke": (SYNC_PAYLOAD_MAX, "InvokeFunction"),
    "InvokeAsync": (SYNC_PAYLOAD_MAX, "InvokeAsync"),
}
