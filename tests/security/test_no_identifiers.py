"""No patient identifier in any error or log (issue 11, finding 6), on both backends.

Errors are forced the way a fault would make them: a direct insert through the
service's own engine of a duplicate (IntegrityError) and of values the database
refuses (PostgreSQL: an over-long name and a date that is not one, DataError;
SQLite, which stores any length: a value the driver cannot bind). Before the fix
the exception text carried the bound parameters (NHS number, names, date of
birth, postcode), and PostgreSQL's DETAIL line the NHS number again. The text of
the exception, its traceback, the log (as the UI logs an unexpected error) and
the message the UI would show are all searched.
"""

from __future__ import annotations

import logging
import traceback
from datetime import date, datetime

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import DBAPIError, StatementError

from practice_rx.storage.errors_text import safe_driver_text
from practice_rx.storage.models import Patient
from tests.support.factories import make_patient, test_nhs_number

NHS = test_nhs_number(4242)
GIVEN, FAMILY, POSTCODE = "Zebedee", "Quixotewright", "LS11 9ZZ"
DOB = date(1947, 2, 28)
IDENTIFIERS = (NHS, GIVEN, FAMILY, POSTCODE, "1947-02-28", "1947, 2, 28", NHS[:3] + " " + NHS[3:6])


def _row(**changes) -> dict:
    row = dict(nhs_number=NHS, given_name=GIVEN, family_name=FAMILY, date_of_birth=DOB,
               postcode=POSTCODE, sex="unknown", address="1 Beeston Road", phone="",
               email="", preferred_contact="phone", contact_times="", first_language="English",
               interpreter_needed=False, accessibility_needs="", search_key="",
               created_at=datetime(2026, 11, 24, 9, 30), updated_at=datetime(2026, 11, 24, 9, 30))
    row.update(changes)
    return row


def _insert(services, statement, row) -> BaseException:
    with pytest.raises((DBAPIError, StatementError)) as raised:
        with services.db.engine.begin() as connection:
            connection.execute(statement, row)
    return raised.value


def _assert_no_identifier(error: BaseException, caplog) -> None:
    from practice_rx.ui.messages import describe  # the dialog text for an unexpected error

    with caplog.at_level(logging.DEBUG):
        logging.getLogger("practice_rx.ui.messages").error("unexpected error", exc_info=error)
        shown = "\n".join(describe(error))
    everything = "\n".join([str(error), "".join(traceback.format_exception(error)),
                            caplog.text, shown])
    for identifier in IDENTIFIERS:
        assert identifier not in everything, f"{identifier!r} in:\n{everything}"


def test_a_duplicate_nhs_number_error_names_no_patient(services, caplog):
    make_patient(services, nhs_number=NHS, given=GIVEN, family=FAMILY, postcode=POSTCODE,
                 date_of_birth=DOB.isoformat())
    with services.db.connect() as connection:
        row = dict(connection.execute(select(Patient.__table__)).mappings().one())
    del row["id"]
    error = _insert(services, insert(Patient), row)  # the same patient again
    assert "unique" in str(error).lower()  # still says what went wrong
    _assert_no_identifier(error, caplog)


def test_a_value_the_database_refuses_names_no_patient(services, backend, caplog):
    if backend == "postgresql":
        statements = [(insert(Patient), _row(given_name=GIVEN * 20)),  # over-long: DataError
                      (text("SELECT CAST(:dob AS date), :nhs, :name"),
                       {"dob": f"{FAMILY} 1947-02-28", "nhs": NHS, "name": GIVEN})]
    else:  # SQLite stores any length; a value its driver cannot bind fails the same way
        statements = [(insert(Patient), _row(address={"street": "1 Beeston Road"}))]
    for statement, row in statements:
        error = _insert(services, statement, row)
        _assert_no_identifier(error, caplog)


def test_the_drivers_values_are_cut_from_its_text():
    detail = ('duplicate key value violates unique constraint "uq_patient_nhs_number"\n'
              f"DETAIL:  Key (nhs_number)=({NHS}) already exists.")
    assert safe_driver_text(detail) == (
        'duplicate key value violates unique constraint "uq_patient_nhs_number"')
    assert safe_driver_text(f'invalid input syntax for type date: "{FAMILY}"') == (
        'invalid input syntax for type date: "…"')
    assert NHS not in safe_driver_text(
        f'null value in column "family_name" violates not-null constraint Failing row '
        f"contains (1, {NHS}, {GIVEN}).")
