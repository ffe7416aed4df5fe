"""Choosing the service to refer to: search the catalogue by text and category.

The catalogue lists the link-worker service first (the usual choice), then
the rest by name. The search runs off the GUI thread as the user types; Enter
pressed before its results are in searches there and then and chooses the
first match, so the key is never lost.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from practice_rx.domain.categories import SERVICE_CATEGORIES
from practice_rx.services.catalogue import COSTS
from practice_rx.storage.models import Service
from practice_rx.ui import messages
from practice_rx.ui.formatting import category_label
from practice_rx.ui.session import Session
from practice_rx.ui.widgets import FieldMessage, SearchBox, down_into, hint, labelled

SERVICE_ROLE = Qt.ItemDataRole.UserRole + 1


def service_line(service: Service) -> str:
    tag = "Link workers · " if service.is_link_worker else ""
    return f"{service.name} — {tag}{category_label(service.category)}"


def service_details(service: Service) -> str:
    parts = [f"<b>{_escape(service.name)}</b>"]
    if service.provider:
        parts.append(f"Run by {_escape(service.provider)}")
    if service.description:
        parts.append(_escape(service.description))
    facts = []
    if service.eligibility:
        facts.append(f"For: {_escape(service.eligibility)}")
    if service.area:
        facts.append(f"Area: {_escape(service.area)}")
    if service.opening_times:
        facts.append(f"Open: {_escape(service.opening_times)}")
    if service.phone:
        facts.append(f"Phone: {_escape(service.phone)}")
    cost = COSTS.get(service.cost, service.cost)
    facts.append(f"Cost: {cost}")
    if service.response_days:
        facts.append(f"Replies within {service.response_days} working days")
    return "<br>".join(parts + [" · ".join(facts)])



class ServicePicker(QWidget):
    chosen = Signal(object)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.search = SearchBox()
        self.search.setObjectName("service_search")
        self.search.setPlaceholderText("For example walking, debt, carers")
        self.search.setClearButtonEnabled(True)
        self.category = QComboBox()
        self.category.setObjectName("service_category")
        self.category.addItem("All categories", None)
        for code, label in SERVICE_CATEGORIES.items():
            self.category.addItem(label, code)
        self.results = QListWidget()
        self.results.setObjectName("service_results")
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setAccessibleName("Service details")
        self.details.setMinimumHeight(self.fontMetrics().height() * 5)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.message = FieldMessage("Service")
        self.message.setObjectName("service_message")
        self.found = hint("")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        form.addRow(labelled("&Search services:", self.search, name="Search services",
                             description="Words in the name, provider or description; "
                             "Down arrow moves to the results"), self.search)
        form.addRow(labelled("Cate&gory:", self.category, name="Category"), self.category)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(labelled("Ser&vices:", self.results, name="Services",
                                  description="Enter chooses the service"))
        layout.addWidget(self.results, 1)
        layout.addWidget(self.found)
        layout.addWidget(self.details)

        self._typing = QTimer(self, singleShot=True, interval=250)
        self._typing.timeout.connect(self.find)
        self.search.textChanged.connect(self._typing.start)
        self.category.currentIndexChanged.connect(self.find)
        self.search.down.connect(self._into_results)
        self.results.currentItemChanged.connect(self._current_changed)
        self.results.itemDoubleClicked.connect(
            lambda item: self.chosen.emit(item.data(SERVICE_ROLE)))
        self._generation = 0
        self.searching = False
        self._wanted_id: int | None = None

    @property
    def pending(self) -> bool:
        """Typed but not yet searched, or a search still running."""
        return self._typing.isActive() or self.searching

    def find(self) -> None:
        self._typing.stop()
        self._generation += 1
        generation = self._generation
        self.searching = True

        def done(services: list[Service]) -> None:
            if generation == self._generation:
                self.searching = False
                self._show(services)

        def failed(error: Exception) -> None:
            if generation == self._generation:
                self.searching = False
                self.found.setText(messages.describe(error)[1])

        self.session.operations.run(
            self.session.services.catalogue.search, self.search.text().strip(),
            self.category.currentData(), done=done, failed=failed,
            owner=self, message="Searching the catalogue…")

    def find_now(self) -> bool:
        """Search on the GUI thread (only for Enter pressed before the results are in)."""
        self._typing.stop()
        self._generation += 1  # a search still running is now out of date
        self.searching = False
        try:
            services = self.session.services.catalogue.search(
                self.search.text().strip(), self.category.currentData())
        except Exception as error:  # shown, as a search off the GUI thread would be
            self.found.setText(messages.describe(error)[1])
            return False
        self._show(services)
        return True

    def _show(self, services: list[Service]) -> None:
        self.results.clear()
        for service in services:
            item = QListWidgetItem(service_line(service))
            item.setData(SERVICE_ROLE, service)
            item.setToolTip(service.description)
            self.results.addItem(item)
            if service.id == self._wanted_id:
                self.results.setCurrentItem(item)
        if self.results.currentRow() < 0 and services:
            self.results.setCurrentRow(0)
        self.found.setText(f"{len(services)} service{'s' if len(services) != 1 else ''}"
                           if services else "No service matches; try fewer words or "
                           "another category.")

    def _current_changed(self, current: QListWidgetItem | None, _previous) -> None:
        service = current.data(SERVICE_ROLE) if current else None
        self.details.setText(service_details(service) if service else "")
        if service is not None:
            self.message.set_message(None)

    def _into_results(self) -> None:
        """Down from the search box: searches first if results are due, then the next one."""
        if self.pending:
            self.find_now()
        down_into(self.results)

    def enter(self) -> bool:
        """Enter chooses the highlighted service; before the results are in, it searches
        now and chooses the first match. True if one was chosen."""
        if self.pending and not self.find_now():
            return False
        return self.choose_current()

    def choose_current(self) -> bool:
        service = self.current()
        if service is None:
            return False
        self.chosen.emit(service)
        return True

    def current(self) -> Service | None:
        item = self.results.currentItem()
        return item.data(SERVICE_ROLE) if item else None

    def select(self, service_id: int | None) -> None:
        """Highlight this service when the results arrive (continuing a draft)."""
        self._wanted_id = service_id


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
