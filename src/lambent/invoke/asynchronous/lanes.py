"""Lanes: each function's queued events, run at most ``capacity`` at a time.

A lane knows how many of its events are running (or about to: slots are reserved before
the claim that fills them is written) and when its earliest waiting event is due. That
hint is exact after every claim (the claim reads it back in its own transaction) and is
lowered by every event queued or rescheduled since, so a lane never sleeps through an
event that is due. One lane's failing or throttled events wait in their own lane: they
hold no slot while they wait, and other lanes never wait for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from lambent.store.events import Lane as LaneKey


def earliest(a: float | None, b: float | None) -> float | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


@dataclass(slots=True)
class Lane:
    key: LaneKey
    capacity: int
    #: Events running, and slots reserved for claims not yet returned.
    running: int = 0
    #: When the earliest unclaimed event is due (None: there is none).
    next_due: float | None = None
    #: Due times noted since the last claim was sent (it cannot have seen them).
    noted_since_claim: float | None = None

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.running)

    def due(self, now: float) -> bool:
        return self.next_due is not None and self.next_due <= now

    def note(self, due_at: float) -> None:
        """An event of this lane was queued, or released to run again at ``due_at``."""
        self.next_due = earliest(self.next_due, due_at)
        self.noted_since_claim = earliest(self.noted_since_claim, due_at)

    def claiming(self, slots: int) -> None:
        self.running += slots
        self.noted_since_claim = None

    def claimed(self, asked: int, got: int, next_due: float | None) -> None:
        self.running -= asked - got
        self.next_due = earliest(next_due, self.noted_since_claim)


class Lanes:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._lanes: dict[LaneKey, Lane] = {}

    def __getitem__(self, key: LaneKey) -> Lane:
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = Lane(key, self.capacity)
        return lane

    def ready(self, now: float) -> list[Lane]:
        """Lanes with a free slot and a due event; forgets lanes with nothing to do."""
        found = []
        for key, lane in list(self._lanes.items()):
            if lane.running == 0 and lane.next_due is None:
                del self._lanes[key]
            elif lane.free and lane.due(now):
                found.append(lane)
        return found

    def next_wake(self) -> float | None:
        """When the earliest event a free slot could take is due."""
        wake: float | None = None
        for lane in self._lanes.values():
            if lane.free:
                wake = earliest(wake, lane.next_due)
        return wake

    @property
    def running(self) -> int:
        return sum(lane.running for lane in self._lanes.values())
