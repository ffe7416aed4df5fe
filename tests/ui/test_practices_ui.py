"""The screens of a network of practices, on the demo's three (Beeston Hill, Holbeck Moor,
Cottingley): Settings per practice, users' practices, registering a patient, the
worklist's and caseload's practice filter, and the referral's practice named.

Everything is read back through the services from the real database.
"""

from __future__ import annotations

import pytest
import shiboken6

from practice_rx.services.worklist import WorklistFilter, WorklistQuery
from practice_rx.ui.patient_picker import PatientForm
from practice_rx.ui.worklist_model import ROW_ROLE
from tests.ui.conftest import make_window
from tests.ui.helpers import settle
from tests.ui.same_name import synthetic_nhs_number

PASSWORD = "a long enough password"


@pytest.fixture
def network(demo_core_on_each_backend):
    """The demo network, on SQLite and on PostgreSQL in turn."""
    return demo_core_on_each_backend


def practices_by_ods(core, user_id: int) -> dict:
    return {p.ods_code: p for p in core.services.practice.visible(user_id)}


def admin_window(core, qtbot):
    return make_window(core, qtbot, "admin", "admin")


def closed(dialog) -> bool:
    """Saved and gone (dialogs here delete themselves on closing)."""
    return not shiboken6.isValid(dialog) or not dialog.isVisible()


def choose(combo, practice_id: int) -> None:
    index = combo.findData(practice_id)
    assert index >= 0, "the practice is offered"
    combo.setCurrentIndex(index)


# -- Settings ---------------------------------------------------------------------------


def test_admin_changes_the_second_practices_list_size_and_only_its(network, qtbot):
    window = admin_window(network, qtbot)
    session = window.session
    before = practices_by_ods(network, session.user.id)
    dialog = window.open_settings()
    settle(qtbot, session)
    assert dialog.chooser.isVisible() and dialog.chooser.count() == 3
    assert dialog.add_practice_button.isVisible()
    holbeck = before["Y99902"]
    choose(dialog.chooser, holbeck.id)
    settle(qtbot, session)
    assert dialog.inputs["ods_code"].text() == "Y99902"
    assert dialog.inputs["list_size"].text() == "8400"
    dialog.inputs["list_size"].setText("9,150")
    dialog.save()
    settle(qtbot, session)
    assert closed(dialog)

    after = practices_by_ods(network, session.user.id)
    assert after["Y99902"].list_size == 9150
    assert after["Y99902"].name == holbeck.name
    assert {ods: p.list_size for ods, p in after.items() if ods != "Y99902"} == {
        "Y99901": before["Y99901"].list_size, "Y99903": before["Y99903"].list_size}


def test_an_empty_list_size_is_saved_as_not_entered(network, qtbot):
    window = admin_window(network, qtbot)
    session = window.session
    cottingley = practices_by_ods(network, session.user.id)["Y99903"]
    dialog = window.open_settings()
    settle(qtbot, session)
    choose(dialog.chooser, cottingley.id)
    settle(qtbot, session)
    dialog.inputs["list_size"].setText("")
    dialog.save()
    settle(qtbot, session)
    assert network.services.practice.get(cottingley.id).list_size is None


def test_add_practice_adds_one_to_the_network(network, qtbot):
    window = admin_window(network, qtbot)
    session = window.session
    dialog = window.open_settings()
    settle(qtbot, session)
    dialog.add_practice()
    assert dialog.inputs["name"].text() == "" and dialog.inputs["ods_code"].text() == ""
    dialog.inputs["name"].setText("Middleton Park Surgery")
    dialog.inputs["ods_code"].setText("y99904")
    dialog.inputs["list_size"].setText("5200")
    dialog.save()
    settle(qtbot, session)
    assert closed(dialog)

    practices = practices_by_ods(network, session.user.id)
    assert set(practices) == {"Y99901", "Y99902", "Y99903", "Y99904"}
    added = practices["Y99904"]
    assert (added.name, added.list_size) == ("Middleton Park Surgery", 5200)
    assert practices["Y99901"].name == "Beeston Hill Surgery (demo)"  # the first unchanged


def test_a_taken_ods_code_is_refused_beside_its_field_and_nothing_is_added(network, qtbot):
    window = admin_window(network, qtbot)
    session = window.session
    dialog = window.open_settings()
    settle(qtbot, session)
    dialog.add_practice()
    dialog.inputs["name"].setText("A second Holbeck")
    dialog.inputs["ods_code"].setText("Y99902")
    dialog.save()
    settle(qtbot, session)
    assert dialog.isVisible()
    assert dialog.messages["ods_code"].message.startswith("ODS code: Y99902 is already")
    assert len(network.services.practice.visible(session.user.id)) == 3


def test_an_admin_of_one_practice_sees_it_alone_and_cannot_add_one(network, qtbot):
    services = network.services
    admin = services.users.by_username("admin")
    holbeck = practices_by_ods(network, admin.id)["Y99902"]
    services.users.add(admin.id, "admin.holbeck", "Jo Holbeck", "admin", PASSWORD,
                       practice_ids=[holbeck.id])
    window = make_window(network, qtbot, "admin.holbeck", "admin")
    dialog = window.open_settings()
    settle(qtbot, window.session)
    assert not dialog.chooser.isVisible()
    assert not dialog.add_practice_button.isVisible()
    assert dialog.inputs["ods_code"].text() == "Y99902"
    assert dialog.inputs["list_size"].isVisible()


# -- Users ------------------------------------------------------------------------------


def test_setting_a_users_practices_saves_them(demo_core, qtbot):
    window = admin_window(demo_core, qtbot)
    session = window.session
    services = demo_core.services
    practices = practices_by_ods(demo_core, session.user.id)
    users = window.open_users()
    settle(qtbot, session)
    users.select("dr.shah")
    assert users.table.currentItem().text(6) == "Y99902"
    users.select("linkworker.ahmed")
    assert users.table.currentItem().text(6) == "All practices"
    assert users.practices_button.isVisible()

    users.select("dr.okafor")
    dialog = users.set_practices()
    assert set(dialog.checks.boxes) == {p.id for p in practices.values()}
    dialog.checks.check(practices["Y99903"].id)
    dialog.across.setChecked(False)
    dialog.submit()
    settle(qtbot, session)
    okafor = services.users.by_username("dr.okafor")
    assert services.users.practices_of(okafor.id) == {practices["Y99903"].id}
    assert okafor.all_practices is False
    assert users.table.currentItem().text(6) == "Y99903"

    users.select("dr.okafor")
    dialog = users.set_practices()
    dialog.across.setChecked(True)
    dialog.submit()
    settle(qtbot, session)
    assert services.users.by_username("dr.okafor").all_practices is True
    assert users.table.currentItem().text(6) == "All practices"


def test_a_new_user_is_linked_to_the_practices_ticked(demo_core, qtbot):
    window = admin_window(demo_core, qtbot)
    session = window.session
    services = demo_core.services
    practices = practices_by_ods(demo_core, session.user.id)
    users = window.open_users()
    settle(qtbot, session)
    add = users.add_user()
    assert add.practices is not None and len(add.practices.boxes) == 3
    for key, text in (("username", "nurse.okoro"), ("display_name", "Ada Okoro"),
                      ("password", PASSWORD), ("again", PASSWORD)):
        add.inputs[key].setText(text)
    add.practices.check(practices["Y99901"].id, practices["Y99903"].id)
    add.submit()
    settle(qtbot, session)
    assert closed(add)
    user = services.users.by_username("nurse.okoro")
    assert services.users.practices_of(user.id) == {practices["Y99901"].id,
                                                    practices["Y99903"].id}
    assert [p.ods_code for p in services.practice.visible(user.id)] == ["Y99901", "Y99903"]


# -- Worklist and caseload --------------------------------------------------------------


def listed(window) -> list:
    model = window.worklist.model
    return [model.data(model.index(row, 0), ROW_ROLE) for row in range(model.rowCount())]


def test_a_practices_own_desk_sees_its_referrals_and_no_practice_choice(network, qtbot):
    window = make_window(network, qtbot, "reception.holbeck", "receptionist")
    session = window.session
    settle(qtbot, session)
    holbeck = practices_by_ods(network, session.user.id)
    assert list(holbeck) == ["Y99902"]
    assert window.worklist.filters.practice.isHidden()
    expected = network.services.worklist.page(session.user.id, WorklistQuery(page_size=500))
    assert 0 < window.worklist.model.total == expected.total
    admin = network.services.users.by_username("admin")
    everyone = network.services.worklist.page(admin.id, WorklistQuery(page_size=1))
    assert expected.total < everyone.total
    rows = [row for row in listed(window) if row is not None]
    assert rows and {row.practice_id for row in rows} == {holbeck["Y99902"].id}


def test_the_practice_choice_narrows_the_worklist_to_that_practice(network, qtbot):
    window = admin_window(network, qtbot)
    session = window.session
    settle(qtbot, session)
    combo = window.worklist.filters.practice
    assert combo.isVisible() and combo.count() == 4
    assert combo.currentText() == "All my practices"
    all_total = window.worklist.model.total
    holbeck = practices_by_ods(network, session.user.id)["Y99902"]
    choose(combo, holbeck.id)
    settle(qtbot, session)
    expected = network.services.worklist.page(session.user.id, WorklistQuery(
        WorklistFilter(practice_ids=frozenset({holbeck.id})), page_size=500))
    assert 0 < window.worklist.model.total == expected.total < all_total
    rows = [row for row in listed(window) if row is not None]
    assert [row.id for row in rows] == [row.id for row in expected.rows][:len(rows)]
    assert {row.practice_id for row in rows} == {holbeck.id}

    window.detail.show_referral(rows[0].id)  # the referral says which practice it is of
    settle(qtbot, session)
    assert "at Holbeck Moor Practice (demo)" in window.detail.status_line.text()

    combo.setCurrentIndex(0)
    settle(qtbot, session)
    assert window.worklist.model.total == all_total


def test_the_caseload_practice_choice_narrows_the_cases(demo_core, qtbot):
    from practice_rx.services.caseload import CaseloadFilter, CaseloadQuery
    from practice_rx.ui.caseload.view import CaseloadView

    window = admin_window(demo_core, qtbot)
    session = window.session
    view = CaseloadView(session)
    qtbot.addWidget(view)
    view.show()
    settle(qtbot, session)
    assert view.practice.isVisible() and view.practice.count() == 4
    holbeck = practices_by_ods(demo_core, session.user.id)["Y99902"]
    choose(view.practice, holbeck.id)
    settle(qtbot, session)
    expected = demo_core.services.caseload.page(session.user.id, CaseloadQuery(
        CaseloadFilter(practice_ids=frozenset({holbeck.id}))))
    every = demo_core.services.caseload.page(session.user.id, CaseloadQuery())
    assert view.model.page.total == expected.total < every.total


# -- Adding a patient -------------------------------------------------------------------


def patient_form(core, qtbot, username: str, role: str) -> PatientForm:
    window = make_window(core, qtbot, username, role)
    form = PatientForm(window.session)
    qtbot.addWidget(form)
    form.show()
    settle(qtbot, window.session)
    return form


def fill_patient(form: PatientForm, number: str) -> None:
    for key, text in (("nhs_number", number), ("given_name", "Adaeze"),
                      ("family_name", "Okoro"), ("date_of_birth", "14/03/1979"),
                      ("phone", "07700 900303")):
        form.inputs[key].setText(text)


def test_a_network_admin_says_where_a_new_patient_is_registered(network, qtbot):
    form = patient_form(network, qtbot, "admin", "admin")
    session, services = form.session, network.services
    combo = form.inputs["practice_id"]
    assert combo.isVisible() and combo.chosen_id() is None
    number = synthetic_nhs_number(11)
    fill_patient(form, number)
    saved = []
    form.saved.connect(saved.append)
    form.save()
    settle(qtbot, session)
    assert saved == []
    assert form.messages["practice_id"].message.startswith("Practice:")
    assert services.patients.find(session.user.id, number) == []

    cottingley = practices_by_ods(network, session.user.id)["Y99903"]
    choose(combo, cottingley.id)
    form.save()
    settle(qtbot, session)
    assert len(saved) == 1
    found = services.patients.find(session.user.id, number)
    assert [p.practice_id for p in found] == [cottingley.id]


def test_a_practices_own_gp_registers_a_patient_there_without_being_asked(demo_core, qtbot):
    form = patient_form(demo_core, qtbot, "dr.shah", "clinician")
    session = form.session
    assert form.inputs["practice_id"].isHidden()
    number = synthetic_nhs_number(12)
    fill_patient(form, number)
    form.save()
    settle(qtbot, session)
    holbeck = practices_by_ods(demo_core, session.user.id)["Y99902"]
    found = demo_core.services.patients.find(session.user.id, number)
    assert [p.practice_id for p in found] == [holbeck.id]
