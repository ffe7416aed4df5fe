"""When a change happened, if not now: "the service accepted by phone yesterday".

Unticked, the change is dated now by the service (the usual case, and nothing
to type). Ticked, a date and time earlier than now. The editor itself is not
bounded: with bounds, Qt refuses each keystroke that passes through a date
out of range, so on the 1st of a month "yesterday" could not be typed at all.
The service refuses a time in the future or before the previous event, and
the dialog shows its message beside this field. Times are shown in the
workstation's zone and handed to the service in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import QCheckBox, QDateTimeEdit, QHBoxLayout, QWidget

from practice_rx.domain.identifiers import local_time


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
        self._now = datetime.now().replace(second=0, microsecond=0)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.earlier)
        layout.addWidget(self.when, 1)
        self.earlier.toggled.connect(self._toggled)

    def start_at(self, now_utc: datetime) -> None:
        """Start at now (stored UTC), unless a time was chosen already, as when the
        referral is reloaded after a colleague's change."""
        self._now = local_time(now_utc).replace(second=0, microsecond=0)
        if not self.earlier.isChecked():
            self.when.setDateTime(QDateTime(self._now))

    def _toggled(self, on: bool) -> None:
        self.when.setEnabled(on)
        if on:
            self.when.setFocus()

    def problem(self) -> str | None:
        """Ticked but left at now (or a half-typed date put back to it): say so, rather
        than record "now" as if it had been back-dated."""
        if self.earlier.isChecked() and self._chosen_local() >= self._now:
            return ("When it happened: choose a time earlier than now, or untick "
                    "“It happened earlier”")
        return None

    def _chosen_local(self) -> datetime:
        return self.when.dateTime().toPython().replace(second=0, microsecond=0)

    def occurred_at(self) -> datetime | None:
        """The UTC time chosen, or None for "now" (the service's clock)."""
        if not self.earlier.isChecked():
            return None
        return _utc(self._chosen_local().astimezone())
