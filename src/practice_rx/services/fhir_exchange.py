"""Referrals to and from FHIR UK Core bundles: read, export as files, import as drafts.

Export reads each referral's :class:`ReferralBundleInputs` in the transaction that audits
the export, so what a file shows is one consistent picture and every file written is on
the audit trail (a file whose audit row cannot be saved is removed again). Import checks
the whole bundle first and matches the patient by NHS number; the draft is then saved
by :meth:`ReferralService.create_draft`, in one transaction, or nothing is saved.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from practice_rx.domain.permissions import Action
from practice_rx.domain.referral_sources import ReceivedBy, ReferralSource
from practice_rx.errors import NotFoundError, ValidationError
from practice_rx.fhir.bundle import referral_bundle
from practice_rx.fhir.inbound import InboundReferral, problems_by_path, referral_from_bundle
from practice_rx.fhir.inputs import (
    NoteFacts,
    PatientFacts,
    PracticeFacts,
    ReferralBundleInputs,
    RequesterFacts,
    ServiceFacts,
)
from practice_rx.fhir.questionnaire import questionnaire
from practice_rx.fhir.uk_core import check_uk_core
from practice_rx.forms import (
    OTHER_CODE,
    REFERRAL_REASON_LABELS,
    SERVICE_CATEGORY_LABELS,
    FormDefinition,
)
from practice_rx.forms.model import MULTI_CHOICE_TYPES
from practice_rx.services.audit import AuditRow, AuditWriter
from practice_rx.services.base import ServiceBase
from practice_rx.services.forms import load_form
from practice_rx.services.practice import practice_of
from practice_rx.services.practice_scope import check_record_in_scope
from practice_rx.services.referral_source import SOURCE_FIELDS, SourceDetails, source_of
from practice_rx.services.referrals import DraftChanges, ReferralService
from practice_rx.services.sender_identifier import FIELD as SENDER_FIELD
from practice_rx.services.sender_identifier import SenderIdentifier
from practice_rx.storage.database import Database
from practice_rx.storage.models import (
    FormDefinitionRecord,
    Patient,
    Practice,
    Referral,
    ReferralNote,
    Service,
)

#: the form an inbound referral is entered on when the bundle carries no form of ours
INBOUND_FORM_ID = "national"


def bundle_filename(referral_id: int) -> str:
    """A file name for a referral's bundle: its number, never the patient's details."""
    return f"PRX-{referral_id:06d}-fhir.json"


def bundle_bytes(bundle: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON: unindented, so Python's C encoder writes it (about five times
    faster than with an indent); any JSON viewer lays it out."""
    return (json.dumps(bundle, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


#: referrals read together in an export (a few queries per chunk, not per referral)
READ_CHUNK = 200


def read_inputs(session: Session, referral_id: int) -> ReferralBundleInputs:
    """A referral's bundle inputs, refused outside the acting user's practices."""
    return read_many(session, [referral_id])[0]


def read_many(session: Session, referral_ids: list[int],
              forms: dict[tuple[str, int], FormDefinition] | None = None,
              ) -> list[ReferralBundleInputs]:
    """Several referrals' inputs, in the order asked, read in one go; the first that does
    not exist or is outside the user's practices is refused. ``forms`` keeps each form
    read, for a run of many chunks."""
    found = {referral.id: referral for referral in session.scalars(
        select(Referral).where(Referral.id.in_(referral_ids)).options(
            selectinload(Referral.patient), selectinload(Referral.service),
            selectinload(Referral.referrer),
            selectinload(Referral.notes).selectinload(ReferralNote.author)))}
    forms = {} if forms is None else forms
    practices: dict[int | None, Practice | None] = {}
    chosen = []
    for referral_id in referral_ids:
        referral = found.get(referral_id)
        if referral is None:
            raise NotFoundError(f"Referral {referral_id} does not exist")
        check_record_in_scope(session, referral)
        if referral.practice_id not in practices:
            practices[referral.practice_id] = practice_of(session, referral.practice_id)
        form = None
        if referral.form_id:
            key = (referral.form_id, referral.form_version)
            form = forms[key] = forms.get(key) or load_form(session, *key)
        chosen.append(_inputs(referral, practices[referral.practice_id], form))
    return chosen


def _inputs(referral: Referral, practice: Practice | None,
            form: FormDefinition | None) -> ReferralBundleInputs:
    if practice is None or not practice.ods_code:
        raise ValidationError.single(
            "practice", f"Referral {referral.id}: its practice has no ODS code; set up the "
            "practice (Practice details) before exporting FHIR")
    patient, service = referral.patient, referral.service
    source = source_of(referral)
    return ReferralBundleInputs(
        referral_id=referral.id, patient_id=referral.patient_id, status=referral.status,
        urgency=referral.urgency,
        reason_texts=_reason_texts(referral, form),
        created_at=referral.created_at, updated_at=referral.updated_at,
        sent_at=referral.sent_at, previous_referral_id=referral.previous_referral_id,
        source=source.value, source_label=source.label,
        practice=PracticeFacts(practice.ods_code, practice.name, practice.address,
                               practice.postcode, practice.phone, practice.email),
        patient=PatientFacts(patient.nhs_number, patient.given_name, patient.family_name,
                             patient.date_of_birth, patient.sex, patient.address,
                             patient.postcode, patient.phone, patient.email),
        requester=_requester(referral, source, practice.name, practice.ods_code),
        service=None if service is None else ServiceFacts(
            service.plugin, service.external_id, service.name, service.provider,
            SERVICE_CATEGORY_LABELS.get(service.category, service.category), service.phone,
            service.email, service.website),
        form=form, answers=dict(referral.answers or {}),
        notes=tuple(NoteFacts(note.at, note.author.display_name, note.text)
                    for note in referral.notes),
    )


def bundle_for(session: Session, referral_id: int) -> dict[str, Any]:
    """The referral's bundle, read in the caller's session (which carries the user's scope)."""
    return referral_bundle(read_inputs(session, referral_id))


def _reason_texts(referral: Referral, form: FormDefinition | None) -> tuple[str, ...]:
    field = next((f for f in form.fields() if f.key == "reasons"), None) if form else None
    texts = []
    for code in referral.reasons or []:
        if code == OTHER_CODE and referral.reason_other:
            texts.append(f"Other: {referral.reason_other}")
        else:
            texts.append(field.choice_label(code) if field else
                         REFERRAL_REASON_LABELS.get(code, code))
    return tuple(texts)


def _requester(referral: Referral, source: ReferralSource, practice_name: str,
               ods_code: str) -> RequesterFacts | None:
    """The practice's clinician, an agency's person, or None: the person referred themself."""
    answers = referral.answers or {}
    if source is ReferralSource.SELF:
        return None
    if source is ReferralSource.PRACTICE:
        user = referral.referrer
        return RequesterFacts(
            key=str(user.id), name=user.display_name,
            role=str(answers.get("referrer_role") or user.job_title),
            phone=str(answers.get("referrer_phone", "")),
            email=str(answers.get("referrer_email", "")),
            organisation_name=practice_name, organisation_ods=ods_code)
    contact = referral.referrer_contact
    return RequesterFacts(
        key=f"referral-{referral.id}-referrer", name=referral.referrer_name, role=source.label,
        phone="" if "@" in contact else contact, email=contact if "@" in contact else "",
        organisation_name=referral.referrer_organisation or source.label)


class FhirService(ServiceBase):
    """Export and import of FHIR bundles, beside the referral service that saves drafts."""

    def __init__(self, db: Database, clock: Callable[[], datetime], audit: AuditWriter,
                 referrals: ReferralService) -> None:
        super().__init__(db, clock, audit)
        self.referrals = referrals

    def bundles(self, user_id: int, referral_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """The bundles, without writing files (for the app, or another channel); audited."""
        return {referral_id: bundle for referral_id, bundle, _ in
                self._export(user_id, referral_ids, None) if bundle is not None}

    def export(self, user_id: int, referral_ids: Iterable[int], out_dir: Path | str,
               progress: Callable[[int, int], None] | None = None) -> list[Path]:
        """One ``PRX-<number>-fhir.json`` per referral in ``out_dir``: all of them or none.

        ``progress(done, total)`` is called after each chunk; if it raises (the person
        cancelled), nothing is kept: the files written are removed, the audit rows rolled
        back.
        """
        folder = Path(out_dir)
        folder.mkdir(parents=True, exist_ok=True)
        return [path for _, _, path in self._export(user_id, referral_ids, folder, progress)
                if path is not None]

    def _export(self, user_id: int, referral_ids: Iterable[int], folder: Path | None,
                progress: Callable[[int, int], None] | None = None,
                ) -> list[tuple[int, dict[str, Any] | None, Path | None]]:
        """(referral, its bundle unless written to a file, the file) for each referral."""
        written: list[Path] = []
        done: list[tuple[int, dict[str, Any] | None, Path | None]] = []
        try:
            with self.db.transaction() as session:
                self.authorize(session, user_id, Action.VIEW_REFERRALS)
                forms: dict[tuple[str, int], FormDefinition] = {}
                wanted = list(dict.fromkeys(referral_ids))
                chunks = [wanted[at:at + READ_CHUNK] for at in range(0, len(wanted), READ_CHUNK)]
                for chunk in chunks:
                    rows = []
                    for inputs in read_many(session, chunk, forms):
                        referral_id = inputs.referral_id
                        bundle = referral_bundle(inputs)
                        problems = check_uk_core(bundle)
                        if problems:  # a fault of ours: never send what we would refuse
                            raise ValidationError(problems_by_path(problems))
                        path = None
                        if folder is not None:
                            path = folder / bundle_filename(referral_id)
                            path.write_bytes(bundle_bytes(bundle))
                            written.append(path)
                        rows.append(AuditRow("referral_export_fhir", "referral", referral_id,
                                             inputs.patient_id,
                                             after={"file": path.name if path else ""}))
                        # a file written needs no bundle kept: thousands held would make
                        # each garbage collection walk them all
                        done.append((referral_id, bundle if path is None else None, path))
                    self.audit.record_many(session, at=self.clock(), user_id=user_id, rows=rows)
                    session.expunge_all()  # the chunk's rows are flushed: let them go too
                    if progress is not None:
                        progress(len(done), len(wanted))
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise
        return done

    def questionnaire(self, form_id: str, version: int) -> dict[str, Any]:
        """An installed form as a UK Core Questionnaire (no patient data: no role needed)."""
        with self.db.reading() as session:
            return questionnaire(load_form(session, form_id, version))

    def import_bundle(self, user_id: int, data: bytes) -> Referral:
        """Another agency's bundle as an inbound draft for a patient already registered here.

        A patient is matched by NHS number and never created from a bundle: adding a person
        to the practice's records is the practice's own step, with its own checks.
        """
        try:
            bundle = json.loads(data)
        except (UnicodeDecodeError, ValueError) as error:
            raise ValidationError.single("Bundle", f"Bundle: the file is not JSON ({error})") \
                from None
        inbound = referral_from_bundle(bundle)
        with self.db.reading() as session:
            self.authorize(session, user_id, Action.ENTER_INBOUND_REFERRALS)
            patient = self._patient(session, inbound)
            service_id = self._service(session, inbound.service_key)
            form = self._form(session, inbound)
            answers, paths = inbound_answers(form, inbound)
        source = SourceDetails(source=inbound.source, organisation=inbound.organisation,
                               person=inbound.person, contact=inbound.contact,
                               received_by=ReceivedBy.ONLINE_FORM)
        try:
            return self.referrals.create_draft(
                user_id, patient.id, (form.id, form.version),
                DraftChanges(service_id=service_id, answers=answers, source=source),
                sender_identifier=SenderIdentifier(*inbound.identifier))
        except ValidationError as error:
            requester = f"{inbound.request_path}.requester"
            paths[SENDER_FIELD] = inbound.identifier_path
            where = {key: paths.get(key, requester if key in SOURCE_FIELDS else key)
                     for key in error.errors}
            raise ValidationError({where[key]: f"{where[key]}: {message}"
                                   for key, message in error.errors.items()}) from None

    @staticmethod
    def _patient(session: Session, inbound: InboundReferral) -> Patient:
        patient = session.scalar(select(Patient).where(Patient.nhs_number == inbound.nhs_number))
        where = inbound.patient_path
        if patient is None:
            raise ValidationError.single(
                f"{where}.identifier", f"{where}.identifier: no patient with this NHS number "
                "is registered in PracticeRx. Add the patient first (from the practice's "
                "clinical system), then import the bundle again")
        check_record_in_scope(session, patient)
        if inbound.birth_date and inbound.birth_date != patient.date_of_birth.isoformat():
            raise ValidationError.single(
                f"{where}.birthDate", f"{where}.birthDate: differs from the date of birth "
                "PracticeRx holds for this NHS number; check it is the same person with the "
                "sender before importing")
        return patient

    @staticmethod
    def _service(session: Session, key: str | None) -> int | None:
        """The catalogue service the bundle names, if it is one of ours and still active."""
        plugin, _, external_id = (key or "").partition("/")
        return session.scalar(select(Service.id).where(
            Service.plugin == plugin, Service.external_id == external_id,
            Service.active.is_(True))) if external_id else None

    @staticmethod
    def _form(session: Session, inbound: InboundReferral) -> FormDefinition:
        if inbound.form is not None and session.get(FormDefinitionRecord, inbound.form):
            return load_form(session, *inbound.form)
        version = session.scalar(
            select(FormDefinitionRecord.version)
            .where(FormDefinitionRecord.form_id == INBOUND_FORM_ID,
                   FormDefinitionRecord.active.is_(True))
            .order_by(FormDefinitionRecord.version.desc()).limit(1))
        if version is None:
            raise NotFoundError(f"Form '{INBOUND_FORM_ID}' is not installed; is the national "
                                "plugin enabled?")
        return load_form(session, INBOUND_FORM_ID, version)


def inbound_answers(form: FormDefinition, inbound: InboundReferral,
                    ) -> tuple[dict[str, Any], dict[str, str]]:
    """The draft's answers and the bundle path each came from.

    A QuestionnaireResponse to this very form gives its answers as they are; otherwise
    the request gives what it can: urgency from its priority, its reasons as the text of
    "other" (they carry no PracticeRx reason code), its notes as the context.
    """
    request = inbound.request_path
    if inbound.form == (form.id, form.version) and inbound.answers:
        fields = {field.key: field for field in form.fields()}
        others = {field.other_text_key for field in form.fields() if field.other_text_key}
        answers: dict[str, Any] = {}
        paths: dict[str, str] = {}
        errors: dict[str, str] = {}
        for key, (values, path) in inbound.answers.items():
            paths[key] = path
            field = fields.get(key)
            if field is None and key not in others:
                errors[path] = f"{path}: '{key}' is not a question of form '{form.id}' " \
                               f"version {form.version}"
            elif field is not None and field.type in MULTI_CHOICE_TYPES:
                answers[key] = values
            elif len(values) != 1:
                errors[path] = f"{path}.answer: one answer expected, found {len(values)}"
            else:
                answers[key] = values[0]
        if errors:
            raise ValidationError(errors)
        return answers, paths
    answers = {"urgency": inbound.urgency}
    paths = {"urgency": f"{request}.priority"}
    if inbound.reason_texts:
        answers.update(reasons=[OTHER_CODE], reasons_other="; ".join(inbound.reason_texts))
        paths.update(reasons=f"{request}.reasonCode", reasons_other=f"{request}.reasonCode")
    if inbound.notes and any(field.key == "context" for field in form.fields()):
        answers["context"] = "\n\n".join(inbound.notes)
        paths["context"] = f"{request}.note"
    return answers, paths
