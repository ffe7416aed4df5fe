"""Generating, recording, reprinting and batching letters, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import datetime

import pytest
from sqlalchemy import select

from practice_rx.errors import NotFoundError, PermissionDenied, ValidationError
from practice_rx.letters import LetterKind
from practice_rx.letters.inputs import inputs_for
from practice_rx.letters.service import LetterService
from practice_rx.letters.templates import REFERRAL_LETTER, ComposedTemplate, compose_referral
from practice_rx.services.patients import PatientDetails
from practice_rx.services.practice import PracticeDetails
from practice_rx.storage.models import AuditEvent, Letter
from tests.letters.pdf import text_of
from tests.support.factories import admin, make_patient, make_service, make_user, ready_draft

PRACTICE = PracticeDetails(
    ods_code="B86999", name="Riverside Medical Practice", address="12 Canal Street\nLeeds",
    postcode="LS11 5AB", phone="0113 496 0123", email="riverside.practice@example.nhs.uk",
)


@pytest.fixture
def letters(services) -> LetterService:
    return LetterService(services.db, services.clock, services.referrals.audit)


@pytest.fixture
def world(services):
    """A practice, a referrer, two patients and a service; Joan's referral is sent."""
    services.practice.save(admin(services), PRACTICE)
    user = make_user(services)
    joan = make_patient(services, "Joan", "Smithson", address="Flat 3, 41 Elm Grove, Leeds",
                        postcode="LS12 3QT")
    other = make_patient(services, "Olusegun", "Adeyemi", address="7 Ivy Terrace, Leeds",
                         postcode="LS13 2ZZ", phone="0113 496 0999")
    service = make_service(services, "Leeds Walking Friends", phone="0113 496 0789",
                           address="2 Bridge Road, Leeds")
    draft = ready_draft(services, user, joan, service,
                        what_matters="Walking with others, like I used to.")
    sent = services.referrals.send(user.id, draft.id, draft.version)
    other_draft = ready_draft(services, user, other, service,
                              what_matters="Someone to talk to about money worries.")
    return user, joan, other, service, sent, other_draft


def test_generate_records_the_letter_with_its_sha256(services, letters, world, clock):
    user, joan, _, _, referral, _ = world
    generated = letters.generate(user.id, referral.id, LetterKind.REFERRAL)
    record = generated.record
    assert record.id is not None
    assert record.kind == "referral"
    assert (record.template_id, record.template_version) == ("practice_rx.referral", 1)
    assert record.created_by_id == user.id and record.created_at == clock()
    assert record.sha256 == hashlib.sha256(generated.pdf).hexdigest()
    with services.db.reading() as session:
        stored = session.scalars(select(Letter)).all()
    assert [(row.id, row.sha256) for row in stored] == [(record.id, record.sha256)]
    assert generated.filename == f"PRX-{referral.id:06d}-referral-2026-11-24-{record.id}.pdf"
    assert letters.history(user.id, referral.id)[0].id == record.id


def test_the_letter_holds_this_referral_and_no_other_patients(letters, world):
    user, joan, other, service, referral, _ = world
    text = text_of(letters.generate(user.id, referral.id, LetterKind.REFERRAL).pdf)
    nhs = joan.nhs_number
    assert f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}" in text
    for expected in ("Joan Smithson", "Leeds Walking Friends", "Walking with others",
                     "Loneliness or social isolation", "Beeston Hill Surgery",
                     "Riverside Medical Practice", "ODS code B86999"):
        assert expected in text, expected
    theirs = other.nhs_number
    for leaked in ("Olusegun", "Adeyemi", f"{theirs[:3]} {theirs[3:6]} {theirs[6:]}",
                   "Ivy Terrace", "money worries", "0113 496 0999"):
        assert leaked not in text


def test_missing_practice_details_are_reported_before_printing(services, letters):
    user = make_user(services)
    patient = make_patient(services, address="1 High Street", postcode="LS1 4AP")
    service = make_service(services)
    referral = ready_draft(services, user, patient, service)
    with pytest.raises(ValidationError) as caught:
        letters.generate(user.id, referral.id, LetterKind.REFERRAL)
    message = str(caught.value)
    assert message.startswith("Practice details: set the practice name, address and ODS code "
                              "in Settings before printing letters")
    assert "address" in message.split("missing:")[1]
    with services.db.reading() as session:
        assert session.scalars(select(Letter)).all() == []


def test_a_letter_to_the_patient_needs_their_address(services, letters, world):
    user, _, _, service, _, _ = world
    homeless = make_patient(services, "Sam", "Rowe")
    referral = ready_draft(services, user, homeless, service)
    with pytest.raises(ValidationError, match="Patient address"):
        letters.generate(user.id, referral.id, LetterKind.PATIENT)
    letters.generate(user.id, referral.id, LetterKind.REFERRAL)  # the service letter is fine


def test_patient_letters_in_both_sizes(letters, world):
    user, _, _, _, referral, _ = world
    standard = letters.generate(user.id, referral.id, LetterKind.PATIENT)
    large = letters.generate(user.id, referral.id, "patient_large_print")
    assert large.record.template_id == "practice_rx.patient_large_print"
    due = "8 Dec 2026"  # 10 working days after 24 Nov 2026
    for letter in (standard, large):
        text = text_of(letter.pdf)
        assert "You have been referred to Leeds Walking Friends" in text
        assert f"will contact you by {due}" in text


def test_a_chaser_needs_a_referral_waiting_for_the_service(services, letters, world, clock):
    user, _, _, _, sent, draft = world
    with pytest.raises(ValidationError, match="Chaser: only a referral that is sent or accepted"):
        letters.generate(user.id, draft.id, LetterKind.CHASER)
    clock.advance(days=21)
    text = text_of(letters.generate(user.id, sent.id, LetterKind.CHASER).pdf)
    assert "We referred the patient below to Leeds Walking Friends on 24 Nov 2026" in text
    assert "response by 8 Dec 2026" in text


def test_reprint_gives_the_same_bytes_even_days_later(services, letters, world, clock):
    user, _, _, _, referral, _ = world
    first = letters.generate(user.id, referral.id, LetterKind.REFERRAL)
    clock.advance(days=30)
    assert letters.reprint(user.id, first.record.id) == first.pdf
    # a newer letter is dated today, so it differs
    assert letters.generate(user.id, referral.id, LetterKind.REFERRAL).pdf != first.pdf


def test_reprint_is_the_letter_sent_even_after_the_patient_moves(services, letters, world):
    user, joan, _, _, referral, _ = world
    first = letters.generate(user.id, referral.id, LetterKind.PATIENT)
    details = PatientDetails(
        nhs_number=joan.nhs_number, given_name="Joan", family_name="Smithson",
        date_of_birth=joan.date_of_birth, address="99 New Road, Leeds", postcode="LS12 3QT",
        phone=joan.phone,
    )
    services.patients.update(user.id, joan.id, joan.version, details)
    again = letters.reprint(user.id, first.record.id)
    assert again == first.pdf and "41 Elm Grove" in text_of(again)
    assert "99 New Road" in text_of(letters.generate(user.id, referral.id, "patient").pdf)


def test_reprint_needs_the_template_version_it_was_printed_with(services, world):
    user, _, _, _, referral, _ = world
    local = ComposedTemplate("leeds.referral", 7, LetterKind.REFERRAL, "Leeds referral",
                             compose_referral)
    with_plugin = LetterService(services.db, services.clock, services.referrals.audit,
                                [REFERRAL_LETTER, local])
    letter = with_plugin.generate(user.id, referral.id, LetterKind.REFERRAL)
    assert (letter.record.template_id, letter.record.template_version) == ("leeds.referral", 7)
    assert with_plugin.reprint(user.id, letter.record.id) == letter.pdf
    without = LetterService(services.db, services.clock, services.referrals.audit)
    with pytest.raises(Exception, match="'leeds.referral' version 7 is not installed"):
        without.reprint(user.id, letter.record.id)


def test_a_template_of_another_kind_is_refused(letters, world):
    user, _, _, _, referral, _ = world
    with pytest.raises(ValidationError, match="makes a referral letter to the service"):
        letters.generate(user.id, referral.id, LetterKind.CHASER, template=REFERRAL_LETTER)


def test_unknown_records_are_not_found(letters, world):
    user, _, _, _, referral, _ = world
    with pytest.raises(NotFoundError):
        letters.generate(user.id, 99999, LetterKind.REFERRAL)
    with pytest.raises(PermissionDenied):
        letters.generate(99999, referral.id, LetterKind.REFERRAL)
    with pytest.raises(NotFoundError):
        letters.reprint(user.id, 99999)


def test_inputs_for_reads_the_core_facts_from_the_columns(services, letters, world):
    user, joan, _, service, referral, _ = world
    inputs = letters.inputs(user.id, referral.id, LetterKind.REFERRAL)
    facts = inputs.referral
    assert facts.reasons == ("loneliness",)
    assert facts.reason_labels == ("Loneliness or social isolation",)
    assert facts.consent_given and facts.consent_to_share
    assert facts.consent_method_label == "In person"
    assert facts.urgency_label == "Routine"
    assert facts.sent_on is not None and facts.response_due_on is not None
    assert inputs.patient.nhs_number == joan.nhs_number
    assert inputs.service.name == service.name
    assert inputs.form["id"] == "national"
    assert inputs.referrer.organisation == "Beeston Hill Surgery"  # from the answers
    preview = letters.preview(user.id, referral.id, LetterKind.REFERRAL)
    assert preview == REFERRAL_LETTER.render(inputs)


def test_batch_reports_progress_records_each_letter_and_skips_what_cannot_print(
        services, letters, world):
    user, _, _, service, sent, draft = world
    seen: list[tuple[int, int]] = []
    items = letters.batch(user.id, [sent.id, 424242, draft.id], LetterKind.REFERRAL,
                          progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert [item.referral_id for item in items] == [sent.id, 424242, draft.id]
    assert items[1].letter is None and "does not exist" in items[1].error
    made = [item.letter for item in items if item.letter]
    assert len(made) == 2
    with services.db.reading() as session:
        rows = {row.id: row for row in session.scalars(select(Letter))}
    for letter in made:
        assert rows[letter.record.id].sha256 == hashlib.sha256(letter.pdf).hexdigest()
        assert letters.reprint(user.id, letter.record.id) == letter.pdf
    chasers = letters.batch(user.id, [sent.id, draft.id], LetterKind.CHASER)
    assert chasers[0].letter is not None
    assert chasers[1].letter is None and chasers[1].error.startswith("Chaser:")


def test_a_cancelled_batch_keeps_and_returns_only_recorded_letters(services, letters, world):
    user, _, _, _, sent, draft = world
    calls = iter([False, True])
    items = letters.batch(user.id, [sent.id, draft.id], LetterKind.REFERRAL,
                          cancelled=lambda: next(calls))
    assert [item.referral_id for item in items] == [sent.id]
    assert items[0].letter is not None
    with services.db.reading() as session:
        assert [row.id for row in session.scalars(select(Letter))] == [items[0].letter.record.id]


def test_inputs_for_works_on_a_referral_loaded_by_the_referral_service(services, world):
    user, _, _, _, referral, _ = world
    loaded = services.referrals.get(user.id, referral.id)
    practice = services.practice.get()
    form = services.forms.get(loaded.form_id, loaded.form_version)
    inputs = inputs_for(loaded, practice, form, kind=LetterKind.PATIENT,
                        today=datetime(2026, 11, 25).date())
    assert inputs.letter_date.isoformat() == "2026-11-25"
    assert "Flat 3" in inputs.patient.address


def test_who_may_print_and_that_printing_is_audited(services, letters, world):
    user, joan, _, _, referral, _ = world
    desk = make_user(services, "receptionist", "Pat Reception")
    link_worker = make_user(services, "link_worker", "Lee Worker")
    letter = letters.generate(desk.id, referral.id, LetterKind.PATIENT)
    with pytest.raises(PermissionDenied, match="print letters"):
        letters.generate(link_worker.id, referral.id, LetterKind.PATIENT)
    with pytest.raises(PermissionDenied):
        letters.reprint(link_worker.id, letter.record.id)
    letters.reprint(desk.id, letter.record.id)
    letters.preview(user.id, referral.id, LetterKind.REFERRAL)
    with services.db.reading() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action.like("letter_%"))
                                 .order_by(AuditEvent.id)).all()
    assert [(event.action, event.user_id, event.patient_id) for event in events] == [
        ("letter_print", desk.id, joan.id),
        ("letter_reprint", desk.id, joan.id),
        ("letter_preview", user.id, joan.id),
    ]
    assert events[0].after["sha256"] == letter.record.sha256
    assert services.audit.verify() is None


def test_cli_writes_a_referrals_letters_to_a_folder(services, world, db_url, tmp_path, capsys):
    from practice_rx.cli import main

    user, _, _, _, referral, _ = world
    out = tmp_path / "letters"
    assert main(["--database", db_url, "letters", str(referral.id), "--out", str(out),
                 "--user", user.username]) == 0
    files = sorted(path.name for path in out.iterdir())
    assert [name.split("-")[2] for name in files] == ["patient", "referral"]
    assert all(name.startswith(f"PRX-{referral.id:06d}-") for name in files)
    assert "Smithson" in text_of((out / files[1]).read_bytes())
    assert main(["--database", db_url, "letters", str(referral.id), "--user", "nobody"]) == 2


def test_a_batch_audits_each_letter_in_order_and_stores_what_one_letter_stores(
        services, letters, world):
    user, _, _, _, sent, draft = world
    single = letters.generate(user.id, sent.id, LetterKind.REFERRAL)
    items = letters.batch(user.id, [sent.id, draft.id, sent.id], LetterKind.REFERRAL)
    made = [item.letter.record for item in items if item.letter]
    assert len(made) == 3
    with services.db.reading() as session:
        stored = {row.id: row.inputs for row in session.scalars(select(Letter))}
        prints = [(event.entity_id, event.after["sha256"]) for event in session.scalars(
            select(AuditEvent).where(AuditEvent.action == "letter_print")
            .order_by(AuditEvent.id))]
    assert prints == [(record.id, record.sha256) for record in [single.record, *made]]
    assert stored[single.record.id]["form"]
    assert stored[made[0].id] == stored[made[2].id]
    assert stored[made[0].id]["form"] == stored[single.record.id]["form"]
    assert [letters.reprint(user.id, record.id) for record in made] == [
        item.letter.pdf for item in items]
    assert services.audit.verify() is None
