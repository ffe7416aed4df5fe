"""Delivery from the app, against the real MESH sandbox: after Send, and "Send again".

The app is started as at a desk (the built-in plugin's MESH channel reads the
settings file and the keyring); the sandbox is a real server, and what arrives
is read back from the service's inbox.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import shiboken6
import tomli_w
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton
from sqlalchemy import update

from practice_rx.delivery.mesh import MeshChannel
from practice_rx.services.practice import PracticeDetails
from practice_rx.settings import settings_path
from practice_rx.storage.models import Service
from practice_rx.testing.keyring_file import FileKeyring
from practice_rx.testing.mesh_sandbox import MAILBOXES, MeshSandbox
from tests.mesh.delivery_setup import PRACTICE_MAILBOX, SERVICE_MAILBOX, WORKFLOW, file_keyring
from tests.support.factories import admin, make_patient, make_service, make_user, ready_draft
from tests.ui.conftest import make_window
from tests.ui.helpers import settle
from tests.ui.test_gp_journey import complete_answers

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[MeshSandbox]:
    with MeshSandbox(tmp_path_factory.mktemp("ui-mesh")) as sandbox:
        yield sandbox


@pytest.fixture
def ring(tmp_path) -> Iterator[FileKeyring]:
    yield from file_keyring(tmp_path / "keyring.json")


@pytest.fixture
def mesh_core(core, server, ring):
    """The practice on X26ABC1, a befriending service on X26ABC2, MESH set up at this desk."""
    for mailbox_id in MAILBOXES:
        server.clear(mailbox_id)
    write_settings(server.url)
    services = core.services
    services.practice.save(admin(services), PracticeDetails(
        "Y99901", "Beeston Hill Surgery", address="1 Beeston Road, Leeds",
        mesh_mailbox_id=PRACTICE_MAILBOX))
    service = make_service(services, "Beeston Befriending")
    with services.db.transaction() as session:
        session.execute(update(Service).where(Service.id == service.id).values(
            delivery_method="mesh", delivery_address=SERVICE_MAILBOX))
    return core, service


def write_settings(url: str) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomli_w.dumps({"mesh_url": url, "mesh_workflow_id": WORKFLOW}))


def received(server: MeshSandbox) -> list:
    return MeshChannel(server.mailbox(SERVICE_MAILBOX), workflow_id=WORKFLOW).inbox()


def timeline_changes(window) -> list[str]:
    tree = window.detail.timeline
    return [tree.topLevelItem(i).text(2) for i in range(tree.topLevelItemCount())]


def gp_sends_befriending_referral(core, qtbot):
    """Dr Patel's new referral to the befriending service, sent with Ctrl+Enter; the window
    once the send (and the delivery after it) has settled, and the dialog."""
    window = make_window(core, qtbot, "dr.patel", "clinician")
    dialog = window.new_referral()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    dialog._patient_chosen(make_patient(core.services))
    dialog.renderer.set_answers(complete_answers(core))
    [chosen] = core.services.catalogue.search("Beeston Befriending", None)
    dialog._service_chosen(chosen)
    QTest.keyClick(dialog, Qt.Key.Key_Return, CTRL)
    settle(qtbot, window.session, timeout=20_000)
    return window, dialog


def sent_referral(services, service):
    """A new GP's referral of a new patient to ``service``, sent (and not yet delivered)."""
    gp = make_user(services)
    draft = ready_draft(services, gp, make_patient(services), service)
    return gp, services.referrals.send(gp.id, draft.id, draft.version)


def test_sending_a_referral_delivers_it_off_the_gui_thread_and_says_so(mesh_core, server,
                                                                        qtbot):
    core, _service = mesh_core
    window, dialog = gp_sends_befriending_referral(core, qtbot)
    session = window.session

    assert not shiboken6.isValid(dialog) or not dialog.isVisible()
    referral_id = window.detail.showing()
    assert window.statusBar().currentMessage() == (
        f"Referral {referral_id}: Delivered over MESH to {SERVICE_MAILBOX} (2 files)")
    assert f"Delivered over MESH to {SERVICE_MAILBOX} (2 files)" in timeline_changes(window)
    assert [m.filename for m in received(server)] == ["referral.json", "referral-letter.pdf"]
    assert core.services.referrals.get(session.user.id, referral_id).status == "sent"


def test_a_pending_delivery_is_sent_again_from_the_referral_view(mesh_core, server, qtbot):
    core, service = mesh_core
    services = core.services
    gp, referral = sent_referral(services, service)
    write_settings("http://127.0.0.1:9")  # nothing listens there: MESH is "down"
    row = services.delivery.deliver(gp.id, referral.id).delivery
    assert row.state == "pending"
    write_settings(server.url)  # back up; read again at the next send
    window = make_window(core, qtbot, "sam.jones", "receptionist")
    session = window.session
    window.detail.show_referral(referral.id)
    settle(qtbot, session)
    assert f"Not delivered yet over MESH to {SERVICE_MAILBOX}" in timeline_changes(window)
    button = window.detail.findChild(QPushButton, f"send_again_{row.id}")
    assert button is not None and button.isVisible()
    assert button.accessibleName() == "Send again over MESH"

    button.click()

    assert session.operations.busy and not button.isEnabled()  # off the GUI thread
    settle(qtbot, session, timeout=20_000)
    assert window.detail.result.text() == (
        f"Referral {referral.id}: Delivered over MESH to {SERVICE_MAILBOX} (2 files)")
    assert f"Delivered over MESH to {SERVICE_MAILBOX} (2 files)" in timeline_changes(window)
    assert window.detail.findChild(QPushButton, f"send_again_{row.id}") is None
    assert len(received(server)) == 2


def test_a_failed_delivery_shows_why_and_a_link_worker_is_not_offered_send_again(
        mesh_core, server, qtbot):
    core, service = mesh_core
    services = core.services
    with services.db.transaction() as session:
        session.execute(update(Service).where(Service.id == service.id).values(
            delivery_address="X26NOPE9"))
    gp, referral = sent_referral(services, service)
    row = services.delivery.deliver(gp.id, referral.id).delivery
    window = make_window(core, qtbot, "nadia.ahmed", "link_worker")
    window.detail.show_referral(referral.id)
    settle(qtbot, window.session)

    tree = window.detail.timeline
    [failed] = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                if tree.topLevelItem(i).text(2).startswith("Failed:")]
    assert failed.text(2) == "Failed: delivery over MESH to X26NOPE9"
    assert "MESH mailbox X26NOPE9 does not exist" in failed.text(3)
    assert window.detail.findChild(QPushButton, f"send_again_{row.id}") is None


def test_a_delivery_that_fails_after_send_leaves_the_referral_sent_and_says_so(
        mesh_core, server, qtbot):
    core, _service = mesh_core
    write_settings("http://127.0.0.1:9")  # MESH "down" while the GP sends
    window, _dialog = gp_sends_befriending_referral(core, qtbot)
    session = window.session

    referral_id = window.detail.showing()
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Referral {referral_id}: Not delivered yet over MESH to "
                              f"{SERVICE_MAILBOX}: MESH server http://127.0.0.1:9 did not answer")
    assert core.services.referrals.get(session.user.id, referral_id).status == "sent"
    assert f"Not delivered yet over MESH to {SERVICE_MAILBOX}" in timeline_changes(window)
    assert window.detail.findChild(QPushButton, "send_again_1") is not None
    assert received(server) == []


def test_the_window_polls_mesh_and_shows_the_acknowledgement(mesh_core, server, qtbot):
    core, service = mesh_core
    services = core.services
    gp, referral = sent_referral(services, service)
    services.delivery.deliver(gp.id, referral.id)
    MeshChannel(server.mailbox(SERVICE_MAILBOX), workflow_id=WORKFLOW).inbox(acknowledge=True)
    window = make_window(core, qtbot, "sam.jones", "receptionist")
    session = window.session
    window.detail.show_referral(referral.id)
    settle(qtbot, session)
    poller = window.delivery_poller
    assert poller.timer.isActive() and poller.timer.interval() == 5 * 60_000
    assert poller.first.isActive()  # soon after signing in, then every five minutes

    poller.poll()  # what the timer calls
    settle(qtbot, session, timeout=20_000)

    assert window.statusBar().currentMessage() == "1 delivery acknowledged by the service"
    assert f"Acknowledged: collected by {SERVICE_MAILBOX}" in timeline_changes(window)


def test_an_admin_sets_mesh_up_checks_the_sign_in_and_saves(core, server, ring, qtbot):
    ring.delete_password("practice-rx-mesh", PRACTICE_MAILBOX)  # not set up yet
    core.services.practice.save(admin(core.services), PracticeDetails(
        "Y99901", "Beeston Hill Surgery", mesh_mailbox_id=PRACTICE_MAILBOX))
    window = make_window(core, qtbot, "pat.morgan", "admin")
    dialog = window.open_mesh_settings()
    qtbot.waitExposed(dialog)
    assert dialog.inputs["mailbox"].text() == PRACTICE_MAILBOX
    dialog.inputs["mesh_url"].setText("msg.intspineservices.nhs.uk")

    dialog.save_button.click()

    assert "mesh_url must be the MESH server's address starting https://" in (
        dialog.messages["mesh_url"].text())
    assert dialog.isVisible() and not settings_path().exists()
    dialog.inputs["mesh_url"].setText(server.url)
    dialog.inputs["mesh_workflow_id"].setText(WORKFLOW)
    dialog.inputs["password"].setText(MAILBOXES[PRACTICE_MAILBOX])
    assert dialog.inputs["password"].echoMode() == dialog.inputs["password"].EchoMode.Password

    dialog.check_button.click()
    settle(qtbot, window.session, timeout=20_000)

    assert dialog.check_result.text() == (f"{PRACTICE_MAILBOX}: signed in to {server.url}; "
                                          "0 messages waiting in the inbox")
    dialog.save_button.click()
    assert not dialog.isVisible()
    text = settings_path().read_text()
    assert server.url in text and WORKFLOW in text and "password" not in text
    assert ring.get_password("practice-rx-mesh", PRACTICE_MAILBOX) == "password"


def test_only_an_admin_changes_the_mesh_settings(core, qtbot):
    window = make_window(core, qtbot, "sam.jones", "receptionist")
    dialog = window.open_mesh_settings()
    qtbot.waitExposed(dialog)
    assert not dialog.save_button.isEnabled()
    assert dialog.inputs["mesh_url"].isReadOnly()


def test_a_draft_sent_from_the_referral_view_is_delivered_after_it(mesh_core, server, qtbot):
    core, service = mesh_core
    window = make_window(core, qtbot, "dr.patel", "clinician")
    session = window.session
    draft = ready_draft(core.services, session.user, make_patient(core.services), service)
    window.detail.show_referral(draft.id)
    settle(qtbot, session)

    dialog = window.detail.update_status("sent")
    dialog.save_button.click()
    settle(qtbot, session, timeout=20_000)

    assert window.detail.result.text() == (
        f"Referral {draft.id}: Delivered over MESH to {SERVICE_MAILBOX} (2 files)")
    assert f"Delivered over MESH to {SERVICE_MAILBOX} (2 files)" in timeline_changes(window)
    assert len(received(server)) == 2
