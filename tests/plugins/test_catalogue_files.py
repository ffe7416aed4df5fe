"""Catalogue files: good rows kept, bad rows named, never an unhandled exception."""

from __future__ import annotations

import json

from hypothesis import example, given, settings
from hypothesis import strategies as st

from practice_rx.catalogue_files import load_catalogue_file, service_from_row
from practice_rx.errors import ValidationError

FIELDS = ["external_id", "name", "category", "phone", "cost", "referral_method",
          "response_days", "is_link_worker", "colour"]
values = st.one_of(st.none(), st.text(max_size=20), st.integers(), st.floats(), st.booleans(),
                   st.lists(st.integers(), max_size=2))


@settings(max_examples=500, deadline=None)
@example({"response_days": float("inf")})  # once raised OverflowError instead of a message
@given(st.one_of(st.dictionaries(st.sampled_from(FIELDS), values), values))
def test_any_row_is_a_service_or_a_clear_message(row):
    try:
        details = service_from_row(row, "row 1")
    except ValidationError as error:
        assert error.errors and all(m.startswith("row 1: ") for m in error.errors.values())
    else:
        assert details.name.strip() and details.external_id.strip()


def test_csv_with_a_bad_row(tmp_path):
    path = tmp_path / "services.csv"
    path.write_text("external_id,name,category\na,Walks,physical_activity\nb,,food\n"
                    "c,Knit,knitting\n")
    catalogue = load_catalogue_file(path)
    assert [s.name for s in catalogue.services] == ["Walks"]
    assert catalogue.problems[0] == "services.csv row 2: Service name: enter the service's name"
    assert catalogue.problems[1].startswith("services.csv row 3: Category: 'knitting' is not")


def test_json_and_yaml(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps([{"external_id": "a", "name": "A",
                                                  "category": "food", "response_days": "5"}]))
    (tmp_path / "b.yaml").write_text("services:\n  - {external_id: b, name: B, category: food}\n")
    assert load_catalogue_file(tmp_path / "a.json").services[0].response_days == 5
    assert load_catalogue_file(tmp_path / "b.yaml").services[0].name == "B"


def test_unreadable_files_say_so(tmp_path):
    (tmp_path / "bad.json").write_text("{nope")
    (tmp_path / "x.txt").write_text("")
    for name, expected in (("bad.json", "bad.json: cannot be read"),
                           ("x.txt", "x.txt: use a .csv, .json or .yaml file")):
        try:
            load_catalogue_file(tmp_path / name)
        except ValidationError as error:
            assert str(error).startswith(expected)
        else:
            raise AssertionError(f"{name} was accepted")


def test_a_repeated_external_id_keeps_the_first_row_and_says_so(tmp_path):
    path = tmp_path / "services.csv"
    path.write_text("external_id,name,category\nwalk,Park walks,physical_activity\n"
                    "choir,Choir,arts_culture\nwalk,Canal walks,physical_activity\n")
    catalogue = load_catalogue_file(path)
    assert [s.name for s in catalogue.services] == ["Park walks", "Choir"]
    assert catalogue.problems == [
        "services.csv row 3: Service id: 'walk' is already used by row 1; the first is kept"]
