"""The caseload screen: whose cases, filters, the sortable paged table, and what to do next.

Usable by keyboard: each filter has a mnemonic, Enter on a row records a contact
(for a link worker) and the page buttons move through long caseloads. Reading is
off the GUI thread; a failed read shows its message above the table.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from practice_rx.domain.permissions import Action, Role
from practice_rx.domain.statuses import Status
from practice_rx.services.caseload import CaseloadFilter
from practice_rx.ui.caseload.model import DEFAULT_SORT_COLUMN, ROW_ID_ROLE, CaseloadModel
from practice_rx.ui.formatting import status_label
from practice_rx.ui.practices.practice_chooser import PracticeCombo, read_visible
from practice_rx.ui.session import Session
from practice_rx.ui.widgets import FieldMessage, heading, hint, labelled, row_table
from practice_rx.ui.worklist_view import WorklistTable

ALL = -1
COLUMN_WIDTHS = (56, 160, 100, 92, 48, 72, 132, 205, 205, 150, 120)


class CaseloadView(QWidget):
    """A link worker's caseload (their own), or any link worker's for reception and admins.

    Entry point: ``CaseloadView(session)``. It opens the record-contact and allocate
    dialogs itself; the main window may also listen to :attr:`opened` (Enter or a
    double click where the user cannot record contacts) to show the referral.
    """

    #: the user asked to open a referral (its id)
    opened = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseload")
        self.session = session
        services = session.services
        self.model = CaseloadModel(
            lambda query: services.caseload.page(session.user.id, query),
            lambda: services.clock().date(), runner=self._run, parent=self)

        self.worker = QComboBox()
        self.worker.setObjectName("caseload_worker")
        self.status = QComboBox()
        self.status.setObjectName("caseload_status")
        self.status.addItem("All open cases", "")
        for status in (Status.ACCEPTED, Status.CONTACTED, Status.IN_PROGRESS):
            self.status.addItem(status_label(status), status.value)
        self.practice = PracticeCombo("All my practices")
        self.practice.setObjectName("caseload_practice")
        self.due_only = QCheckBox("Only what is &due or overdue")
        self.due_only.setObjectName("caseload_due_only")
        self.search = QLineEdit()
        self.search.setObjectName("caseload_search")
        self.search.setPlaceholderText("Name, NHS number or referral number")
        self.search.setClearButtonEnabled(True)

        self.table = row_table(WorklistTable())  # a case is a referral: Enter acts on it
        self.table.setObjectName("caseload_table")
        self.table.setAccessibleName("Caseload")
        self.table.setModel(self.model)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._current_moved())
        self.table.setSortingEnabled(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate(COLUMN_WIDTHS):
            self.table.setColumnWidth(column, width)
        header.setSortIndicator(DEFAULT_SORT_COLUMN, Qt.SortOrder.AscendingOrder)

        self.message = FieldMessage("Caseload")
        self.message.setObjectName("caseload_message")
        self.summary = hint("")
        self.summary.setObjectName("caseload_summary")
        self.previous_page = QPushButton("&Previous page")
        self.next_page = QPushButton("Ne&xt page")
        self.record_button = QPushButton("Record &contact…")
        self.record_button.setObjectName("caseload_record_contact")
        self.allocate_button = QPushButton("&Allocate…")
        self.allocate_button.setObjectName("caseload_allocate")
        self.record_button.setVisible(session.can(Action.RECORD_CASEWORK))
        self.allocate_button.setVisible(session.can(Action.ALLOCATE_REFERRALS))

        filters = QHBoxLayout()
        for text, widget, name in (("&Link worker:", self.worker, "Link worker"),
                                   ("S&tatus:", self.status, "Status"),
                                   ("Pract&ice:", self.practice, "Practice"),
                                   ("&Find:", self.search, "Find a person")):
            label = labelled(text, widget, name=name)
            filters.addWidget(label)
            filters.addWidget(widget, 2 if widget is self.search else 0)
            if widget is self.practice:  # shown in a network, once the practices are read
                self.practice_label = label
                label.hide()
                widget.hide()
        filters.addWidget(self.due_only)
        actions = QHBoxLayout()
        actions.addWidget(self.summary, 1)
        for button in (self.previous_page, self.next_page, self.record_button,
                       self.allocate_button):
            actions.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Caseload", 2))
        layout.addLayout(filters)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)

        self.worker.currentIndexChanged.connect(lambda _: self._filter_changed())
        self.status.currentIndexChanged.connect(lambda _: self._filter_changed())
        self.due_only.toggled.connect(lambda _: self._filter_changed())
        self.practice.currentIndexChanged.connect(lambda _: self._filter_changed())
        self.search.textChanged.connect(lambda _: self._filter_changed())
        self.previous_page.clicked.connect(lambda: self.model.go_to_page(
            self.model.query.page - 1))
        self.next_page.clicked.connect(lambda: self.model.go_to_page(self.model.query.page + 1))
        self.record_button.clicked.connect(self.record_contact)
        self.allocate_button.clicked.connect(self.allocate)
        self.table.activated_row.connect(self._activated)
        self.table.doubleClicked.connect(lambda index: self._activated(index.row()))
        self.model.modelAboutToBeReset.connect(self._remember_current)
        self.model.loaded.connect(self._loaded)
        self.model.failed.connect(self.message.set_message)
        session.referral_changed.connect(lambda _id: self.model.refresh())
        #: the case highlighted before a refresh (its id), kept by id, never by row number
        self._kept_id: int | None = None
        self._first_load = True
        self._fill_workers()
        read_visible(session, self, self._set_practices)

    # -- reading ---------------------------------------------------------------------

    def _run(self, function, done, failed) -> None:
        self.session.operations.run(function, done=done, failed=failed, owner=self,
                                    message="Reading the caseload…")

    def _fill_workers(self) -> None:
        user = self.session.user
        if user.role == Role.LINK_WORKER:
            self.worker.addItem(f"{user.display_name} (you)", user.id)
            self.worker.setEnabled(False)
            self.worker.setToolTip("A link worker sees their own caseload")
            self._filter_changed()
            return

        def done(workers) -> None:
            self.worker.blockSignals(True)
            self.worker.addItem("All link workers", ALL)
            for worker in workers:
                self.worker.addItem(worker.name, worker.id)
            self.worker.blockSignals(False)
            self._filter_changed()

        self.session.operations.run(self.session.services.allocation.link_workers, user.id,
                                    done=done, failed=self._show_error, owner=self,
                                    message="Reading the link workers…")

    def _set_practices(self, practices) -> None:
        """The practices the user sees; a choice among them only in a network."""
        self.practice.set_practices(practices)
        for part in (self.practice_label, self.practice):
            part.setVisible(len(practices) > 1)

    def _show_error(self, error: Exception) -> None:
        self.message.set_message(str(error))

    def current_filter(self) -> CaseloadFilter:
        worker = self.worker.currentData()
        status = self.status.currentData()
        practice = self.practice.chosen_id()
        return CaseloadFilter(link_worker_id=None if worker in (None, ALL) else int(worker),
                              statuses=frozenset({status}) if status else frozenset(),
                              due_only=self.due_only.isChecked(), text=self.search.text(),
                              practice_ids=frozenset() if practice is None
                              else frozenset({practice}))

    def _filter_changed(self) -> None:
        self.message.set_message(None)
        filter = self.current_filter()
        if filter != self.model.query.filter:
            self.model.set_filter(filter)
        else:
            self.model.refresh()

    def refresh(self) -> None:
        self.model.refresh()

    def _loaded(self) -> None:
        page = self.model.page
        people = f"{page.total} {'person' if page.total == 1 else 'people'}"
        self.summary.setText(f"{people} · page {page.page + 1} of {page.page_count}")
        self.previous_page.setEnabled(page.page > 0)
        self.next_page.setEnabled(page.page + 1 < page.page_count)
        # The same case stays highlighted when a refresh, filter or sort moves it; if it left
        # the list none is, so "Record contact" cannot land on the person who took its row.
        row = self.model.row_of(self._kept_id) if self._kept_id is not None else None
        if row is not None:
            self.table.setCurrentIndex(self.model.index(row, 0))
        elif self._first_load and page.rows:
            self.table.setCurrentIndex(self.model.index(0, 0))
        self._first_load = False
        self.record_button.setEnabled(self.current_referral_id() is not None)
        self.allocate_button.setEnabled(self.current_referral_id() is not None)

    def _remember_current(self) -> None:
        self._kept_id = self.current_referral_id()

    # -- acting on a case ------------------------------------------------------------

    def current_referral_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.data(index, ROW_ID_ROLE) if index.isValid() else None

    def _current_moved(self) -> None:
        chosen = self.current_referral_id() is not None
        self.record_button.setEnabled(chosen)
        self.allocate_button.setEnabled(chosen)

    def _activated(self, row: int) -> None:
        self.table.setCurrentIndex(self.model.index(row, 0))
        if self.session.can(Action.RECORD_CASEWORK):
            self.record_contact()
        elif (referral_id := self.current_referral_id()) is not None:
            self.opened.emit(referral_id)

    def record_contact(self) -> None:
        from practice_rx.ui.caseload.record_contact import RecordContactDialog

        referral_id = self.current_referral_id()
        if referral_id is not None:
            RecordContactDialog(self.session, referral_id, self).open()

    def allocate(self) -> None:
        from practice_rx.ui.caseload.allocate import AllocateDialog

        referral_id = self.current_referral_id()
        if referral_id is not None:
            AllocateDialog(self.session, referral_id, self).open()

