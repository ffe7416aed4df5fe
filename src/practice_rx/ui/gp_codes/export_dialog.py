"""Export codes for the GP record: a period, a practice, "only codes not exported yet" and a
file; the CSV the practice records in EMIS Web or SystmOne.

The same service call as ``practice-rx export codes`` (``services.gp_codes.export_file``),
run off the GUI thread; the file is written beside the one chosen and renamed into place
once the export is marked and audited, so a failed export leaves no half file. What was
left out is said in words: codes off the verified list, and (asked for new codes only)
codes an earlier file already had.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from practice_rx.domain.identifiers import format_date
from practice_rx.reports import ReportPeriod
from practice_rx.services.gp_codes import CodeRows
from practice_rx.ui import messages
from practice_rx.ui.practices.practice_chooser import PracticeCombo, read_visible
from practice_rx.ui.screen_fit import open_size
from practice_rx.ui.session import Session
from practice_rx.ui.widgets import FieldMessage, heading, hint, labelled


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _day(edit: QDateEdit) -> date:
    value = edit.date()
    return date(value.year(), value.month(), value.day())


def default_period(today: date) -> ReportPeriod:
    """From the first day of last month to today: a monthly export, with room to catch up."""
    last_month = today.replace(day=1) - timedelta(days=1)
    return ReportPeriod(last_month.replace(day=1), today)


def outcome_text(found: CodeRows, path: Path) -> str:
    """What the export did, in words: rows written, and each reason rows were left out."""
    text = f"{len(found.rows)} row{'s' if len(found.rows) != 1 else ''} written to {path}."
    left = []
    if found.already_exported:
        left.append(f"{found.already_exported} already exported in an earlier file")
    if found.refused:
        left.append(f"{found.refused} with a code that is not on the verified list "
                    "(never written)")
    text += f" Left out: {'; '.join(left)}." if left else " None left out."
    return text + " The export is on the audit trail."


def _export(session: Session, period: ReportPeriod, path: Path, practices: list[str],
            new_only: bool) -> CodeRows:
    """In a pool thread: the export, written whole (see the module's docstring)."""
    from practice_rx.period_export import write_whole

    codes = session.services.gp_codes
    return write_whole(path, lambda partial: codes.export_file(
        session.user.id, period, partial, practices=practices, new_only=new_only))


class GpCodesDialog(QDialog):
    """``GpCodesDialog(session)``: choose, export, read what was written and left out."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gp_codes")
        self.setWindowTitle("Export codes for the GP record")
        self.session = session
        period = default_period(session.services.clock().date())
        self.from_date = self._date_edit("gp_codes_from", period.from_date)
        self.to_date = self._date_edit("gp_codes_to", period.to_date)
        self.period_message = FieldMessage("Period")
        self.practice = PracticeCombo("All my practices")
        self.practice.setObjectName("gp_codes_practice")
        self.new_only = QCheckBox("&Only codes not exported yet")
        self.new_only.setObjectName("gp_codes_new_only")
        self.new_only.setChecked(True)
        self.new_only.setAccessibleDescription(
            "Leave out the coded events an earlier export already wrote to a file")
        self.path = QLineEdit()
        self.path.setObjectName("gp_codes_file")
        self.path.setPlaceholderText("Choose where to save the CSV")
        self.choose_button = QPushButton("C&hoose…")
        self.choose_button.setObjectName("gp_codes_choose")
        self.choose_button.setAccessibleName("Choose the file")
        self.file_message = FieldMessage("File")
        self.result = hint("")
        self.result.setObjectName("gp_codes_result")
        self.result.setAccessibleName("Export result")
        self.problem = FieldMessage("Export")

        form = QFormLayout()
        dates = QHBoxLayout()
        dates.addWidget(self.from_date)
        dates.addWidget(labelled("&to", self.to_date, name="To"))
        dates.addWidget(self.to_date)
        dates.addStretch(1)
        form.addRow(labelled("&From:", self.from_date, name="From",
                             description="The first day the events happened"), dates)
        form.addRow("", self.period_message)
        self.practice_label = labelled("&Practice:", self.practice, name="Practice")
        form.addRow(self.practice_label, self.practice)
        form.addRow("", self.new_only)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(self.choose_button)
        form.addRow(labelled("F&ile:", self.path, name="File",
                             description="The CSV to write"), file_row)
        form.addRow("", self.file_message)
        self._show_practice(False)

        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton(
            "&Export", QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.setObjectName("gp_codes_export")
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        self.export_button.clicked.connect(self.export)
        self.choose_button.clicked.connect(self.choose_file)

        layout = QVBoxLayout(self)
        layout.addWidget(heading("Export codes for the GP record"))
        layout.addWidget(hint(
            "A CSV line for each referral event with a SNOMED CT code (referred, declined) "
            "in the period: NHS number, code, term, date and referral, for the practice to "
            "record in the GP system. Only verified codes are ever written."))
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.result)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        open_size(self, 620, 360)
        read_visible(session, self, self._practices)

    @staticmethod
    def _date_edit(name: str, value: date) -> QDateEdit:
        edit = QDateEdit(_qdate(value))
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("d MMM yyyy")
        return edit

    def _show_practice(self, shown: bool) -> None:
        self.practice_label.setVisible(shown)
        self.practice.setVisible(shown)

    def _practices(self, practices) -> None:
        """A chooser only when the user sees several practices; else all theirs (one)."""
        self.practice.set_practices(practices)
        self._show_practice(len(practices) > 1)

    def period(self) -> ReportPeriod | None:
        try:
            return ReportPeriod(_day(self.from_date), _day(self.to_date))
        except ValueError:
            return None

    def choose_file(self) -> None:
        period = self.period()
        name = (f"gp-codes-{period.from_date}-to-{period.to_date}.csv" if period
                else "gp-codes.csv")
        start = self.path.text().strip() or str(Path.home() / name)
        path, _ = QFileDialog.getSaveFileName(self, "Save the codes for the GP record", start,
                                              "CSV files (*.csv)")
        if path:
            self.path.setText(path if path.lower().endswith(".csv") else f"{path}.csv")

    def export(self) -> None:
        """Check the choices, then export off the GUI thread."""
        for message in (self.period_message, self.file_message, self.problem):
            message.set_message(None)
        period = self.period()
        if period is None:
            self.period_message.set_message("the To date is before the From date: choose a "
                                            "To date on or after it")
            self.to_date.setFocus()
            return
        text = self.path.text().strip()
        if not text:
            self.file_message.set_message("choose where to save the CSV")
            self.choose_button.setFocus()
            return
        path = Path(text)
        if not path.parent.is_dir():
            self.file_message.set_message(f"the folder {path.parent} does not exist")
            self.path.setFocus()
            return
        chosen = self.practice.chosen_id()
        practices = [p.ods_code for p in self.practice.practices if p.id == chosen]
        self.export_button.setEnabled(False)
        self.result.setText(f"Exporting the codes of {format_date(period.from_date)} to "
                            f"{format_date(period.to_date)}…")
        self.session.operations.run(
            _export, self.session, period, path, practices, self.new_only.isChecked(),
            done=lambda found: self._exported(found, path), failed=self._failed, owner=self,
            message="Exporting codes for the GP record…")

    def _exported(self, found: CodeRows, path: Path) -> None:
        self.export_button.setEnabled(True)
        self.result.setText(outcome_text(found, path))

    def _failed(self, error: Exception) -> None:
        self.export_button.setEnabled(True)
        self.result.setText("")
        self.problem.set_message(f"Nothing was exported and no file was written: "
                                 f"{messages.describe(error)[1]}")
