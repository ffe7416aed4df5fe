"""Every kind of question renders, follows its show-if rule, and shows messages inline."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QCheckBox, QRadioButton

from practice_rx.forms import FieldType, clean_answers
from practice_rx.ui.field_editors import (
    CodedReasonEditor,
    DateEditor,
    LongTextEditor,
    MultipleChoiceEditor,
    NumberEditor,
    SingleChoiceEditor,
    TextEditor,
    YesNoEditor,
)
from practice_rx.ui.form_renderer import FormRenderer

south_leeds = pytest.importorskip("practice_rx_south_leeds")

EXPECTED = {
    FieldType.TEXT: TextEditor, FieldType.LONG_TEXT: LongTextEditor,
    FieldType.NUMBER: NumberEditor, FieldType.DATE: DateEditor, FieldType.YES_NO: YesNoEditor,
    FieldType.SINGLE_CHOICE: SingleChoiceEditor,
    FieldType.MULTIPLE_CHOICE: MultipleChoiceEditor, FieldType.CODED_REASON: CodedReasonEditor,
}


@pytest.fixture
def renderer(qtbot):
    widget = FormRenderer(south_leeds.south_leeds_form())
    qtbot.addWidget(widget)
    widget.show()
    return widget


def leave(widget) -> None:
    """The user finishes with a field (focus moves on)."""
    widget.setFocus()
    widget.clearFocus()


def test_the_example_plugins_form_uses_every_field_type_and_each_renders(renderer):
    form = renderer.form
    assert {field.type for field in form.fields()} == set(FieldType)
    for field in form.fields():
        editor = renderer.editor(field.key)
        assert type(editor) is EXPECTED[field.type]
        assert editor.accessibleName() == field.label
        row = renderer.rows[field.key]
        assert row.label.buddy() is editor.focus_target()
        assert field.label in row.label.text()
        assert ("(optional)" in row.label.text()) == (not field.required)
    assert [box.accessibleName() for box in renderer.sections.values()] == [
        section.title for section in form.sections]


def test_typed_values_get_inline_messages_when_the_field_is_left(renderer, qtbot):
    debt = renderer.editor("monthly_debt_repayments")
    QTest.keyClicks(debt.edit, "lots")
    assert renderer.message("monthly_debt_repayments") == ""  # not while typing
    leave(debt.edit)
    renderer.refresh()
    assert renderer.message("monthly_debt_repayments") == (
        "Monthly debt repayments (£): enter a number from 0 to 100000")

    consent_date = renderer.editor("consent_date")
    QTest.keyClicks(consent_date.edit, "31/02/2026")
    leave(consent_date.edit)
    qtbot.waitUntil(lambda: renderer.message("consent_date") != "")
    assert "enter a real date" in renderer.message("consent_date")

    # fixing it clears the message as the user types
    debt.edit.clear()
    QTest.keyClicks(debt.edit, "120")
    qtbot.waitUntil(lambda: renderer.message("monthly_debt_repayments") == "")


def test_show_if_follows_the_answers_live(renderer):
    eviction = renderer.rows["eviction_date"]
    assert eviction.isHidden()
    renderer.editor("at_risk_of_eviction").yes.click()
    renderer.refresh()
    assert not eviction.isHidden()
    renderer.editor("at_risk_of_eviction").no.click()
    renderer.refresh()
    assert eviction.isHidden()
    risk = renderer.rows["risk_to_self_or_others_details"]
    QTest.keyClick(renderer.editor("risk_to_self_or_others").yes, Qt.Key.Key_Y)
    renderer.refresh()
    assert not risk.isHidden()


def test_coded_reason_asks_for_other_details(renderer):
    reasons = renderer.editor("reasons")
    assert reasons.other.isHidden()
    reasons.boxes["other"].click()
    assert not reasons.other.isHidden()
    QTest.keyClicks(reasons.other, "Recently bereaved pet owner")
    assert renderer.answers()["reasons"] == ["other"]
    assert renderer.answers()["reasons_other"] == "Recently bereaved pet owner"
    reasons.boxes["other"].click()
    assert "reasons_other" not in renderer.answers()


def test_services_messages_sit_beside_their_fields_until_changed(renderer):
    shown = renderer.show_errors({"tenure": "Housing: choose one",
                                  "reasons": "Reasons: choose Housing (South Leeds PCN)",
                                  "service_id": "Service: choose one"})
    assert shown == ["reasons", "tenure"]
    assert renderer.message("tenure") == "Housing: choose one"
    assert renderer.first_error() == "reasons"
    target = renderer.editor("reasons").focus_target()
    assert "Error: Reasons" in target.accessibleDescription()
    renderer.editor("tenure").set_value("council")
    renderer.editor("tenure").changed.emit()
    renderer.refresh()
    assert renderer.message("tenure") == ""
    assert renderer.message("reasons") != ""


def test_answers_round_trip_through_the_core(renderer):
    answers = {
        "referrer_name": "Dr Asha Patel", "referrer_role": "GP",
        "referrer_organisation": "Beeston Hill Surgery", "referrer_phone": "0113 496 0000",
        "consent_given": True, "consent_to_share": True, "consent_method": "phone",
        "consent_date": "2026-11-20", "reasons": ["housing", "other"],
        "reasons_other": "Noise from neighbours", "what_matters": "A quiet home",
        "tenure": "private", "at_risk_of_eviction": True, "eviction_date": "2026-12-31",
        "monthly_debt_repayments": 250, "benefits": ["universal_credit", "pip"],
        "risk_to_self_or_others": False, "safeguarding_concerns": False,
        "lone_working_risk": True, "lone_working_risk_details": "Large dog",
        "urgency": "soon",
    }
    form = renderer.form
    cleaned = clean_answers(form, answers, today=renderer_today())
    renderer.set_answers(cleaned)
    assert clean_answers(form, renderer.answers(), today=renderer_today()) == cleaned
    assert renderer.editor("consent_date").value() == "20/11/2026"
    assert isinstance(renderer.editor("consent_given").focus_target(), QRadioButton)
    assert isinstance(renderer.editor("benefits").focus_target(), QCheckBox)


def renderer_today():
    from datetime import date

    return date(2026, 11, 25)


def test_arrow_keys_choose_a_yes_no_answer_without_space(renderer):
    """Each arrow chooses (Qt alone only moves the focus while nothing is chosen)."""
    editor = renderer.editor("at_risk_of_eviction")
    editor.yes.setFocus()
    assert editor.value() is None
    QTest.keyClick(editor.yes, Qt.Key.Key_Right)
    assert editor.value() is False and editor.no.hasFocus()
    QTest.keyClick(editor.no, Qt.Key.Key_Right)  # stops at the end, never wraps to Yes
    assert editor.value() is False
    QTest.keyClick(editor.no, Qt.Key.Key_Left)
    assert editor.value() is True and editor.yes.hasFocus()
    QTest.keyClick(editor.yes, Qt.Key.Key_Down)
    assert editor.value() is False
    QTest.keyClick(editor.no, Qt.Key.Key_Up)
    assert editor.value() is True
    renderer.refresh()
    assert not renderer.rows["eviction_date"].isHidden()  # the answer drives show-if


def test_left_or_up_chooses_the_focused_answer_when_none_is_chosen(renderer):
    for key in (Qt.Key.Key_Left, Qt.Key.Key_Up):
        editor = renderer.editor("lone_working_risk")
        editor.set_value(None)
        editor.yes.setFocus()
        QTest.keyClick(editor.yes, key)
        assert editor.value() is True
