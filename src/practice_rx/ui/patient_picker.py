"""Finding the patient (NHS number, or name and date of birth), or adding a new one.

Searching runs off the GUI thread as the user types. A new patient's details
go to the patient service as typed; its per-field messages come back beside
each field, and nothing typed is cleared.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from practice_rx.domain.identifiers import parse_date
from practice_rx.errors import ValidationError
from practice_rx.services.patients import CONTACT_METHODS, SEXES, PatientDetails
from practice_rx.storage.models import Patient
from practice_rx.ui import messages
from practice_rx.ui.formatting import patient_line
from practice_rx.ui.session import Session
from practice_rx.ui.widgets import FieldMessage, SearchBox, heading, hint, labelled

PATIENT_ROLE = Qt.ItemDataRole.UserRole + 1



class PatientSearch(QWidget):
    """Search box, date of birth and the matching patients."""

    chosen = Signal(object)
    add_requested = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.search = SearchBox()
        self.search.setObjectName("patient_search")
        self.search.setPlaceholderText("For example 943 476 5919, or smith joan")
        self.search.setClearButtonEnabled(True)
        self.date_of_birth = SearchBox()
        self.date_of_birth.setObjectName("patient_dob")
        self.date_of_birth.setPlaceholderText("dd/mm/yyyy")
        self.date_of_birth.setMaximumWidth(160)
        self.date_message = FieldMessage("Date of birth")
        self.results = QListWidget()
        self.results.setObjectName("patient_results")
        self.found = hint("Type an NHS number, or a name and date of birth.")
        self.found.setAccessibleName("Search result")
        self.add_button = QPushButton("&Add a new patient…")
        self.add_button.setAccessibleName("Add a new patient")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        form.addRow(labelled("NHS number or na&me:", self.search,
                             name="NHS number or name",
                             description="Type the NHS number, or the start of the "
                             "patient's names; Down arrow moves to the results"), self.search)
        form.addRow(labelled("Date of birth (o&ptional):", self.date_of_birth,
                             name="Date of birth", description="dd/mm/yyyy; narrows a name "
                             "search"), self.date_of_birth)
        layout.addLayout(form)
        layout.addWidget(self.date_message)
        layout.addWidget(labelled("Matc&hing patients:", self.results, name="Matching patients",
                                  description="Enter chooses the patient"))
        layout.addWidget(self.results, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.found, 1)
        bottom.addWidget(self.add_button)
        layout.addLayout(bottom)

        self._typing = QTimer(self, singleShot=True, interval=250)
        self._typing.timeout.connect(self.find)
        self.search.textChanged.connect(self._typing.start)
        self.date_of_birth.textChanged.connect(self._typing.start)
        self.search.down.connect(self._into_results)
        self.date_of_birth.down.connect(self._into_results)
        self.results.itemDoubleClicked.connect(lambda item: self.chosen.emit(
            item.data(PATIENT_ROLE)))
        self.add_button.clicked.connect(self.add_requested)
        self._generation = 0
        self.searching = False

    def find(self) -> None:
        self._typing.stop()
        text = self.search.text().strip()
        dob_text = self.date_of_birth.text().strip()
        born = None
        self.date_message.set_message(None)
        if dob_text:
            try:
                born = parse_date(dob_text, "date_of_birth", "Date of birth")
            except ValidationError as error:
                self.date_message.set_message(error.errors["date_of_birth"])
                return
        if len(text.replace(" ", "")) < 2 and born is None:
            self.results.clear()
            self.found.setText("Type an NHS number, or a name and date of birth.")
            return
        self._generation += 1
        generation = self._generation
        self.searching = True

        def done(patients: list[Patient]) -> None:
            if generation != self._generation:
                return
            self.searching = False
            self._show(patients)

        def failed(error: Exception) -> None:
            self.searching = False
            self.found.setText(messages.describe(error)[1])

        self.session.operations.run(
            self.session.services.patients.find, self.session.user.id, text, born,
            done=done, failed=failed, owner=self, message="Finding patients…")

    def _show(self, patients: list[Patient]) -> None:
        self.results.clear()
        for patient in patients:
            item = QListWidgetItem(patient_line(patient))
            item.setData(PATIENT_ROLE, patient)
            self.results.addItem(item)
        if patients:
            self.results.setCurrentRow(0)
        count = len(patients)
        self.found.setText(
            "No patient matches. Check the details, or add a new patient." if not count else
            f"{count} patient{'s' if count != 1 else ''} found"
            + (" (the first 50; type more to narrow it)" if count >= 50 else "")
            + ". Enter chooses the highlighted one.")

    def _into_results(self) -> None:
        if self.results.count():
            self.results.setFocus()
            if self.results.currentRow() < 0:
                self.results.setCurrentRow(0)

    def enter(self) -> None:
        """Enter: search now if still typing; else choose the only or highlighted patient."""
        if self._typing.isActive():
            self.find()  # the result arrives later; Enter again chooses
            return
        if self.results.hasFocus() or self.results.count() == 1:
            self.choose_current()
        else:
            self._into_results()

    def choose_current(self) -> bool:
        item = self.results.currentItem()
        if item is None:
            return False
        self.chosen.emit(item.data(PATIENT_ROLE))
        return True


class PatientForm(QWidget):
    """A new patient's details, with each field's message beside it."""

    saved = Signal(object)
    cancelled = Signal()

    FIELDS = (
        ("nhs_number", "NHS n&umber", "10 digits, for example 943 476 5919"),
        ("given_name", "&Given name", ""),
        ("family_name", "&Family name", ""),
        ("date_of_birth", "Date of bi&rth", "dd/mm/yyyy"),
        ("sex", "Se&x", ""),
        ("address", "&Address (optional)", ""),
        ("postcode", "&Postcode (optional)", "For example LS11 5AB"),
        ("phone", "P&hone", "Needed for contact by phone or text"),
        ("email", "E&mail (optional)", ""),
        ("preferred_contact", "Preferred &contact method", ""),
        ("contact_times", "Best &times to contact (optional)", ""),
        ("first_language", "First &language", ""),
        ("interpreter_needed", "&Interpreter needed", ""),
        ("accessibility_needs", "Accessibility or communication needs (optional)", ""),
        ("carer_details", "Carer's details (optional)", ""),
    )

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.inputs: dict[str, QWidget] = {}
        self.messages: dict[str, FieldMessage] = {}
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for key, label, description in self.FIELDS:
            widget = self._input(key)
            widget.setObjectName(f"patient_{key}")
            self.inputs[key] = widget
            message = FieldMessage(label.replace("&", ""))
            message.setObjectName(f"patient_message_{key}")
            self.messages[key] = message
            cell = QVBoxLayout()
            cell.setSpacing(1)
            cell.addWidget(message)
            cell.addWidget(widget)
            if description and key not in ("nhs_number",):
                widget.setToolTip(description)
            form.addRow(labelled(f"{label}:", widget, description=description), cell)
        self.save_button = QPushButton("&Save patient")
        self.save_button.setObjectName("save_patient")
        self.back_button = QPushButton("Back to s&earch")
        self.problem = FieldMessage("New patient")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading("Add a new patient", 3))
        layout.addWidget(hint("Synthetic test patients use NHS numbers starting 999."))
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.problem)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        self.save_button.clicked.connect(self.save)
        self.back_button.clicked.connect(self.cancelled)
        for key, widget in self.inputs.items():
            if isinstance(widget, QLineEdit):
                widget.textEdited.connect(lambda _t, key=key: self.messages[key].set_message(None))

    def _input(self, key: str) -> QWidget:
        if key == "sex":
            combo = QComboBox()
            for code in SEXES:
                combo.addItem(code.title() if code != "unknown" else "Not known", code)
            combo.setCurrentIndex(SEXES.index("unknown"))
            return combo
        if key == "preferred_contact":
            combo = QComboBox()
            for code in CONTACT_METHODS:
                combo.addItem(code.title(), code)
            return combo
        if key == "interpreter_needed":
            return QCheckBox("Yes, an interpreter is needed")
        if key in ("address", "accessibility_needs", "carer_details"):
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            edit.setMaximumHeight(60)
            return edit
        edit = QLineEdit()
        if key == "first_language":
            edit.setText("English")
        if key == "date_of_birth":
            edit.setPlaceholderText("dd/mm/yyyy")
        return edit

    def start(self, search_text: str = "", date_of_birth: str = "") -> None:
        """Begin with what was searched for: an NHS number, or names, and a date of birth."""
        compact = search_text.replace(" ", "")
        if compact.isdigit():
            self.inputs["nhs_number"].setText(search_text)
        elif search_text.strip():
            words = search_text.split()
            self.inputs["given_name"].setText(words[0].title() if len(words) > 1 else "")
            self.inputs["family_name"].setText(words[-1].title())
        if date_of_birth:
            self.inputs["date_of_birth"].setText(date_of_birth)
        for key in self.inputs:
            self.messages[key].set_message(None)
        self.problem.set_message(None)
        self.inputs["nhs_number"].setFocus()

    def details(self) -> PatientDetails:
        values: dict[str, object] = {}
        for key, widget in self.inputs.items():
            if isinstance(widget, QComboBox):
                values[key] = widget.currentData()
            elif isinstance(widget, QCheckBox):
                values[key] = widget.isChecked()
            elif isinstance(widget, QPlainTextEdit):
                values[key] = widget.toPlainText()
            else:
                values[key] = widget.text()
        return PatientDetails(**values)

    def save(self) -> None:
        self.save_button.setEnabled(False)
        self.problem.set_message(None)
        self.session.operations.run(
            self.session.services.patients.create, self.session.user.id, self.details(),
            done=self._saved, failed=self._refused, owner=self, message="Adding the patient…")

    def _saved(self, patient: Patient) -> None:
        self.save_button.setEnabled(True)
        self.saved.emit(patient)

    def _refused(self, error: Exception) -> None:
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationError):
            first = None
            for key in self.inputs:
                text = error.errors.get(key)
                self.messages[key].set_message(text)
                if text and first is None:
                    first = key
            unknown = [text for key, text in error.errors.items() if key not in self.inputs]
            if unknown:
                self.problem.set_message("; ".join(unknown))
            if first:
                self.inputs[first].setFocus()
        else:
            self.problem.set_message(messages.describe(error)[1])


class PatientPicker(QStackedWidget):
    """Search, or add; says which patient was chosen."""

    chosen = Signal(object)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = PatientSearch(session)
        self.form = PatientForm(session)
        self.addWidget(self.search)
        self.addWidget(self.form)
        self.search.chosen.connect(self.chosen)
        self.search.add_requested.connect(self.add_patient)
        self.form.cancelled.connect(self.back_to_search)
        self.form.saved.connect(self.chosen)

    def add_patient(self) -> None:
        self.setCurrentWidget(self.form)
        self.form.start(self.search.search.text(), self.search.date_of_birth.text())

    def back_to_search(self) -> None:
        self.setCurrentWidget(self.search)
        self.search.search.setFocus()

    def focus(self) -> None:
        if self.currentWidget() is self.search:
            self.search.search.setFocus()
        else:
            self.form.inputs["nhs_number"].setFocus()
