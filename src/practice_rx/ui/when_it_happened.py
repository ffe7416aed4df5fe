"""When a change happened, if not now: "the service accepted by phone yesterday".

Unticked, the change is dated now by the service (the usual case, and nothing
to type). Ticked, a date and time between the referral's previous event and
now; the service checks the same bounds, so a wrong time is refused there too.
Times are shown in the workstation's zone and handed to the service in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import QCheckBox, QDateTimeEdit, QHBoxLayout, QWidget

from practice_rx.ui.formatting import local_time


def _utc(local: datetime) -> datetime:
    return local.astimezone(UTC).replace(tzinfo=None)


class WhenItHappened(QWidget):
    """A tick box "It happened earlier" and the date and time it happened."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.earlier = QCheckBox("It happened &earlier:")
        self.earlier.setObjectName("happened_earlier")
        self.earlier.setAccessibleName("It happened earlier than now")
        self.when = QDateTimeEdit()
        self.when.setObjectName("happened_at")
        self.when.setDisplayFormat("dd MMM yyyy HH:mm")
        self.when.setCalendarPopup(True)
        self.when.setAccessibleName("When it happened")
        self.when.setAccessibleDescription("Not in the future, not before the previous change")
        self.when.setEnabled(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.earlier)
        layout.addWidget(self.when, 1)
        self.earlier.toggled.connect(self._toggled)

    def set_bounds(self, previous_utc: datetime | None, now_utc: datetime) -> None:
        """Allow from the previous event to now (both stored UTC).

        A time already chosen is kept (within the new bounds), as when the
        referral is reloaded after a colleague's change; otherwise it starts at now.
        """
        chosen = self.when.dateTime() if self.earlier.isChecked() else None
        now = QDateTime(local_time(now_utc))
        self.when.setMaximumDateTime(now)
        if previous_utc is not None:
            self.when.setMinimumDateTime(QDateTime(local_time(previous_utc)))
        self.when.setDateTime(chosen or now)

    def _toggled(self, on: bool) -> None:
        self.when.setEnabled(on)
        if on:
            self.when.setFocus()

    def occurred_at(self) -> datetime | None:
        """The UTC time chosen, or None for "now" (the service's clock)."""
        if not self.earlier.isChecked():
            return None
        local = self.when.dateTime().toPython().replace(second=0, microsecond=0)
        return _utc(local.astimezone())
