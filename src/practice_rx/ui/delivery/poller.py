"""Asking MESH every few minutes whether the services collected what was delivered.

While the main window is open, sent deliveries are polled off the GUI thread:
first shortly after signing in, then every :data:`POLL_MINUTES`. A delivery the
network gave up on becomes ``failed`` on its referral's timeline and in the
pending-or-failed list; the status bar says so.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from practice_rx.domain.permissions import Action
from practice_rx.services.delivery import DeliveryReport
from practice_rx.ui.delivery.actions import Report
from practice_rx.ui.session import Session

POLL_MINUTES = 5
FIRST_POLL_SECONDS = 10


class DeliveryPoller(QObject):
    """Polls for the user signed in, if they may deliver referrals; one poll at a time."""

    def __init__(self, session: Session, report: Report, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.report = report
        self._running = False
        self.timer = QTimer(self, interval=POLL_MINUTES * 60_000)
        self.timer.timeout.connect(self.poll)
        self.first = QTimer(self, singleShot=True, interval=FIRST_POLL_SECONDS * 1000)
        self.first.timeout.connect(self.poll)
        self.timer.start()
        self.first.start()

    def poll(self) -> None:
        if self._running or not self.session.signed_in or not self.session.can(
                Action.DELIVER_REFERRALS):
            return
        self._running = True
        self.session.operations.run(
            self.session.services.delivery.poll, self.session.user.id, done=self._polled,
            failed=lambda _error: self._stop(), owner=self,
            message="Checking MESH for acknowledgements…")

    def _stop(self) -> None:
        self._running = False

    def _polled(self, reports: list[DeliveryReport]) -> None:
        self._running = False
        changed = [r for r in reports if r.delivery is not None and r.delivery.state != "sent"]
        for report in changed:
            self.session.delivery_tried.emit(report.delivery.referral_id)
        failed = [r for r in changed if r.delivery.state == "failed"]
        if failed:
            self.report(f"{len(failed)} deliver{'ies' if len(failed) != 1 else 'y'} could not "
                        f"be made: {failed[0].delivery.summary()}", False)
        elif changed:
            self.report(f"{len(changed)} deliver{'ies' if len(changed) != 1 else 'y'} "
                        "acknowledged by the service", True)
