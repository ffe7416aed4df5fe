"""Failed contact attempts, storable text and the name search key, against hand-made cases."""

from __future__ import annotations

import pytest

from practice_rx.domain.contacts import (
    failed_attempts_since_last_contact,
    may_offer_not_contactable,
)
from practice_rx.domain.search_key import fold, search_key
from practice_rx.domain.text import MAX_LONG_TEXT, text_problem


@pytest.mark.parametrize(("made", "failed"), [
    ([], 0), ([True], 0), ([False], 1), ([False, False], 2), ([False, False, False], 3),
    ([False, True], 0), ([True, False], 1), ([False, False, True, False], 1),
    ([True, False, False], 2),
])
def test_failed_attempts_count_from_the_last_contact_made(made: list[bool], failed: int) -> None:
    assert failed_attempts_since_last_contact(iter(made)) == failed


def test_not_contactable_is_offered_once_the_agreed_number_is_reached() -> None:
    assert may_offer_not_contactable([False, False, False], 3) is True
    assert may_offer_not_contactable([False, False], 3) is False
    assert may_offer_not_contactable([False, False, False, False], 3) is True
    assert may_offer_not_contactable([False, False, True], 3) is False
    assert may_offer_not_contactable([True, False, False, False], 3) is True


def test_text_problem_names_each_fault() -> None:
    assert text_problem("Lives alone") is None
    assert text_problem(12) == "enter text"
    assert text_problem("a\x00b") == "must not contain NUL characters; type it again"
    assert text_problem("a\ud800") == ("contains a character that is not valid text "
                                       "(a lone surrogate); type it again")
    assert text_problem("x" * MAX_LONG_TEXT) is None
    assert text_problem("x" * (MAX_LONG_TEXT + 1)) == (
        "must be 5,000 characters or fewer (this is 5,001)")
    assert text_problem("abcd", max_length=3) == "must be 3 characters or fewer (this is 4)"
    assert text_problem("abc", max_length=3) is None
    assert text_problem("x" * 9000, max_length=None) is None
    assert MAX_LONG_TEXT == 5000


def test_fold_drops_case_and_accents() -> None:
    assert fold("Özdemir") == "ozdemir"
    assert fold("Élodie") == "elodie"
    assert fold("ŁUKASZ") == "lukasz"
    assert fold("Straße") == "strasse"
    assert fold("Ærøskøbing") == "aeroskobing"


def test_search_key_puts_a_space_before_every_word_family_name_first() -> None:
    assert search_key("Aylin", "Özdemir") == " ozdemir aylin"
    assert search_key("Mary Ann", "Smith-Jones") == " smith jones mary ann"
    assert search_key("  Jo ", "Bloggs") == " bloggs jo"
    assert search_key("", "") == ""
