"""Finding the patient (NHS number, or name and date of birth), or adding a new one.

Searching runs off the GUI thread as the user types. Each match shows the whole
patient banner, so two "WILSON, Muhammad" can be told apart, and the banner of
the highlighted one sits under the list. Enter always chooses the highlighted
patient; pressed before the results are in, it searches there and then and
chooses the first match, so the keys typed after it reach the form and not the
search box. A new patient's details go to the patient service as typed; its
per-field messages come back beside each field, and nothing typed is cleared.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from practice_rx.domain.identifiers import format_nhs_number, parse_date
from practice_rx.errors import ValidationError
from practice_rx.services.patients import CONTACT_METHODS, SEXES, PatientDetails
from practice_rx.storage.models import Patient
from practice_rx.ui import messages
from practice_rx.ui.patient_banner import PatientBanner, banner_text
from practice_rx.ui.practices.practice_chooser import PracticeCombo, read_visible
from practice_rx.ui.session import Session
from practice_rx.ui.widgets import FieldMessage, SearchBox, down_into, heading, hint, labelled

PATIENT_ROLE = Qt.ItemDataRole.UserRole + 1


def clinic_today(session: Session) -> Callable[[], date]:
    """Today by the services' clock (ages in banners follow it, in tests too)."""
    return lambda: session.services.clock().date()


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
        self.banner = PatientBanner(clinic_today(session))
        self.banner.setObjectName("highlighted_patient")
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
        layout.addWidget(self.banner)
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
        self.results.currentItemChanged.connect(
            lambda item, _previous: self.banner.set_patient(
                item.data(PATIENT_ROLE) if item is not None else None))
        self.add_button.clicked.connect(self.add_requested)
        self._generation = 0
        self.searching = False

    def _query(self) -> tuple[str, date | None] | None:
        """What to search for, or None (and why, on screen) when there is nothing to search."""
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
                return None
        if len(text.replace(" ", "")) < 2 and born is None:
            self.results.clear()
            self.found.setText("Type an NHS number, or a name and date of birth.")
            return None
        return text, born

    @property
    def pending(self) -> bool:
        """Typed but not yet searched, or a search still running."""
        return self._typing.isActive() or self.searching

    def find(self) -> None:
        query = self._query()
        if query is None:
            return
        text, born = query
        self._generation += 1
        generation = self._generation
        self.searching = True

        def done(patients: list[Patient]) -> None:
            if generation != self._generation:
                return
            self.searching = False
            self._show(patients)

        def failed(error: Exception) -> None:
            if generation != self._generation:
                return
            self.searching = False
            self.found.setText(messages.describe(error)[1])

        self.session.operations.run(
            self.session.services.patients.find, self.session.user.id, text, born,
            done=done, failed=failed, owner=self, message="Finding patients…")

    def find_now(self) -> bool:
        """Search on the GUI thread and show the results; False if nothing could be searched.

        Only for Enter pressed before the results are in: the key events queued
        behind it wait until the patient is chosen (one indexed query, at most 50 rows).
        """
        query = self._query()
        if query is None:
            return False
        self._generation += 1  # a search still running is now out of date
        self.searching = False
        try:
            patients = self.session.services.patients.find(self.session.user.id, *query)
        except Exception as error:  # shown, as a search run off the GUI thread would be
            self.found.setText(messages.describe(error)[1])
            return False
        self._show(patients)
        return True

    def _show(self, patients: list[Patient]) -> None:
        self.results.clear()
        today = self.session.services.clock().date()
        for patient in patients:
            text = banner_text(patient, today)
            item = QListWidgetItem(text)
            item.setData(PATIENT_ROLE, patient)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, text)
            self.results.addItem(item)
        if patients:
            self.results.setCurrentRow(0)
        count = len(patients)
        self.found.setText(
            "No patient matches. Check the details, or add a new patient." if not count else
            f"{count} patient{'s' if count != 1 else ''} found"
            + (" (the first 50; type more to narrow it)" if count >= 50 else "")
            + ". Enter chooses the highlighted one.")

    def show_only(self, patient: Patient) -> None:
        """Back on this step with a patient chosen: list that patient alone, highlighted,
        so the list never highlights one patient while the banner above names another."""
        self._typing.stop()
        self._generation += 1  # any search still running is out of date
        self.searching = False
        for box, text in ((self.search, format_nhs_number(patient.nhs_number)),
                          (self.date_of_birth, "")):
            box.blockSignals(True)  # no search for what is already shown
            box.setText(text)
            box.blockSignals(False)
        self._show([patient])

    def _into_results(self) -> None:
        """Down from a search box: searches first if results are due, then the next match."""
        if self.pending:
            self.find_now()
        down_into(self.results)

    def enter(self) -> bool:
        """Enter chooses the highlighted patient, however many matched; before the results
        are in, it searches now and chooses the first match. True if one was chosen."""
        if self.pending and not self.find_now():
            return False
        return self.choose_current()

    def choose_current(self) -> bool:
        item = self.results.currentItem()
        if item is None:
            return False
        self.chosen.emit(item.data(PATIENT_ROLE))
        return True


class ReservedMessage(FieldMessage):
    """A field's message whose line, once shown, stays until the next save.

    Clearing it as the user corrects the field blanks the text but keeps the
    space, so the rows below do not jump under the mouse (a click meant for the
    phone box once landed in the NHS number box).
    """

    def blank(self) -> None:
        """The field was changed: the message goes, its line stays."""
        if not self.isHidden():
            self.setText(" ")
            self.setAccessibleDescription("")

    @property
    def message(self) -> str:
        return super().message.strip()


class PatientForm(QWidget):
    """A new patient's details, with each field's message above it, in a scroll area
    whose Save and Back buttons stay in view below it."""

    saved = Signal(object)
    cancelled = Signal()

    FIELDS = (
        # shown only in a network, where the user sees several practices
        ("practice_id", "Registered &with practice", "Where the person is registered"),
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
        self.messages: dict[str, ReservedMessage] = {}
        self.labels: dict[str, QLabel] = {}
        fields = QWidget()
        fields.setObjectName("patient_fields")
        # label above message above field, each full width: a form layout cut two-line
        # labels to one line and padded wrapped messages
        column = QVBoxLayout(fields)
        column.setSpacing(2)
        for key, label, description in self.FIELDS:
            widget = self._input(key)
            widget.setObjectName(f"patient_{key}")
            self.inputs[key] = widget
            message = ReservedMessage(label.replace("&", ""))
            message.setObjectName(f"patient_message_{key}")
            self.messages[key] = message
            if description and key not in ("nhs_number",):
                widget.setToolTip(description)
            caption = labelled(f"{label}:", widget, description=description)
            caption.setObjectName(f"patient_label_{key}")
            self.labels[key] = caption
            column.addWidget(caption)
            column.addWidget(message)
            column.addWidget(widget)
            column.addSpacing(6)
        column.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("patient_form_scroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setWidget(fields)
        self.save_button = QPushButton("&Save patient")
        self.save_button.setObjectName("save_patient")
        self.back_button = QPushButton("Back to s&earch")
        self.back_button.setObjectName("back_to_search")
        self.problem = FieldMessage("New patient")
        self.problem.setObjectName("patient_problem")
        self.problem.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading("Add a new patient", 3))
        layout.addWidget(hint("Synthetic test patients use NHS numbers starting 999."))
        layout.addWidget(self.scroll, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.problem, 1)
        buttons.addStretch(1)  # when there is no problem to show
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        self.save_button.clicked.connect(self.save)
        self.back_button.clicked.connect(self.cancelled)
        for key, widget in self.inputs.items():
            blank = self.messages[key].blank
            if isinstance(widget, QLineEdit):
                widget.textEdited.connect(lambda _t, blank=blank: blank())
            elif isinstance(widget, QPlainTextEdit):
                widget.textChanged.connect(blank)
            elif isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(lambda _i, blank=blank: blank())
            elif isinstance(widget, QCheckBox):
                widget.toggled.connect(lambda _c, blank=blank: blank())
        self._show_practice(False)
        read_visible(session, self, self._set_practices)

    def _show_practice(self, shown: bool) -> None:
        for part in (self.labels["practice_id"], self.inputs["practice_id"]):
            part.setVisible(shown)
        if not shown:
            self.messages["practice_id"].set_message(None)

    def _set_practices(self, practices) -> None:
        """Several practices: the user chooses; one: it is chosen (and not asked about)."""
        combo = self.inputs["practice_id"]
        combo.set_practices(practices)
        if len(practices) == 1:
            combo.choose(practices[0].id)
        self._show_practice(len(practices) > 1)

    def _input(self, key: str) -> QWidget:
        if key == "practice_id":
            return PracticeCombo("Choose the practice…")
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
            shown = [key for key, widget in self.inputs.items() if not widget.isHidden()]
            for key in shown:
                text = error.errors.get(key)
                self.messages[key].set_message(text)
                if text and first is None:
                    first = key
            unknown = [text for key, text in error.errors.items() if key not in shown]
            if unknown:
                self.problem.set_message("; ".join(unknown))
            if first:
                self.inputs[first].setFocus()
                self.scroll.ensureWidgetVisible(self.inputs[first])
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

    def add_patient_numbered(self, nhs_number: str) -> None:
        """Add a patient whose NHS number is known already (sent from the clinical record):
        the number is filled in, and the typing starts at the given name."""
        self.search.search.blockSignals(True)  # no search for a number known to match nobody
        self.search.search.setText(nhs_number)
        self.search.search.blockSignals(False)
        self.add_patient()
        self.form.inputs["given_name"].setFocus()

    def back_to_search(self) -> None:
        self.setCurrentWidget(self.search)
        self.search.search.setFocus()

    def focus(self) -> None:
        if self.currentWidget() is self.search:
            self.search.search.setFocus()
        else:
            self.form.inputs["nhs_number"].setFocus()
