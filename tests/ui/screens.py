"""Every top-level window of the app, opened on demo data as a person would see it.

``WINDOWS`` names each window (and each page or step of one) with a function that
opens it and returns the top-level widget; the screen-fit and Alt-key tests go
through all of them, so a new window added here is checked by both.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from practice_rx.services.worklist import WorklistFilter, WorklistQuery
from practice_rx.startup import App
from tests.ui.conftest import make_window
from tests.ui.helpers import settle

Opener = Callable[[App, object], QWidget]


def _main(core: App, qtbot, username: str = "dr.patel", role: str = "clinician"):
    return make_window(core, qtbot, username, role)


def _open_referral(window, status: str = "sent") -> int:
    session = window.session
    row = session.services.worklist.page(session.user.id, WorklistQuery(
        WorklistFilter(statuses=frozenset({status})))).rows[0]
    window.detail.show_referral(row.id)
    return row.id


def main_window(core: App, qtbot) -> QWidget:
    """A GP's main window with a sent referral open: the widest the pane gets."""
    window = _main(core, qtbot)
    _open_referral(window)
    settle(qtbot, window.session)
    return window


def main_window_tab(index: int) -> Opener:
    def opener(core: App, qtbot) -> QWidget:
        window = main_window(core, qtbot)
        window.detail.tabs.setCurrentIndex(index)
        qtbot.wait(20)
        return window
    opener.__doc__ = f"The main window with the open referral's tab {index} showing."
    return opener


def _new_referral(core: App, qtbot):
    window = _main(core, qtbot)
    dialog = window.new_referral()
    qtbot.waitExposed(dialog)
    return window, dialog


def new_referral_patient(core: App, qtbot) -> QWidget:
    """Step 1 with search results listed."""
    window, dialog = _new_referral(core, qtbot)
    search = dialog.patient_picker.search
    search.search.setText("smith")
    search.find()
    settle(qtbot, window.session)
    return dialog


def new_referral_add_patient(core: App, qtbot) -> QWidget:
    """Add patient, saved empty: every message showing, the longest the page gets."""
    window, dialog = _new_referral(core, qtbot)
    dialog.patient_picker.add_patient()
    dialog.patient_picker.form.save()
    settle(qtbot, window.session)
    return dialog


def _chosen_patient(core: App, qtbot):
    window, dialog = _new_referral(core, qtbot)
    search = dialog.patient_picker.search
    search.search.setText("smith")
    search.find()
    settle(qtbot, window.session)
    search.choose_current()
    settle(qtbot, window.session)
    return window, dialog


def new_referral_form(core: App, qtbot) -> QWidget:
    window, dialog = _chosen_patient(core, qtbot)
    return dialog


def new_referral_service(core: App, qtbot) -> QWidget:
    window, dialog = _chosen_patient(core, qtbot)
    dialog.go(2)
    settle(qtbot, window.session)
    return dialog


def new_referral_review(core: App, qtbot) -> QWidget:
    window, dialog = _chosen_patient(core, qtbot)
    dialog.go(2)
    settle(qtbot, window.session)
    dialog.service_picker.choose_current()
    settle(qtbot, window.session)
    dialog.go(3)
    settle(qtbot, window.session)
    return dialog


def new_referral_refused(core: App, qtbot) -> QWidget:
    """Sent with nothing answered: the form's messages all showing."""
    dialog = new_referral_review(core, qtbot)
    dialog.save(send=True)
    settle(qtbot, dialog.session)
    return dialog


def status_dialog(core: App, qtbot) -> QWidget:
    window = _main(core, qtbot, "reception.jones", "receptionist")
    _open_referral(window)
    settle(qtbot, window.session)
    dialog = window.update_status()
    qtbot.waitExposed(dialog)
    return dialog


def _admin_dialog(open_: Callable[[QWidget], QWidget]) -> Opener:
    def opener(core: App, qtbot) -> QWidget:
        window = _main(core, qtbot, "admin", "admin")
        dialog = open_(window)
        qtbot.waitExposed(dialog)
        settle(qtbot, window.session)
        return dialog
    return opener


def users_reset_password(core: App, qtbot) -> QWidget:
    window = _main(core, qtbot, "admin", "admin")
    users = window.open_users()
    settle(qtbot, window.session)
    users.select("dr.patel")
    dialog = users.reset_password()
    qtbot.waitExposed(dialog)
    return dialog


def letter_preview(core: App, qtbot) -> QWidget:
    from practice_rx.ui.letters_view import preview

    window = _main(core, qtbot)
    session = window.session
    letter = session.services.letters.generate(session.user.id, _open_referral(window),
                                               "referral")
    dialog = preview(letter.pdf, "referral.pdf", window)
    qtbot.waitExposed(dialog)
    return dialog


def batch_result(core: App, qtbot, folder: Path | None = None) -> QWidget:
    """A batch of three chaser letters made, ready to print."""
    import tempfile

    from practice_rx.ui.letters_view import BatchResultDialog

    window = _main(core, qtbot, "reception.jones", "receptionist")
    session = window.session
    folder = folder or Path(tempfile.mkdtemp(prefix="batch-"))
    rows = session.services.worklist.page(session.user.id, WorklistQuery(
        WorklistFilter(statuses=frozenset({"sent"})))).rows[:3]
    paths = []
    for row in rows:
        path = folder / f"chaser-{row.id}.pdf"
        path.write_bytes(session.services.letters.generate(session.user.id, row.id,
                                                           "chaser").pdf)
        paths.append(path)
    dialog = BatchResultDialog(session, paths, folder, f"{len(paths)} chaser letters made, "
                               f"saved in {folder}.", window, title="Chaser letters")
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def chaser_choice(core: App, qtbot) -> QWidget:
    """The chase list's chaser letters: the referrals to choose from, before any is made."""
    window = _main(core, qtbot, "reception.jones", "receptionist")
    window.show_overdue()
    settle(qtbot, window.session)
    dialog = window.chaser_letters()
    qtbot.waitExposed(dialog)
    settle(qtbot, window.session)
    return dialog


def login(core: App, qtbot) -> QWidget:
    from practice_rx.ui.login import LoginDialog
    from practice_rx.ui.session import Session

    dialog = LoginDialog(Session(core, demo=True))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def first_admin(core: App, qtbot) -> QWidget:
    from practice_rx.ui.login import FirstAdminDialog
    from practice_rx.ui.session import Session

    dialog = FirstAdminDialog(Session(core))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def idle_lock(core: App, qtbot) -> QWidget:
    window = _main(core, qtbot)
    window.idle.lock()
    qtbot.waitExposed(window.idle.dialog)
    return window.idle.dialog


def shortcuts(core: App, qtbot) -> QMessageBox:
    window = _main(core, qtbot)
    box = window.show_shortcuts()
    qtbot.waitExposed(box)
    return box


def _caseload_session(core: App, qtbot, role: str = "link_worker"):
    """A link worker with three of the demo's accepted referrals allocated to them."""
    from practice_rx.ui.session import Session

    services = core.services
    nadia = services.users.ensure("nadia.ahmed", "Nadia Ahmed", "link_worker")
    user = nadia if role == "link_worker" else services.users.ensure(
        f"screen.{role}", f"A {role}", role)
    rows = services.worklist.page(nadia.id, WorklistQuery(
        WorklistFilter(statuses=frozenset({"accepted"})))).rows[:3]
    for row in rows:
        referral = services.referrals.get(nadia.id, row.id)
        if referral.allocated_to_id is None:
            services.allocation.allocate(nadia.id, row.id, referral.version, nadia.id)
    return Session(core, user), [row.id for row in rows]


def caseload(core: App, qtbot) -> QWidget:
    from practice_rx.ui.caseload.view import CaseloadView
    from practice_rx.ui.screen_fit import open_size

    session, _ = _caseload_session(core, qtbot)
    view = CaseloadView(session)
    qtbot.addWidget(view)
    open_size(view, 1340, 700)
    view.show()
    qtbot.waitExposed(view)
    settle(qtbot, session)
    return view


def record_contact_refused(core: App, qtbot) -> QWidget:
    """Saved with nothing typed: its messages showing, the tallest it gets."""
    from practice_rx.ui.caseload.record_contact import RecordContactDialog

    session, ids = _caseload_session(core, qtbot)
    dialog = RecordContactDialog(session, ids[0])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    settle(qtbot, session)
    dialog.submit()
    settle(qtbot, session)
    return dialog


def allocate(core: App, qtbot) -> QWidget:
    from practice_rx.ui.caseload.allocate import AllocateDialog

    session, ids = _caseload_session(core, qtbot)
    session.services.users.ensure("lee.worker", "Lee Worker", "link_worker")
    dialog = AllocateDialog(session, ids[0])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    settle(qtbot, session)
    return dialog


def new_referral_inbound_refused(core: App, qtbot) -> QWidget:
    """Reception's new referral, sent with nothing answered: the source's messages and the
    form's all showing."""
    window = _main(core, qtbot, "reception.jones", "receptionist")
    dialog = window.new_referral()
    qtbot.waitExposed(dialog)
    search = dialog.patient_picker.search
    search.search.setText("smith")
    search.find()
    settle(qtbot, window.session)
    search.choose_current()
    settle(qtbot, window.session)
    dialog.inbound.source.setCurrentIndex(dialog.inbound.source.findData("social_care"))
    dialog.save(send=True)
    settle(qtbot, window.session)
    return dialog


def closing_refused(core: App, qtbot) -> QWidget:
    """Close case, saved as not met with nothing typed: connections, scores and both messages
    showing, the tallest it gets."""
    from practice_rx.ui.casework.closing_dialog import ClosingDialog
    from practice_rx.ui.session import Session
    from tests.letters.casework_world import add_casework, in_progress
    from tests.support.factories import test_nhs_number

    # a number of its own: the demo's patients hold the factory's first ones
    case = in_progress(core.services, "Screen", "Closing", nhs_number=test_nhs_number(131_313))
    add_casework(core.services, case, actions=12)
    session = Session(core, case.worker)
    dialog = ClosingDialog(session, case.referral.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    settle(qtbot, session)
    dialog.goal_buttons["not_met"].setChecked(True)
    dialog.submit()
    settle(qtbot, session)
    return dialog


def gp_codes(core: App, qtbot) -> QWidget:
    """Export codes for the GP record, for a GP who works across the network (the practice
    chooser showing)."""
    window = _main(core, qtbot)
    dialog = window.open_gp_codes()
    qtbot.waitExposed(dialog)
    settle(qtbot, window.session)
    return dialog


def fhir_import_refused(core: App, qtbot) -> QWidget:
    """Import FHIR bundle, refused: every problem of a bad bundle listed by its path."""
    import json

    from tests.fhir.test_import import agency_bundle
    from tests.ui.helpers import focused

    window = _main(core, qtbot, "linkworker.ahmed", "link_worker")
    bundle = agency_bundle("9990000018")
    request = bundle["entry"][0]["resource"]
    del request["subject"], request["identifier"]
    request["intent"], request["status"] = "referral", "sent"
    file = Path(core.services.db.engine.url.database).with_name("refused-bundle.json")
    file.write_text(json.dumps(bundle), encoding="utf-8")
    dialog = window.import_fhir()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: focused() is dialog.path)
    dialog.path.setText(str(file))
    dialog.start()
    settle(qtbot, window.session)
    return dialog


def catalogue_change_delivery(core: App, qtbot) -> QWidget:
    """Change delivery, for the first of the practice's own services, as MESH."""
    window = _main(core, qtbot, "admin", "admin")
    catalogue = window.open_catalogue()
    settle(qtbot, window.session)
    catalogue.plugin.setCurrentIndex(catalogue.plugin.findData("local"))
    catalogue.table.selectRow(0)
    dialog = catalogue.change_delivery()
    dialog.fields.method.setCurrentIndex(dialog.fields.method.findData("mesh"))
    qtbot.waitExposed(dialog)
    return dialog


def refer_from_record(core: App, qtbot) -> QWidget:
    """The journey ``practice-rx refer`` opens: the patient chosen, the notice above the banner."""
    from sqlalchemy import select

    from practice_rx.launch_request import request_for
    from practice_rx.storage.models import Patient
    from practice_rx.ui.app import Opened
    from practice_rx.ui.launch.journey import TITLE
    from practice_rx.ui.launch.requests import LaunchRequests
    from practice_rx.ui.new_referral import NewReferralDialog

    window = _main(core, qtbot)
    with core.services.db.reading() as reading:
        number = reading.scalar(select(Patient.nhs_number).order_by(Patient.id).limit(1))
    requests = LaunchRequests(None, demo=True)
    requests.attach(Opened(core, window.session, window))
    requests.answer(request_for([number], None, demo=True))
    settle(qtbot, window.session)
    dialog = next(w for w in window.findChildren(NewReferralDialog) if w.windowTitle() == TITLE)
    qtbot.waitExposed(dialog)
    return dialog


WINDOWS: dict[str, Opener] = {
    "main-window": main_window,
    **{f"main-window-tab-{index}": main_window_tab(index) for index in (1, 2, 3)},
    "new-referral-patient": new_referral_patient,
    "new-referral-add-patient": new_referral_add_patient,
    "new-referral-form": new_referral_form,
    "new-referral-service": new_referral_service,
    "new-referral-review": new_referral_review,
    "new-referral-refused": new_referral_refused,
    "refer-from-record": refer_from_record,
    "status-dialog": status_dialog,
    "settings": _admin_dialog(lambda window: window.open_settings()),
    "mesh-settings": _admin_dialog(lambda window: window.open_mesh_settings()),
    "catalogue": _admin_dialog(lambda window: window.open_catalogue()),
    "catalogue-add-local": _admin_dialog(lambda window: window.open_catalogue().add_local()),
    "plugins": _admin_dialog(lambda window: window.open_plugins()),
    "users": _admin_dialog(lambda window: window.open_users()),
    "users-add": _admin_dialog(lambda window: window.open_users().add_user()),
    "users-reset-password": users_reset_password,
    "audit-trail": _admin_dialog(lambda window: window.open_audit()),
    "reports": _admin_dialog(lambda window: window.open_reports()),
    "letter-preview": letter_preview,
    "chaser-choice": chaser_choice,
    "batch-result": batch_result,
    "login": login,
    "first-admin": first_admin,
    "idle-lock": idle_lock,
    "shortcuts": shortcuts,
    "caseload": caseload,
    "record-contact-refused": record_contact_refused,
    "allocate": allocate,
    "new-referral-inbound-refused": new_referral_inbound_refused,
    "closing-refused": closing_refused,
    "gp-codes": gp_codes,
    "catalogue-change-delivery": catalogue_change_delivery,
    "fhir-import-refused": fhir_import_refused,
}
