"""Every version of the plan, newest first, read-only: what changed, who agreed it and when."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from practice_rx.domain.identifiers import format_date, format_moment
from practice_rx.forms import FormDefinition
from practice_rx.services.care_plans import PlanVersion
from practice_rx.ui import messages
from practice_rx.ui.screen_fit import open_size
from practice_rx.ui.session import Session
from practice_rx.ui.widgets import FieldMessage, heading, labelled

VERSION_ROLE = Qt.ItemDataRole.UserRole + 1


def version_line(version: PlanVersion) -> str:
    agreed = (f"agreed {format_date(version.agreed_on)}" if version.agreed
              else "saved, not agreed")
    return f"Version {version.number} · {agreed} · {format_moment(version.recorded_at)}"


def version_html(version: PlanVersion) -> str:
    """One version in full, as text a screen reader reads top to bottom."""
    content = version.content
    parts = [f"<h3>Version {version.number}</h3>",
             f"<p>Saved {escape(format_moment(version.recorded_at))} by "
             f"{escape(version.recorded_by)}.<br>"]
    parts.append(f"Agreed with {escape(version.agreed_with)} on "
                 f"{escape(format_date(version.agreed_on))}.</p>" if version.agreed
                 else "Not agreed with the person.</p>")
    parts.append(f"<h4>What matters to the person</h4><p>{_lines(content.what_matters)}</p>")
    if content.who_involved:
        parts.append(f"<h4>Who they want involved</h4><p>{_lines(content.who_involved)}</p>")
    parts.append("<h4>Outcomes agreed</h4>" + _list(content.outcomes, "No outcomes yet."))
    actions = [f"{escape(a.who)}: {escape(a.what)}"
               + (f" — by {escape(format_date(a.by_when))}" if a.by_when else "")
               + (" (done)" if a.done else " (not done yet)") for a in content.actions]
    parts.append("<h4>Actions</h4>" + _list(actions, "No actions yet.", escaped=True))
    review = format_date(content.review_on) if content.review_on else "not set"
    parts.append(f"<h4>Review</h4><p>{escape(review)}</p>")
    for key, answers in content.sections.items():
        section = version.section_definitions.get(key)
        if section is None:
            continue
        form = FormDefinition(id="plan_section", version=1, title=section.title,
                              sections=(section,))
        rows = [f"{escape(form.field(name).label)}: {escape(_answer(form, name, value))}"
                for name, value in answers.items() if any(f.key == name for f in form.fields())]
        parts.append(f"<h4>{escape(section.title)}</h4>" + _list(rows, "", escaped=True))
    return "".join(parts)


def _answer(form: FormDefinition, key: str, value: object) -> str:
    field = form.field(key)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(field.choice_label(v) for v in value)
    if field.choices:
        return field.choice_label(str(value))
    return str(value)


def _lines(text: str) -> str:
    return escape(text).replace("\n", "<br>")


def _list(items, empty: str, escaped: bool = False) -> str:
    if not items:
        return f"<p>{escape(empty)}</p>"
    return "<ul>" + "".join(f"<li>{item if escaped else escape(item)}</li>"
                            for item in items) + "</ul>"


class PlanHistory(QDialog):
    """``PlanHistory(session, referral_id)``: the versions of one case's plan, read-only."""

    def __init__(self, session: Session, referral_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("plan_history")
        self.setWindowTitle(f"Plan versions: referral {referral_id}")
        self.session = session
        self.versions = QListWidget()
        self.versions.setObjectName("plan_versions")
        self.details = QTextBrowser()
        self.details.setObjectName("plan_version_details")
        self.details.setAccessibleName("The version in full")
        self.message = FieldMessage("Plan versions")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        left = QVBoxLayout()
        left.addWidget(labelled("&Versions (newest first):", self.versions, name="Versions"))
        left.addWidget(self.versions)
        row = QHBoxLayout()
        row.addLayout(left, 2)
        row.addWidget(self.details, 5)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Care and support plan: every version", 3))
        layout.addLayout(row, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.versions.currentItemChanged.connect(self._show)
        open_size(self, 900, 620)
        session.operations.run(session.services.care_plans.versions, session.user.id,
                               referral_id, done=self._loaded, owner=self,
                               failed=lambda e: self.message.set_message(messages.describe(e)[1]),
                               message="Opening the plan's versions…")

    def _loaded(self, versions: list[PlanVersion]) -> None:
        self.versions.clear()
        for version in reversed(versions):
            item = QListWidgetItem(version_line(version))
            item.setData(VERSION_ROLE, version)
            self.versions.addItem(item)
        if versions:
            self.versions.setCurrentRow(0)
        else:
            self.details.setPlainText("No plan has been saved yet.")
        self.versions.setFocus()

    def _show(self, current: QListWidgetItem | None, _previous=None) -> None:
        self.details.setHtml(version_html(current.data(VERSION_ROLE)) if current else "")
