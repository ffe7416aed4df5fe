"""Generating letters for referrals, recording each one, reprinting and batches.

Every letter handed out is recorded (kind, template id and version, who, when,
SHA-256 of the PDF) in the same step that makes it, so the practice can show
exactly what it sent. Rendering is deterministic, and a reprint proves it is
the same letter by its SHA-256.

The inputs each letter showed are stored with it, so a reprint is the same
letter even after the referral, patient, service or practice details change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from practice_rx.domain.identifiers import format_date
from practice_rx.domain.permissions import Action, allowed
from practice_rx.errors import NotFoundError, PracticeRxError, ValidationError
from practice_rx.forms import FormDefinition
from practice_rx.letters.casework_facts import casework_for
from practice_rx.letters.casework_inputs import CaseworkFacts
from practice_rx.letters.inputs import LetterInputs, LetterKind, casework_problems, inputs_for
from practice_rx.letters.render_pool import RenderPool
from practice_rx.letters.resources import default_logo
from practice_rx.letters.templates import LetterTemplate, TemplateSet, builtin_templates
from practice_rx.measures import MeasureDefinition
from practice_rx.services.audit import AuditRow, AuditWriter
from practice_rx.services.base import ServiceBase, get_or_raise
from practice_rx.services.chasing import record_chase
from practice_rx.services.forms import load_form
from practice_rx.services.practice import practice_of
from practice_rx.services.practice_scope import check_record_in_scope
from practice_rx.storage.database import Database
from practice_rx.storage.models import Letter, Practice, Referral

BATCH_CHUNK = 50  # referrals read, rendered and recorded together in a batch

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


class LetterChangedError(PracticeRxError):
    """A recorded letter cannot be rebuilt byte for byte: what it showed has changed."""


@dataclass(frozen=True)
class GeneratedLetter:
    """A letter's PDF and its record (already saved)."""

    pdf: bytes
    record: Letter

    @property
    def filename(self) -> str:
        """A file name for saving it: reference, kind and date; never the patient's name."""
        return (f"PRX-{self.record.referral_id:06d}-{self.record.kind.replace('_', '-')}-"
                f"{self.record.created_at:%Y-%m-%d}-{self.record.id}.pdf")


@dataclass(frozen=True)
class BatchItem:
    """One referral's outcome in a batch: its letter, or why there is none."""

    referral_id: int
    letter: GeneratedLetter | None = None
    error: str = ""


@dataclass(frozen=True)
class _Chunk:
    """A batch's chunk ready to record: when it was read, each referral's inputs (or why
    it has no letter), and its letters' PDFs in order, as they are rendered."""

    now: datetime
    prepared: list[tuple[int, tuple[Referral, LetterInputs] | str]]
    pdfs: Generator[bytes, None, None]


def sha256(pdf: bytes) -> str:
    return hashlib.sha256(pdf).hexdigest()


class LetterService(ServiceBase):
    """Letters for referrals. ``templates`` defaults to the built-ins (plugins' come after).

    Making, previewing and reprinting a letter needs the permission of its kind
    (``LetterKind.action``: ``print_letters`` for the referral letters,
    ``view_case_summary`` for the care plan and the message back, which show what
    the person said), and each is audited against the patient, like opening a
    record. ``measures`` label outcome scores of measures known only to plugins.
    """

    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime],
        audit: AuditWriter,
        templates: Iterable[LetterTemplate] | None = None,
        logo: Path | None = None,
        measures: Sequence[MeasureDefinition] = (),
        render_pool: RenderPool | None = None,
    ) -> None:
        super().__init__(db, clock, audit)
        #: renders a big batch's letters on every core (:mod:`practice_rx.letters.render_pool`)
        self.render_pool = render_pool if render_pool is not None else RenderPool()
        self.measures = tuple(measures)
        self.templates = TemplateSet(builtin_templates() if templates is None else templates)
        self.logo = logo if logo is not None else default_logo()

    # -- one letter -------------------------------------------------------------------

    def inputs(self, user_id: int, referral_id: int, kind: LetterKind | str,
               on: date | None = None) -> LetterInputs:
        """What the letter would show (dated ``on``, default today), e.g. for a plugin's preview."""
        kind = LetterKind(kind)
        with self.db.reading() as session:
            self.authorize(session, user_id, kind.action)
            referral, practice, form = self._load(session, referral_id, {})
            casework = self._casework(session, referral, kind)
        return inputs_for(referral, practice, form, kind=kind, today=on or self.today(),
                          logo=self.logo, casework=casework)

    def preview(self, user_id: int, referral_id: int, kind: LetterKind | str,
                template: LetterTemplate | None = None) -> bytes:
        """The letter as it would print now, for the screen: audited, not recorded as a letter."""
        chosen = self._template(kind, template)
        inputs = self.inputs(user_id, referral_id, kind)
        pdf = chosen.render(inputs)
        with self.db.transaction() as session:
            self.audit.record(session, at=self.clock(), user_id=user_id, action="letter_preview",
                              entity="referral", entity_id=referral_id,
                              patient_id=self._patient_id(session, referral_id),
                              after={"kind": LetterKind(kind).value})
        return pdf

    def generate(self, user_id: int, referral_id: int, kind: LetterKind | str,
                 template: LetterTemplate | None = None) -> GeneratedLetter:
        """Make a letter and record it; a letter to print, post or save is always made here."""
        chosen = self._template(kind, template)
        kind = LetterKind(kind)
        now = self.clock()
        with self.db.reading() as session:
            self.authorize(session, user_id, kind.action)
            referral, practice, form = self._load(session, referral_id, {})
            casework = self._casework(session, referral, kind)
        inputs = inputs_for(referral, practice, form, kind=kind, today=now.date(), logo=self.logo,
                            casework=casework)
        pdf = chosen.render(inputs)
        with self.db.transaction() as session:
            self.authorize(session, user_id, kind.action)
            record = self._record(session, user_id, referral, chosen, now, pdf, inputs)
        return GeneratedLetter(pdf, record)

    def reprint(self, user_id: int, letter_id: int) -> bytes:
        """The recorded letter again, byte for byte, even after the referral has changed.

        Rendered from the inputs stored with the letter, through the template
        version it was printed with; the SHA-256 proves it is the letter recorded.
        """
        with self.db.reading() as session:
            record = session.get(Letter, letter_id)
            known = record is not None and record.kind in LetterKind._value2member_map_
            self.authorize(session, user_id,
                           LetterKind(record.kind).action if known else Action.PRINT_LETTERS)
            record = get_or_raise(session, Letter, letter_id, "Letter")
            get_or_raise(session, Referral, record.referral_id, "Referral")  # its practice's
            patient_id = self._patient_id(session, record.referral_id)
        template = self.templates.find(record.template_id, record.template_version)
        pdf = template.render(LetterInputs.from_dict(record.inputs))
        if sha256(pdf) != record.sha256:
            raise LetterChangedError(
                f"Letter {letter_id} ({LetterKind(record.kind).label.lower()}, printed "
                f"{format_date(record.created_at.date())}) cannot be reproduced exactly by "
                f"template {record.template_id} version {record.template_version} as installed "
                "now; the plugin that supplies it may have changed it without a new version."
            )
        with self.db.transaction() as session:
            self.audit.record(session, at=self.clock(), user_id=user_id, action="letter_reprint",
                              entity="letter", entity_id=record.id, patient_id=patient_id,
                              after={"sha256": record.sha256})
        return pdf

    def history(self, user_id: int, referral_id: int) -> list[Letter]:
        """The letters recorded for a referral, newest first."""
        with self.db.reading() as session:
            self.authorize(session, user_id, Action.VIEW_REFERRALS)
            get_or_raise(session, Referral, referral_id, "Referral")  # its practice's
            return list(session.scalars(
                select(Letter).where(Letter.referral_id == referral_id)
                .order_by(Letter.created_at.desc(), Letter.id.desc())
            ))

    # -- batches ----------------------------------------------------------------------

    def batch(
        self,
        user_id: int,
        referral_ids: Sequence[int],
        kind: LetterKind | str,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
        template: LetterTemplate | None = None,
    ) -> list[BatchItem]:
        """A letter of one kind for each referral, in order; Qt-free, for a worker thread.

        A referral that cannot have the letter (no service, no address…) gets an
        item with the reason instead, and the rest carry on. ``progress(done,
        total)`` is called after each referral; when ``cancelled()`` turns true the
        batch stops, and the letters made so far are recorded and returned (a
        letter is never returned unrecorded). Letters are recorded a chunk at a
        time, so a batch of hundreds is not hundreds of transactions.
        """
        chosen = self._template(kind, template)
        kind = LetterKind(kind)
        total = len(referral_ids)
        items: list[BatchItem] = []
        forms: dict[tuple[str, int], FormDefinition | None] = {}
        with self.db.reading() as session:
            self.authorize(session, user_id, kind.action)
        starts = range(0, total, BATCH_CHUNK)
        upcoming = self._prepare(referral_ids[:BATCH_CHUNK], kind, chosen, forms, total) \
            if total else None
        for start in starts:
            chunk, upcoming = upcoming, None
            # (index in items, referral, pdf, what it shows)
            made: list[tuple[int, Referral, bytes, LetterInputs]] = []
            stop = False
            for referral_id, entry in chunk.prepared:
                if cancelled is not None and cancelled():
                    stop = True
                    chunk.pdfs.close()  # letters rendered ahead of the cancel are not kept
                    break
                if isinstance(entry, str):
                    items.append(BatchItem(referral_id, error=entry))
                else:
                    referral, inputs = entry
                    made.append((len(items), referral, next(chunk.pdfs), inputs))
                    items.append(BatchItem(referral_id))  # its letter is set once recorded
                if progress is not None:
                    progress(len(items), total)
            following = referral_ids[start + BATCH_CHUNK:start + 2 * BATCH_CHUNK]
            if not stop and following:  # its letters render while this chunk is recorded
                upcoming = self._prepare(following, kind, chosen, forms, total)
            if made:
                with self.db.transaction() as session:
                    self.authorize(session, user_id, kind.action)
                    records = self._record_many(session, user_id, chosen, chunk.now,
                                                [(referral, pdf, inputs)
                                                 for _, referral, pdf, inputs in made])
                    for (index, referral, pdf, _), record in zip(made, records, strict=True):
                        items[index] = BatchItem(referral.id, GeneratedLetter(pdf, record))
            if stop:
                break
        return items

    def _prepare(self, referral_ids: Sequence[int], kind: LetterKind, chosen: LetterTemplate,
                 forms: dict[tuple[str, int], FormDefinition | None],
                 batch_size: int) -> _Chunk:
        """A chunk's referrals read, each letter's inputs (or why it cannot have the letter),
        and its letters' rendering started (in workers; in-process, as each is asked for)."""
        now = self.clock()
        with self.db.reading() as session:
            loaded = self._load_many(session, referral_ids, forms)
            casework = {referral_id: self._casework(session, item[0], kind)
                        for referral_id, item in loaded.items() if not isinstance(item, str)}
        prepared: list[tuple[int, tuple[Referral, LetterInputs] | str]] = []
        for referral_id in referral_ids:
            item = loaded[referral_id]
            if isinstance(item, str):
                prepared.append((referral_id, item))
                continue
            referral, practice, form = item
            try:
                prepared.append((referral_id, (referral, inputs_for(
                    referral, practice, form, kind=kind, today=now.date(), logo=self.logo,
                    casework=casework.get(referral_id)))))
            except ValidationError as error:
                prepared.append((referral_id, str(error)))
        pdfs = self.render_pool.render(chosen, [entry[1] for _, entry in prepared
                                                if not isinstance(entry, str)], batch_size)
        return _Chunk(now, prepared, pdfs)

    def available(self, user_id: int, referral_id: int) -> list[LetterKind]:
        """The kinds this user may make for this referral now, for the letters screen.

        The referral letters are offered to roles that print letters (what they
        lack is said when one is made); a casework letter only to roles that see
        the case summary, and only once it can be made (an agreed plan; for the
        message back a closed case or an agreed plan).
        """
        with self.db.reading() as session:
            user = self.authorize(session, user_id, Action.VIEW_REFERRALS)
            kinds = [kind for kind in LetterKind if allowed(user.role, kind.action)]
            if not any(kind.casework for kind in kinds):
                return kinds
            referral = get_or_raise(session, Referral, referral_id, "Referral")
            casework = casework_for(session, referral, self.measures)
        return [kind for kind in kinds
                if not kind.casework or not casework_problems(kind, casework)]

    # -- helpers ----------------------------------------------------------------------

    def _casework(self, session: Session, referral: Referral,
                  kind: LetterKind) -> CaseworkFacts | None:
        """The casework a casework letter shows; nothing is read for the other kinds."""
        return casework_for(session, referral, self.measures) if kind.casework else None

    def _template(self, kind: LetterKind | str, template: LetterTemplate | None) -> LetterTemplate:
        kind = LetterKind(kind)
        if template is None:
            return self.templates.default(kind)
        if LetterKind(template.kind) is not kind:
            made = LetterKind(template.kind).label.lower()
            name = getattr(template, "title", template.id)
            raise ValidationError.single(
                "template", f"Template: '{name}' makes a {made}, not a {kind.label.lower()}")
        return template

    def _record(self, session: Session, user_id: int, referral: Referral,
                template: LetterTemplate, now: datetime, pdf: bytes,
                inputs: LetterInputs) -> Letter:
        """The letter's row (with what it showed) and its audit entry, in the caller's transaction."""
        return self._record_many(session, user_id, template, now, [(referral, pdf, inputs)])[0]

    def _record_many(self, session: Session, user_id: int, template: LetterTemplate,
                     now: datetime, made: Sequence[tuple[Referral, bytes, LetterInputs]],
                     ) -> list[Letter]:
        """Letters' rows and an audit entry each, in the caller's transaction.

        The rows go in one flush and their audit entries in one ``record_many``
        (a chaser's chase is recorded after its letter's entry, as ever), so a
        batch's chunk is a few statements, not a few per letter.
        """
        kind = LetterKind(template.kind).value
        records = [Letter(referral_id=referral.id, kind=kind, template_id=template.id,
                          template_version=template.version, created_at=now,
                          created_by_id=user_id, sha256=sha256(pdf), inputs=inputs.to_dict())
                   for referral, pdf, inputs in made]
        session.add_all(records)
        session.flush()
        rows = [AuditRow("letter_print", "letter", record.id, referral.patient_id, after={
                    "referral_id": referral.id, "kind": record.kind,
                    "template_id": record.template_id,
                    "template_version": record.template_version, "sha256": record.sha256})
                for record, (referral, _, _) in zip(records, made, strict=True)]
        if kind != LetterKind.CHASER:
            self.audit.record_many(session, at=now, user_id=user_id, rows=rows)
            return records
        for row, record, (referral, _, _) in zip(rows, records, made, strict=True):
            self.audit.record_many(session, at=now, user_id=user_id, rows=[row])
            record_chase(session, self.audit, referral.id, referral.patient_id, user_id, now,
                         letter_id=record.id)
        return records

    @staticmethod
    def _patient_id(session: Session, referral_id: int) -> int | None:
        return session.scalar(select(Referral.patient_id).where(Referral.id == referral_id))

    @staticmethod
    def _query():
        return select(Referral).options(
            selectinload(Referral.patient),
            selectinload(Referral.service),
            selectinload(Referral.referrer),
        )

    def _load(self, session: Session, referral_id: int,
              forms: dict[tuple[str, int], FormDefinition | None],
              ) -> tuple[Referral, Practice | None, FormDefinition | None]:
        referral = session.scalar(self._query().where(Referral.id == referral_id))
        if referral is None:
            raise NotFoundError(f"Referral {referral_id} does not exist")
        check_record_in_scope(session, referral)
        return (referral, practice_of(session, referral.practice_id),
                self._form(session, referral, forms))

    def _load_many(self, session: Session, referral_ids: Sequence[int],
                   forms: dict[tuple[str, int], FormDefinition | None],
                   ) -> dict[int, tuple[Referral, Practice | None, FormDefinition | None] | str]:
        found = {referral.id: referral for referral in
                 session.scalars(self._query().where(Referral.id.in_(list(referral_ids))))}
        loaded: dict[int, tuple[Referral, Practice | None, FormDefinition | None] | str] = {}
        for referral_id in referral_ids:
            referral = found.get(referral_id)
            if referral is None:
                loaded[referral_id] = f"Referral {referral_id} does not exist"
                continue
            try:
                check_record_in_scope(session, referral)
                loaded[referral_id] = (referral, practice_of(session, referral.practice_id),
                                       self._form(session, referral, forms))
            except PracticeRxError as error:
                loaded[referral_id] = str(error)
        return loaded

    @staticmethod
    def _form(session: Session, referral: Referral,
              forms: dict[tuple[str, int], FormDefinition | None]) -> FormDefinition | None:
        if not referral.form_id:
            return None
        key = (referral.form_id, referral.form_version)
        if key not in forms:
            forms[key] = load_form(session, *key)
        return forms[key]
