"""Deliveries of a referral to its service over an electronic channel (MESH, a plugin's).

A delivery is recorded, with the exact bytes of each file, before anything goes
out, and its outcome after; so a crash or a lost answer leaves a ``pending`` row
that sending again completes under the same local id, without sending twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice_rx.storage.models import Base


class ReferralDelivery(Base):
    """One delivery of a referral: where to, through which channel, and how it stands."""

    __tablename__ = "referral_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    #: the channel's name (``mesh``, a plugin's), copied from the service when sent
    channel: Mapped[str] = mapped_column(String(40))
    #: the address sent to (a MESH mailbox id), copied so a later catalogue edit
    #: does not rewrite where it went
    to_address: Mapped[str] = mapped_column(String(255))
    #: ``PRX-{referral}-{id}``: the same for every try, no patient identifier
    local_id: Mapped[str] = mapped_column(String(200), unique=True)
    #: pending, sent, acknowledged or failed
    state: Mapped[str] = mapped_column(String(20), default="pending")
    #: sends tried (each may have retried inside the channel)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: the last error's text, free of patient identifiers
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    failed_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    last_polled_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    files: Mapped[list[ReferralDeliveryFile]] = relationship(
        order_by="ReferralDeliveryFile.position", lazy="raise")


class ReferralDeliveryFile(Base):
    """One file of a delivery, kept as sent: a retry sends these bytes, not new ones."""

    __tablename__ = "referral_delivery_file"

    delivery_id: Mapped[int] = mapped_column(ForeignKey("referral_delivery.id"),
                                             primary_key=True)
    #: 1, 2…: the ``-n`` of the file's local id on the channel
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    #: the channel's id for it, once delivered
    message_id: Mapped[str | None] = mapped_column(String(100), default=None)
    state: Mapped[str] = mapped_column(String(20), default="pending")
