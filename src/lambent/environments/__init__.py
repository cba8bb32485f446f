"""Execution environments: their lifecycle, pools per function version, and logs."""

from lambent.environments.code import CodeCache
from lambent.environments.environment import Environment, State
from lambent.environments.invocation import Request
from lambent.environments.manager import Census, Environments, ProvisionedState, Target
from lambent.environments.outcome import Result
from lambent.environments.pool import Admit
from lambent.environments.spares import Spares

__all__ = [
    "Admit",
    "Census",
    "CodeCache",
    "Environment",
    "Environments",
    "ProvisionedState",
    "Request",
    "Result",
    "Spares",
    "State",
    "Target",
]
