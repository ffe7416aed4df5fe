"""Open PracticeRx's main screens on demo data, offscreen, and save them as PNGs.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--scale 1.5]

Everything shown is synthetic (demo data, NHS numbers in the 999 test range).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="screen scaling to imitate, e.g. 1.5 for 150%%")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.scale != 1.0:
        os.environ["QT_SCALE_FACTOR"] = str(args.scale)
    args.out.mkdir(parents=True, exist_ok=True)
    suffix = "" if args.scale == 1.0 else f"-{int(args.scale * 100)}"

    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QPainter
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QWidget

    from practice_rx.ui.app import open_app, qt_application
    from practice_rx.ui.login import LoginDialog
    from practice_rx.ui.operations import Operations
    from practice_rx.ui.worklist_filters import OVERDUE

    application = qt_application()
    opened = open_app(demo=True)
    session, window = opened.session, opened.window
    services = session.services
    receptionist = services.users.by_username("reception.jones")
    admin = services.users.by_username("admin")
    saved: list[Path] = []

    def idle() -> None:
        application.processEvents()
        for _ in range(3):
            QTest.qWait(60)
            while session.operations.busy:
                QTest.qWait(20)

    def shoot(widget: QWidget, name: str, over: QWidget | None = None) -> None:
        """Save ``widget``; ``over`` (a dialog) is drawn on it, centred, as it appears."""
        idle()
        path = args.out / f"{name}{suffix}.png"
        picture = widget.grab()
        if over is not None:
            top = over.grab()
            painter = QPainter(picture)
            painter.drawPixmap(QPoint((picture.width() - top.width()) // 2,
                                      (picture.height() - top.height()) // 2), top)
            painter.end()
        picture.save(str(path))
        saved.append(path)

    try:
        # the login, as practice-rx --demo opens: filled in, one Enter away
        window.ask_sign_in(first_admin=False)
        login = next(w for w in QApplication.topLevelWidgets()
                     if isinstance(w, LoginDialog) and w.isVisible())
        shoot(login, "login")
        login.submit()
        while not window.isVisible():
            QTest.qWait(20)
        gp = session.user

        session.sign_in(receptionist)
        idle()
        window.worklist.table.setFocus()
        window.worklist.table.selectRow(2)
        shoot(window, "main-window")

        window.sidebar.statuses.choose(OVERDUE)
        idle()
        window.worklist.table.selectRow(0)
        idle()
        shoot(window, "overdue-chase-list")

        dialog = window.update_status()
        QTest.keyClicks(dialog.note, "Service rang: first session booked for Monday")
        shoot(dialog, "status-update")
        dialog.submit()  # saved, so the audit trail below has the change
        idle()

        window.detail.tabs.setCurrentIndex(1)
        shoot(window.detail, "referral-answers")
        window.detail.tabs.setCurrentIndex(0)

        session.sign_in(gp)
        window.sidebar.statuses.choose()
        new = window.new_referral()
        patient = services.patients.find(gp.id, "smith")[0]
        QTest.keyClicks(new.patient_picker.search.search, "smith")
        new.patient_picker.search.find()
        shoot(new, "new-referral-1-patient")
        new._patient_chosen(patient)
        renderer = new.renderer
        renderer.editor("consent_given").yes.setChecked(True)
        renderer.editor("consent_to_share").yes.setChecked(True)
        renderer.editor("consent_method").set_value("in_person")
        renderer.editor("reasons").boxes["loneliness"].setChecked(True)
        renderer.editor("reasons").boxes["other"].setChecked(True)
        renderer.refresh()
        renderer.show_errors({"reasons": "Reasons for referral: give details when you choose "
                                         "'Other'"})
        new.renderer.focus_field("reasons")
        shoot(new, "new-referral-2-form")
        renderer.editor("reasons").other.setText("Recently moved to the area")
        renderer.editor("what_matters").set_value("Meeting people; getting out of the house")
        for key in ("risk_to_self_or_others", "safeguarding_concerns", "lone_working_risk"):
            renderer.editor(key).no.setChecked(True)
        renderer.editor("urgency").set_value("routine")
        if "tenure" in renderer.rows:
            renderer.editor("tenure").set_value("council")
            renderer.editor("at_risk_of_eviction").no.setChecked(True)
        renderer.refresh()
        new.go(2)
        shoot(new, "new-referral-3-service")
        new.service_picker.choose_current()
        shoot(new, "new-referral-4-review")
        new._discard_confirmed = True
        new.reject()

        session.sign_in(admin)
        shoot(window.open_catalogue(), "catalogue")
        shoot(window.open_plugins(), "plugins")
        settings = window.open_settings()
        shoot(settings, "settings")
        for dialog in QApplication.topLevelWidgets():
            if dialog is not window and dialog.isVisible():
                dialog.close()

        audit = window.open_audit()
        idle()
        audit.verify()
        shoot(audit, "audit-trail")
        audit.close()
        users = window.open_users()
        idle()
        users.select("dr.okafor")
        shoot(users, "users")
        users.close()

        window.statusBar().clearMessage()  # a long message would widen the window
        window.resize(1440, 860)
        window.idle.lock()  # as after the idle minutes
        QTest.keyClicks(window.idle.dialog.password, "practice")
        shoot(window, "idle-lock", over=window.idle.dialog)
        window.idle.release()
        for dialog in QApplication.topLevelWidgets():
            if dialog is not window and dialog.isVisible():
                dialog.close()
        window.statusBar().clearMessage()
    finally:
        Operations.wait_for_all()
        opened.close()
    for path in saved:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
