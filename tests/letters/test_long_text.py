"""Letters never crash on long text (issue 11, finding 9): a 10,000-character name used to
stop every letter with reportlab's LayoutError. Flowing text now splits across pages and
text in a fixed place (letterhead, address window, running head) is cut with an ellipsis;
the service layer refuses such names at input besides (tests/test_input_limits.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from practice_rx.letters import LetterKind, builtin_templates
from practice_rx.letters.samples import sample_inputs
from tests.letters.pdf import page_texts, text_of

TEMPLATES = {template.kind: template for template in builtin_templates()}
LONG = "Longname" * 1250  # 10,000 characters, no space to break at
WORDS = "word " * 2000  # 10,000 characters that wrap


def changed(kind: LetterKind, place: str, value: str):
    base = sample_inputs(kind)
    target, field = place.split(".")
    return replace(base, **{target: replace(getattr(base, target), **{field: value})})


PLACES = ["patient.given_name", "patient.family_name", "patient.address", "practice.name",
          "practice.address", "referrer.name", "service.name"]


@pytest.mark.parametrize("kind", list(LetterKind))
@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("value", [LONG, WORDS], ids=["one-word", "words"])
def test_a_letter_with_very_long_text_renders_and_reads_back(kind, place, value):
    pdf = TEMPLATES[kind].render(changed(kind, place, value))
    pages = page_texts(pdf)
    assert pages and all(f"Page {n} of {len(pages)}" in text for n, text in
                         enumerate(pages, start=1))
    assert "Confidential" in pages[0]


def test_a_long_signature_splits_instead_of_stopping_the_letter():
    pdf = TEMPLATES[LetterKind.REFERRAL].render(changed(LetterKind.REFERRAL, "referrer.name",
                                                        WORDS))
    assert text_of(pdf).count("word") > 1000  # the whole name is printed, over pages
