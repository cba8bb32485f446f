"""Execution environments: their lifecycle, pools per function version, and logs."""

from lambent.environments.code import CodeCache
from lambent.environments.environment import Environment, Request, State
from lambent.environments.manager import Environments, Target
from lambent.environments.outcome import Result

__all__ = ["CodeCache", "Environment", "Environments", "Request", "Result", "State", "Target"]
