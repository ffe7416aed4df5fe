"""Managing users (admins): add, disable and enable, reset a password; refusals shown."""

from __future__ import annotations

import shiboken6

from practice_rx.services.auth import REFUSED
from practice_rx.services.demo import DEMO_PASSWORD
from practice_rx.ui.login import MISMATCH
from practice_rx.ui.users_view import AddUserDialog, ResetPasswordDialog, UsersDialog
from tests.ui.conftest import make_window
from tests.ui.helpers import settle

PASSWORD = "a long enough password"


def open_users(demo_core, qtbot) -> UsersDialog:
    window = make_window(demo_core, qtbot, "admin", "admin")
    window.act_users.trigger()
    dialog = window.findChild(UsersDialog)
    assert dialog is not None and dialog.isVisible()
    settle(qtbot, window.session)
    return dialog


def names(dialog: UsersDialog) -> dict[str, str]:
    """username → state, as listed."""
    return {dialog.table.topLevelItem(i).text(1): dialog.table.topLevelItem(i).text(4)
            for i in range(dialog.table.topLevelItemCount())}


def test_users_are_listed_with_roles_and_states(demo_core, qtbot):
    dialog = open_users(demo_core, qtbot)
    listed = names(dialog)
    assert {"admin", "dr.patel", "reception.jones", "linkworker.ahmed"} <= set(listed)
    assert listed["dr.patel"] == "Active"
    dialog.select("linkworker.ahmed")
    assert dialog.table.currentItem().text(2) == "Link worker"


def test_adding_a_user_shows_the_services_messages_beside_the_fields(demo_core, qtbot):
    users = open_users(demo_core, qtbot)
    session = users.session
    add = users.add_user()
    assert isinstance(add, AddUserDialog)
    add.inputs["username"].setText("dr.patel")
    add.inputs["display_name"].setText("Dr Second Patel")
    add.inputs["password"].setText("short")
    add.inputs["again"].setText("shorter")
    add.submit()
    assert add.messages["again"].message == MISMATCH
    add.inputs["again"].setText("short")
    add.submit()
    settle(qtbot, session)
    assert add.messages["username"].message == "Username: 'dr.patel' is already taken"
    assert add.messages["password"].message == "Password: use at least 10 characters"
    assert add.isVisible()

    add.inputs["username"].setText("nurse.okoro")
    add.inputs["display_name"].setText("Ada Okoro")
    add.inputs["role"].setCurrentIndex(add.inputs["role"].findData("clinician"))
    add.inputs["job_title"].setText("Practice nurse")
    add.inputs["password"].setText(PASSWORD)
    add.inputs["again"].setText(PASSWORD)
    add.submit()
    settle(qtbot, session)
    created = session.services.users.by_username("nurse.okoro")
    assert created.role == "clinician" and created.job_title == "Practice nurse"
    assert session.services.auth.login("nurse.okoro", PASSWORD).id == created.id
    assert names(users)["nurse.okoro"] == "Active"
    assert "Ada Okoro (nurse.okoro) was added." == users.note.text()
    assert users.chosen().username == "nurse.okoro"


def test_disabling_stops_the_login_and_enabling_restores_it(demo_core, qtbot):
    users = open_users(demo_core, qtbot)
    session = users.session
    users.select("dr.okafor")
    assert users.active_button.text() == "&Disable"
    users.active_button.click()
    settle(qtbot, session)
    assert names(users)["dr.okafor"] == "Disabled"
    assert users.chosen().username == "dr.okafor" and users.active_button.text() == "&Enable"
    assert "cannot sign in" in users.note.text()
    try:
        session.services.auth.login("dr.okafor", DEMO_PASSWORD)
    except Exception as error:  # noqa: BLE001
        assert str(error) == "This account is disabled; ask a practice admin"
    else:
        raise AssertionError("a disabled user signed in")
    users.active_button.click()
    settle(qtbot, session)
    assert names(users)["dr.okafor"] == "Active"
    assert session.services.auth.login("dr.okafor", DEMO_PASSWORD).username == "dr.okafor"


def test_resetting_a_password_lifts_a_lockout(demo_core, qtbot):
    services = demo_core.services
    for _ in range(5):
        try:
            services.auth.login("nurse.lee", "guess")
        except Exception as error:  # noqa: BLE001
            assert str(error) == REFUSED
    users = open_users(demo_core, qtbot)
    session = users.session
    assert names(users)["nurse.lee"].startswith("Locked after failed logins, until")
    users.select("nurse.lee")
    reset = users.reset_password()
    assert isinstance(reset, ResetPasswordDialog)
    reset.inputs["password"].setText("tiny")
    reset.inputs["again"].setText("tiny")
    reset.submit()
    settle(qtbot, session)
    assert reset.messages["password"].message == "Password: use at least 10 characters"
    reset.inputs["password"].setText(PASSWORD)
    reset.inputs["again"].setText(PASSWORD)
    reset.submit()
    settle(qtbot, session)
    assert not shiboken6.isValid(reset) or not reset.isVisible()
    assert names(users)["nurse.lee"] == "Active"
    assert services.auth.login("nurse.lee", PASSWORD).username == "nurse.lee"


def test_a_permission_refusal_is_shown_in_the_dialog(demo_core, qtbot):
    users = open_users(demo_core, qtbot)
    session = users.session
    # the admin is replaced by a receptionist while the dialog is open (e.g. demoted)
    session.sign_in(session.services.users.by_username("reception.jones"))
    users.select("dr.okafor")
    users.active_button.click()
    settle(qtbot, session)
    assert users.problem.text() == (
        "Not allowed: the Receptionist role cannot manage users.\n\nAsk a colleague whose "
        "role allows it, or your practice admin.")
    add = users.add_user()
    add.inputs["username"].setText("someone.new")
    add.inputs["password"].setText(PASSWORD)
    add.inputs["again"].setText(PASSWORD)
    add.submit()
    settle(qtbot, session)
    assert "Receptionist role cannot manage users" in add.problem.text()
    assert session.services.users.by_username("someone.new") is None
