"""Request identifiers: random version-4 UUIDs, made without a system call each.

Every API call gets one (``x-amzn-RequestId``, and an invocation's request id). They
must be unique, not secret: a generator seeded once from the system's entropy serves,
where ``uuid.uuid4`` asks the kernel for 16 bytes every time.
"""

from __future__ import annotations

import random

_random = random.Random()

#: The version (4, bits 76-79) and variant (RFC 4122, bits 62-63) fields.
_VERSION_MASK = ~(0xF000 << 64) & ~(0xC000 << 48)
_VERSION_BITS = (0x4000 << 64) | (0x8000 << 48)


def request_id() -> str:
    """A random UUID in its canonical form: ``8-4-4-4-12`` lowercase hex digits."""
    bits = _random.getrandbits(128) & _VERSION_MASK | _VERSION_BITS
    h = f"{bits:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
