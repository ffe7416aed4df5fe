"""The catalogue's delivery fields (adding a local service, changing one's delivery) and the
practice's MESH mailbox in Settings, driven through the widgets; read back from the database
(the demo network, SQLite)."""

from __future__ import annotations

import shiboken6
from PySide6.QtTest import QTest
from sqlalchemy import select

from practice_rx.services.catalogue import Delivery
from practice_rx.storage.models import AuditEvent, Practice, Service
from practice_rx.ui.catalogue_view import DeliveryDialog
from tests.support.factories import make_service
from tests.ui.conftest import make_window
from tests.ui.helpers import settle


def choose_method(fields, method: str) -> None:
    fields.method.setCurrentIndex(fields.method.findData(method))


def test_the_address_and_workflow_are_offered_only_when_the_method_has_them(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "admin", "admin")
    add = window.open_catalogue().add_local()
    fields = add.delivery
    assert fields.method.currentData() == "post"
    assert not fields.address.isEnabled() and not fields.workflow.isEnabled()
    choose_method(fields, "email")
    assert fields.address.isEnabled() and not fields.workflow.isEnabled()
    choose_method(fields, "mesh")
    assert fields.address.isEnabled() and fields.workflow.isEnabled()
    # typed while MESH, then post chosen: nothing of it is sent
    fields.address.setText("X26ABC2")
    fields.workflow.setText("TEST_WORKFLOW")
    choose_method(fields, "post")
    assert fields.delivery() == Delivery("post")


def test_a_local_service_added_with_a_mesh_mailbox(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "admin", "admin")
    session = window.session
    add = window.open_catalogue().add_local()
    QTest.keyClicks(add.inputs["name"], "Hunslet Men's Shed")
    add.inputs["category"].setCurrentIndex(add.inputs["category"].findData("befriending"))
    choose_method(add.delivery, "mesh")
    QTest.keyClicks(add.delivery.address, "x26abc7")
    add.save()
    settle(qtbot, session)
    message = add.messages["delivery_address"].message
    assert "MESH mailbox id is in capitals" in message and "X26ABC7" in message
    assert add.saved_service is None and add.isVisible()
    add.delivery.address.setText("X26ABC7")
    QTest.keyClicks(add.delivery.workflow, "TEST_WORKFLOW")
    add.save()
    settle(qtbot, session)
    assert add.saved_service is not None
    with session.services.db.reading() as reading:
        stored = reading.scalar(select(Service).where(Service.name == "Hunslet Men's Shed"))
        assert Delivery.of(stored) == Delivery("mesh", "X26ABC7", "TEST_WORKFLOW")


def test_change_delivery_of_a_local_service_shows_and_saves_it(demo_core, qtbot):
    made = make_service(demo_core.services, "Holbeck Walking Netball", delivery_method="email",
                        email="netball@example.org")
    window = make_window(demo_core, qtbot, "admin", "admin")
    session = window.session
    catalogue = window.open_catalogue()
    settle(qtbot, session)
    QTest.keyClicks(catalogue.text, "walking netball")
    settle(qtbot, session)
    qtbot.waitUntil(lambda: catalogue.model.rowCount() == 1, timeout=5000)
    catalogue.table.selectRow(0)
    assert "Referrals go by email" in catalogue.details.text()
    assert catalogue.delivery_button.isEnabled()
    dialog = catalogue.change_delivery()
    assert isinstance(dialog, DeliveryDialog)
    assert dialog.fields.method.currentData() == "email"
    assert not dialog.fields.workflow.isEnabled()
    choose_method(dialog.fields, "mesh")
    dialog.fields.address.setText("X26ABC2")
    dialog.save()
    settle(qtbot, session)
    assert not shiboken6.isValid(dialog)  # saved and closed (it deletes itself)
    assert Delivery.of(session.services.catalogue.get(made.id)) == Delivery("mesh", "X26ABC2")
    settle(qtbot, session)
    catalogue.table.selectRow(0)
    assert "Referrals go over NHS MESH to X26ABC2" in catalogue.details.text()
    with session.services.db.reading() as reading:
        entry = reading.scalar(select(AuditEvent).where(
            AuditEvent.action == "service_delivery_changed"))
        assert entry.after["address"] == "X26ABC2"


def test_a_plugins_service_delivery_cannot_be_changed_here(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "admin", "admin")
    catalogue = window.open_catalogue()
    settle(qtbot, window.session)
    catalogue.plugin.setCurrentIndex(catalogue.plugin.findData("national"))
    catalogue.table.selectRow(0)
    assert catalogue.current_service().plugin == "national"
    assert not catalogue.delivery_button.isEnabled()
    assert catalogue.change_delivery() is None
    assert "Referrals go by post" in catalogue.details.text()


def test_a_clinician_sees_no_delivery_button(demo_core, qtbot):
    window = make_window(demo_core, qtbot)
    catalogue = window.open_catalogue()
    assert not catalogue.delivery_button.isVisibleTo(catalogue)


def test_settings_show_and_save_the_practices_mesh_mailbox(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "admin", "admin")
    session = window.session
    dialog = window.open_settings()
    settle(qtbot, session)
    mailbox = dialog.inputs["mesh_mailbox_id"]
    first = session.services.practice.get()
    assert mailbox.text() == (first.mesh_mailbox_id or "")
    assert mailbox.accessibleName() == "MESH mailbox"
    mailbox.setText("x26abc1")
    dialog.save()
    settle(qtbot, session)
    assert dialog.isVisible()
    assert dialog.messages["mesh_mailbox_id"].message.startswith(
        "MESH mailbox: a MESH mailbox id is in capitals")
    mailbox.setText("X26ABC9")
    dialog.save()
    settle(qtbot, session)
    with session.services.db.reading() as reading:
        assert reading.get(Practice, first.id).mesh_mailbox_id == "X26ABC9"
    dialog = window.open_settings()
    settle(qtbot, session)
    assert dialog.inputs["mesh_mailbox_id"].text() == "X26ABC9"
    dialog.inputs["mesh_mailbox_id"].clear()
    dialog.save()
    settle(qtbot, session)
    with session.services.db.reading() as reading:
        assert reading.get(Practice, first.id).mesh_mailbox_id is None


def test_a_receptionist_sees_the_mailbox_but_cannot_change_it(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "reception.jones", "receptionist")
    dialog = window.open_settings()
    settle(qtbot, window.session)
    assert not dialog.inputs["mesh_mailbox_id"].isEnabled()
