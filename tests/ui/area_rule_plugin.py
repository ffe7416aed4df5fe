"""A local area's rule that the core cannot know: urgent referrals go to the hub by phone.

Its message names no field of the form, so the new-referral dialog can only show it
on the review step: the path of a send the referral service refuses for a plugin.
"""

from __future__ import annotations

from practice_rx import hookimpl

MESSAGE = "Urgency: the hub takes urgent referrals by phone (0113 496 0999); choose routine"


@hookimpl
def practice_rx_validate_referral(referral):
    return {"area_urgency": MESSAGE} if referral.urgency == "soon" else None
