"""One ORUK v3.0 service record as a PracticeRx :class:`ServiceDetails`.

Field names are those of the OpenReferralUK/uk-profile schema (``schema/service.json``
and the objects it nests). Each rule is written once here and in
``docs/oruk-catalogues.md``: the first physical location's address, the highest
cost option's amount for the cost band, schedules as short text. A record that
cannot be read raises :class:`RecordProblem`, which names the service's ORUK id
(service data, never a patient's).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from practice_rx.catalogue_files import utc_moment
from practice_rx.errors import ValidationError
from practice_rx.oruk.taxonomy_mapping import TaxonomyMapping, Term
from practice_rx.services.catalogue import ServiceDetails
from practice_rx.services.limits import column_length
from practice_rx.storage.models import Service

#: the most a session may cost (in pounds) and still count as low cost
LOW_COST_LIMIT = Decimal("5.00")
DAYS = {"MO": "Mon", "TU": "Tue", "WE": "Wed", "TH": "Thu", "FR": "Fri", "SA": "Sat",
        "SU": "Sun"}
ORDINALS = {"1": "1st", "2": "2nd", "3": "3rd", "4": "4th", "5": "5th", "-1": "last"}
BYDAY = re.compile(r"^([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)$")
#: free text cut to fit its column (ending "…"); names, phones, emails and websites are
#: never cut: one too long is a problem with the record
CUT_TO_FIT = ("description", "eligibility", "area", "address", "opening_times")


class RecordProblem(Exception):
    """A service record that cannot be imported, and why, naming it by its ORUK id."""


class UnmappedTerms(RecordProblem):
    """Every taxonomy term of the service is outside the area's mapping."""


def _text(record: dict[str, Any], key: str, where: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordProblem(f"{where}: '{key}' should be text, not {type(value).__name__}")
    return value.strip()


def _objects(record: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    value = record.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise RecordProblem(f"{where}: '{key}' should be a list of objects")
    return value


def _object(record: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = record.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RecordProblem(f"{where}: '{key}' should be an object")
    return value


def _fit(value: str, key: str) -> str:
    limit = column_length(Service, key)
    return value if len(value) <= limit else value[:limit - 1].rstrip() + "…"


def record_label(record: Any, number: int, source: str) -> str:
    """How a record is named in problems: its ORUK id, or its place in the directory."""
    if isinstance(record, dict) and isinstance(record.get("id"), str) and record["id"]:
        return f"service {record['id']}"
    return f"{source} record {number}"


def to_details(record: Any, mapping: TaxonomyMapping, where: str,
               notes: list[str] | None = None) -> ServiceDetails:
    """The service's details; RecordProblem (UnmappedTerms) when it cannot be imported.

    ``notes`` receives what is worth a look but does not keep the service out: a
    referral route that is the organisation's, not the service's own.
    """
    if not isinstance(record, dict):
        raise RecordProblem(f"{where}: expected a service object, not {type(record).__name__}")
    external_id = _text(record, "id", where)
    if not external_id:
        raise RecordProblem(f"{where}: has no 'id'")
    if not _text(record, "status", where):
        raise RecordProblem(f"{where}: has no 'status' (active, inactive, defunct or "
                            "temporarily closed)")
    organization = _object(record, "organization", where)
    category = _category(record, mapping, where)
    route = referral_route(record, organization, where)
    if route.from_organization and notes is not None:
        notes.append(f"{where}: has no email or phone of its own, so its referral route is "
                     f"the organisation's ({_text(organization, 'name', where) or 'no name'}:"
                     f" {route.email or route.phone}); imported, check it")
    website = _text(record, "url", where) or _text(organization, "website", where)
    try:
        last_modified = utc_moment(record.get("last_modified"))
    except (TypeError, ValueError):
        raise RecordProblem(f"{where}: 'last_modified' is not an ISO 8601 date and time"
                            ) from None
    values = {
        "description": _text(record, "description", where),
        "eligibility": _ages(record, where),
        "area": "; ".join(_areas(record, where)),
        "address": _address(record, where),
        "opening_times": "; ".join(_schedules(record, where)),
    }
    details = ServiceDetails(
        external_id=external_id, name=_text(record, "name", where), category=category,
        provider=_text(organization, "name", where), phone=route.phone, email=route.email,
        website=website, cost=_cost(record, where), referral_method=route.method,
        last_modified=last_modified, **{key: _fit(value, key) for key, value in values.items()})
    try:
        details.check()
    except ValidationError as error:
        raise RecordProblem(f"{where}: {error}") from None
    return details


def is_active(record: Any) -> bool:
    """Only an ``active`` service is offered; ``inactive``, ``defunct`` and ``temporarily
    closed`` ones are left out (and a service imported before is then marked inactive).
    A record without a status is not left out here: the mapping reports it."""
    return not isinstance(record, dict) or record.get("status") in (None, "", "active")


def terms_of(record: dict[str, Any], where: str) -> list[Term]:
    """The taxonomy terms the service's ``attributes`` link to, in the record's order."""
    terms = []
    for attribute in _objects(record, "attributes", where):
        nested = _object(attribute, "taxonomy_term", where)
        term_id = _text(nested, "id", where) or _text(attribute, "taxonomy_term_id", where)
        if not term_id:
            continue
        taxonomy = _text(nested, "taxonomy", where) or _text(nested, "taxonomy_id", where)
        terms.append(Term(term_id, _text(nested, "name", where), taxonomy,
                          _text(nested, "term", where)))
    return terms


def _category(record: dict[str, Any], mapping: TaxonomyMapping, where: str) -> str:
    terms = terms_of(record, where)
    if not terms:
        raise UnmappedTerms(f"{where}: has no taxonomy terms, so it has no category; "
                            "not imported")
    category = mapping.first_category(terms)
    if category is None:
        raise UnmappedTerms(f"{where}: none of its taxonomy terms is in the mapping "
                            f"({mapping.source}): {', '.join(map(str, terms))}; not imported")
    return category


def _number(value: Any, key: str, where: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise RecordProblem(f"{where}: '{key}' should be a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise RecordProblem(f"{where}: '{key}' should be a number") from None
    if not number.is_finite():
        raise RecordProblem(f"{where}: '{key}' should be a number")
    return number


def _ages(record: dict[str, Any], where: str) -> str:
    low = _number(record.get("minimum_age"), "minimum_age", where)
    high = _number(record.get("maximum_age"), "maximum_age", where)
    if low is not None and high is not None:
        return f"Ages {low.normalize():f} to {high.normalize():f}"
    if low is not None:
        return f"Ages {low.normalize():f} and over"
    if high is not None:
        return f"Ages up to {high.normalize():f}"
    return ""


def _areas(record: dict[str, Any], where: str) -> Iterable[str]:
    seen: list[str] = []
    for area in _objects(record, "service_areas", where):
        text = _text(area, "name", where) or _text(area, "service_area", where)
        if text and text not in seen:
            seen.append(text)
    return seen


def _address(record: dict[str, Any], where: str) -> str:
    """The first physical location's address: its name, then its physical address (else
    its first), as ``address_1, city, postal_code``."""
    for at_location in _objects(record, "service_at_locations", where):
        location = _object(at_location, "location", where)
        if _text(location, "location_type", where) != "physical":
            continue
        addresses = _objects(location, "addresses", where)
        chosen = next((a for a in addresses if a.get("address_type") == "physical"),
                      addresses[0] if addresses else {})
        parts = [_text(location, "name", where)] + [
            _text(chosen, key, where) for key in ("address_1", "city", "postal_code")]
        return ", ".join(part for part in parts if part)
    return ""


@dataclass(frozen=True)
class ReferralRoute:
    """How a referral reaches the service, and whether that is only its organisation's."""

    method: str
    email: str = ""
    phone: str = ""
    from_organization: bool = False


def referral_route(record: dict[str, Any], organization: dict[str, Any],
                   where: str) -> ReferralRoute:
    """The service's own contact details decide: its email (or a contact's) is an email
    referral, else its phone (or a contact's or location's) a phone one. Only a service
    with neither falls back to its organisation's, since an umbrella body's address
    would send a referral to the wrong desk; with nothing at all it is self-referral."""
    email = _text(record, "email", where) or _contact_email(record, where)
    phone = _own_phone(record, where)
    if email or phone:
        return ReferralRoute("email" if email else "phone", email, phone)
    email = _text(organization, "email", where)
    phone = _first_number(organization, where)
    if email or phone:
        return ReferralRoute("email" if email else "phone", email, phone, True)
    return ReferralRoute("self_referral")


def _first_number(holder: dict[str, Any], where: str) -> str:
    for phone in _objects(holder, "phones", where):
        number = _text(phone, "number", where)
        if number:
            return number
    return ""


def _own_phone(record: dict[str, Any], where: str) -> str:
    """The service's first phone number: its own, a contact's, then a location's. The UK
    profile has no phones; HSDS 3.0 nests them as ``phones[].number`` on the service, its
    contacts and its locations, which is read when a directory includes them."""
    holders = [record, *_objects(record, "contacts", where)]
    for at_location in _objects(record, "service_at_locations", where):
        holders += [at_location, _object(at_location, "location", where)]
    for holder in holders:
        number = _first_number(holder, where)
        if number:
            return number
    return ""


def _contact_email(record: dict[str, Any], where: str) -> str:
    for contact in _objects(record, "contacts", where):
        email = _text(contact, "email", where)
        if email:
            return email
    return ""


def _cost(record: dict[str, Any], where: str) -> str:
    """free / low_cost / paid from the highest ``amount`` among the cost options: none
    (or 0) is free, up to LOW_COST_LIMIT is low cost, more is paid."""
    amounts = [_number(option.get("amount"), "cost_options.amount", where)
               for option in _objects(record, "cost_options", where)]
    highest = max((amount for amount in amounts if amount is not None), default=Decimal(0))
    if highest <= 0:
        return "free"
    return "low_cost" if highest <= LOW_COST_LIMIT else "paid"


def _time(value: str) -> str:
    """``10:00:00`` (or ``10:00:00Z``) as ``10:00``."""
    match = re.match(r"^(\d{1,2}):(\d{2})", value)
    return f"{int(match.group(1)):02d}:{match.group(2)}" if match else value


def _days(byday: str, where: str) -> str:
    names = []
    for part in (piece.strip().upper() for piece in byday.split(",") if piece.strip()):
        match = BYDAY.match(part)
        if not match:
            raise RecordProblem(f"{where}: schedule byday '{byday}' is not a list of days "
                                "such as MO,TU")
        ordinal, day = match.groups()
        names.append(f"{ORDINALS.get(ordinal.lstrip('+'), ordinal)} {DAYS[day]}"
                     if ordinal else DAYS[day])
    return ", ".join(names)


def _schedules(record: dict[str, Any], where: str) -> list[str]:
    """Each schedule as ``Mon, Thu 10:00–18:00`` (monthly ones by date: ``day 2, 16 of
    the month``); a schedule with neither days nor times gives its description."""
    texts = []
    for schedule in _objects(record, "schedules", where):
        days = _days(_text(schedule, "byday", where), where)
        if not days and _text(schedule, "freq", where) == "MONTHLY":
            dates = _text(schedule, "bymonthday", where)
            days = f"day {', '.join(d.strip() for d in dates.split(','))} of the month" \
                if dates else ""
        opens, closes = _text(schedule, "opens_at", where), _text(schedule, "closes_at", where)
        hours = (f"{_time(opens)}–{_time(closes)}" if opens and closes
                 else f"from {_time(opens)}" if opens else f"until {_time(closes)}"
                 if closes else "")
        text = " ".join(part for part in (days, hours) if part)
        text = text or _text(schedule, "description", where)
        if text and text not in texts:
            texts.append(text)
    return texts
