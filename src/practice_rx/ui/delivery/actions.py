"""Running a delivery off the GUI thread and saying how it went."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from practice_rx.domain.permissions import Action
from practice_rx.services.delivery import DeliveryReport, DeliveryRow
from practice_rx.ui import messages
from practice_rx.ui.session import Session

#: (text, ok): where the outcome is shown
Report = Callable[[str, bool], None]


def deliver_after_send(session: Session, referral_id: int, owner: QObject | None,
                       report: Report) -> None:
    """Deliver a referral just sent, if its service takes referrals electronically.

    Runs after the send has committed, so a failure here never undoes it: the
    referral stays sent, and a failed or pending delivery is on its timeline with
    "Send again". Nothing is said for a service that takes referrals by post.
    """
    if not session.can(Action.DELIVER_REFERRALS):
        return

    def done(result: DeliveryReport) -> None:
        session.delivery_tried.emit(referral_id)
        if result.delivery is not None:
            report(f"Referral {referral_id}: {result.message}", result.delivery.state == "sent")

    def failed(error: Exception) -> None:
        session.delivery_tried.emit(referral_id)
        report(f"Referral {referral_id} is sent, but was not delivered: "
               f"{messages.describe(error)[1]}", False)

    session.operations.run(session.services.delivery.deliver, session.user.id, referral_id,
                           done=done, failed=failed, owner=owner,
                           message=f"Delivering referral {referral_id}…")


def send_again(session: Session, row: DeliveryRow, owner: QObject | None,
               report: Report) -> None:
    """Send a pending or failed delivery again (what went already is not sent twice)."""

    def done(result: DeliveryReport) -> None:
        session.delivery_tried.emit(row.referral_id)
        report(f"Referral {row.referral_id}: {result.message}",
               result.delivery is not None and result.delivery.state == "sent")

    def failed(error: Exception) -> None:
        session.delivery_tried.emit(row.referral_id)
        report(f"Referral {row.referral_id} was not sent again: "
               f"{messages.describe(error)[1]}", False)

    session.operations.run(session.services.delivery.send_again, session.user.id, row.id,
                           row.version, done=done, failed=failed, owner=owner,
                           message=f"Sending {row.local_id} again over {row.channel_label}…")


def status_bar_report(window: QObject | None) -> Report:
    """Show the outcome in ``window``'s status bar (a main window's), for 30 seconds."""

    def report(text: str, ok: bool) -> None:
        bar = getattr(window, "statusBar", None)
        if callable(bar):
            bar().showMessage(text, 30000)

    return report
