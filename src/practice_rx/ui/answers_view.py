"""A referral's answers, read-only, laid out by its form's sections.

The same rendering serves the referral view and the review step of a new
referral, so what the GP checks before sending is what everyone sees after.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from html import escape

from PySide6.QtWidgets import QTextBrowser, QWidget

from practice_rx.domain.identifiers import format_date
from practice_rx.forms import FieldType, FormDefinition, FormField, is_visible
from practice_rx.ui.widgets import HINT_COLOUR

NOT_ANSWERED = "Not answered"


def answer_text(field: FormField, answers: Mapping[str, object]) -> str:
    """One answer in words: labels for codes, ``24 Nov 2026`` for dates, Yes/No."""
    value = answers.get(field.key)
    if value is None or value == "" or value == []:
        return ""
    if field.type is FieldType.YES_NO:
        return "Yes" if value is True else "No" if value is False else str(value)
    if field.type is FieldType.DATE:
        try:
            return format_date(date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if field.type is FieldType.SINGLE_CHOICE:
        return field.choice_label(str(value))
    if field.type in (FieldType.MULTIPLE_CHOICE, FieldType.CODED_REASON):
        items = value if isinstance(value, (list, tuple)) else [value]
        labels = [field.choice_label(str(code)) for code in items]
        other = answers.get(field.other_text_key or "")
        if other:
            labels = [f"{label}: {other}" if code == "other" else label
                      for code, label in zip(items, labels)]
        return "; ".join(labels)
    return str(value)


def answers_html(form: FormDefinition, answers: Mapping[str, object]) -> str:
    """Each section as a heading and a two-column table of question and answer."""
    parts = []
    for section in form.sections:
        rows = []
        for field in section.fields:
            if not is_visible(field, answers):
                continue
            text = answer_text(field, answers)
            shown = (escape(text).replace("\n", "<br>") if text else
                     f"<i style='color:{HINT_COLOUR}'>{NOT_ANSWERED}</i>")
            rows.append(f"<tr><td width='40%' valign='top'><b>{escape(field.label)}</b></td>"
                        f"<td valign='top'>{shown}</td></tr>")
        parts.append(f"<h3>{escape(section.title)}</h3>"
                     f"<table cellpadding='3' width='100%'>{''.join(rows)}</table>")
    return "".join(parts)


class AnswersView(QTextBrowser):
    """The answers as a readable, selectable, scrollable page."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setAccessibleName("Form answers")

    def show_answers(self, form: FormDefinition | None, answers: Mapping[str, object]) -> None:
        if form is None:
            self.setPlainText("The form this referral was written on is not installed, so "
                              "its answers cannot be shown.")
            return
        self.setHtml(answers_html(form, answers))
