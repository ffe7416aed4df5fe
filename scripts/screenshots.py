"""Screenshots of PracticeRx's main screens at each practice screen size, on demo data.

    .venv/bin/python scripts/screenshots.py                   # every size, each on its own Xvfb
    .venv/bin/python scripts/screenshots.py --size 1366x768   # one size, on $DISPLAY

Each size runs on its own virtual X server (Xvfb) with a window manager (openbox)
whose work area leaves a taskbar's height free, so windows are placed, framed and
clamped as on a practice PC; 150% is ``QT_SCALE_FACTOR=1.5`` on 1920×1080. The
whole screen is saved, so a window that runs off it shows as cut off. Without
Xvfb, the offscreen platform stands in (no frames, each window grabbed alone).
Everything shown is synthetic (demo data, NHS numbers in the 999 test range).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: name: (width, height, scale) of the display, in device pixels
SIZES = {"1366x768": (1366, 768, 1.0), "1280x720": (1280, 720, 1.0),
         "1920x1080-150": (1920, 1080, 1.5)}
TASKBAR = 48  # Windows 11's, in logical pixels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--size", choices=SIZES, help="one size, on the display already set")
    args = parser.parse_args(argv)
    if args.size:
        return shoot_all(args.out / args.size)
    failed = 0
    for name in SIZES:
        failed |= run_size(name, args.out / name)
    return failed


def run_size(name: str, out: Path) -> int:
    """This script for one size, on a fresh Xvfb and openbox (or offscreen), then stop them."""
    width, height, scale = SIZES[name]
    taskbar = round(TASKBAR * scale)
    scratch = Path(tempfile.mkdtemp(prefix="practice-rx-shots-"))
    env = {**os.environ, "XDG_CONFIG_HOME": str(scratch / "config"),
           "XDG_DATA_HOME": str(scratch / "data")}
    env.pop("PRACTICE_RX_DATABASE_URL", None)
    env.pop("QT_SCALE_FACTOR", None)
    if scale != 1.0:
        env["QT_SCALE_FACTOR"] = str(scale)
    started: list[subprocess.Popen] = []
    try:
        if shutil.which("Xvfb") and shutil.which("openbox"):
            display = free_display()
            started.append(subprocess.Popen(
                ["Xvfb", display, "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"]))
            wait_for(lambda: Path(f"/tmp/.X11-unix/X{display[1:]}").exists())
            rc = scratch / "rc.xml"
            rc.write_text(OPENBOX_RC.format(bottom=taskbar), encoding="utf-8")
            env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb")
            started.append(subprocess.Popen(["openbox", "--config-file", str(rc)], env=env))
            time.sleep(1.0)  # openbox claims the screen and publishes its work area
        else:
            screen = scratch / "screen.json"
            screen.write_text(json.dumps({"screens": [{
                "name": name, "x": 0, "y": 0, "width": width, "height": height - taskbar,
                "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}), encoding="utf-8")
            env["QT_QPA_PLATFORM"] = f"offscreen:configfile={screen}"
        return subprocess.run([sys.executable, __file__, "--size", name, "--out",
                               str(out.parent)], env=env).returncode
    finally:
        for process in reversed(started):
            process.terminate()
            process.wait(10)
        shutil.rmtree(scratch, ignore_errors=True)


OPENBOX_RC = """<?xml version="1.0"?>
<openbox_config xmlns="http://openbox.org/3.4/rc">
  <margins><top>0</top><bottom>{bottom}</bottom><left>0</left><right>0</right></margins>
  <placement><policy>Smart</policy><center>yes</center></placement>
</openbox_config>
"""


def free_display() -> str:
    number = 90
    while Path(f"/tmp/.X11-unix/X{number}").exists() or Path(f"/tmp/.X{number}-lock").exists():
        number += 1
    return f":{number}"


def wait_for(ready, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError("the virtual display did not start")
        time.sleep(0.05)


class Camera:
    """Saves what is on the screen: the whole screen under X, the window offscreen."""

    def __init__(self, out: Path, session) -> None:
        from PySide6.QtGui import QGuiApplication

        self.out = out
        self.session = session
        self.whole_screen = QGuiApplication.platformName() == "xcb"
        self.saved: list[Path] = []
        self.failed: list[str] = []
        out.mkdir(parents=True, exist_ok=True)

    def idle(self, ms: int = 300) -> None:
        """Let work off the GUI thread finish and the window manager place and paint."""
        from PySide6.QtTest import QTest

        for _ in range(3):
            QTest.qWait(ms // 3)
            while self.session.operations.busy:
                QTest.qWait(20)

    def shoot(self, name: str, widget) -> None:
        from PySide6.QtGui import QColor, QGuiApplication, QPainter

        self.idle()
        widget = widget.window()
        if self.whole_screen:
            screen = QGuiApplication.primaryScreen()
            picture = screen.grabWindow(0)
            size = picture.deviceIndependentSize()
            painter = QPainter(picture)  # where the taskbar would be, in logical pixels
            painter.fillRect(0, round(size.height()) - TASKBAR, round(size.width()), TASKBAR,
                             QColor("#2b3a47"))
            painter.end()
        else:
            picture = widget.grab()
        path = self.out / f"{name}.png"
        picture.save(str(path))
        self.saved.append(path)

    def attempt(self, name: str, step) -> None:
        """One screen; a screen that fails is named at the end, the others still shot."""
        try:
            step()
        except Exception as error:  # a broken screen must not hide the others
            self.failed.append(f"{name}: {type(error).__name__}: {error}")
        finally:
            close_dialogs(self.session)


def close_dialogs(session) -> None:
    from PySide6.QtWidgets import QApplication, QMainWindow

    for widget in QApplication.topLevelWidgets():
        if widget.isVisible() and not isinstance(widget, QMainWindow):
            setattr(widget, "_discard_confirmed", True)
            widget.close()


def shoot_all(out: Path) -> int:
    """Sign in, walk through the main screens, save each; say which could not be shown."""
    from PySide6.QtWidgets import QApplication

    from practice_rx.ui.app import open_app, qt_application
    from practice_rx.ui.login import LoginDialog
    from practice_rx.ui.operations import Operations

    qt_application()
    opened = open_app(demo=True)
    session, window = opened.session, opened.window
    camera = Camera(out, session)
    try:
        window.ask_sign_in(first_admin=False)  # as practice-rx --demo opens: one Enter away
        login = next(w for w in QApplication.topLevelWidgets()
                     if isinstance(w, LoginDialog) and w.isVisible())
        camera.shoot("login", login)
        login.submit()
        camera.idle()
        gp = session.user
        for name, step in screens(camera, window, gp):
            camera.attempt(name, step)
    finally:
        Operations.wait_for_all()
        opened.close()
    for path in camera.saved:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    for problem in camera.failed:
        print("not shot:", problem, file=sys.stderr)
    return 1 if camera.failed else 0


def screens(camera: Camera, window, gp):
    """(name, step) for each screen, in the order a working day meets them."""
    from PySide6.QtTest import QTest

    from practice_rx.ui.worklist_filters import OVERDUE

    session = window.session
    services = session.services
    shoot = camera.shoot

    def highlight(row: int) -> None:
        table = window.worklist.table
        table.setFocus()
        table.setCurrentIndex(table.model().index(row, 0))
        camera.idle()

    def as_user(user) -> None:
        session.sign_in(user)
        camera.idle()

    def main_window() -> None:
        as_user(services.users.by_username("reception.jones"))
        highlight(2)
        shoot("main-window", window)

    def chase_list() -> None:
        window.sidebar.statuses.choose(OVERDUE)
        camera.idle()
        highlight(0)
        shoot("overdue-chase-list", window)

    def status_update() -> None:
        dialog = window.update_status()
        QTest.keyClicks(dialog.note, "Service rang: first session booked for Monday")
        shoot("status-update", dialog)
        dialog.submit()  # saved, so the timeline and audit trail show it

    def tabs() -> None:
        for index, name in ((1, "referral-answers"), (3, "referral-letters")):
            window.detail.tabs.setCurrentIndex(index)
            shoot(name, window)
        window.detail.tabs.setCurrentIndex(0)

    def chasers() -> None:
        window.chaser_letters()
        camera.idle(600)
        shoot("chaser-letters", opened_over(window))

    def letter_preview() -> None:
        window.detail.tabs.setCurrentIndex(3)
        window.detail.letters.make()
        camera.idle(800)
        shoot("letter-preview", opened_over(window))
        window.detail.tabs.setCurrentIndex(0)

    def new_referral() -> None:
        as_user(gp)
        window.sidebar.statuses.choose()
        new = window.new_referral()
        QTest.keyClicks(new.patient_picker.search.search, "smith")
        new.patient_picker.search.find()
        shoot("new-referral-1-patient", new)
        new.patient_picker.add_patient()
        new.patient_picker.form.save()  # empty: every message shows
        shoot("new-referral-1-add-patient", new)
        new.patient_picker.back_to_search()
        new.patient_picker.search.choose_current()
        camera.idle()
        renderer = new.renderer
        renderer.editor("consent_given").yes.setChecked(True)
        renderer.editor("consent_to_share").yes.setChecked(True)
        renderer.editor("consent_method").set_value("in_person")
        renderer.editor("reasons").boxes["loneliness"].setChecked(True)
        renderer.editor("reasons").boxes["other"].setChecked(True)
        renderer.refresh()
        renderer.show_errors({"reasons": "Reasons for referral: give details when you "
                                         "choose 'Other'"})
        renderer.focus_field("reasons")
        shoot("new-referral-2-form", new)
        renderer.editor("reasons").other.setText("Recently moved to the area")
        renderer.editor("what_matters").set_value("Meeting people; getting out of the house")
        for key in ("risk_to_self_or_others", "safeguarding_concerns", "lone_working_risk"):
            renderer.editor(key).no.setChecked(True)
        renderer.editor("urgency").set_value("routine")
        renderer.refresh()
        new.go(2)
        shoot("new-referral-3-service", new)
        new.service_picker.choose_current()
        camera.idle()
        new.go(3)
        shoot("new-referral-4-review", new)

    def refer_from_record() -> None:
        """As ``practice-rx refer --nhs-number`` hands a patient to the running window."""
        from sqlalchemy import select

        from practice_rx.launch_request import request_for
        from practice_rx.storage.models import Patient
        from practice_rx.ui.app import Opened
        from practice_rx.ui.launch.requests import LaunchRequests

        as_user(gp)
        with services.db.reading() as reading:
            number = reading.scalar(select(Patient.nhs_number).order_by(Patient.id).limit(1))
        requests = LaunchRequests(None, demo=True)
        requests.attach(Opened(session.app, session, window))
        requests.answer(request_for([number], None, demo=True))
        camera.idle(600)
        shoot("refer-from-record", opened_over(window))

    def link_worker() -> None:
        from sqlalchemy import func, select

        from practice_rx.storage.caseload_models import MeasureResult
        from practice_rx.storage.models import Referral

        worker = services.users.by_username("linkworker.ahmed")
        as_user(worker)
        caseload = window.open_caseload()
        camera.idle(600)
        shoot("caseload", caseload)
        with services.db.reading() as reading:  # a case in progress whose scores moved
            cases = reading.scalars(
                select(Referral.id).join(MeasureResult, MeasureResult.referral_id == Referral.id)
                .where(Referral.allocated_to_id == worker.id, Referral.status == "in_progress")
                .group_by(Referral.id).having(func.count(MeasureResult.id) >= 4)
                .order_by(Referral.id)).all()
            case = next(referral_id for referral_id in cases if len({
                result.scores["total"] for result in reading.scalars(select(MeasureResult).where(
                    MeasureResult.referral_id == referral_id,
                    MeasureResult.measure_id == "ucla3"))}) > 1)
        caseload.open_case.emit(case)
        camera.idle(600)
        shoot("casework", window)
        from practice_rx.ui.casework.outcomes_panel import OutcomesPanel

        outcomes = window.detail.casework.findChild(OutcomesPanel)
        window.detail.scroll.ensureWidgetVisible(outcomes, 0, 0)
        window.detail.scroll.verticalScrollBar().setValue(
            window.detail.scroll.verticalScrollBar().maximum())
        camera.idle(300)
        shoot("outcome-chart", window)
        for name, key in (("record-contact", "contact"), ("care-plan", "plan"),
                          ("close-case", "close")):
            window.detail.casework.commands[key].click()
            camera.idle(400)
            shoot(name, opened_over(window))
            close_dialogs(session)
            camera.idle()

    def admin() -> None:
        as_user(services.users.by_username("admin"))
        for name, open_ in (("catalogue", window.open_catalogue),
                            ("plugins", window.open_plugins),
                            ("settings", window.open_settings)):
            shoot(name, open_())
            close_dialogs(session)
        audit = window.open_audit()
        camera.idle()
        audit.verify()
        shoot("audit-trail", audit)
        close_dialogs(session)
        users = window.open_users()
        camera.idle()
        users.select("dr.okafor")
        shoot("users", users)
        close_dialogs(session)
        shoot("mesh-settings", window.open_mesh_settings())
        close_dialogs(session)
        catalogue = window.open_catalogue()
        camera.idle(1500)
        catalogue.plugin.setCurrentIndex(catalogue.plugin.findData("local"))
        camera.idle(1500)  # the search runs off the GUI thread
        catalogue.table.selectRow(0)
        delivery = catalogue.change_delivery()
        delivery.fields.method.setCurrentIndex(delivery.fields.method.findData("mesh"))
        shoot("catalogue-change-delivery", delivery)
        close_dialogs(session)

    def exchange() -> None:
        as_user(gp)
        shoot("gp-codes-export", window.open_gp_codes())
        close_dialogs(session)
        as_user(services.users.by_username("linkworker.ahmed"))
        shoot("fhir-import", window.import_fhir())
        close_dialogs(session)

    def reports() -> None:
        as_user(gp)
        window_ = window.open_reports()
        camera.idle(800)
        window_.select("status_funnel")
        shoot("reports", window_)
        window_.select("referrals_by_source")
        shoot("reports-by-source", window_)

    def idle_lock() -> None:
        window.statusBar().clearMessage()
        window.idle.lock()  # as after the idle minutes
        QTest.keyClicks(window.idle.dialog.password, "practice")
        shoot("idle-lock", window.idle.dialog)
        window.idle.release()

    return [("main-window", main_window), ("overdue-chase-list", chase_list),
            ("status-update", status_update), ("referral tabs", tabs),
            ("chaser-letters", chasers), ("letter-preview", letter_preview),
            ("new-referral", new_referral), ("refer-from-record", refer_from_record),
            ("link worker screens", link_worker),
            ("admin screens", admin), ("GP codes and FHIR import", exchange),
            ("reports", reports),
            ("idle-lock", idle_lock)]


def opened_over(window):
    """The dialog that just opened over ``window`` (or the window, if none did)."""
    from PySide6.QtWidgets import QApplication, QMainWindow

    shown = [w for w in QApplication.topLevelWidgets()
             if w.isVisible() and not isinstance(w, QMainWindow)]
    return shown[-1] if shown else window


if __name__ == "__main__":
    sys.exit(main())
