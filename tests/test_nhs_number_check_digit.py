"""The NHS number check digit, with every expected answer from outside PracticeRx.

Expected values come from published examples, the ``nhs-number`` package
(a dependency, written by others) or ``modulus_11`` (tests/support/check_digit.py), written
apart from the app from the NHS Data Dictionary's rule: weights 10 down to 2 on the first nine
digits, 11 minus the sum's remainder mod 11; 11 means 0 and 10 means the nine
digits can have no valid number. Nothing here asks ``nhs_check_digit`` what
the answer should be: a break in it (a check digit of 0 refused, say) must
fail these tests.
"""

from __future__ import annotations

import random

import nhs_number
import pytest

from practice_rx.domain import identifiers as ids
from practice_rx.errors import ValidationError
from tests.support.check_digit import modulus_11


def accepted(typed: str) -> bool:
    try:
        return ids.normalise_nhs_number(typed) is not None
    except ValidationError:
        return False


#: Published and worked examples, each checked by hand:
#: 943 476 5919 (NHS Digital's test number): 9*10+4*9+3*8+4*7+7*6+6*5+5*4+9*3+1*2 = 299;
#:   299 mod 11 = 2; 11 - 2 = 9, the last digit.
#: 401 023 2137 (the Data Dictionary's worked example): 40+0+8+0+12+15+8+3+6 = 92;
#:   92 mod 11 = 4; 11 - 4 = 7.
#: 999 000 0050 (test range, check digit 0): 90+81+72+0+0+0+0+0+5*2 = 253 = 23*11;
#:   remainder 0; 11 - 0 = 11, which is written 0.
#: 999 000 0069: 243 + 6*2 = 255; 255 mod 11 = 2; 11 - 2 = 9.
VALID_BY_HAND = ["9434765919", "4010232137", "9990000050", "9990000069"]

#: 999 000 000x: 90+81+72 = 243; 243 mod 11 = 1; 11 - 1 = 10: no tenth digit makes it valid.
CHECK_DIGIT_WOULD_BE_TEN = [f"999000000{last}" for last in range(10)]


@pytest.mark.parametrize("number", VALID_BY_HAND)
def test_published_and_hand_checked_numbers_are_accepted(number):
    assert nhs_number.is_valid(number)  # the package agrees with the hand sums above
    assert ids.normalise_nhs_number(number) == number
    assert ids.nhs_check_digit(number[:9]) == int(number[9])


def test_a_check_digit_of_zero_is_valid():
    """Break 2 of issue 17: with 0 refused, 999 000 0050 and one number in eleven are lost."""
    assert modulus_11("999000005") == 0
    assert ids.nhs_check_digit("999000005") == 0
    assert ids.normalise_nhs_number("999 000 0050") == "9990000050"
    assert ids.normalise_nhs_number("999-000-0050") == "9990000050"


@pytest.mark.parametrize("number", CHECK_DIGIT_WOULD_BE_TEN)
def test_nine_digits_whose_check_digit_would_be_ten_make_no_valid_number(number):
    assert ids.nhs_check_digit(number[:9]) is None
    assert not nhs_number.is_valid(number)
    with pytest.raises(ValidationError, match="NHS number: the check digit does not match"):
        ids.normalise_nhs_number(number)


@pytest.mark.parametrize(("typed", "message"), [
    ("9434765918", "the check digit does not match"),  # the last digit one less
    ("9434765910", "the check digit does not match"),
    ("9990000051", "the check digit does not match"),
    ("9990000059", "the check digit does not match"),
    ("4910232137", "the check digit does not match"),  # two digits swapped (401 -> 491)
    ("943476591", "must be 10 digits"),
    ("94347659199", "must be 10 digits"),
    ("943476591X", "must be 10 digits"),
    ("943.476.5919", "must be 10 digits"),
    ("943/476/5919", "must be 10 digits"),
    ("", "enter the patient's 10-digit NHS number"),
    ("  -  ", "enter the patient's 10-digit NHS number"),
])
def test_numbers_that_must_be_refused(typed, message):
    assert not nhs_number.is_valid(typed)
    with pytest.raises(ValidationError) as caught:
        ids.normalise_nhs_number(typed)
    assert list(caught.value.errors) == ["nhs_number"]
    assert caught.value.errors["nhs_number"].startswith("NHS number: ")
    assert message in caught.value.errors["nhs_number"]


@pytest.mark.parametrize("typed", ["943 476 5919", "943-476-5919", " 9434765919 ",
                                   "9434 765 919", "943\t476\t5919", "943 - 476 - 5919"])
def test_spaces_and_dashes_anywhere_are_ignored(typed):
    """The app takes the number however it was copied (its docstring: "with or without
    spaces or dashes"); nhs-number takes only 3-3-4, so the digits are compared."""
    assert ids.normalise_nhs_number(typed) == "9434765919"
    assert nhs_number.is_valid("9434765919")


def test_every_number_in_a_block_of_the_test_range_agrees_with_two_outside_answers():
    """All 100,000 strings 99900 00000 to 99900 99999: the app accepts exactly those the
    package and the hand rule accept (9,091 of them, 909 with check digit 0)."""
    accepted_here, by_package, by_hand, zeros = set(), set(), set(), 0
    for tail in range(100_000):
        number = f"99900{tail:05d}"
        if accepted(number):
            accepted_here.add(number)
        if nhs_number.is_valid(number):
            by_package.add(number)
        if modulus_11(number[:9]) == int(number[9]):
            by_hand.add(number)
            zeros += number.endswith("0")
    assert accepted_here == by_package == by_hand
    assert len(by_hand) == 9_091 and zeros == 909


def test_the_check_digit_of_every_nine_digit_start_in_a_block():
    """``nhs_check_digit`` itself, against the hand rule, on 10,000 nine-digit starts."""
    for tail in range(10_000):
        first_nine = f"99912{tail:04d}"
        assert ids.nhs_check_digit(first_nine) == modulus_11(first_nine), first_nine


def test_numbers_the_nhs_number_package_generates():
    """500 valid and 500 invalid numbers from ``nhs_number.generate`` (seeded), in the test
    range and in England's: the app accepts the valid and refuses the invalid ones."""
    random.seed(20261201)  # the package draws from the random module's generator
    regions = (nhs_number.REGION_SYNTHETIC, nhs_number.REGION_ENGLAND)
    for region in regions:
        valid = nhs_number.generate(valid=True, for_region=region, quantity=250)
        invalid = nhs_number.generate(valid=False, for_region=region, quantity=250)
        assert [number for number in valid if not accepted(number)] == []
        assert [number for number in invalid if accepted(number)] == []
        assert all(modulus_11(number[:9]) == int(number[9]) for number in valid)
    assert any(number.endswith("0") for number in nhs_number.generate(
        valid=True, for_region=nhs_number.REGION_SYNTHETIC, quantity=200))
