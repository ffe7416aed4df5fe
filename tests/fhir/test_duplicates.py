"""The same referral imported twice: refused by its sender's identifier, nothing saved.

Both backends; two imports racing each other are settled by the unique index
``uq_referral_sender_identifier`` (migration 0010), also when the check before saving is
not there to catch it.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from practice_rx.errors import ValidationError
from practice_rx.services import referrals as referral_module
from practice_rx.storage.models import Referral
from tests.fhir.test_import import agency_bundle, encoded, referral_count

WHERE = "Bundle.entry[0].resource.identifier[0]"


def test_the_senders_identifier_is_kept_and_a_second_import_is_refused(services, world):
    data = encoded(agency_bundle(world.patient.nhs_number))
    first = world.fhir.import_bundle(world.link_worker.id, data)
    assert (first.sender_identifier_system, first.sender_identifier_value) == (
        "https://housing.leeds.example/Id/referral", "H-2026-0071")
    before = referral_count(services)
    with pytest.raises(ValidationError) as refused:
        world.fhir.import_bundle(world.link_worker.id, data)
    assert list(refused.value.errors) == [WHERE]
    message = refused.value.errors[WHERE]
    assert message.startswith(f"{WHERE}: ")
    assert f"already imported, as referral PRX-{first.id:06d}" in message
    assert referral_count(services) == before
    assert services.audit.verify() is None  # the identifier is on the audit trail too


def test_the_same_value_in_another_system_is_another_referral(services, world):
    world.fhir.import_bundle(world.link_worker.id, encoded(agency_bundle(world.patient.nhs_number)))
    other = agency_bundle(world.patient.nhs_number)
    other["entry"][0]["resource"]["identifier"][0]["system"] = "https://social.leeds.example/Id"
    second = world.fhir.import_bundle(world.link_worker.id, encoded(other))
    assert second.sender_identifier_value == "H-2026-0071"


def test_our_own_export_imported_twice_is_refused(services, world, tmp_path):
    (path,) = world.fhir.export(world.gp.id, [world.sent.id], tmp_path)
    first = world.fhir.import_bundle(world.link_worker.id, path.read_bytes())
    with pytest.raises(ValidationError, match=f"as referral PRX-{first.id:06d}"):
        world.fhir.import_bundle(world.link_worker.id, path.read_bytes())


def test_a_bundle_without_an_identifier_is_refused(services, world):
    before = referral_count(services)
    for identifiers in (None, [], [{"value": "H-1"}], [{"system": "https://x.example/Id"}]):
        bundle = agency_bundle(world.patient.nhs_number)
        if identifiers is None:
            del bundle["entry"][0]["resource"]["identifier"]
        else:
            bundle["entry"][0]["resource"]["identifier"] = identifiers
        with pytest.raises(ValidationError) as refused:
            world.fhir.import_bundle(world.link_worker.id, encoded(bundle))
        where = "Bundle.entry[0].resource.identifier"
        assert list(refused.value.errors) == [where], identifiers
        assert "a system and a value" in refused.value.errors[where]
        assert "imported twice" in refused.value.errors[where]
    assert referral_count(services) == before


def test_an_identifier_too_long_to_keep_is_refused(services, world):
    bundle = agency_bundle(world.patient.nhs_number)
    bundle["entry"][0]["resource"]["identifier"][0]["value"] = "H" * 101
    with pytest.raises(ValidationError) as refused:
        world.fhir.import_bundle(world.link_worker.id, encoded(bundle))
    assert refused.value.errors == {
        f"{WHERE}.value": f"{WHERE}.value: at most 100 characters (this has 101)"}


def test_the_unique_index_refuses_a_duplicate_the_check_missed(services, world, monkeypatch):
    data = encoded(agency_bundle(world.patient.nhs_number))
    first = world.fhir.import_bundle(world.link_worker.id, data)
    # as if a concurrent import had checked before the first one was committed
    monkeypatch.setattr(referral_module, "refuse_if_imported", lambda session, identifier: None)
    before = referral_count(services)
    with pytest.raises(ValidationError) as refused:
        world.fhir.import_bundle(world.link_worker.id, data)
    assert f"PRX-{first.id:06d}" in refused.value.errors[WHERE]
    assert referral_count(services) == before


def test_two_imports_racing_make_one_referral(services, world):
    data = encoded(agency_bundle(world.patient.nhs_number))
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def import_it() -> None:
        start.wait()
        try:
            outcomes.append(world.fhir.import_bundle(world.link_worker.id, data).id)
        except ValidationError as error:
            outcomes.append(error)

    threads = [threading.Thread(target=import_it) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    (made,) = [o for o in outcomes if isinstance(o, int)]
    (refused,) = [o for o in outcomes if isinstance(o, ValidationError)]
    assert f"PRX-{made:06d}" in refused.errors[WHERE]
    with services.db.reading() as session:
        assert session.scalars(select(Referral.id).where(
            Referral.sender_identifier_value == "H-2026-0071")).all() == [made]

