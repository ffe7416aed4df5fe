"""The catalogue browser, adding a local service, and the settings dialog."""

from __future__ import annotations

from PySide6.QtTest import QTest

from practice_rx.settings import Settings
from practice_rx.ui.catalogue_view import AddServiceDialog, CatalogueDialog, ServiceTableModel
from tests.ui.conftest import make_window
from tests.ui.helpers import settle


def test_catalogue_filters_by_plugin_and_category_and_adds_a_local_service(demo_core, qtbot,
                                                                            qtmodeltester):
    window = make_window(demo_core, qtbot, "reception.jones", "receptionist")
    session = window.session
    dialog = window.open_catalogue()
    assert isinstance(dialog, CatalogueDialog)
    settle(qtbot, session)
    qtmodeltester.check(dialog.model, force_py=True)
    everything = dialog.model.rowCount()
    assert everything > 10
    first = dialog.model.services[0]
    assert first.is_link_worker  # the link-worker service comes first

    plugins = [dialog.plugin.itemData(i) for i in range(1, dialog.plugin.count())]
    assert {"national", "local"} <= set(plugins)
    dialog.plugin.setCurrentIndex(dialog.plugin.findData("national"))
    assert 0 < dialog.model.rowCount() < everything
    assert {s.plugin for s in dialog.model.services} == {"national"}
    dialog.plugin.setCurrentIndex(0)
    dialog.category.setCurrentIndex(dialog.category.findData("mental_wellbeing"))
    settle(qtbot, session)
    assert {s.category for s in dialog.model.services} == {"mental_wellbeing"}
    assert "mental" in dialog.details.text().lower() or dialog.details.text()

    add = dialog.add_local()
    assert isinstance(add, AddServiceDialog)
    add.save()  # nothing typed: the service layer names each missing field
    settle(qtbot, session)
    assert "Service name" in add.messages["name"].text()
    QTest.keyClicks(add.inputs["name"], "Hunslet Knit and Natter")
    add.inputs["category"].setCurrentIndex(add.inputs["category"].findData("befriending"))
    QTest.keyClicks(add.inputs["phone"], "0113 496 0123")
    add.save()
    settle(qtbot, session)
    assert add.saved_service is not None
    found = session.services.catalogue.search("knit and natter")
    assert [(s.name, s.plugin, s.external_id) for s in found] == [
        ("Hunslet Knit and Natter", "local", "hunslet-knit-and-natter")]


def test_service_table_model_keeps_qts_rules(demo_core, qtmodeltester):
    model = ServiceTableModel()
    model.set_services(demo_core.services.catalogue.search())
    qtmodeltester.check(model, force_py=True)


def test_settings_save_practice_details_with_messages_and_test_the_database(demo_core, qtbot,
                                                                            tmp_path):
    window = make_window(demo_core, qtbot, "admin", "admin")  # the demo network's admin
    session = window.session
    dialog = window.open_settings()
    settle(qtbot, session)
    assert dialog.inputs["name"].text() == "Beeston Hill Surgery (demo)"
    dialog.inputs["ods_code"].setText("??")
    dialog.inputs["postcode"].setText("not a postcode")
    dialog.save()
    settle(qtbot, session)
    assert "ODS code" in dialog.messages["ods_code"].text()
    assert "Postcode" in dialog.messages["postcode"].text()
    assert dialog.isVisible()  # nothing typed is lost
    dialog.inputs["ods_code"].setText("Y99901")
    dialog.inputs["postcode"].setText("ls11 6ab")
    dialog.inputs["response_days"].setValue(7)
    dialog.save()
    settle(qtbot, session)
    practice = session.services.practice.get()
    assert (practice.postcode, practice.response_days) == ("LS11 6AB", 7)

    dialog = window.open_settings()
    settle(qtbot, session)
    dialog.database_url.setText("mysql://nobody@nowhere/db")
    dialog.test_connection()
    settle(qtbot, session)
    assert "Could not connect" in dialog.test_result.text()
    assert "not supported" in dialog.test_result.text()
    other = f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"
    dialog.database_url.setText(other)
    dialog.test_connection()
    settle(qtbot, session)
    assert "database is empty" in dialog.test_result.text()
    dialog.save()
    settle(qtbot, session)
    assert Settings.load().database_url == other


def test_settings_are_read_only_for_a_receptionist(demo_core, qtbot):
    window = make_window(demo_core, qtbot, "reception.jones", "receptionist")
    dialog = window.open_settings()
    settle(qtbot, window.session)
    assert not dialog.inputs["name"].isEnabled()
    assert dialog.database_url.isEnabled()
