"""The fields every referral form must ask, because the core files referrals by them.

Consent gates sending; reasons and urgency are counted and filtered on. A form
may word them its own way, but the keys, types and codes are fixed, so every
plugin's referrals can be sent, listed and exported alike.
"""

from __future__ import annotations

from practice_rx.domain.reasons import REFERRAL_REASONS
from practice_rx.forms.model import FieldType, FormDefinition

URGENCY_CODES = frozenset({"routine", "soon"})
CONSENT_METHOD_CODES = frozenset({"in_person", "phone", "video"})

CORE_FIELDS: dict[str, tuple[FieldType, frozenset[str] | None]] = {
    "consent_given": (FieldType.YES_NO, None),
    "consent_to_share": (FieldType.YES_NO, None),
    "consent_method": (FieldType.SINGLE_CHOICE, CONSENT_METHOD_CODES),
    "consent_date": (FieldType.DATE, None),
    "reasons": (FieldType.CODED_REASON, frozenset(REFERRAL_REASONS)),
    "urgency": (FieldType.SINGLE_CHOICE, URGENCY_CODES),
}


def core_field_problems(form: FormDefinition) -> list[str]:
    """What stops ``form`` from being a referral form; empty when it can be used."""
    problems = []
    keys = {field.key: field for field in form.fields()}
    for key, (kind, codes) in CORE_FIELDS.items():
        field = keys.get(key)
        if field is None:
            problems.append(f"'{key}': every referral form must ask this ({kind.value})")
            continue
        if field.type is not kind:
            problems.append(f"'{key}': must be a {kind.value} field, not {field.type.value}")
        elif codes is not None and {choice.code for choice in field.choices} != codes:
            problems.append(f"'{key}': choices must be exactly {', '.join(sorted(codes))}")
        if not field.required or field.show_if is not None:
            problems.append(f"'{key}': must be required and always shown")
    for key in ("consent_given", "consent_to_share"):
        field = keys.get(key)
        if field is not None and field.type is FieldType.YES_NO and not field.must_be_yes:
            problems.append(f"'{key}': must set must_be_yes, so no referral is sent without it")
    return problems
