"""Letter speed: 1,000 referral letters, rendered alone and as a batch, against a bare canvas.

The baseline draws the very same strings (letterhead, address, every label and
answer) with the same embedded fonts on a bare reportlab canvas, one line each,
with no wrapping, pagination or layout: the least any PDF of this text costs.
Two figures, each with its ratio to that baseline from the same run: the
template rendering letters in memory (target >= 200 letters/s), and
``LetterService.batch`` end to end on a SQLite file of demo referrals, as a
chase list or a day's referrals prints: read the referrals, render, record each
letter and its audit row (target >= 250 letters/s).

    .venv/bin/python bench/letters.py [--letters 1000] [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from practice_rx.domain.identifiers import nhs_check_digit
from practice_rx.letters import LetterInputs, LetterKind, fonts
from practice_rx.letters.page import STANDARD, letterhead_lines
from practice_rx.letters.render_pool import usable_cores
from practice_rx.letters.samples import SAMPLE_ANSWERS, sample_inputs
from practice_rx.letters.templates import REFERRAL_LETTER, compose_referral
from practice_rx.letters.text import Row, Stack, Text

GIVEN = ["Joan", "Amir", "Grace", "Tomasz", "Priya", "Kwame", "Siobhán", "Dylan", "Zoë", "Ian"]
FAMILY = ["Smithson", "Khan", "Okafor", "Nowak", "Patel", "Mensah", "O'Brien", "Jones", "Ng"]


def nhs_number(serial: int) -> str:
    while True:
        first_nine = f"999{serial:06d}"
        check = nhs_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"
        serial += 1


def letters(count: int) -> list[LetterInputs]:
    """``count`` different referrals: names, NHS numbers, addresses and answers all vary."""
    base = sample_inputs(LetterKind.REFERRAL)
    made = []
    for serial in range(count):
        patient = replace(
            base.patient, nhs_number=nhs_number(serial * 3), given_name=GIVEN[serial % 10],
            family_name=FAMILY[serial % 9], address=f"{serial % 180 + 1} Elm Grove\nArmley\nLeeds",
            date_of_birth=date(1930 + serial % 70, serial % 12 + 1, serial % 28 + 1))
        answers = {**SAMPLE_ANSWERS,
                   "what_matters": f"{SAMPLE_ANSWERS['what_matters']} (visit {serial})"}
        made.append(replace(base, patient=patient, answers=answers,
                            referral=replace(base.referral, id=serial + 1)))
    return made


def strings(inputs: LetterInputs) -> list[str]:
    """Every string the template's letter shows, one per line, for the baseline to draw."""
    letter = compose_referral(inputs, STANDARD)
    lines = [inputs.practice.name, *letterhead_lines(inputs.practice), *letter.recipient]
    lines += [f"{label}: {value}" for label, value in letter.meta]

    def walk(items) -> Iterator[str]:
        for item in items:
            if isinstance(item, Stack):
                yield from walk(item.items)
            elif isinstance(item, Row):
                yield item.label
                yield from "".join(run.text for run in item.value).splitlines()
            elif isinstance(item, Text):
                yield from "".join(run.text for run in item.runs).splitlines()

    lines += list(walk(letter.story))
    lines += ["Confidential \u2013 contains patient information", "Page 1 of 2", "Page 2 of 2"]
    return lines


def bare_canvas(lines: list[str]) -> bytes:
    """The same strings with the same fonts, drawn one per line on a plain canvas."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1,
                    initialFontName=fonts.REGULAR)
    y = A4[1] - 20 * mm
    canvas.setFont(fonts.REGULAR, 10)
    for line in lines:
        if y < 20 * mm:
            canvas.showPage()
            canvas.setFont(fonts.REGULAR, 10)
            y = A4[1] - 20 * mm
        canvas.drawString(20 * mm, y, line)
        y -= 13
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def rate(action, items: list, repeat: int) -> tuple[float, int]:
    """Best-of-``repeat`` letters per second (other work on the machine only slows a run)."""
    rates = []
    size = 0
    for _ in range(repeat):
        start = time.perf_counter()
        for item in items:
            size += len(action(item))
        rates.append(len(items) / (time.perf_counter() - start))
    return max(rates), size // (repeat * len(items))


def service_batch(count: int, repeat: int, workers: int | None) -> tuple[float, float]:
    """Letters per second for LetterService.batch on a fresh SQLite file: the first run
    (rendering workers starting) and the best of ``repeat`` (``workers=1``: in-process)."""
    from sqlalchemy import select

    from practice_rx.letters.render_pool import RenderPool
    from practice_rx.letters.service import LetterService
    from practice_rx.plugins.national.form import national_form
    from practice_rx.services import Services
    from practice_rx.services.demo import DemoSize, fill
    from practice_rx.storage.database import Database
    from practice_rx.storage.models import Referral

    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'letters.sqlite3'}"
    db = Database.open(url)
    services = Services(db)
    services.forms.sync([("national", national_form())])
    fill(db, DemoSize(patients=max(10, count // 2), referrals=count * 2, services=30))
    with db.reading() as session:
        ids = list(session.scalars(select(Referral.id).where(Referral.service_id.is_not(None))
                                   .order_by(Referral.id).limit(count)))
    assert len(ids) == count, (len(ids), count)
    user = services.users.ensure("bench", "Benchmark", "receptionist").id
    letters_service = LetterService(db, services.clock, services.referrals.audit,
                                    render_pool=RenderPool(workers))
    letters_service.batch(user, ids[:5], LetterKind.REFERRAL)  # the form parsed, as in use
    rates = []
    for _ in range(repeat):
        start = time.perf_counter()
        items = letters_service.batch(user, ids, LetterKind.REFERRAL)
        rates.append(len(items) / (time.perf_counter() - start))
        failed = [item for item in items if item.letter is None]
        assert not failed, failed[0].error
    letters_service.render_pool.close()
    db.close()
    return rates[0], max(rates)


TEMPLATE_TARGET = 200
BATCH_TARGET = 250


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    # the batch is audited: a throwaway audit key, never the workstation's own
    os.environ.setdefault("PRACTICE_RX_AUDIT_KEY_FILE",
                          str(Path(tempfile.mkdtemp()) / "letters-audit.key"))
    fonts.register_fonts()
    inputs = letters(args.letters)
    texts = [strings(item) for item in inputs]
    REFERRAL_LETTER.render(inputs[0])  # load the fonts, parse the form: once per process
    bare_canvas(texts[0])
    ours, our_size = rate(REFERRAL_LETTER.render, inputs, args.repeat)
    bare, bare_size = rate(bare_canvas, texts, args.repeat)
    _, one_core = service_batch(args.letters, args.repeat, workers=1)
    first, batch = service_batch(args.letters, args.repeat, workers=None)
    result = {
        "letters": args.letters, "repeat": args.repeat, "cores": usable_cores(),
        "template_per_s": round(ours), "batch_per_s": round(batch),
        "batch_first_per_s": round(first), "batch_one_core_per_s": round(one_core),
        "bare_canvas_per_s": round(bare),
        "template_ratio": round(bare / ours, 2), "batch_ratio": round(bare / batch, 2),
        "template_kb": our_size // 1024, "bare_canvas_kb": bare_size // 1024,
        "template_target_per_s": TEMPLATE_TARGET, "batch_target_per_s": BATCH_TARGET,
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"{args.letters:,} referral letters (best of {args.repeat} runs)")
    print(f"  PracticeRx referral template  {ours:8.0f} letters/s  ({our_size // 1024} KB each)")
    print(f"  LetterService.batch, SQLite   {batch:8.0f} letters/s  "
          f"(read, render, record, audit; rendered on {usable_cores()} cores)")
    print(f"    its first run               {first:8.0f} letters/s  (the workers starting)")
    print(f"    rendered in-process         {one_core:8.0f} letters/s  (one core, as before)")
    print(f"  baseline: bare canvas         {bare:8.0f} letters/s  ({bare_size // 1024} KB each)")
    print(f"  ratio bare / template         {bare / ours:8.2f}")
    print(f"  ratio bare / batch            {bare / batch:8.2f}")
    print(f"  template >= {TEMPLATE_TARGET} letters/s: "
          f"{'met' if ours >= TEMPLATE_TARGET else 'NOT met'}; "
          f"batch >= {BATCH_TARGET} letters/s: {'met' if batch >= BATCH_TARGET else 'NOT met'}")


if __name__ == "__main__":
    main()
