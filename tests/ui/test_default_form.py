"""The new-referral dialog starts on the form the plugins choose (issue 12, fault 3)."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from practice_rx.ui.operations import Operations
from tests.ui.conftest import make_window, open_core
from tests.ui.local_form_plugin import FORM_ID

LOCAL = EntryPoint(name="wetherby", value="tests.ui.local_form_plugin", group="practice_rx")


@pytest.fixture
def local_core(tmp_path: Path):
    app = open_core(f"sqlite:///{tmp_path / 'local.sqlite3'}", discovered=[LOCAL])
    yield app
    Operations.wait_for_all()
    app.close()


def test_a_new_referral_starts_on_the_plugins_default_form(local_core, qtbot):
    window = make_window(local_core, qtbot)
    dialog = window.new_referral()
    qtbot.waitExposed(dialog)
    choice = dialog.form_choice
    assert [choice.itemData(i)[0] for i in range(choice.count())] == ["national", FORM_ID]
    assert choice.currentData() == (FORM_ID, 2)
    assert dialog.renderer.form.id == FORM_ID
    dialog.close()
