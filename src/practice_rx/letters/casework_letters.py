"""The casework letters: the person's copy of their care and support plan (normal and large
print) and the message back to the GP and the referrer.

The plan letter is to the person, in plain English with "you" (NHS style). The
message back follows the parts of the PRSB social prescribing standard's
"message back to GP and referrer": the person's demographics, their needs and
concerns (what mattered), the support offered (the activities and services
referred to) and the outcomes; with a summary of the plan, the scores from
baseline to follow-up and the SNOMED CT codes the practice should record. Both
are pure functions of :class:`LetterInputs` (its ``casework`` part).
"""

from __future__ import annotations

from practice_rx.domain.identifiers import format_date, format_nhs_number
from practice_rx.letters.casework_inputs import CaseworkFacts, MeasureFact, ScoreFact
from practice_rx.letters.content import (
    BULLET,
    NOT_RECORDED,
    SectionRows,
    address_lines,
    patient_rows,
    reasons_text,
)
from practice_rx.letters.inputs import LetterInputs, LetterKind
from practice_rx.letters.page import LARGE_PRINT, MARGIN, PAGE_WIDTH, Look
from practice_rx.letters.templates import (
    ComposedTemplate,
    Letter,
    Story,
    heading,
    para,
    patient_recipient,
    practice_contact,
    section,
    sign_off,
    standard_meta,
)
from practice_rx.letters.text import Row, Run, Stack, Text, no_break

LINK_WORKER_ROLE = "Social prescribing link worker"


def _casework(inputs: LetterInputs) -> CaseworkFacts:
    if inputs.casework is None:  # inputs_for refuses first; a plugin's preview may not
        raise ValueError("this letter needs the casework part of its inputs")
    return inputs.casework


def _date(value) -> str:
    return no_break(format_date(value)) if value else NOT_RECORDED


def _number(value: float | None) -> str:
    if value is None:
        return "not taken"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _provider(service: str, provider: str, then: str) -> str:
    return provider + then if provider and provider != service else ""


def _bullets(items) -> str:
    return "\n".join(f"{BULLET}{item}" for item in items)


def _signer(inputs: LetterInputs, facts: CaseworkFacts, look: Look) -> Story:
    return sign_off(look, "Yours sincerely,", facts.link_worker or "Social prescribing team",
                    LINK_WORKER_ROLE, inputs.practice.name)


# -- the person's copy of the plan -------------------------------------------------------


def compose_care_plan(inputs: LetterInputs, look: Look) -> Letter:
    """The agreed plan in the person's words, addressed to them."""
    facts = _casework(inputs)
    patient = inputs.patient
    worker = facts.link_worker or "your link worker"
    story: Story = [
        Text("Your care and support plan", look.title),
        para(look, f"Dear {patient.full_name},"),
        para(look, f"This is your copy of the plan you made with {worker}",
             f" on {_date(facts.plan_agreed_on)}." if facts.plan_agreed_on else ".",
             " It is your plan: you can change it at any time."),
        heading(look, "What matters to you"),
        para(look, facts.what_matters or NOT_RECORDED),
    ]
    if facts.who_involved:
        story += [heading(look, "Who is involved"), para(look, facts.who_involved)]
    if facts.outcomes:
        story += [heading(look, "What you want to achieve"), para(look, _bullets(facts.outcomes))]
    if facts.actions:
        rows = []
        for action in facts.actions:
            when = f"By {_date(action.by_when)}" if action.by_when else "No date set"
            state = "Done" if action.done else "Not done yet"
            rows.append((action.who or "Not decided", f"{action.what}\n{when}. {state}."))
        story += section(look, SectionRows("What you agreed to do, and who will do it",
                                           tuple(rows)))
    for extra in facts.plan_sections:  # a plugin's part of the plan, as agreed
        story += section(look, SectionRows(extra.title, tuple(
            (row.label, row.answer) for row in extra.rows)))
    if facts.connections:
        rows = [(line.service, line.status_label + (
            f", run by {line.provider}" if line.provider and line.provider != line.service
            else "")) for line in facts.connections]
        story += section(look, SectionRows("Groups and services", tuple(rows)))
    story.append(heading(look, "When we will look at your plan again"))
    if facts.review_on:
        story.append(para(look, "We will look at your plan together on ",
                          Run(_date(facts.review_on), bold=True),
                          ". We will talk about what has gone well and what you want to change."))
    else:
        story.append(para(look, "We will agree a date to look at your plan together."))
    story.append(heading(look, "If you want to change your plan"))
    reply = practice_contact(inputs)
    story.append(para(look, f"Contact {worker} at {inputs.practice.name}"
                            f"{', ' + reply if reply else ''}. You do not have to do anything "
                            "in this plan that you no longer want to."))
    story += _signer(inputs, facts, look)
    meta = [("Date", format_date(inputs.letter_date)),
            ("NHS number", format_nhs_number(patient.nhs_number)),
            ("Plan version", str(facts.plan_number or ""))]
    return Letter(story, patient_recipient(inputs), meta)


# -- the message back to the GP and the referrer ------------------------------------------


def gp_recipient(inputs: LetterInputs) -> list[str]:
    """The person's GP at this practice: the referring clinician when the practice referred."""
    facts = _casework(inputs)
    practice = inputs.practice
    first = inputs.referrer.name if facts.source == "practice" and inputs.referrer.name \
        else "The GP"
    return [first, practice.name, *address_lines(practice.address, practice.postcode)]


def _score_text(score: ScoreFact) -> str:
    """``4 → 7, better``: baseline to the latest follow-up, and which way is good."""
    text = f"{_number(score.baseline)} \u2192 {_number(score.follow_up)}"
    if score.change:
        text += f", {score.change}"
    if score.lower_is_better:
        text += " (lower is better)"
    return text


def measure_block(look: Look, measure: MeasureFact) -> Story:
    """One measure: its title and dates, then a row per score with the question at its side."""
    follow_up = _date(measure.follow_up_on) if measure.follow_up_on else "not yet taken"
    lines: list[Text | Row] = [
        Text(measure.title, look.body.with_(bold=True, space_before=4, space_after=0),
             keep_with_next=True),
        Text(f"Baseline {_date(measure.baseline_on)}; follow-up {follow_up}. "
             "Scores: baseline \u2192 follow-up", look.label.with_(space_after=2)),
    ]
    width = (PAGE_WIDTH - 2 * MARGIN) * 0.6
    lines += [Row(score.label, _score_text(score), look.label, look.value, width,
                  rule=look.rule) for score in measure.scores]
    return [Stack(lines)]


GP_RECORD_TITLE = "For the GP record"


def gp_record_rows(facts: CaseworkFacts) -> tuple[tuple[str, str], ...]:
    """A row per coded event, SNOMED CT code beside its term, the day and when to record it:
    only the verified codes :func:`~practice_rx.letters.casework_facts.codes_for` keeps."""
    rows = []
    for code in facts.codes:
        when = f"On {_date(code.on)}. " if code.on else ""
        rows.append((code.code, f"{code.display}\n{when}{code.note}".rstrip()))
    return tuple(rows) or (("SNOMED CT", "No event of this referral carries a code to record"),)


def compose_message_back(inputs: LetterInputs, look: Look) -> Letter:
    facts = _casework(inputs)
    patient = inputs.patient
    referral = inputs.referral
    interim = not facts.closed
    title = "Social prescribing: message back to GP and referrer"
    story: Story = [Text(title + (" (interim)" if interim else ""), look.title)]
    recipient = gp_recipient(inputs)
    story.append(para(look, f"Dear {recipient[0] if recipient[0] != 'The GP' else 'colleague'},"))
    referred = _date(referral.sent_on or referral.created_on)
    if interim:
        state = "This is an interim update: the support is still going on."
    elif facts.closed_on:
        state = f"The support ended on {_date(facts.closed_on)}."
    else:
        state = "The support has ended."
    story.append(para(look, f"{patient.full_name} was referred to social prescribing on "
                            f"{referred}. {state} Below are what mattered to them, the support "
                            "offered, the services they were referred to and the outcomes, as "
                            "the PRSB social prescribing standard sets them out."))
    story += section(look, SectionRows("The person", patient_rows(inputs, full=False)))
    referrer_rows = [("Referred by", facts.source_label)]
    who = ", ".join(part for part in (facts.referrer_name, facts.referrer_organisation) if part)
    if who:
        referrer_rows.append(("Referrer", who))
    elif facts.source == "practice" and inputs.referrer.name:
        referrer_rows.append(("Referrer", ", ".join(
            part for part in (inputs.referrer.name, inputs.referrer.role) if part)))
    referrer_rows.append(("Reasons for referral", reasons_text(referral)))
    story += section(look, SectionRows("Referral", tuple(referrer_rows)))
    story += section(look, SectionRows("Needs and concerns: what mattered to them", (
        ("In their own words", facts.what_matters or NOT_RECORDED),
        ("Who they wanted involved", facts.who_involved or NOT_RECORDED),
    )))
    support = [
        ("Link worker", facts.link_worker or NOT_RECORDED),
        ("Contacts", (f"{facts.contacts_made} made, {facts.contacts_attempted} attempted "
                     "without reaching them")),
        ("Plan", f"Version {facts.plan_number}, agreed with {facts.plan_agreed_with or 'them'} "
                 f"on {_date(facts.plan_agreed_on)}" if facts.plan_agreed else
         "No plan was agreed"),
    ]
    if facts.outcomes:
        support.append(("Outcomes agreed", _bullets(facts.outcomes)))
    for number, action in enumerate(facts.actions, start=1):
        when = f", by {_date(action.by_when)}" if action.by_when else ""
        state = "Done" if action.done else "Not done"
        support.append((f"Action {number}",
                        f"{action.what}\n{action.who or 'Who: not decided'}{when}. {state}."))
    if facts.review_on:
        support.append(("Review", _date(facts.review_on)))
    story += section(look, SectionRows("Support offered", tuple(support)))
    services = tuple(
        (line.service, (f"{_provider(line.service, line.provider, ': ')}"
                       f"{line.status_label}{' (connected)' if line.connected else ''}"))
        for line in facts.connections) or (("Services", "None referred to"),)
    story += section(look, SectionRows("Activities and services referred to", services))
    if interim:
        outcome_rows: tuple[tuple[str, str], ...] = (
            ("Goals met", "Not yet known: the case is still open"),)
    else:
        outcome_rows = (("Goals met", facts.goals_met_label),)
        if facts.why_not:
            outcome_rows += (("Why not fully", facts.why_not),)
        outcome_rows += (("Summary", facts.summary or NOT_RECORDED),)
    story += section(look, SectionRows("Outcomes", outcome_rows))
    if facts.measures:
        story.append(heading(look, "Outcome measures"))
        for measure in facts.measures:
            story += measure_block(look, measure)
    story += section(look, SectionRows(GP_RECORD_TITLE, gp_record_rows(facts)))
    story += _signer(inputs, facts, look)
    if facts.copy_to_referrer:
        copy = ", ".join(part for part in (facts.referrer_name, facts.referrer_organisation,
                                           facts.referrer_contact) if part)
        story.append(Text(f"Copy to the referrer: {copy}",
                          look.body.with_(space_before=look.body.size)))
    return Letter(story, recipient, standard_meta(inputs))


CARE_PLAN_LETTER = ComposedTemplate(
    "practice_rx.care_plan", 1, LetterKind.CARE_PLAN, "Your care and support plan",
    compose_care_plan)
CARE_PLAN_LARGE_PRINT_LETTER = ComposedTemplate(
    "practice_rx.care_plan_large_print", 1, LetterKind.CARE_PLAN_LARGE_PRINT,
    "Your care and support plan (large print)", compose_care_plan, LARGE_PRINT)
MESSAGE_BACK_LETTER = ComposedTemplate(
    "practice_rx.message_back", 1, LetterKind.MESSAGE_BACK,
    "Social prescribing: message back to GP and referrer", compose_message_back)

CASEWORK_TEMPLATES = (CARE_PLAN_LETTER, CARE_PLAN_LARGE_PRINT_LETTER, MESSAGE_BACK_LETTER)
