"""Codes of the link worker's casework: plan actions, connections, outcome occasions, closing."""

from __future__ import annotations

from enum import StrEnum


class ConnectionStatus(StrEnum):
    """An onward referral from the plan to a community service, followed to its end."""

    SUGGESTED = "suggested"  # talked about; the person has not yet agreed
    REFERRED = "referred"  # the link worker referred them, or they went themself
    ATTENDING = "attending"
    DID_NOT_START = "did_not_start"
    STOPPED = "stopped"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return CONNECTION_LABELS[self]

    @property
    def connected(self) -> bool:
        """Counts as 'connected to the service' in the message back to the GP."""
        return self in (ConnectionStatus.ATTENDING, ConnectionStatus.COMPLETED,
                        ConnectionStatus.STOPPED)


CONNECTION_LABELS = {
    ConnectionStatus.SUGGESTED: "Suggested",
    ConnectionStatus.REFERRED: "Referred",
    ConnectionStatus.ATTENDING: "Attending",
    ConnectionStatus.DID_NOT_START: "Did not start",
    ConnectionStatus.STOPPED: "Stopped attending",
    ConnectionStatus.COMPLETED: "Completed",
}

#: Where a connection may go next; a finished one is final (connect again for a new start).
CONNECTION_MOVES: dict[ConnectionStatus, frozenset[ConnectionStatus]] = {
    ConnectionStatus.SUGGESTED: frozenset({ConnectionStatus.REFERRED,
                                           ConnectionStatus.DID_NOT_START}),
    ConnectionStatus.REFERRED: frozenset({ConnectionStatus.ATTENDING,
                                          ConnectionStatus.DID_NOT_START}),
    ConnectionStatus.ATTENDING: frozenset({ConnectionStatus.STOPPED,
                                           ConnectionStatus.COMPLETED}),
    ConnectionStatus.DID_NOT_START: frozenset(),
    ConnectionStatus.STOPPED: frozenset(),
    ConnectionStatus.COMPLETED: frozenset(),
}


class MeasureOccasion(StrEnum):
    """When an outcome measure was taken: a baseline at the first contact, a follow-up at
    each review and at closing."""

    BASELINE = "baseline"
    REVIEW = "review"
    CLOSING = "closing"

    @property
    def label(self) -> str:
        return {"baseline": "Baseline", "review": "Review", "closing": "Closing"}[self.value]


class GoalsMet(StrEnum):
    """How far the outcomes agreed in the plan were met, recorded when the case closes."""

    FULLY = "fully"
    PARTLY = "partly"
    NOT_MET = "not_met"

    @property
    def label(self) -> str:
        return {"fully": "Fully met", "partly": "Partly met", "not_met": "Not met"}[self.value]
