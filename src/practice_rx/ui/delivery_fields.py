"""How a service takes referrals, as fields: the method, then the address and MESH workflow
id, each enabled only when the method has one (post: neither; email: an address, else the
service's email; MESH: the mailbox id and, if the receiver asked, a workflow id).

The service layer checks what is typed (:mod:`practice_rx.domain.delivery_methods`); a
lower-case mailbox id is refused there with the capitals to type, never changed here.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QGridLayout, QLineEdit, QWidget

from practice_rx.domain.delivery_methods import DELIVERY_METHODS, EMAIL, MESH, POST
from practice_rx.services.catalogue import Delivery
from practice_rx.ui.widgets import FieldMessage, labelled

PLACEHOLDERS = {POST: "", EMAIL: "the service's email if empty",
                MESH: "the service's mailbox id, e.g. X26ABC2"}


def delivery_text(delivery: Delivery) -> str:
    """One line for a service's details: how a referral reaches it."""
    label = DELIVERY_METHODS.get(delivery.method, f"the {delivery.method} channel")
    text = f"Referrals go by {label[0].lower() + label[1:]}" if delivery.method != MESH \
        else "Referrals go over NHS MESH"
    if delivery.address:
        text += f" to {delivery.address}"
    if delivery.workflow_id:
        text += f" (workflow {delivery.workflow_id})"
    return text


class DeliveryFields(QWidget):
    """The three delivery fields, laid out in two rows; ``inputs`` and ``messages`` are
    keyed like :class:`~practice_rx.services.catalogue.ServiceDetails`'s fields, so the
    service layer's messages land beside them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.method = QComboBox()
        self.method.setObjectName("service_delivery_method")
        for code, label in DELIVERY_METHODS.items():
            self.method.addItem(label, code)
        self.address = QLineEdit()
        self.address.setObjectName("service_delivery_address")
        self.workflow = QLineEdit()
        self.workflow.setObjectName("service_delivery_workflow_id")
        self.workflow.setPlaceholderText("the default, unless the receiver asked for one")
        self.inputs: dict[str, QWidget] = {"delivery_method": self.method,
                                           "delivery_address": self.address,
                                           "delivery_workflow_id": self.workflow}
        self.messages = {key: FieldMessage(name) for key, name in (
            ("delivery_method", "Delivery method"), ("delivery_address", "Delivery address"),
            ("delivery_workflow_id", "MESH workflow id"))}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(1)
        #: (field, label, description, grid row, column, columns spanned): the address
        #: beside the method, the workflow id under both
        for key, text, description, row, column, span in (
                ("delivery_method", "Sent &by:", "How a sent referral reaches the service",
                 0, 0, 1),
                ("delivery_address", "&Sent to:", "The MESH mailbox id or email address",
                 0, 2, 1),
                ("delivery_workflow_id", "MESH workf&low id:",
                 "Only if the receiving organisation asked for a workflow of its own",
                 2, 0, 3)):
            grid.addWidget(self.messages[key], row, column + 1, 1, span)
            grid.addWidget(labelled(text, self.inputs[key], description=description),
                           row + 1, column)
            grid.addWidget(self.inputs[key], row + 1, column + 1, 1, span)
        grid.setColumnStretch(3, 1)
        self.method.currentIndexChanged.connect(lambda _: self._method_changed())
        self._method_changed()

    def set_delivery(self, delivery: Delivery) -> None:
        """Show ``delivery``; a plugin channel's name not offered yet is added to choose."""
        if self.method.findData(delivery.method) < 0:
            self.method.addItem(f"Plugin channel: {delivery.method}", delivery.method)
        self.method.setCurrentIndex(self.method.findData(delivery.method))
        self.address.setText(delivery.address or "")
        self.workflow.setText(delivery.workflow_id or "")
        self._method_changed()

    def delivery(self) -> Delivery:
        """What is chosen; a field disabled for the method is not sent, whatever it holds."""
        method = self.method.currentData()
        return Delivery(method,
                        self.address.text().strip() or None if method != POST else None,
                        self.workflow.text().strip() or None if method == MESH else None)

    def _method_changed(self) -> None:
        method = self.method.currentData()
        self.address.setEnabled(method != POST)
        self.address.setPlaceholderText(PLACEHOLDERS.get(method, "where the channel delivers"))
        self.workflow.setEnabled(method == MESH)
