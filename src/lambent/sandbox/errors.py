"""Failures of the sandbox layer: isolation that is not available, starts and cgroup operations."""

from __future__ import annotations


class SandboxError(Exception):
    """Base of every failure raised by :mod:`lambent.sandbox`.

    These are platform failures, not client mistakes: the environments layer decides how
    (and whether) they reach a caller, e.g. as ``Runtime.ExitError`` or a 500.
    """


class IsolationUnavailableError(SandboxError):
    """The requested isolation cannot be provided here; the message says why and what to do."""


class SandboxStartError(SandboxError):
    """The sandbox did not start: bwrap refused the set-up or the wrapper failed."""


class CgroupError(SandboxError):
    """A cgroup could not be created, configured, frozen, emptied or removed."""


class SandboxStateError(SandboxError):
    """An operation that the sandbox's current state does not allow (e.g. freezing a dead one)."""
