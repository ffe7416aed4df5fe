"""The service catalogue: browse by plugin and category, search, add a local service, and
change how one of the practice's own services takes referrals (post, email, NHS MESH)."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from practice_rx.domain.categories import SERVICE_CATEGORIES
from practice_rx.domain.permissions import Action
from practice_rx.services.catalogue import (
    COSTS,
    LOCAL_PLUGIN,
    REFERRAL_METHODS,
    Delivery,
    ServiceDetails,
)
from practice_rx.storage.models import Service
from practice_rx.ui import messages
from practice_rx.ui.delivery_fields import DeliveryFields, delivery_text
from practice_rx.ui.formatting import category_label
from practice_rx.ui.screen_fit import open_size
from practice_rx.ui.service_picker import service_details
from practice_rx.ui.session import Session
from practice_rx.ui.widgets import FieldMessage, heading, hint, labelled

Index = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()
SERVICE_ROLE = Qt.ItemDataRole.UserRole + 1


class ServiceTableModel(QAbstractTableModel):
    """Services as rows: name, category, provider, catalogue, cost, active."""

    HEADERS = ("Service", "Category", "Provider", "Catalogue", "Cost", "Active")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.services: list[Service] = []

    def set_services(self, services: list[Service]) -> None:
        self.beginResetModel()
        self.services = list(services)
        self.endResetModel()

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.services)

    def columnCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.HEADERS)):
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.services):
            return None
        service = self.services[index.row()]
        if role == SERVICE_ROLE:
            return service
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            name = service.name + (" (link workers)" if service.is_link_worker else "")
            return (name, category_label(service.category), service.provider,
                    "Practice's own" if service.plugin == LOCAL_PLUGIN else service.plugin,
                    COSTS.get(service.cost, service.cost),
                    "Yes" if service.active else "No – no longer supplied")[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return service.description or None
        return None


class AddServiceDialog(QDialog):
    """A practice's own service; each field's message comes back from the service layer."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("add_service")
        self.setWindowTitle("Add a local service")
        self.session = session
        self.saved_service: Service | None = None
        self.inputs: dict[str, QWidget] = {}
        self.messages: dict[str, FieldMessage] = {}
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        specs = (
            ("name", "Service &name", QLineEdit()), ("category", "&Category", self._combo(
                SERVICE_CATEGORIES)),
            ("provider", "&Provider (optional)", QLineEdit()),
            ("description", "&Description (optional)", self._text()),
            ("eligibility", "Who it is &for (optional)", QLineEdit()),
            ("area", "Area co&vered (optional)", QLineEdit()),
            ("address", "Addr&ess (optional)", self._text()),
            ("phone", "P&hone (optional)", QLineEdit()),
            ("email", "E&mail (optional)", QLineEdit()),
            ("website", "&Website (optional)", QLineEdit()),
            ("opening_times", "&Opening times (optional)", QLineEdit()),
            ("cost", "Cos&t", self._combo(COSTS)),
            ("referral_method", "&Referral method", self._combo(REFERRAL_METHODS)),
            ("response_days", "Response window (wor&king days)", self._days()),
            ("external_id", "Service &id", QLineEdit()),
        )
        self.delivery = DeliveryFields()
        for key, label, widget in specs:
            widget.setObjectName(f"service_{key}")
            self.inputs[key] = widget
            message = FieldMessage(label.replace("&", ""))
            self.messages[key] = message
            cell = QVBoxLayout()
            cell.setSpacing(1)
            cell.addWidget(message)
            cell.addWidget(widget)
            form.addRow(labelled(f"{label}:", widget), cell)
            if key == "referral_method":
                form.addRow(self.delivery)
        self.inputs.update(self.delivery.inputs)
        self.messages.update(self.delivery.messages)
        self.inputs["external_id"].setToolTip("Stays the same if the service is edited later; "
                                              "made from the name if left empty")
        self.inputs["name"].textEdited.connect(self._suggest_id)
        self.problem = FieldMessage("Service")
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("&Add service", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("add_service_save")
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Add a local service", 2))
        layout.addWidget(hint("A service your practice refers to that no catalogue plugin "
                              "supplies. It is kept apart from the plugins' catalogues."))
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        open_size(self, 560, 720)

    @staticmethod
    def _combo(items: dict[str, str]) -> QComboBox:
        combo = QComboBox()
        for code, label in items.items():
            combo.addItem(label, code)
        return combo

    @staticmethod
    def _text() -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setTabChangesFocus(True)
        edit.setMaximumHeight(60)
        return edit

    @staticmethod
    def _days() -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(0, 90)
        spin.setSpecialValueText("Practice default")
        return spin

    def _suggest_id(self, name: str) -> None:
        slug = "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split())
        self.inputs["external_id"].setText(slug[:60])

    def details(self) -> ServiceDetails:
        chosen = self.delivery.delivery()
        values: dict[str, object] = {"delivery_method": chosen.method,
                                     "delivery_address": chosen.address,
                                     "delivery_workflow_id": chosen.workflow_id}
        for key, widget in self.inputs.items():
            if key in values:
                continue
            if isinstance(widget, QComboBox):
                values[key] = widget.currentData()
            elif isinstance(widget, QSpinBox):
                values[key] = widget.value() or None
            elif isinstance(widget, QPlainTextEdit):
                values[key] = widget.toPlainText().strip()
            else:
                values[key] = widget.text().strip()
        return ServiceDetails(**values)

    def save(self) -> None:
        self.save_button.setEnabled(False)
        try:
            details = self.details()
        except (TypeError, ValueError) as error:
            self._refused(error)
            return
        self.session.operations.run(
            self.session.services.catalogue.add_local, self.session.user.id, details,
            done=self._saved, failed=self._refused, owner=self, message="Adding the service…")

    def _saved(self, service: Service) -> None:
        self.saved_service = service
        self.session.catalogue_changed.emit()
        self.accept()

    def _refused(self, error: Exception) -> None:
        self.save_button.setEnabled(True)
        messages.show_beside_fields(error, self.messages, self.inputs, self.problem.set_message)


class DeliveryDialog(QDialog):
    """How one of the practice's own services takes referrals; checked and audited by
    ``services.catalogue.set_delivery``, which refuses if another workstation changed it
    since this opened."""

    def __init__(self, session: Session, service: Service, parent: QWidget | None = None,
                 ) -> None:
        super().__init__(parent)
        self.setObjectName("service_delivery")
        self.setWindowTitle("Change delivery")
        self.session = session
        self.service = service
        self.was = Delivery.of(service)
        self.fields = DeliveryFields()
        self.fields.set_delivery(self.was)
        self.problem = FieldMessage("Delivery")
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("S&ave", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("service_delivery_save")
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(f"How {service.name} takes referrals", 2))
        layout.addWidget(hint("Check a MESH mailbox id with the service before you save it: "
                              "referrals are delivered to whichever mailbox is entered here."))
        layout.addWidget(self.fields)
        layout.addStretch(1)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        open_size(self, 560, 260)

    def save(self) -> None:
        self.save_button.setEnabled(False)
        self.problem.set_message(None)
        self.session.operations.run(
            self.session.services.catalogue.set_delivery, self.session.user.id,
            self.service.id, self.fields.delivery(), self.was, done=self._saved,
            failed=self._refused, owner=self, message="Saving the service's delivery…")

    def _saved(self, _service: Service) -> None:
        self.session.catalogue_changed.emit()
        self.accept()

    def _refused(self, error: Exception) -> None:
        self.save_button.setEnabled(True)
        messages.show_beside_fields(error, self.fields.messages, self.fields.inputs,
                                    self.problem.set_message)


class CatalogueDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("catalogue")
        self.setWindowTitle("Service catalogue")
        self.session = session
        self.text = QLineEdit()
        self.text.setPlaceholderText("Name, provider or description")
        self.text.setClearButtonEnabled(True)
        self.plugin = QComboBox()
        self.plugin.addItem("All catalogues", None)
        self.category = QComboBox()
        self.category.addItem("All categories", None)
        for code, label in SERVICE_CATEGORIES.items():
            self.category.addItem(label, code)
        self.inactive = QCheckBox("S&how services no longer supplied")
        self.model = ServiceTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("catalogue_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((260, 200, 220, 120, 80)):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setAccessibleName("Service details")
        self.details.setMinimumHeight(self.fontMetrics().height() * 5)
        self.count = hint("")
        self.add_button = QPushButton("&Add a local service…")
        self.add_button.setObjectName("add_local_service")
        self.add_button.setVisible(session.can(Action.MANAGE_CATALOGUE))
        self.delivery_button = QPushButton("Change &delivery…")
        self.delivery_button.setObjectName("change_delivery")
        self.delivery_button.setToolTip("How one of the practice's own services takes "
                                        "referrals: post, email or NHS MESH")
        self.delivery_button.setVisible(session.can(Action.MANAGE_CATALOGUE))
        self.delivery_button.setEnabled(False)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)

        filters = QGridLayout()
        filters.addWidget(labelled("&Search:", self.text, name="Search services"), 0, 0)
        filters.addWidget(self.text, 0, 1, 1, 3)
        filters.addWidget(labelled("Cata&logue:", self.plugin, name="Catalogue",
                                   description="Which plugin supplied the service"), 1, 0)
        filters.addWidget(self.plugin, 1, 1)
        filters.addWidget(labelled("Cate&gory:", self.category, name="Category"), 1, 2)
        filters.addWidget(self.category, 1, 3)
        filters.addWidget(self.inactive, 2, 1, 1, 3)
        filters.setColumnStretch(1, 1)
        filters.setColumnStretch(3, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(self.delivery_button)
        bottom.addWidget(self.add_button)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Service catalogue", 2))
        layout.addLayout(filters)
        layout.addWidget(labelled("Ser&vices:", self.table, name="Services"))
        layout.addWidget(self.table, 3)
        layout.addWidget(self.details, 1)
        layout.addLayout(bottom)

        self._all: list[Service] = []
        self._typing = QTimer(self, singleShot=True, interval=250)
        self._typing.timeout.connect(self.find)
        self.text.textChanged.connect(self._typing.start)
        self.category.currentIndexChanged.connect(self.find)
        self.inactive.toggled.connect(self.find)
        self.plugin.currentIndexChanged.connect(self._show_filtered)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.add_button.clicked.connect(self.add_local)
        self.delivery_button.clicked.connect(self.change_delivery)
        session.catalogue_changed.connect(self.find)
        open_size(self, 1060, 700)
        self.find()

    def find(self) -> None:
        self._typing.stop()
        self.session.operations.run(
            self.session.services.catalogue.search, self.text.text().strip(),
            self.category.currentData(), self.inactive.isChecked(), done=self._found,
            failed=lambda error: self.count.setText(messages.describe(error)[1]),
            owner=self, message="Searching the catalogue…")

    def _found(self, services: list[Service]) -> None:
        self._all = services
        plugins = sorted({service.plugin for service in services})
        chosen = self.plugin.currentData()
        self.plugin.blockSignals(True)
        while self.plugin.count() > 1:
            self.plugin.removeItem(1)
        for plugin in plugins:
            self.plugin.addItem("Practice's own" if plugin == LOCAL_PLUGIN else plugin, plugin)
        self.plugin.setCurrentIndex(max(0, self.plugin.findData(chosen)) if chosen else 0)
        self.plugin.blockSignals(False)
        self._show_filtered()

    def _show_filtered(self) -> None:
        # Narrowing to one catalogue is done here, on the search's results: the
        # catalogue service has no plugin filter yet.
        plugin = self.plugin.currentData()
        shown = [s for s in self._all if plugin is None or s.plugin == plugin]
        self.model.set_services(shown)
        self.count.setText(f"{len(shown)} service{'s' if len(shown) != 1 else ''}")
        if shown:
            self.table.selectRow(0)
        else:
            self.details.setText("")
            self.delivery_button.setEnabled(False)

    def current_service(self) -> Service | None:
        current = self.table.currentIndex()
        return self.model.data(current, SERVICE_ROLE) if current.isValid() else None

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        service = self.model.data(current, SERVICE_ROLE) if current.isValid() else None
        self.details.setText(f"{service_details(service)}<br>"
                             f"{escape(delivery_text(Delivery.of(service)))}" if service
                             else "")
        # a plugin's or an imported catalogue's delivery is what its source says
        self.delivery_button.setEnabled(service is not None and service.plugin == LOCAL_PLUGIN)

    def change_delivery(self) -> DeliveryDialog | None:
        service = self.current_service()
        if service is None or service.plugin != LOCAL_PLUGIN:
            return None
        dialog = DeliveryDialog(self.session, service, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def add_local(self) -> AddServiceDialog:
        dialog = AddServiceDialog(self.session, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
