"""Letter templates: the built-in ones, and the shape a plugin's template must have.

A template is named by ``id`` and ``version``, and both are recorded with every
letter printed, so an old letter can be reprinted identically. The rule for
template authors (ours and plugins'): once a version has printed letters, its
output never changes; any change to the wording or layout ships as a new
version, and the old one stays available (see ``docs/letters/README.md``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from reportlab.platypus import Flowable

from practice_rx.domain.identifiers import format_date, format_nhs_number
from practice_rx.errors import PracticeRxError
from practice_rx.letters.content import (
    SectionRows,
    address_lines,
    answer_sections,
    due_phrase,
    patient_rows,
    reasons_text,
    service_contact_rows,
)
from practice_rx.letters.inputs import CONTACT_METHOD_LABELS, LetterInputs, LetterKind
from practice_rx.letters.page import LARGE_PRINT, STANDARD, Look, render_letter
from practice_rx.letters.text import NO_BREAK, Row, Run, Stack, Text, no_break

Story = list[Flowable]


@runtime_checkable
class LetterTemplate(Protocol):
    """What the letter-template hook returns: anything with these attributes and ``render``."""

    @property
    def id(self) -> str: ...

    @property
    def version(self) -> int: ...

    @property
    def kind(self) -> LetterKind | str: ...

    @property
    def title(self) -> str: ...

    def render(self, inputs: LetterInputs) -> bytes:
        """The letter as PDF bytes; the same inputs must always give the same bytes."""
        ...


Compose = Callable[[LetterInputs, Look], "Letter"]


@dataclass(frozen=True)
class Letter:
    """What a template composes: the body and what goes in the address window beside it."""

    story: Story
    recipient: Sequence[str]
    meta: Sequence[tuple[str, str]]


@dataclass(frozen=True)
class ComposedTemplate:
    """A template made of a compose function on the practice's letter paper.

    Plugins can build theirs the same way, reusing :mod:`practice_rx.letters.content`
    for the wording and :func:`practice_rx.letters.page.render_letter` for the paper.
    """

    id: str
    version: int
    kind: LetterKind
    title: str
    compose: Compose
    look: Look = STANDARD

    def render(self, inputs: LetterInputs) -> bytes:
        letter = self.compose(inputs, self.look)
        return render_letter(inputs, self.look, letter.story, title=self.title,
                             recipient=letter.recipient, meta=letter.meta)


# -- building blocks --------------------------------------------------------------------


def para(look: Look, *content: str | Run) -> Text:
    return Text([piece if isinstance(piece, Run) else Run(piece) for piece in content], look.body)


def heading(look: Look, text: str) -> Text:
    return Text(text, look.heading, keep_with_next=True)


def rows(look: Look, items: Iterable[tuple[str, str]]) -> Story:
    return [Row(label, value, look.label, look.value, look.label_width, rule=look.rule)
            for label, value in items]


def section(look: Look, block: SectionRows) -> Story:
    """A heading and its rows; a lone question worded as its section shows as plain text."""
    if len(block.rows) == 1 and block.rows[0][0] == block.title:
        body = look.value.with_(space_before=0, space_after=look.body.space_after)
        return [Stack([heading(look, block.title), Text(block.rows[0][1], body)])]
    return [Stack([heading(look, block.title), *rows(look, block.rows)])]


def service_recipient(inputs: LetterInputs) -> list[str]:
    service = inputs.service
    lines = [service.name]
    if service.provider and service.provider != service.name:
        lines.append(service.provider)
    lines += address_lines(service.address)
    if not service.address.strip() and service.email:
        lines.append(f"By email: {service.email}")
    return lines


def patient_recipient(inputs: LetterInputs) -> list[str]:
    patient = inputs.patient
    return [patient.full_name, *address_lines(patient.address, patient.postcode)]


def standard_meta(inputs: LetterInputs) -> list[tuple[str, str]]:
    return [
        ("Date", format_date(inputs.letter_date)),
        ("Our reference", inputs.referral.reference),
        ("NHS number", format_nhs_number(inputs.patient.nhs_number)),
    ]


def sign_off(look: Look, closing: str, name: str, *lines: str) -> Story:
    signature = [Text(closing, look.body.with_(space_after=look.body.leading * 2)),
                 Text(name, look.body.with_(bold=True, space_after=0))]
    signature += [Text(line, look.body.with_(space_after=0)) for line in lines if line]
    return [Stack(signature, keep_together=True)]


def practice_contact(inputs: LetterInputs) -> str:
    practice = inputs.practice
    ways = [f"phone {no_break(practice.phone)}" if practice.phone else "",
            f"email {practice.email}" if practice.email else ""]
    ways = [way for way in ways if way]
    return " or ".join(ways)


def _asks(inputs: LetterInputs, key: str) -> bool:
    form = inputs.form_definition
    return form is not None and any(field.key == key for field in form.fields())


# -- the referral letter to the service -------------------------------------------------


def compose_referral(inputs: LetterInputs, look: Look) -> Letter:
    facts = inputs.referral
    referrer = inputs.referrer
    story: Story = [
        Text("Social prescribing referral", look.title),
        para(look, "Dear colleague,"),
        para(look, "Please accept this referral to ", Run(inputs.service.name, bold=True),
             " for the patient below. Urgency: ", Run(facts.urgency_label, bold=True), "."),
    ]
    if facts.urgency == "soon":
        story.append(para(look, "The referrer asks that the patient is contacted as soon as "
                                "possible."))
    story += section(look, SectionRows("Patient", patient_rows(inputs)))
    for block in answer_sections(inputs):
        story += section(look, block)
    referred_on = facts.sent_on or facts.created_on
    practice = inputs.practice
    contact: list[tuple[str, str]] = []
    if not _asks(inputs, "referrer_name"):  # else the form's own section shows the referrer
        contact += [
            ("Referred by", ", ".join(part for part in (referrer.name, referrer.role) if part)),
            ("Organisation", referrer.organisation),
            ("Phone", referrer.phone),
            ("Email", referrer.email),
        ]
    contact += [
        ("Referral date", format_date(referred_on)),
        ("Our reference", facts.reference),
        ("Practice", practice.name),
        ("Practice phone", practice.phone),
        ("Practice email", practice.email),
    ]
    story += section(look, SectionRows("Referrer and contact details",
                                       tuple((label, value) for label, value in contact if value)))
    reply = practice_contact(inputs)
    story.append(Text(
        f"Please let us know when you have accepted or declined this referral"
        f"{', by ' + reply if reply else ''}, quoting our reference {facts.reference}.",
        look.body.with_(space_before=look.body.size)))
    story += sign_off(look, "Yours sincerely,", referrer.name, referrer.role,
                      inputs.practice.name)
    return Letter(story, service_recipient(inputs), standard_meta(inputs))


# -- the letter to the patient ----------------------------------------------------------


def compose_patient(inputs: LetterInputs, look: Look) -> Letter:
    """Plain English, "you" for the patient, short sentences (NHS style)."""
    facts = inputs.referral
    service = inputs.service
    patient = inputs.patient
    referrer = inputs.referrer
    when = no_break(due_phrase(facts)).replace(NO_BREAK, " ", 1)  # "by" may wrap, the date not
    story: Story = [
        Text(f"You have been referred to {service.name}", look.title),
        para(look, f"Dear {patient.full_name},"),
        para(look, "Thank you for talking to us. As we agreed, we have referred you to ",
             Run(service.name, bold=True),
             f", run by {service.provider}." if service.provider and
             service.provider != service.name else "."),
    ]
    if service.description:
        story += [heading(look, f"About {service.name}"), para(look, service.description)]
    story.append(heading(look, "What happens next"))
    if service.is_link_worker:
        story.append(para(look, "A social prescribing link worker will contact you ",
                          Run(when, bold=True), ". They will give you time to talk about what "
                          "matters to you, and help you find local groups and services that "
                          "can help."))
    else:
        story.append(para(look, f"Someone from {service.name} will contact you ",
                          Run(when, bold=True), ". They will talk with you about what matters "
                          "to you and how they can help."))
    method = CONTACT_METHOD_LABELS.get(patient.preferred_contact, "").lower()
    if method:
        times = f", {patient.contact_times}" if patient.contact_times else ""
        story.append(para(look, f"We have told them you prefer to be contacted by {method}"
                                f"{times}."))
    contact_rows = service_contact_rows(inputs)
    if contact_rows:
        story += section(look, SectionRows(f"How to contact {service.name}", contact_rows))
    story.append(heading(look, "If nobody contacts you"))
    if facts.response_due_on:
        due = no_break(format_date(facts.response_due_on))
        first = f"If you have not heard from them by {due}, "
    else:
        first = f"If you have not heard from them within {facts.response_days} working days, "
    service_phone = f" on {no_break(service.phone)}" if service.phone else ""
    practice_phone = f" on {no_break(inputs.practice.phone)}" if inputs.practice.phone else ""
    story.append(para(look, first + f"please contact {service.name}{service_phone}, or call "
                                    f"the practice{practice_phone}."))
    story.append(heading(look, "If you change your mind"))
    story.append(para(look, "You do not have to take part. If you no longer want this "
                            f"referral, tell {service.name} or the practice."))
    story += sign_off(look, "Yours sincerely,", referrer.name, referrer.role,
                      inputs.practice.name)
    meta = [("Date", format_date(inputs.letter_date)),
            ("NHS number", format_nhs_number(patient.nhs_number))]
    return Letter(story, patient_recipient(inputs), meta)


# -- the chaser -------------------------------------------------------------------------


def compose_chaser(inputs: LetterInputs, look: Look) -> Letter:
    facts = inputs.referral
    service = inputs.service
    due = no_break(format_date(facts.response_due_on)) if facts.response_due_on else None
    sent = no_break(format_date(facts.sent_on or facts.created_on))
    story: Story = [
        Text("Overdue referral: please tell us what is happening", look.title),
        para(look, "Dear colleague,"),
    ]
    if facts.status == "accepted":
        accepted = no_break(format_date(facts.accepted_on)) if facts.accepted_on else "recently"
        story.append(para(
            look, f"You accepted our referral of the patient below on {accepted}. ",
            f"We expected you to contact them by {due}" if due else
            "We expected you to contact them by now",
            ", and we have not heard that you have."))
        ask = "whether you have contacted the patient, and when you expect to"
    else:
        story.append(para(
            look, f"We referred the patient below to {service.name} on {sent}. ",
            f"We asked for a response by {due}" if due else "We asked for a response",
            ", and we have not heard from you yet."))
        ask = "whether you have received and accepted the referral"
    reply = practice_contact(inputs)
    story.append(para(look, f"Please tell us {ask}{', by ' + reply if reply else ''}, quoting "
                            "our reference ", Run(facts.reference, bold=True),
                      ". If you cannot help, please tell us so that we can refer the patient "
                      "elsewhere."))
    summary = [
        *patient_rows(inputs, full=False),
        ("Reasons for referral", reasons_text(facts)),
        ("Urgency", facts.urgency_label),
        ("Referred on", sent),
    ]
    if due:
        summary.append(("Response was due", due))
    story += section(look, SectionRows("Patient", tuple(summary)))
    story.append(Text("If you have already replied, thank you, and please ignore this letter.",
                      look.body.with_(space_before=look.body.size)))
    story += sign_off(look, "Yours faithfully,", "Social prescribing team",
                      inputs.practice.name)
    return Letter(story, service_recipient(inputs), standard_meta(inputs))


REFERRAL_LETTER = ComposedTemplate(
    "practice_rx.referral", 1, LetterKind.REFERRAL, "Social prescribing referral",
    compose_referral)
PATIENT_LETTER = ComposedTemplate(
    "practice_rx.patient", 1, LetterKind.PATIENT, "Your social prescribing referral",
    compose_patient)
PATIENT_LARGE_PRINT_LETTER = ComposedTemplate(
    "practice_rx.patient_large_print", 1, LetterKind.PATIENT_LARGE_PRINT,
    "Your social prescribing referral (large print)", compose_patient, LARGE_PRINT)
CHASER_LETTER = ComposedTemplate(
    "practice_rx.chaser", 1, LetterKind.CHASER, "Overdue social prescribing referral",
    compose_chaser)


def builtin_templates() -> list[LetterTemplate]:
    """PracticeRx's own templates, one per kind; what the built-in plugin's hook returns."""
    from practice_rx.letters.casework_letters import CASEWORK_TEMPLATES  # built on this module

    return [REFERRAL_LETTER, PATIENT_LETTER, PATIENT_LARGE_PRINT_LETTER, CHASER_LETTER,
            *CASEWORK_TEMPLATES]


class TemplateNotFoundError(PracticeRxError, LookupError):
    """No installed template has the kind, or the id and version, asked for."""


class TemplateSet:
    """The templates in use: the last one supplied for a kind is its default.

    Built-ins go first, then each plugin's, so a plugin replaces a built-in by
    supplying a template of the same kind. Every version stays findable by id
    for reprints.
    """

    def __init__(self, templates: Iterable[LetterTemplate]) -> None:
        self._all: list[LetterTemplate] = []
        for template in templates:
            missing = [name for name in ("id", "version", "kind") if not hasattr(template, name)]
            if missing or not callable(getattr(template, "render", None)):
                raise TypeError(f"{template!r} is not a letter template (id, version, kind, "
                                "render)")
            LetterKind(template.kind)  # a kind the core knows, or ValueError
            self._all.append(template)

    def __iter__(self) -> Iterator[LetterTemplate]:
        return iter(self._all)

    def default(self, kind: LetterKind | str) -> LetterTemplate:
        kind = LetterKind(kind)
        for template in reversed(self._all):
            if LetterKind(template.kind) is kind:
                return template
        raise TemplateNotFoundError(f"No letter template for '{kind.label}' is installed")

    def find(self, template_id: str, version: int) -> LetterTemplate:
        for template in reversed(self._all):
            if template.id == template_id and template.version == version:
                return template
        raise TemplateNotFoundError(
            f"Letter template '{template_id}' version {version} is not installed; install or "
            "enable the plugin that supplied it to reprint letters made with it"
        )

    def of_kind(self, kind: LetterKind | str) -> list[LetterTemplate]:
        kind = LetterKind(kind)
        return [template for template in self._all if LetterKind(template.kind) is kind]
