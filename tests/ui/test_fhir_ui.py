"""Export as FHIR from the referral pane, Import FHIR bundle from the File menu: the real
widgets on demo data, driven from the keyboard where a person would."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox
from sqlalchemy import func, select

from practice_rx.fhir.uk_core import check_uk_core
from practice_rx.services.worklist import WorklistFilter, WorklistQuery
from practice_rx.storage.models import AuditEvent, Referral
from practice_rx.ui.fhir.export import FhirExport
from practice_rx.ui.fhir.import_dialog import ImportBundleDialog
from practice_rx.ui.new_referral import NewReferralDialog
from tests.fhir.helpers import parse
from tests.ui.conftest import make_window
from tests.ui.helpers import focused, message_box, press, settle, top_level


def _sent_id(services, user_id: int) -> int:
    return services.worklist.page(user_id, WorklistQuery(
        WorklistFilter(statuses=frozenset({"sent"})))).rows[0].id


def _count(services) -> int:
    with services.db.reading() as session:
        return session.scalar(select(func.count()).select_from(Referral))


def _folder_chosen(monkeypatch, folder) -> None:
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *args, **kwargs: str(folder)))


def test_a_gp_exports_the_referral_shown_from_the_keyboard(demo_core, qtbot, tmp_path,
                                                           monkeypatch):
    window = make_window(demo_core, qtbot)
    referral_id = _sent_id(demo_core.services, window.session.user.id)
    window.detail.show_referral(referral_id)
    settle(qtbot, window.session)
    button = window.detail.fhir_button
    assert button.isVisible() and button.accessibleName() == "Export as FHIR"
    folder = tmp_path / "fhir"
    folder.mkdir()
    _folder_chosen(monkeypatch, folder)
    button.setFocus()
    assert focused() is button
    press(Qt.Key.Key_Space)
    settle(qtbot, window.session)
    (path,) = folder.iterdir()
    assert path.name == f"PRX-{referral_id:06d}-fhir.json"
    bundle = json.loads(path.read_text(encoding="utf-8"))
    parse(bundle)
    assert check_uk_core(bundle) == []
    assert window.detail.result.text() == (
        f"1 FHIR bundle(s) written to {folder}; each export is on the audit trail.")
    with demo_core.services.db.reading() as session:
        assert session.scalars(select(AuditEvent.entity_id).where(
            AuditEvent.action == "referral_export_fhir")).all() == [referral_id]


def test_a_folder_that_cannot_be_written_is_said_and_nothing_is_kept(demo_core, qtbot,
                                                                    tmp_path, monkeypatch):
    window = make_window(demo_core, qtbot)
    window.detail.show_referral(_sent_id(demo_core.services, window.session.user.id))
    settle(qtbot, window.session)
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("x")
    _folder_chosen(monkeypatch, not_a_folder)
    window.detail.fhir_button.click()
    settle(qtbot, window.session)
    box = message_box(window.detail, "fhir_export_refused")
    assert box is not None and "cannot be written" in box.text()
    assert box.icon() == QMessageBox.Icon.Warning
    box.accept()


def test_import_is_offered_to_those_who_enter_inbound_referrals(demo_core, qtbot):
    gp = make_window(demo_core, qtbot)
    assert not gp.act_import_fhir.isEnabled()
    worker = make_window(demo_core, qtbot, "linkworker.ahmed", "link_worker")
    assert worker.act_import_fhir.isEnabled()
    file_menu = worker.menuBar().actions()[0].menu()
    assert worker.act_import_fhir in file_menu.actions()
    assert worker.act_import_fhir.text() == "&Import FHIR bundle…"  # Alt+F, I


def _exported(demo_core, tmp_path) -> tuple[int, bytes]:
    gp = demo_core.services.users.ensure("dr.patel", "dr.patel", "clinician")
    referral_id = _sent_id(demo_core.services, gp.id)
    (path,) = demo_core.services.fhir.export(gp.id, [referral_id], tmp_path / "out")
    return referral_id, path.read_bytes()


def _dialog(window, qtbot) -> ImportBundleDialog:
    dialog = window.import_fhir()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: focused() is dialog.path)  # the file's name is typed first
    return dialog


def test_an_accepted_bundle_opens_the_new_draft(demo_core, qtbot, tmp_path, monkeypatch):
    _, data = _exported(demo_core, tmp_path)
    file = tmp_path / "bundle.json"
    file.write_bytes(data)
    window = make_window(demo_core, qtbot, "linkworker.ahmed", "link_worker")
    before = _count(demo_core.services)
    dialog = _dialog(window, qtbot)
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *args, **kwargs: (str(file), "")))
    dialog.path.setFocus()
    press(Qt.Key.Key_Tab)
    assert focused() is dialog.browse
    press(Qt.Key.Key_Space)  # Browse…: the file chosen, then Import has the focus
    assert dialog.path.text() == str(file) and focused() is dialog.import_button
    press(Qt.Key.Key_Space)
    settle(qtbot, window.session)
    assert _count(demo_core.services) == before + 1
    assert top_level(ImportBundleDialog) is None  # closed (and deleted) once imported
    with demo_core.services.db.reading() as session:
        draft_id = session.scalar(select(func.max(Referral.id)))
    assert window.detail.showing() == draft_id
    assert f"Imported as referral PRX-{draft_id:06d}" in window.statusBar().currentMessage()
    draft = top_level(NewReferralDialog)
    assert draft is not None and draft.draft is not None and draft.draft.id == draft_id
    draft.hide()


def test_a_refused_bundle_lists_each_problem_by_path(demo_core, qtbot, tmp_path):
    _, data = _exported(demo_core, tmp_path)
    bundle = json.loads(data)
    request = bundle["entry"][0]["resource"]
    del request["subject"]
    del request["identifier"]
    request["intent"] = "referral"
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(bundle), encoding="utf-8")
    window = make_window(demo_core, qtbot, "linkworker.ahmed", "link_worker")
    before = _count(demo_core.services)
    dialog = _dialog(window, qtbot)
    dialog.path.setText(str(file))
    dialog.path.setFocus()
    press(Qt.Key.Key_Return)
    settle(qtbot, window.session)
    lines = [dialog.problems.item(n).text() for n in range(dialog.problems.count())]
    assert {line.partition(": ")[0] for line in lines} == {
        "Bundle.entry[0].resource.subject", "Bundle.entry[0].resource.intent"}
    assert dialog.problems.isVisible() and focused() is dialog.problems
    assert dialog.outcome.text() == "Not imported, nothing was saved: 2 problems."
    assert _count(demo_core.services) == before
    assert dialog.isVisible()


def test_the_same_bundle_twice_names_the_referral_it_became(demo_core, qtbot, tmp_path):
    _, data = _exported(demo_core, tmp_path)
    file = tmp_path / "bundle.json"
    file.write_bytes(data)
    window = make_window(demo_core, qtbot, "linkworker.ahmed", "link_worker")
    first = demo_core.services.fhir.import_bundle(window.session.user.id, data)
    dialog = _dialog(window, qtbot)
    dialog.path.setText(str(file))
    dialog.import_button.click()
    settle(qtbot, window.session)
    (line,) = [dialog.problems.item(n).text() for n in range(dialog.problems.count())]
    assert line.startswith("Bundle.entry[0].resource.identifier[0]: ")
    assert f"already imported, as referral PRX-{first.id:06d}" in line


def test_a_file_that_is_not_there_or_not_named(demo_core, qtbot, tmp_path):
    window = make_window(demo_core, qtbot, "reception.jones", "receptionist")
    dialog = _dialog(window, qtbot)
    dialog.import_button.click()
    assert [dialog.problems.item(0).text()] == ["Bundle file: choose the file to import"]
    assert focused() is dialog.path
    dialog.path.setText(str(tmp_path / "missing.json"))
    dialog.import_button.click()
    settle(qtbot, window.session)
    assert dialog.problems.item(0).text().startswith("The file cannot be read: ")
    assert dialog.problems.accessibleName() == "Why the bundle was refused"


def test_no_folder_chosen_exports_nothing(demo_core, qtbot, tmp_path, monkeypatch):
    window = make_window(demo_core, qtbot)
    window.detail.show_referral(_sent_id(demo_core.services, window.session.user.id))
    settle(qtbot, window.session)
    _folder_chosen(monkeypatch, "")
    window.detail.fhir_button.click()
    settle(qtbot, window.session)
    qtbot.wait(20)
    assert window.detail.findChildren(FhirExport) == []
    with demo_core.services.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "referral_export_fhir")) == 0
