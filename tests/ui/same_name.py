"""Synthetic patients for the keyboard tests: two of one name, told apart by the banner."""

from __future__ import annotations

from datetime import date

from practice_rx.services.patients import PatientDetails
from practice_rx.storage.models import Patient
from tests.support.check_digit import modulus_11


def synthetic_nhs_number(serial: int) -> str:
    """The ``serial``-th valid NHS number from 999 555 000x (the test range, check digit valid)."""
    found = 0
    for base in range(999_555_000, 999_556_000):
        check = modulus_11(str(base))
        if check is not None:
            if found == serial:
                return f"{base}{check}"
            found += 1
    raise ValueError(serial)


def add_patient(core, serial: int, given: str, family: str, born: date, **details) -> Patient:
    user = core.services.users.ensure("dr.patel", "Dr Asha Patel", "clinician")
    practices = core.services.practice.visible(user.id)  # the demo's network: the first
    if len(practices) > 1:
        details.setdefault("practice_id", practices[0].id)
    return core.services.patients.create(user.id, PatientDetails(
        nhs_number=synthetic_nhs_number(serial), given_name=given, family_name=family,
        date_of_birth=born, **details))


def two_wilsons(core) -> tuple[Patient, Patient]:
    """Two "WILSON, Yusuf" (a name the demo never uses); the first listed was created first."""
    first = add_patient(core, 0, "Yusuf", "Wilson", date(1961, 3, 2), sex="male",
                        postcode="LS11 5AB", phone="07700 900101")
    second = add_patient(core, 1, "Yusuf", "Wilson", date(1988, 9, 14), sex="male",
                         postcode="LS12 3CD", phone="07700 900202")
    return first, second
