"""A network's report by practice: each practice's figures, and the referral rate, checked
again with plain SQL on the seeded three-practice demo; the service counts only the
practices a user works for. Both backends."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select, text

from practice_rx.errors import PermissionDenied, ValidationError
from practice_rx.reports import build_report
from practice_rx.storage.models import Practice, User
from tests.reports import independent
from tests.reports.conftest import TODAY, YEAR


def practices(services) -> dict[str, int]:
    with services.db.reading() as session:
        return dict(session.execute(select(Practice.ods_code, Practice.id)).all())


def user_id(services, username: str) -> int:
    with services.db.reading() as session:
        return session.scalar(select(User.id).where(User.username == username))


def sql(connection, query: str, **params) -> dict:
    return dict(connection.execute(text(query), params).all())


def test_each_practices_figures_count_its_referrals_only(seeded):
    ids = practices(seeded)
    assert len(ids) == 3
    totals = 0
    for ods, practice_id in ids.items():
        built = build_report(seeded.db, replace(YEAR, practice_ids=frozenset({practice_id})),
                             today=TODAY)
        with seeded.db.connect() as connection:
            bounds = {**independent.bounds(YEAR), "p": practice_id}
            sources = sql(connection, "SELECT r.source, count(*) FROM referral r WHERE "
                          f"{independent.IN_PERIOD} AND r.practice_id = :p GROUP BY r.source",
                          **bounds)
            overdue = sql(connection, "SELECT status, count(*) FROM referral WHERE status IN "
                          "('sent', 'accepted') AND response_due_on < :today AND "
                          "practice_id = :p GROUP BY status", today=TODAY, p=practice_id)
            caseloads = sql(connection, "SELECT allocated_to_id, count(*) FROM referral WHERE "
                            "status IN ('accepted', 'contacted', 'in_progress') AND "
                            "allocated_to_id IS NOT NULL AND practice_id = :p "
                            "GROUP BY allocated_to_id", p=practice_id)
        shown = {row["source"]: row["referrals"] for row in built.by_source.as_dicts()}
        assert {k: v for k, v in shown.items() if v} == sources, ods
        assert {row["status"]: row["referrals"] for row in built.overdue.as_dicts()} == {
            "sent": overdue.get("sent", 0), "accepted": overdue.get("accepted", 0)}, ods
        assert {row["user_id"]: row["open_cases"] for row in built.caseloads.as_dicts()
                if row["open_cases"]} == caseloads, ods
        totals += sum(sources.values())
    with seeded.db.connect() as connection:
        everyone = connection.execute(text(
            f"SELECT count(*) FROM referral r WHERE {independent.IN_PERIOD}"),
            independent.bounds(YEAR)).scalar_one()
    assert totals == everyone > 0  # every referral is at exactly one practice


def test_the_referral_rate_is_people_referred_over_the_list_size(seeded):
    built = build_report(seeded.db, YEAR, today=TODAY)
    with seeded.db.connect() as connection:
        people = sql(connection, "SELECT r.practice_id, count(DISTINCT r.patient_id) FROM "
                     f"referral r WHERE {independent.IN_PERIOD} GROUP BY r.practice_id",
                     **independent.bounds(YEAR))
        rows = connection.execute(text(
            "SELECT id, ods_code, list_size FROM practice ORDER BY name")).all()
        everyone = connection.execute(text(
            f"SELECT count(DISTINCT r.patient_id) FROM referral r WHERE "
            f"{independent.IN_PERIOD}"), independent.bounds(YEAR)).scalar_one()
    expected = [(ods, size, people.get(pid, 0), round(100 * people.get(pid, 0) / size, 2))
                for pid, ods, size in rows]
    total_size = sum(size for _, _, size in rows)
    expected.append(("(all)", total_size, everyone, round(100 * everyone / total_size, 2)))
    assert [(r["ods_code"], r["list_size"], r["people"], r["rate"])
            for r in built.referral_rate.as_dicts()] == expected
    assert all(people for _, _, people, _ in expected)


def test_a_practice_without_a_list_size_has_no_rate(seeded):
    with seeded.db.transaction() as session:
        session.execute(text("UPDATE practice SET list_size = NULL WHERE ods_code = 'Y99902'"))
    rows = {r["ods_code"]: r for r in build_report(seeded.db, YEAR,
                                                   today=TODAY).referral_rate.as_dicts()}
    assert rows["Y99902"]["rate"] is None and rows["Y99902"]["people"] > 0
    assert rows["(all)"]["list_size"] is None and rows["(all)"]["rate"] is None
    assert rows["Y99901"]["rate"] is not None


def test_a_practices_own_gp_counts_only_their_practice(seeded):
    ids = practices(seeded)
    shah = user_id(seeded, "dr.shah")  # Holbeck Moor's GP only
    own = seeded.reports.build(shah, YEAR, today=TODAY)
    holbeck = build_report(seeded.db, replace(YEAR, practice_ids=frozenset({ids["Y99902"]})),
                           today=TODAY)
    assert own.tables() == holbeck.tables()
    assert [r["ods_code"] for r in own.referral_rate.as_dicts()] == ["Y99902"]
    with pytest.raises(PermissionDenied, match="not linked to Y99901"):
        seeded.reports.build(shah, YEAR, practices=["Y99901"])
    with pytest.raises(ValidationError, match="Practice: no practice .* ODS code X00000"):
        seeded.reports.build(shah, YEAR, practices=["X00000"])


def test_a_network_user_chooses_practices_by_ods_code(seeded):
    ids = practices(seeded)
    admin = user_id(seeded, "admin")
    chosen = seeded.reports.build(admin, YEAR, practices=["y99902", "Y99903"], today=TODAY)
    expected = build_report(seeded.db, replace(
        YEAR, practice_ids=frozenset({ids["Y99902"], ids["Y99903"]})), today=TODAY)
    assert chosen.tables() == expected.tables()
    whole = seeded.reports.build(admin, YEAR, today=TODAY)
    assert whole.tables() == build_report(seeded.db, YEAR, today=TODAY).tables()
    assert sum(r["referrals"] for r in chosen.by_month.as_dicts()) < sum(
        r["referrals"] for r in whole.by_month.as_dicts())
