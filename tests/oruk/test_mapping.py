"""The mapping rules, one by one: taxonomy terms, cost, opening times, addresses, times, URLs."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
import yaml

from practice_rx.catalogue_files import service_from_row
from practice_rx.errors import ValidationError
from practice_rx.oruk import default_mapping, load_mapping
from practice_rx.oruk.http_client import shown_url
from practice_rx.oruk.service_mapping import RecordProblem, to_details
from practice_rx.oruk.taxonomy_mapping import Term, mapping_from_dict
from tests.oruk.directory_server import LUNCH, MAPPING_TOML, WALKING, service

AREA = {"terms": {WALKING["id"]: "physical_activity"},
        "taxonomies": {"Synthetic Area Activities": {"Lunch clubs": "befriending"}}}


def test_a_mapping_file_reads_the_same_as_toml_json_or_yaml(tmp_path):
    (tmp_path / "m.toml").write_text(MAPPING_TOML)
    (tmp_path / "m.json").write_text(json.dumps(AREA))
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(AREA))
    found = {suffix: load_mapping(tmp_path / f"m.{suffix}") for suffix in ("toml", "json", "yaml")}
    for mapping in found.values():
        assert (mapping.by_id, mapping.by_taxonomy) == (
            {WALKING["id"]: "physical_activity"},
            {"synthetic area activities": {"lunch clubs": "befriending"}})


def test_a_bad_mapping_lists_every_problem(tmp_path):
    with pytest.raises(ValidationError) as caught:
        mapping_from_dict({"terms": {"t1": "gardening"}, "taxonomy": {},
                           "taxonomies": {"x": {"Walks": "walks"}}}, "area.toml")
    messages = list(caught.value.errors.values())
    assert messages[0] == "area.toml: unknown key(s) taxonomy; expected terms, taxonomies"
    assert messages[1].startswith("area.toml: terms.t1: 'gardening' is not a category")
    assert messages[2].startswith("area.toml: taxonomies.x.Walks: 'walks' is not a category")
    (tmp_path / "m.txt").write_text("")
    with pytest.raises(ValidationError, match="use a .toml, .json or .yaml file"):
        load_mapping(tmp_path / "m.txt")


def test_a_term_is_matched_by_id_then_by_its_taxonomy_and_term():
    mapping = mapping_from_dict({
        "terms": {"id-1": "housing"},
        "taxonomies": {"Council list": {"Lunch  Clubs": "food"}, "*": {"Walking": "nature"}}},
        "area")
    assert mapping.category(Term("id-1", "Lunch clubs", "Council list")) == "housing"
    assert mapping.category(Term("id-2", "lunch clubs", "council LIST")) == "food"
    assert mapping.category(Term("id-3", "Other", "Council list", term="Lunch clubs")) == "food"
    assert mapping.category(Term("id-4", "Walking", "Another list")) == "nature"
    assert mapping.category(Term("id-5", "Lunch clubs", "Another list")) is None
    assert mapping.first_category([Term("id-5", "Lunch clubs"), Term("id-4", "Walking"),
                                   Term("id-1")]) == "nature"


def test_the_built_in_mapping_places_plain_names_in_any_taxonomy():
    mapping = default_mapping()
    assert mapping.by_id == {}
    assert mapping.category(Term("x", "Debt advice", "Any council")) == "money_advice"
    assert mapping.category(Term("x", "Knitting", "Any council")) is None


def _details(**changes):
    return to_details(service(1, LUNCH, **changes), mapping_from_dict(AREA, "area"), "here")


@pytest.mark.parametrize(("options", "cost"), [
    ([], "free"), ([{"id": "c", "amount": 0}], "free"), ([{"id": "c", "option": "Donations"}],
                                                        "free"),
    ([{"id": "c", "amount": 5}], "low_cost"), ([{"id": "c", "amount": 1},
                                               {"id": "d", "amount": "5.01"}], "paid")])
def test_cost_is_the_band_of_the_highest_amount(options, cost):
    assert _details(cost_options=options).cost == cost


@pytest.mark.parametrize(("schedules", "text"), [
    ([{"id": "s", "byday": "MO,WE", "opens_at": "09:00:00", "closes_at": "17:00:00Z"}],
     "Mon, Wed 09:00–17:00"),
    ([{"id": "s", "freq": "MONTHLY", "byday": "1TU,-1FR", "opens_at": "18:30"}],
     "1st Tue, last Fri from 18:30"),
    ([{"id": "s", "freq": "MONTHLY", "bymonthday": "1,15", "closes_at": "12:00:00"}],
     "day 1, 15 of the month until 12:00"),
    ([{"id": "s", "description": "Term time only, ring first"},
      {"id": "t", "byday": "SA", "opens_at": "10:00", "closes_at": "11:00"}],
     "Term time only, ring first; Sat 10:00–11:00"),
    ([], "")])
def test_opening_times_are_short_text(schedules, text):
    assert _details(schedules=schedules).opening_times == text


def test_the_address_is_the_first_physical_locations():
    virtual = {"id": "v", "location": {"id": "lv", "location_type": "virtual", "name": "Online"}}
    hall = {"id": "h", "location": {"id": "lh", "location_type": "physical", "name": "Hall",
                                    "addresses": [
                                        {"id": "a1", "address_1": "PO Box 1", "city": "Leeds",
                                         "postal_code": "LS1 1AA", "address_type": "postal"},
                                        {"id": "a2", "address_1": "2 Mill Lane", "city": "Leeds",
                                         "postal_code": "LS2 2BB", "address_type": "physical"}]}}
    assert _details(service_at_locations=[virtual, hall]).address == \
        "Hall, 2 Mill Lane, Leeds, LS2 2BB"
    assert _details(service_at_locations=[virtual]).address == ""


def test_contacts_and_the_organisation_fill_in_what_the_service_leaves_out():
    details = _details(email=None, url=None, contacts=[{"id": "c", "email": "desk@example.org"}],
                       organization={"id": "o", "name": "Trust", "description": "d",
                                     "website": "https://trust.example.org"})
    assert (details.email, details.website, details.phone, details.referral_method) == (
        "desk@example.org", "https://trust.example.org", "", "email")
    assert _details(email=None, contacts=[]).referral_method == "self_referral"


def test_long_free_text_is_cut_to_fit_but_a_long_name_is_a_problem():
    details = _details(service_areas=[{"id": "a", "name": "x" * 500}])
    assert len(details.area) == 200 and details.area.endswith("…")
    with pytest.raises(RecordProblem, match="Service name"):
        _details(name="n" * 300)


def test_last_modified_is_kept_in_utc():
    assert _details(last_modified="2026-06-01T10:00:00+01:00").last_modified == \
        datetime(2026, 6, 1, 9, 0)
    with pytest.raises(RecordProblem, match="'last_modified' is not an ISO 8601"):
        _details(last_modified="last Tuesday")


def test_a_catalogue_file_row_may_carry_last_modified():
    row = {"external_id": "w", "name": "Walks", "category": "nature"}
    assert service_from_row({**row, "last_modified": "2026-03-15T10:30:00Z"}, "row 1"
                            ).last_modified == datetime(2026, 3, 15, 10, 30)
    assert service_from_row({**row, "last_modified": ""}, "row 1").last_modified is None
    with pytest.raises(ValidationError, match="row 2: Last modified: enter an ISO 8601"):
        service_from_row({**row, "last_modified": "soon"}, "row 2")


def test_a_shown_url_has_no_credentials_or_tokens():
    assert shown_url("https://user:pw@dir.example.org:8443/api/services?page=2&per_page=50"
                     "&api_key=SECRET") == \
        "https://dir.example.org:8443/api/services?page=2&per_page=50"


def test_a_record_without_a_status_is_a_problem():
    with pytest.raises(RecordProblem, match="has no 'status'"):
        _details(status=None)


ORG = {"id": "o", "name": "Harrowgate Vale Trust", "description": "An umbrella charity",
       "email": "hello@trust.example.org"}


@pytest.mark.parametrize(("changes", "route"), [
    ({"email": "shed@example.org"}, ("email", "shed@example.org", "0113 496 0001")),
    ({}, ("phone", "", "0113 496 0001")),  # the Men's Shed: a contact's phone only
    ({"contacts": [], "phones": [{"id": "p", "number": "0113 496 0100"}]},
     ("phone", "", "0113 496 0100")),
    ({"contacts": [], "service_at_locations": [{"id": "sal", "location": {
        "id": "l", "location_type": "physical",
        "phones": [{"id": "p", "number": "0113 496 0200"}]}}]},
     ("phone", "", "0113 496 0200")),
])
def test_the_services_own_contact_details_decide_the_referral_method(changes, route):
    notes: list[str] = []
    record = service(1, LUNCH, **{"email": None, "organization": ORG, **changes})
    details = to_details(record, mapping_from_dict(AREA, "area"), "service s1", notes)
    assert (details.referral_method, details.email, details.phone) == route
    assert notes == []


def test_the_organisations_route_is_a_fallback_with_a_note_naming_the_service():
    notes: list[str] = []
    record = service(1, LUNCH, email=None, contacts=[], organization=ORG)
    details = to_details(record, mapping_from_dict(AREA, "area"), f"service {record['id']}",
                         notes)
    assert (details.referral_method, details.email) == ("email", "hello@trust.example.org")
    assert notes == [(f"service {record['id']}: has no email or phone of its own, so its "
                     "referral route is the organisation's (Harrowgate Vale Trust: "
                     "hello@trust.example.org); imported, check it")]
    by_phone = {**ORG, "email": None, "phones": [{"id": "p", "number": "0113 496 0999"}]}
    assert _details(email=None, contacts=[], organization=by_phone).referral_method == "phone"
    assert _details(email=None, contacts=[]).referral_method == "self_referral"


def test_byday_is_comma_separated_text_as_the_schema_says():
    with pytest.raises(RecordProblem, match="'byday' should be text, not list"):
        _details(schedules=[{"id": "s", "byday": ["MO", "TH"]}])
