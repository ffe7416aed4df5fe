"""Letters about referrals: to the service, to the patient (also in large print), chasers.

A letter is a pure function of :class:`LetterInputs` (built from a referral by
:func:`inputs_for`) through a :class:`LetterTemplate`; :class:`LetterService`
records each one printed (kind, template id and version, who, when, SHA-256)
so it can be reprinted identically. No Qt here: the preview and print dialogs
call this API.
"""

from __future__ import annotations

from practice_rx.letters.inputs import (
    LetterInputs,
    LetterKind,
    PatientInfo,
    PracticeInfo,
    ReferralFacts,
    ReferrerInfo,
    ServiceInfo,
    inputs_for,
)
from practice_rx.letters.templates import (
    ComposedTemplate,
    LetterTemplate,
    TemplateNotFoundError,
    TemplateSet,
    builtin_templates,
)
from practice_rx.letters.text import escape

__all__ = [
    "ComposedTemplate",
    "LetterInputs",
    "LetterKind",
    "LetterTemplate",
    "PatientInfo",
    "PracticeInfo",
    "ReferralFacts",
    "ReferrerInfo",
    "ServiceInfo",
    "TemplateNotFoundError",
    "TemplateSet",
    "builtin_templates",
    "escape",
    "inputs_for",
]
