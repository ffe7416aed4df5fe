"""Where an inbound referral came from: shown in the new-referral dialog for reception and
link workers, who enter referrals from agencies and from the person themself.

The panel only collects; the referral service checks (every problem at once) and
shows its messages beside these fields through :meth:`InboundPanel.show_errors`.
The received time is handed to the send, so the referral is dated when it arrived.
Mnemonics avoid the new-referral dialog's own (Back, Next, Save draft, Send, Form).
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from practice_rx.domain.permissions import Action
from practice_rx.domain.referral_sources import ReceivedBy, ReferralSource
from practice_rx.services.referral_source import SourceDetails
from practice_rx.storage.models import Referral
from practice_rx.ui.when_it_happened import WhenItHappened
from practice_rx.ui.widgets import FieldMessage, hint, labelled

FIELDS = ("source", "referrer_organisation", "referrer_name", "referrer_contact", "received_by",
          "occurred_at")


def wants_inbound_panel(session) -> bool:
    """Reception and link workers enter inbound referrals; clinicians write the practice's."""
    return session.can(Action.ENTER_INBOUND_REFERRALS) and not session.can(Action.WRITE_REFERRALS)


class InboundPanel(QGroupBox):
    """Entry point: ``InboundPanel(parent=None)``; read :meth:`source_details` and
    :meth:`received_at` when saving and sending."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Where the referral came from", parent)
        self.setObjectName("inbound_panel")
        self.source = QComboBox()
        self.source.setObjectName("inbound_source")
        for code in ReferralSource:
            if code.inbound:
                self.source.addItem(code.label, code.value)
        self.organisation = QLineEdit()
        self.organisation.setObjectName("inbound_organisation")
        self.person = QLineEdit()
        self.person.setObjectName("inbound_person")
        self.contact = QLineEdit()
        self.contact.setObjectName("inbound_contact")
        self.contact.setPlaceholderText("Phone or email of the person who referred")
        self.received_by = QComboBox()
        self.received_by.setObjectName("inbound_received_by")
        for code in ReceivedBy:
            self.received_by.addItem(code.label, code.value)
        self.received = WhenItHappened()
        self.received.earlier.setText("Received ea&rlier:")
        self.received.earlier.setAccessibleName("Received earlier than now")
        self.explain = hint("")
        self.inputs = {"source": self.source, "referrer_organisation": self.organisation,
                       "referrer_name": self.person, "referrer_contact": self.contact,
                       "received_by": self.received_by, "occurred_at": self.received.when}
        self.messages = {key: FieldMessage(key.replace("_", " ")) for key in FIELDS}
        # two fields a row, so the form below keeps most of a 768-pixel-high screen
        grid = QGridLayout(self)
        grid.setVerticalSpacing(2)
        for number, (text, key, widget) in enumerate((
                ("Referred b&y:", "source", self.source),
                ("How it &arrived:", "received_by", self.received_by),
                ("Or&ganisation:", "referrer_organisation", self.organisation),
                ("Referring &person:", "referrer_name", self.person),
                ("Their con&tact:", "referrer_contact", self.contact),
                ("When:", "occurred_at", self.received))):
            row, column = divmod(number, 2)
            cell = QVBoxLayout()
            cell.setSpacing(1)
            cell.addWidget(self.messages[key])
            cell.addWidget(widget)
            target = self.received.when if widget is self.received else widget
            grid.addWidget(labelled(text, target), row, column * 2)
            grid.addLayout(cell, row, column * 2 + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        grid.addWidget(self.explain, 3, 0, 1, 4)
        self.source.currentIndexChanged.connect(lambda _: self._source_changed())
        self._source_changed()

    def chosen_source(self) -> ReferralSource:
        return ReferralSource(self.source.currentData())

    def _source_changed(self) -> None:
        source = self.chosen_source()
        is_self = source is ReferralSource.SELF
        for widget in (self.organisation, self.person):
            widget.setEnabled(not is_self)
            if is_self:
                widget.clear()
        self.contact.setEnabled(True)
        if is_self:
            self.explain.setText("The person referring is the patient: their details are on "
                                 "their record.")
        elif source.needs_organisation:
            self.explain.setText("Name the organisation and the person who referred.")
        else:
            self.explain.setText("Name the person who referred; an organisation if there is one.")

    def source_details(self) -> SourceDetails:
        return SourceDetails(self.source.currentData(), self.organisation.text(),
                             self.person.text(), self.contact.text(),
                             self.received_by.currentData())

    def start_at(self, now_utc: datetime) -> None:
        self.received.start_at(now_utc)

    def problem(self) -> str | None:
        """The received time ticked but left at now (see :class:`WhenItHappened`)."""
        return self.received.problem()

    def received_at(self) -> datetime | None:
        """When it was received (UTC), or None for now."""
        return self.received.occurred_at()

    def set_from(self, referral: Referral) -> None:
        """Show a saved inbound draft's source (the received time is chosen at sending)."""
        index = self.source.findData(referral.source)
        if index >= 0:
            self.source.setCurrentIndex(index)
        self.organisation.setText(referral.referrer_organisation)
        self.person.setText(referral.referrer_name)
        self.contact.setText(referral.referrer_contact)
        index = self.received_by.findData(referral.received_by)
        if index >= 0:
            self.received_by.setCurrentIndex(index)

    def show_errors(self, errors: dict[str, str]) -> list[str]:
        """Each message beside its field; the keys shown here, first one focused."""
        shown = [key for key in FIELDS if key in errors]
        for key, message in self.messages.items():
            message.set_message(errors.get(key))
        if shown:
            self.inputs[shown[0]].setFocus()
        return shown
