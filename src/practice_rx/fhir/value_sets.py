"""The codes of the value sets that bind the elements PracticeRx exchanges.

Written here from the FHIR R4 (4.0.1) specification, not read from ``fhir.resources``
(which leaves codes as strings) nor from PracticeRx's own mapping, so the checker can
catch a mapping that is wrong. Every binding below is ``required`` in FHIR R4.
"""

from __future__ import annotations

#: http://hl7.org/fhir/ValueSet/request-status
REQUEST_STATUS = frozenset({"draft", "active", "on-hold", "revoked", "completed",
                            "entered-in-error", "unknown"})
#: http://hl7.org/fhir/ValueSet/request-intent
REQUEST_INTENT = frozenset({"proposal", "plan", "directive", "order", "original-order",
                            "reflex-order", "filler-order", "instance-order", "option"})
#: http://hl7.org/fhir/ValueSet/request-priority
REQUEST_PRIORITY = frozenset({"routine", "urgent", "asap", "stat"})
#: http://hl7.org/fhir/ValueSet/bundle-type
BUNDLE_TYPE = frozenset({"document", "message", "transaction", "transaction-response",
                         "batch", "batch-response", "history", "searchset", "collection"})
#: http://hl7.org/fhir/ValueSet/administrative-gender
ADMINISTRATIVE_GENDER = frozenset({"male", "female", "other", "unknown"})
#: http://hl7.org/fhir/ValueSet/questionnaire-answers-status
QUESTIONNAIRE_ANSWERS_STATUS = frozenset({"in-progress", "completed", "amended",
                                          "entered-in-error", "stopped"})
#: http://hl7.org/fhir/ValueSet/publication-status
PUBLICATION_STATUS = frozenset({"draft", "active", "retired", "unknown"})
