"""practice_rx.testing, run as a plugin author runs it: in a pytest session of its own.

Each test writes an author's test file (and a plugin module beside it) with
pytester and checks what that session reports: the kit fails loudly on plugin
problems unless told to expect them, and finds plugins by name or module.
Those sessions run in subprocesses (in-process, SQLAlchemy's registries would be
imported twice), so each takes a couple of seconds.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from practice_rx.domain.identifiers import normalise_nhs_number
from practice_rx.plugins.national.form import national_form
from practice_rx.testing import filled_answers, synthetic_nhs_number
from tests.conftest import BACKENDS

pytest_plugins = ["pytester"]

BROKEN = '''
from practice_rx import hookimpl

PRACTICE_RX_API = ">=1.1,<2"


@hookimpl
def practice_rx_register_services():
    raise RuntimeError("catalogue exploded")
'''

RAISES_LATER = '''
from practice_rx import hookimpl

PRACTICE_RX_API = ">=1.1,<2"


@hookimpl
def practice_rx_referral_status_changed(change):
    raise RuntimeError("export exploded")
'''

WARNS = '''
from practice_rx import hookimpl

PRACTICE_RX_API = ">=1.1,<2"


@hookimpl
def practice_rx_register_services(report):
    report("row 3: a warning, not an error")
    return [{"external_id": "a", "name": "Allotment club", "category": "nature"}]
'''


def run(pytester: pytest.Pytester, test: str, **modules: str) -> pytest.RunResult:
    for name, source in modules.items():
        pytester.makepyfile(**{name: source})
    pytester.makepyfile(test_author=test)
    return pytester.runpytest_subprocess("-p", "practice_rx.testing.plugin", "-q",
                                        "--strict-markers")


@pytest.mark.slow  # a pytest session of its own, about 2 s
def test_a_problem_at_start_up_fails_the_test_loudly(pytester):
    result = run(pytester, '''
import re
from pathlib import Path

import pytest

@pytest.mark.practice_rx_plugins("broken_area")
def test_anything(practice_rx_kit):
    pass
''', broken_area=BROKEN)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*recorded 1 problem(s) when PracticeRx started*",
                                 ("*broken_area (practice_rx_register_services): raised "
                                 "RuntimeError: catalogue exploded*")])


@pytest.mark.slow  # a pytest session of its own, about 2 s
def test_a_problem_during_the_test_fails_it_at_teardown(pytester):
    result = run(pytester, '''
import pytest

@pytest.mark.practice_rx_plugins("south_leeds", "raises_later")
def test_send(practice_rx_kit):
    practice_rx_kit.refer(answers={"tenure": "owner", "at_risk_of_eviction": False})
''', raises_later=RAISES_LATER)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_send*",
                                 "*recorded 1 problem(s) during the test*",
                                 ("*raises_later (practice_rx_referral_status_changed): raised "
                                 "RuntimeError: export exploded*")])


@pytest.mark.slow  # a pytest session of its own, about 2 s
def test_a_test_that_expects_problems_sees_them_itself(pytester):
    result = run(pytester, '''
import re
from pathlib import Path

import pytest

@pytest.mark.practice_rx_expect_problems
@pytest.mark.practice_rx_plugins("broken_area")
def test_the_catalogue_failure_is_recorded(practice_rx_app):
    assert [p.plugin for p in practice_rx_app.plugins.errors] == ["broken_area"]
''', broken_area=BROKEN)
    result.assert_outcomes(passed=1)


@pytest.mark.slow  # a pytest session of its own, about 2 s
def test_warnings_do_not_fail_and_can_be_read(pytester):
    result = run(pytester, '''
import re
from pathlib import Path

import pytest

@pytest.mark.practice_rx_plugins("warning_area")
def test_warned(practice_rx_kit):
    assert practice_rx_kit.problems() == []
    assert any("a warning, not an error" in w for w in practice_rx_kit.warnings())
    assert [s.name for s in practice_rx_kit.services.catalogue.search(plugin="warning_area")] \\
        == ["Allotment club"]
''', warning_area=WARNS)
    result.assert_outcomes(passed=1)


@pytest.mark.slow  # a pytest session of its own, about 2 s
def test_an_unknown_plugin_is_named_with_the_installed_ones(pytester):
    result = run(pytester, '''
import re
from pathlib import Path

import pytest

@pytest.mark.practice_rx_plugins("no such plugin")
def test_anything(practice_rx_app):
    pass
''')
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*'no such plugin' is neither an installed plugin*"])


@pytest.mark.slow  # a pytest session of its own, about 2 s
def test_the_helpers_drive_the_real_services(pytester):
    """South Leeds (installed in this environment) named by its entry point, by its
    module object, and the whole life of a referral through the kit."""
    result = run(pytester, '''
import re
from pathlib import Path

import pytest
import practice_rx_south_leeds

ANSWERS = {"tenure": "council", "at_risk_of_eviction": False}


@pytest.mark.practice_rx_plugins(practice_rx_south_leeds)
def test_by_module(practice_rx_kit):
    sent = practice_rx_kit.refer(answers=ANSWERS)
    assert practice_rx_kit.snapshot(sent).service_plugin == "south_leeds"


@pytest.mark.practice_rx_plugins("south_leeds")
def test_a_life(practice_rx_kit, practice_rx_users, practice_rx_clock):
    sent = practice_rx_kit.refer(answers={**ANSWERS, "reasons": ["money"]})
    assert sent.referrer_id == practice_rx_users.clinician.id
    practice_rx_clock.advance(days=1)
    accepted = practice_rx_kit.change_status(sent, "accepted")
    assert accepted.status == "accepted"
    assert practice_rx_kit.change_status(accepted, "contacted").status == "contacted"
    assert practice_rx_kit.validate(sent) == {}
    letter = practice_rx_kit.letter(sent, "patient")
    assert letter.pdf.startswith(b"%PDF") and "Joan" in letter.text
''')
    result.assert_outcomes(passed=2)


def test_synthetic_nhs_numbers_are_valid_and_in_the_test_range():
    numbers = {synthetic_nhs_number() for _ in range(50)}
    assert len(numbers) == 50
    assert all(n.startswith("999") and normalise_nhs_number(n) == n for n in numbers)
    assert synthetic_nhs_number(7) == synthetic_nhs_number(7)


def test_filled_answers_complete_the_national_form():
    from datetime import date

    from practice_rx.forms import clean_answers

    answers = filled_answers(national_form(), {"urgency": "soon"}, date(2026, 11, 24))
    assert answers["urgency"] == "soon"  # what the test gave is kept
    assert answers["consent_given"] is True and answers["consent_date"] == "2026-11-24"
    assert "risk_to_self_or_others_details" not in answers  # shown only after a yes
    clean_answers(national_form(), answers, complete=True, today=date(2026, 11, 24))


@pytest.mark.slow
@pytest.mark.skipif("postgresql" not in BACKENDS, reason="PRACTICE_RX_TEST_BACKENDS=sqlite")
def test_an_administrator_url_runs_the_tests_on_postgresql(pytester, postgres_admin_url,
                                                           monkeypatch):
    monkeypatch.setenv("PRACTICE_RX_TEST_POSTGRES_URL", postgres_admin_url)
    result = run(pytester, '''
import re
from pathlib import Path

import pytest

@pytest.mark.practice_rx_plugins("south_leeds")
@pytest.mark.parametrize("run", [1, 2])
def test_on_postgresql(practice_rx_kit, run):
    assert practice_rx_kit.services.db.backend == "postgresql"
    sent = practice_rx_kit.refer(answers={"tenure": "owner", "at_risk_of_eviction": False})
    assert sent.id == 1  # each test has a new database
''')
    result.assert_outcomes(passed=2)


@pytest.mark.slow
def test_the_guides_example_passes(pytester):
    """docs/plugin-testing.md's example is a real test file, run as an author would."""
    doc = (Path(__file__).parents[2] / "docs" / "plugin-testing.md").read_text()
    [(name, source)] = re.findall(r"<!-- test: (\S+) -->\n```python\n(.*?)```", doc, re.DOTALL)
    pytester.makepyfile(**{name.removesuffix(".py"): source})
    result = pytester.runpytest_subprocess("-p", "practice_rx.testing.plugin", "-q")
    result.assert_outcomes(passed=3)
