"""A broken plugin is listed with its problems while the application works."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton

from practice_rx.services.demo import DemoSize, fill
from practice_rx.services.worklist import WorklistFilter, WorklistQuery
from practice_rx.settings import Settings
from practice_rx.startup import start
from practice_rx.ui.operations import Operations
from practice_rx.ui.plugins_view import PluginsDialog
from tests.ui.conftest import make_window, open_core
from tests.ui.helpers import settle

BROKEN = EntryPoint(name="broken", value="tests.ui.broken_plugin", group="practice_rx")


@pytest.fixture
def broken_core(tmp_path: Path):
    app = open_core(f"sqlite:///{tmp_path / 'broken.sqlite3'}", discovered=[BROKEN])
    fill(app.services.db, DemoSize(patients=30, referrals=80, services=6))
    yield app
    Operations.wait_for_all()
    app.close()


def test_broken_plugin_is_shown_while_the_app_works(broken_core, qtbot):
    window = make_window(broken_core, qtbot, "admin", "admin")  # sees the whole network
    session = window.session
    assert window.worklist.model.total == 80  # the worklist works

    dialog = window.open_plugins()
    assert isinstance(dialog, PluginsDialog)
    names = [dialog.table.item(row, 0).text() for row in range(dialog.table.rowCount())]
    assert names == ["national", "broken"]
    broken_row = names.index("broken")
    assert dialog.table.item(broken_row, 5).text() == "1 problem"
    assert "register services" in dialog.table.item(broken_row, 4).text()
    assert "catalogue server did not answer" in dialog.details.text()  # shown first
    assert dialog.table.item(names.index("national"), 5).text() == "None"

    # its action still appears on a referral, and its failure becomes a message
    row = session.services.worklist.page(session.user.id, WorklistQuery(WorklistFilter())).rows[0]
    window.detail.show_referral(row.id)
    settle(qtbot, session)
    button = window.detail.findChild(QPushButton, "action_broken_print")
    assert button is not None
    button.click()
    settle(qtbot, session)
    assert "no printer attached" in window.detail.result.text()
    assert window.detail.result.text().startswith("Problem:")


def test_disabling_a_plugin_is_saved_for_the_next_start(broken_core, qtbot):
    window = make_window(broken_core, qtbot, "admin.user", "admin")
    dialog = window.open_plugins()
    dialog.checkboxes["broken"].click()
    assert "restarted" in dialog.note.text()
    assert "'broken' will be disabled" in dialog.changed_note.text()
    assert Settings.load().disabled_plugins == ["broken"]
    again = start(broken_core.services.db.engine.url.render_as_string(hide_password=False),
                  Settings.load(), discovered=[BROKEN])
    try:
        broken = next(info for info in again.plugins.info() if info.name == "broken")
        assert not broken.enabled and broken.errors == []
    finally:
        again.close()


def test_a_plugin_switched_off_machine_wide_cannot_be_switched_on(tmp_path, qtbot,
                                                                  site_config_dirs):
    """H58: the IT provider's switch-off is shown as theirs, and an admin cannot undo it."""
    site = site_config_dirs / "practice-rx" / "settings.toml"
    site.parent.mkdir(parents=True)
    site.write_text('disabled_plugins = ["broken"]\n', encoding="utf-8")
    app = start(f"sqlite:///{tmp_path / 'locked.sqlite3'}", Settings.load(), discovered=[BROKEN])
    try:
        fill(app.services.db, DemoSize(patients=10, referrals=10, services=3))
        window = make_window(app, qtbot, "admin.user", "admin")
        dialog = window.open_plugins()
        box = dialog.checkboxes["broken"]
        assert not box.isChecked() and not box.isEnabled()
        assert str(site) in box.toolTip()
        assert dialog.checkboxes["national"].isEnabled()
        dialog.checkboxes["national"].click()  # saving something else keeps it off
        assert Settings.load().disabled_plugins == ["broken", "national"]
        dialog.table.setCurrentCell(1, 0)
        assert "switched off for every user of this computer" in dialog.details.text()
    finally:
        Operations.wait_for_all()
        app.close()


def test_only_an_admin_may_switch_plugins(broken_core, qtbot):
    window = make_window(broken_core, qtbot, "reception.jones", "receptionist")
    dialog = window.open_plugins()
    assert not dialog.checkboxes["broken"].isEnabled()
    assert "Only a practice admin" in dialog.note.text()


def test_a_plugins_own_warnings_are_shown_apart_from_problems(tmp_path: Path, qtbot):
    reporting = EntryPoint(name="feed", value="tests.plugins.reporting_plugins",
                           group="practice_rx")
    app = open_core(f"sqlite:///{tmp_path / 'warned.sqlite3'}", discovered=[reporting])
    try:
        window = make_window(app, qtbot, "admin.user", "admin")
        dialog = window.open_plugins()
        names = [dialog.table.item(row, 0).text() for row in range(dialog.table.rowCount())]
        assert dialog.table.item(names.index("feed"), 5).text() == "2 warnings"
        assert dialog.table.currentRow() == names.index("feed")  # the one to look at first
        text = dialog.details.text()
        assert "Warnings</b> (reported by the plugin, which carried on)" in text
        assert "category 'zumba' is unknown" in text and "Problems:" not in text
    finally:
        Operations.wait_for_all()
        app.close()
