"""The audit view for admins: rows after a change, filters, the chain check; hidden from others."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from sqlalchemy import create_engine, func, select, text

from practice_rx.domain.identifiers import format_nhs_number
from practice_rx.services.audit import AuditFilter
from practice_rx.services.worklist import WorklistFilter, WorklistQuery
from practice_rx.storage.models import AuditEvent, Patient
from practice_rx.ui.audit_view import NOBODY, AuditDialog, AuditModel, change_text
from practice_rx.ui.session import Session
from tests.ui.conftest import make_window
from tests.ui.helpers import settle


def accept_a_sent_referral(core):
    """A receptionist records that the service accepted a referral: an audited change."""
    services = core.services
    desk = services.users.by_username("reception.jones")
    row = services.worklist.page(desk.id, WorklistQuery(
        WorklistFilter(statuses=frozenset({"sent"})))).rows[0]
    referral = services.referrals.get(desk.id, row.id)
    services.referrals.change_status(desk.id, referral.id, referral.version, "accepted",
                                     "Service rang to accept")
    return referral


def rows(dialog: AuditDialog) -> list[AuditEvent]:
    return list(dialog.model.events)


def test_the_audit_view_shows_a_status_change_and_filters_by_patient(demo_core, qtbot):
    referral = accept_a_sent_referral(demo_core)
    window = make_window(demo_core, qtbot, "admin", "admin")
    session = window.session
    assert window.act_audit.isEnabled()
    window.act_audit.trigger()
    dialog = window.findChild(AuditDialog)
    assert dialog is not None and dialog.isVisible()
    settle(qtbot, session)

    change = next(e for e in rows(dialog) if e.action == "referral_status")
    row = rows(dialog).index(change)
    model = dialog.model
    assert model.data(model.index(row, 1)) == "Sam Jones (reception.jones)"
    assert model.data(model.index(row, 3)) == "referral status"
    assert model.data(model.index(row, 4)) == "referral"
    assert model.data(model.index(row, 5)) == str(referral.id)
    assert model.data(model.index(row, 6)) == str(referral.patient_id)
    assert "status: sent → accepted" in model.data(model.index(row, 7))
    assert "note: — → Service rang to accept" in model.data(model.index(row, 7))
    assert model.data(model.index(row, 2))  # the workstation

    # by patient: the NHS number as people write it, Enter
    with demo_core.services.db.reading() as db_session:
        patient = db_session.get(Patient, referral.patient_id)
    QTest.keyClicks(dialog.patient, format_nhs_number(patient.nhs_number))
    QTest.keyClick(dialog.patient, Qt.Key.Key_Return)
    settle(qtbot, session)
    assert dialog.patient_id == patient.id
    assert patient.nhs_number[:3] in dialog.patient_note.text().replace(" ", "")
    assert rows(dialog) and all(e.patient_id == patient.id for e in rows(dialog))
    assert change.id in {e.id for e in rows(dialog)}
    assert "entr" in dialog.count.text()

    # by user: only the receptionist's entries
    desk = demo_core.services.users.by_username("reception.jones")
    dialog.patient.clear()
    dialog.find_patient()
    settle(qtbot, session)
    dialog.user_choice.setCurrentIndex(dialog.user_choice.findData(desk.id))
    settle(qtbot, session)
    assert rows(dialog) and all(e.user_id == desk.id for e in rows(dialog))

    # by date: none before the change was made
    dialog.to_box.setChecked(True)
    dialog.to_date.setDate(dialog.to_date.date().addDays(-3))
    settle(qtbot, session)
    assert rows(dialog) == [] and dialog.count.text() == "No entries match these filters."
    dialog.to_box.setChecked(False)
    dialog.from_box.setChecked(True)
    settle(qtbot, session)
    assert change.id in {e.id for e in rows(dialog)}


def test_a_name_matching_several_patients_offers_a_choice(demo_core, qtbot):
    accept_a_sent_referral(demo_core)
    window = make_window(demo_core, qtbot, "admin", "admin")
    dialog = window.open_audit()
    settle(qtbot, window.session)
    admin = window.session.user
    with demo_core.services.db.reading() as db_session:
        surname = db_session.scalar(select(Patient.family_name).group_by(Patient.family_name)
                                    .order_by(func.count().desc()).limit(1))
    matches = demo_core.services.patients.find(admin.id, surname)
    assert len(matches) > 1
    QTest.keyClicks(dialog.patient, surname)
    dialog.find_patient()
    settle(qtbot, window.session)
    assert dialog.patient_choice.count() == len(matches)
    assert dialog.patient_choice.isVisible() and dialog.patient_id == matches[0].id
    dialog.patient_choice.setCurrentIndex(1)
    dialog.patient_choice.activated.emit(1)
    settle(qtbot, window.session)
    assert dialog.patient_id == matches[1].id
    assert all(e.patient_id == matches[1].id for e in rows(dialog))
    dialog.patient.clear()
    QTest.keyClicks(dialog.patient, "zzzz")  # nobody
    dialog.find_patient()
    settle(qtbot, window.session)
    assert "No patient matches" in dialog.patient_note.text() and rows(dialog) == []


def test_verify_reports_a_whole_chain_then_the_row_tampered_with(demo_core, qtbot):
    accept_a_sent_referral(demo_core)
    window = make_window(demo_core, qtbot, "admin", "admin")
    session = window.session
    dialog = window.open_audit()
    settle(qtbot, session)
    dialog.verify_button.click()
    settle(qtbot, session)
    assert dialog.verify_result.text().startswith("Verified: no row of the audit trail")

    with demo_core.services.db.reading() as db_session:
        target = db_session.scalar(select(AuditEvent.id).where(
            AuditEvent.action == "referral_status"))
    engine = create_engine(demo_core.services.db.engine.url)
    with engine.begin() as connection:  # as only the file's owner could: triggers dropped
        connection.execute(text("DROP TRIGGER audit_event_no_update"))
        connection.execute(text("UPDATE audit_event SET workstation = 'elsewhere' "
                                "WHERE id = :id"), {"id": target})
    engine.dispose()
    dialog.verify_button.click()
    settle(qtbot, session)
    assert dialog.verify_result.text() == (
        f"Problem: Audit row {target}: its content was changed after it was written")


def test_others_do_not_get_the_audit_or_users_commands(demo_core, qtbot):
    for username, role in (("reception.jones", "receptionist"), ("dr.patel", "clinician"),
                           ("linkworker.ahmed", "link_worker")):
        window = make_window(demo_core, qtbot, username, role)
        assert not window.act_audit.isEnabled(), username
        assert not window.act_users.isEnabled(), username
        assert window.open_audit() is None and window.open_users() is None
    # and the menus follow the user: an admin signing in gets them
    window.session.sign_in(demo_core.services.users.by_username("admin"))
    assert window.act_audit.isEnabled() and window.act_users.isEnabled()


def test_a_refusal_from_the_service_is_shown_not_raised(demo_core, qtbot):
    admin = demo_core.services.users.by_username("admin")
    session = Session(demo_core, admin)
    dialog = AuditDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    settle(qtbot, session)
    session.sign_in(demo_core.services.users.by_username("reception.jones"))
    dialog.load()
    settle(qtbot, session)
    assert dialog.problem.isVisible()
    assert "Receptionist role cannot view audit" in dialog.problem.text()


def test_the_audit_model_keeps_qts_rules(demo_core, qtmodeltester):
    accept_a_sent_referral(demo_core)
    services = demo_core.services
    admin = services.users.by_username("admin")
    events = services.audit.list(admin.id, AuditFilter())
    model = AuditModel()
    model.set_events(events, {user.id: user.display_name for user in services.users.list()})
    assert model.rowCount() == len(events) > 0
    qtmodeltester.check(model, force_py=True)
    model.set_events([])
    qtmodeltester.check(model, force_py=True)


def test_change_text_and_who():
    assert change_text({"status": "sent"}, {"status": "accepted", "note": "Rang"}) == \
        "status: sent → accepted; note: Rang"
    assert change_text({}, {"nhs_number": "9990000018"}) == "nhs_number: 9990000018"
    assert change_text({"due": "2026-11-24"}, {"due": None}) == "due: 24 Nov 2026 → —"
    assert change_text({"x": [1]}, {}) == 'x: [1] → (removed)'
    model = AuditModel()
    event = AuditEvent(user_id=None, action="user_create", entity="user", entity_id=1,
                       before={}, after={}, workstation="desk-1", prev_hash="", hash="")
    assert model.who(event) == NOBODY
    event.user_id = 99
    assert model.who(event) == "User 99"
