"""Requests from launches, waiting until somebody is signed in and the screen is unlocked.

A request names a patient by NHS number (already checked twice). It is served for
the user signed in when it arrived; one that arrived while nobody was signed in goes
to whoever signs in next, and one that arrived for a user who has since signed out
is dropped (said in the status bar), never shown to the next person. The patient is
looked up through the patient service as the signed-in user, so the role and the
practices they work for are checked there: a patient of another practice is said
in a message, not opened. Each request brings the window forward.

``PRACTICE_RX_TEST_DEMO_USER`` (the two-process tests only, and only with ``--demo``)
signs that demo user in at start with the published demo password and lets the
running copy answer ``state`` requests: what it shows, by database ids and flags,
never a name or number.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from practice_rx.domain.permissions import Action
from practice_rx.launch_request import LaunchRequest, Reply, refusal
from practice_rx.ui import messages

TEST_DEMO_USER = "PRACTICE_RX_TEST_DEMO_USER"


class LaunchRequests(QObject):
    """What later launches asked for, served once someone signed in can see it."""

    def __init__(self, database: str | None, demo: bool, *, answers_state: bool = False,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.database, self.demo = database, demo
        self.answers_state = answers_state
        self.opened = None  # the Opened application, once its window is built
        #: (request, the id of the user signed in when it came, or None)
        self.pending: list[tuple[LaunchRequest, int | None]] = []
        self.fronted = 0

    def attach(self, opened) -> None:
        """The main window is built: serve what waits once somebody is in and unlocked."""
        self.opened = opened

        def later(*_) -> None:  # after the window shows, which follows the sign-in
            QTimer.singleShot(0, self.serve)

        opened.session.user_changed.connect(later)
        opened.window.idle.locked_changed.connect(later)
        self.serve()

    # -- requests -----------------------------------------------------------------------

    def answer(self, request: LaunchRequest) -> Reply:
        """A later launch's request, checked already: accepted (and queued) or refused."""
        if request.kind == "state":
            return Reply(True, state=self.state()) if self.answers_state else \
                Reply(False, "PracticeRx refused the request: not asked for here")
        self.bring_to_front()
        reason = refusal(request, self.database, self.demo)
        if reason is not None:
            return Reply(False, reason)
        self.add(request)
        return Reply(True, "Handed to the PracticeRx already open.")

    def add(self, request: LaunchRequest) -> None:
        if request.nhs_number is None:
            return
        session = self.opened.session if self.opened is not None else None
        user = session.user.id if session is not None and session.signed_in else None
        self.pending.append((request, user))
        self.serve()

    def serve(self) -> None:
        opened = self.opened
        if opened is None or not opened.session.signed_in or opened.window.idle.locked \
                or not opened.window.isVisible():
            return
        waiting, self.pending = self.pending, []
        for request, for_user in waiting:
            if for_user is not None and for_user != opened.session.user.id:
                opened.window.statusBar().showMessage(
                    "A patient sent from the clinical system for the user signed in before "
                    "was not opened.", 30000)
                continue
            self._look_up(request.nhs_number)

    def _look_up(self, digits: str) -> None:
        from practice_rx.ui.launch.journey import open_journey

        session, window = self.opened.session, self.opened.window
        if not (session.can(Action.WRITE_REFERRALS) or session.can(Action.ENTER_INBOUND_REFERRALS)):
            not_opened(window, "Your role cannot raise referrals.")
            return
        user = session.user.id

        def found(patient) -> None:
            if not session.signed_in or session.user.id != user:  # signed out meanwhile
                self.pending.append((LaunchRequest(nhs_number=digits), user))
                return
            open_journey(window, digits, patient)

        session.operations.run(
            session.services.patients.by_nhs_number, user, digits, done=found,
            failed=lambda error: not_opened(window, messages.describe(error)[1]), owner=window,
            message="Finding the patient sent from the clinical system…")

    # -- the window -------------------------------------------------------------------------

    def bring_to_front(self) -> None:
        """The window a person would act on next comes forward: the lock, a login, a
        message or journey open, else the main window."""
        self.fronted += 1
        shown = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w.isWindow()]
        for window in shown:
            if window.isMinimized():
                window.showNormal()
        main = self.opened.window if self.opened is not None else None
        target = QApplication.activeModalWidget() or (
            main if main is not None and main.isVisible() else None) or (
            shown[-1] if shown else None)
        if target is not None:
            target.raise_()
            target.activateWindow()

    def state(self) -> dict:
        """What is on screen, for the two-process tests: ids and flags only."""
        from practice_rx.ui.launch.journey import RecordNotice, journey_state
        from practice_rx.ui.new_referral import NewReferralDialog

        session = self.opened.session if self.opened is not None else None
        journeys = [journey_state(widget, widget.findChild(RecordNotice))
                    for widget in QApplication.topLevelWidgets()
                    if isinstance(widget, NewReferralDialog) and widget.isVisible()]
        boxes = [widget.objectName() for widget in QApplication.topLevelWidgets()
                 if isinstance(widget, QMessageBox) and widget.isVisible()]
        return {"signed_in": bool(session and session.signed_in),
                "locked": bool(self.opened and self.opened.window.idle.locked),
                "fronted": self.fronted, "pending": len(self.pending),
                "journeys": journeys, "messages": boxes}


def not_opened(window: QWidget, why: str) -> QMessageBox:
    return messages.show(window, "Patient not opened",
                         f"The patient sent from your clinical system was not opened. {why}",
                         QMessageBox.Icon.Warning, object_name="record_not_opened")
