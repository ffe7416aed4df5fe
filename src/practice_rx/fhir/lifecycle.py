"""A referral's status and urgency in FHIR's request codes, and back.

FHIR's request-status (required binding) has no "sent, awaiting the service": a
request the practice has made and not withdrawn is ``active`` until it is fully
performed (``completed``) or ended early (``revoked``: "terminated prior to the known
full completion of the intended actions. No further activity should occur"). A
rejection by the service, a decline by the person and "not contactable" all end the
request without the service having been given, so they are ``revoked`` too; the
precise status is kept in PracticeRx, and ``entered-in-error`` is never used because
PracticeRx never deletes a referral.
"""

from __future__ import annotations

from practice_rx.domain.statuses import Status

#: lifecycle status -> FHIR request-status
REQUEST_STATUS: dict[Status, str] = {
    Status.DRAFT: "draft",
    Status.SENT: "active",
    Status.ACCEPTED: "active",
    Status.CONTACTED: "active",
    Status.IN_PROGRESS: "active",
    Status.COMPLETED: "completed",
    Status.CANCELLED: "revoked",
    Status.REJECTED: "revoked",
    Status.DECLINED: "revoked",
    Status.NOT_CONTACTABLE: "revoked",
}

#: A referral is the practice's request, with the referrer's authority, that the service
#: act: an ``order`` (a ``proposal`` would be a suggestion nobody has yet authorised).
INTENT = "order"

#: form urgency -> FHIR request-priority ("soon" is "actioned promptly - higher priority
#: than routine", which is FHIR's ``urgent``; ``asap`` and ``stat`` are not offered)
PRIORITY = {"routine": "routine", "soon": "urgent"}

#: FHIR request-priority -> form urgency, for an inbound referral
URGENCY = {"routine": "routine", "urgent": "soon", "asap": "soon", "stat": "soon"}
