"""Asynchronous invocation: a durable event queue, retries, destinations, dead letters."""

from lambent.invoke.asynchronous.attempt import Admit, admit_all
from lambent.invoke.asynchronous.gate import admission_gate
from lambent.invoke.asynchronous.queue import EventQueue
from lambent.invoke.asynchronous.service import DEFAULT_CONCURRENCY, AsyncInvocation

__all__ = [
    "DEFAULT_CONCURRENCY",
    "Admit",
    "AsyncInvocation",
    "EventQueue",
    "admission_gate",
    "admit_all",
]
