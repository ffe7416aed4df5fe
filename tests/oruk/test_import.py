"""Importing a directory from a real local ORUK server into each backend, whole or not at all."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from sqlalchemy import select

from practice_rx.oruk import DirectoryError, load_directory
from practice_rx.oruk.importer import import_directory
from practice_rx.services.catalogue import SyncReport
from practice_rx.storage.models import AuditEvent, Service
from tests.oruk.directory_server import KNITTING, LUNCH, service
from tests.oruk.writes import writes_to


def _rows(db) -> dict[str, dict[str, object]]:
    """Every imported row, column by column, to compare before and after."""
    with db.reading() as session:
        return {s.external_id: {c.key: getattr(s, c.key) for c in Service.__table__.columns}
                for s in session.scalars(select(Service).where(Service.plugin.like("oruk:%")))}


def test_every_page_is_read_and_each_record_in_full(services, db, directory, directory_url,
                                                     mapping_file):
    directory.records = [service(n, LUNCH if n % 2 else service.__defaults__[0])
                         for n in range(1, 8)]
    report = import_directory(services, directory_url, name="area", mapping=mapping_file,
                              per_page=3)
    assert report.plugin == "oruk:area"
    assert report.sync == SyncReport(added=7)
    assert report.catalogue.problems == []
    pages = [path for path in directory.requests if path.startswith("/api/services?")]
    assert pages == [f"/api/services?page={n}&per_page=3" for n in (1, 2, 3)]
    assert sum(path.startswith("/api/services/") for path in directory.requests) == 7
    rows = _rows(db)
    first = rows[directory.records[0]["id"]]
    assert first == {**first, "plugin": "oruk:area", "name": "Synthetic service 1",
                     "category": "befriending", "provider": "Example Trust 1",
                     "eligibility": "Ages 18 and over", "area": "Synthetic Town",
                     "address": "Synthetic Community Centre, 1 High Street, Synthetic Town, "
                                "LS1 4AP",
                     "phone": "0113 496 0001", "email": "s1@example.org",
                     "website": "https://services.example.org/1",
                     "opening_times": "Mon, Thu 10:00–12:30", "cost": "low_cost",
                     "referral_method": "email", "active": True,
                     "last_modified": datetime(2026, 3, 15, 10, 30, 45, 123000)}
    assert rows[directory.records[1]["id"]]["category"] == "physical_activity"


def test_a_malformed_record_is_reported_and_the_rest_imported(services, db, directory,
                                                              directory_url, mapping_file):
    bad_days = service(2, schedules=[{"id": "s", "byday": "Mondays"}])
    directory.records = [service(1), bad_days, {"name": "No id at all"}, "not a record",
                         service(3, minimum_age="eighteen")]
    report = import_directory(services, directory_url, name="area", mapping=mapping_file,
                              per_page=2)
    assert report.sync == SyncReport(added=1)
    problems = report.catalogue.problems
    assert len(problems) == 4, problems
    assert f"service {bad_days['id']}: schedule byday 'Mondays'" in problems[0]
    assert "record 3: has no 'id'" in problems[1]
    assert "record 4: expected a service object" in problems[2]
    assert f"service {service(3)['id']}: 'minimum_age' should be a number" in problems[3]
    assert all(p.endswith("not imported") for p in problems)
    assert set(_rows(db)) == {service(1)["id"]}


@pytest.mark.parametrize("failure", ["page", "record"])
def test_a_server_error_half_way_keeps_the_previous_catalogue(services, db, directory,
                                                              directory_url, mapping_file,
                                                              failure):
    directory.records = [service(n) for n in range(1, 10)]
    import_directory(services, directory_url, name="area", mapping=mapping_file, per_page=3)
    before = _rows(db)
    # The directory changes (one renamed, one gone, one new), then fails half-way.
    directory.records = [service(1, name="Renamed")] + [service(n) for n in range(3, 12)]
    if failure == "page":
        directory.fail_pages[2] = 500
        expected = "page 2 of 4: http://127.0.0.1:[0-9]+/api/services\\?page=2&per_page=3 " \
            "answered HTTP 500 Internal Server Error"
    else:
        directory.fail_ids[service(7)["id"]] = 500
        expected = re.escape(f"/api/services/{service(7)['id']} answered HTTP 500")
    with writes_to(db.engine) as writes, pytest.raises(DirectoryError, match=expected):
        import_directory(services, directory_url, name="area", mapping=mapping_file,
                         per_page=3)
    assert writes == []
    assert _rows(db) == before


def test_a_reimport_that_changes_nothing_writes_nothing(services, db, directory,
                                                        directory_url, mapping_file):
    directory.records = [service(n) for n in range(1, 6)]
    import_directory(services, directory_url, name="area", mapping=mapping_file)
    with writes_to(db.engine) as writes:
        report = import_directory(services, directory_url, name="area", mapping=mapping_file)
    assert report.sync == SyncReport(unchanged=5)
    assert writes == []
    with db.reading() as session:  # the first import was audited once, the second not at all
        entries = session.scalars(select(AuditEvent.after).where(
            AuditEvent.action == "catalogue_import")).all()
    assert entries == [{"plugin": "oruk:area", "added": 5, "updated": 0, "deactivated": 0,
                        "unchanged": 0, "source": directory_url}]


def test_a_changed_or_withdrawn_service_is_updated_or_marked_inactive(
        services, db, directory, directory_url, mapping_file):
    directory.records = [service(n) for n in range(1, 4)]
    import_directory(services, directory_url, name="area", mapping=mapping_file)
    directory.records = [service(1, name="Renamed"), service(2, status="defunct")]
    report = import_directory(services, directory_url, name="area", mapping=mapping_file)
    assert report.sync == SyncReport(updated=1, deactivated=2)
    assert report.catalogue.not_active == 1
    rows = _rows(db)
    assert rows[service(1)["id"]]["name"] == "Renamed"
    assert [rows[service(n)["id"]]["active"] for n in (1, 2, 3)] == [True, False, False]


def test_services_whose_terms_are_all_unmapped_are_reported_not_imported(
        services, db, directory, directory_url, mapping_file):
    knitting = service(2, KNITTING)
    directory.records = [service(1), knitting, service(3, attributes=[])]
    report = import_directory(services, directory_url, name="area", mapping=mapping_file)
    assert report.sync == SyncReport(added=1)
    assert report.catalogue.unmapped == 2
    assert report.catalogue.problems == [
        (f"service {knitting['id']}: none of its taxonomy terms is in the mapping "
        f"(mapping.toml): {KNITTING['id']} (Synthetic Area Activities: Knitting); "
        "not imported"),
        (f"service {service(3)['id']}: has no taxonomy terms, so it has no category; "
        "not imported")]


def test_nothing_importable_changes_nothing(services, db, directory, directory_url,
                                            mapping_file):
    directory.records = [service(1)]
    import_directory(services, directory_url, name="area", mapping=mapping_file)
    directory.records = [service(1, KNITTING)]
    with pytest.raises(DirectoryError, match="no service could be imported"):
        import_directory(services, directory_url, name="area", mapping=mapping_file)
    assert _rows(db)[service(1)["id"]]["active"] is True


def test_a_saved_page_list_or_dump_imports_like_the_api(services, db, directory, tmp_path,
                                                        mapping_file):
    records = [service(n) for n in range(1, 4)]
    directory.records, directory.full_lists = records, True
    (tmp_path / "page.json").write_text(json.dumps(directory.page(1, 2)))
    (tmp_path / "list.json").write_text(json.dumps(records))
    (tmp_path / "dump.json").write_text(json.dumps({"services": records}))
    page = load_directory(tmp_path / "page.json", mapping_file)
    assert [s.external_id for s in page.services] == [r["id"] for r in records[:2]]
    report = import_directory(services, tmp_path / "dump.json", mapping=mapping_file)
    assert (report.plugin, report.sync) == ("oruk:dump", SyncReport(added=3))
    again = import_directory(services, tmp_path / "list.json", name="dump",
                             mapping=mapping_file)
    assert again.sync == SyncReport(unchanged=3)


def test_a_page_that_lists_full_records_is_not_fetched_again(services, directory,
                                                             directory_url, mapping_file):
    directory.records, directory.full_lists = [service(n) for n in range(1, 4)], True
    import_directory(services, directory_url, name="area", mapping=mapping_file)
    assert directory.requests == ["/api/services?page=1&per_page=100"]


def test_a_broken_file_or_page_says_what_is_wrong(tmp_path, directory, directory_url):
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(DirectoryError, match="broken.json: is not JSON"):
        load_directory(tmp_path / "broken.json")
    directory.records = [service(1)]
    with pytest.raises(DirectoryError, match="answered HTTP 404"):
        load_directory(directory_url.replace("/api", "/nothing-here"))
