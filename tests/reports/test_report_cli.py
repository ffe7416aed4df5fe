"""``practice-rx report`` and ``practice-rx extract`` run as a person runs them: the real
command in a subprocess, on a database filled with demo data (each backend), with the
files read back."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from practice_rx.reports import ReportPeriod
from practice_rx.reports.export_csv import read_sections
from practice_rx.services import Services
from practice_rx.services.demo import DemoSize, fill
from tests.reports import independent
from tests.support.factories import install_national_form

FROM, TO = "2024-01-01", "2026-12-31"  # every demo referral (the demo fills the last years)
MAIN = "import sys; from practice_rx.cli import main; sys.exit(main(sys.argv[1:]))"
PERIOD = ReportPeriod(date.fromisoformat(FROM), date.fromisoformat(TO))


@pytest.fixture
def demo_url(db_url: str, services: Services) -> str:
    install_national_form(services)
    fill(services.db, DemoSize(patients=30, referrals=120, services=6), seed=3)
    return db_url


def run(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """The command line itself; settings and data folders in the test's own folder (the
    audit key file is the test's, through the environment)."""
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data")}
    env.pop("PRACTICE_RX_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-c", MAIN, "--database", url, *args], check=False,
                          capture_output=True, text=True, env=env, timeout=120)


def report(url: str, tmp_path: Path, out: Path, *extra: str, user: str = "dr.patel"):
    return run(url, tmp_path, "report", "--user", user, "--from", FROM, "--to", TO,
               "--format", "csv", "--out", str(out), *extra)


def extract(url: str, tmp_path: Path, out: Path, *extra: str, user: str = "admin"):
    return run(url, tmp_path, "extract", "--user", user, "--from", FROM, "--to", TO,
               "--out", str(out), *extra)


def sources(url: str, practice: str = "") -> dict[str, int]:
    """Referrals per source by plain SQL, at one practice (by ODS code) or all."""
    from practice_rx.storage.database import Database

    at = "AND r.practice_id = (SELECT id FROM practice WHERE ods_code = :ods)" if practice \
        else ""
    db = Database.open(url)
    try:
        with db.connect() as connection:
            return dict(connection.execute(text(
                f"SELECT r.source, count(*) FROM referral r WHERE {independent.IN_PERIOD} "
                f"{at} GROUP BY r.source"), {**independent.bounds(PERIOD), "ods": practice}
            ).all())
    finally:
        db.close()


def source_section(path: Path) -> dict[str, str]:
    rows = read_sections(path.read_text(encoding="utf-8"))["referrals_by_source"]
    return {code: count for code, _label, count in rows[1:]}


def extract_audits(url: str) -> list[dict]:
    from practice_rx.storage.database import Database

    db = Database.open(url)
    try:
        with db.connect() as connection:
            afters = connection.execute(text(
                "SELECT after FROM audit_event WHERE action = 'extract_made'")).scalars().all()
    finally:
        db.close()
    return [json.loads(after) if isinstance(after, str) else after for after in afters]


def test_report_csv_is_suppressed_by_default(demo_url, tmp_path):
    out = tmp_path / "report.csv"
    result = report(demo_url, tmp_path, out)
    assert result.returncode == 0, result.stderr
    assert "small numbers suppressed" in result.stdout
    expected = {code: ("<5" if 0 < n < 5 else str(n)) for code, n in sources(demo_url).items()}
    assert "<5" in expected.values()  # the demo gives some sources a handful of referrals
    shown = source_section(out)
    assert {code: shown[code] for code in expected} == expected
    assert set(shown.values()) - set(expected.values()) <= {"0"}
    assert "counts of 1 to 4 shown as <5" in out.read_text(encoding="utf-8")


def test_report_internal_is_not_suppressed_and_warns(demo_url, tmp_path):
    out = tmp_path / "report.csv"
    result = report(demo_url, tmp_path, out, "--internal")
    assert result.returncode == 0, result.stderr
    assert "must not leave the practice" in result.stderr
    shown = source_section(out)
    assert {code: int(shown[code]) for code in sources(demo_url)} == sources(demo_url)
    assert "<5" not in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("command", [report, extract])
@pytest.mark.parametrize("option, value, expected", [
    ("--from", "2026-13-01", "argument --from: expected a date as YYYY-MM-DD"),
    ("--to", "1/4/2026", "argument --to: expected a date as YYYY-MM-DD"),
    ("--to", "2023-12-31", "--to (2023-12-31) is before --from (2024-01-01)"),
])
def test_a_bad_date_or_period_is_refused_and_nothing_written(demo_url, tmp_path, command,
                                                            option, value, expected):
    out = tmp_path / "out.csv"
    result = command(demo_url, tmp_path, out, option, value)  # the later option wins
    assert result.returncode == 2
    assert expected in result.stderr
    assert not out.exists() and list(tmp_path.glob("*.partial")) == []


@pytest.mark.parametrize("command", [report, extract])
def test_an_existing_file_is_kept_unless_forced(demo_url, tmp_path, command):
    out = tmp_path / "out.csv"
    out.write_text("keep me", encoding="utf-8")
    result = command(demo_url, tmp_path, out)
    assert result.returncode == 2
    assert f"--out {out} already exists" in result.stderr and "--force" in result.stderr
    assert out.read_text(encoding="utf-8") == "keep me"
    forced = command(demo_url, tmp_path, out, "--force")
    assert forced.returncode == 0, forced.stderr
    assert out.read_text(encoding="utf-8") != "keep me"


def test_report_counts_the_practices_named(demo_url, tmp_path):
    out = tmp_path / "report.csv"
    result = report(demo_url, tmp_path, out, "--practice", "Y99902", "--internal")
    assert result.returncode == 0, result.stderr
    shown = {code: int(n) for code, n in source_section(out).items() if n != "0"}
    assert shown == sources(demo_url, "Y99902")
    assert sum(shown.values()) < sum(sources(demo_url).values())


def test_an_unknown_user_is_refused(demo_url, tmp_path):
    out = tmp_path / "report.csv"
    result = report(demo_url, tmp_path, out, user="nobody")
    assert result.returncode == 2
    assert "no user called 'nobody'" in result.stderr
    assert not out.exists()


def test_extract_writes_a_line_per_referral_and_is_audited(demo_url, tmp_path):
    out = tmp_path / "extract.csv"
    result = extract(demo_url, tmp_path, out)
    assert result.returncode == 0, result.stderr
    lines = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    total = sum(sources(demo_url).values())
    assert lines[0][:2] == ["person", "referral"] and len(lines) == total + 1
    assert f"Extract of {total:,} referrals" in result.stdout
    assert extract_audits(demo_url) == [
        {"from": FROM, "to": TO, "practices": [], "rows": total}]


def test_extract_is_for_admins_only(demo_url, tmp_path):
    out = tmp_path / "extract.csv"
    result = extract(demo_url, tmp_path, out, user="linkworker.ahmed")
    assert result.returncode == 2
    assert "Not allowed" in result.stderr
    assert not out.exists() and extract_audits(demo_url) == []


def test_extract_refuses_an_unknown_practice_and_counts_a_named_one(demo_url, tmp_path):
    out = tmp_path / "extract.csv"
    result = extract(demo_url, tmp_path, out, "--practice", "A12345")
    assert result.returncode == 2
    assert "ODS code A12345" in result.stderr
    assert not out.exists() and extract_audits(demo_url) == []
    narrowed = extract(demo_url, tmp_path, out, "--practice", "Y99901")
    assert narrowed.returncode == 0, narrowed.stderr
    lines = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(lines) == sum(sources(demo_url, "Y99901").values()) > 0
    assert {line["practice"] for line in lines} == {"Y99901"}
    assert extract_audits(demo_url)[0]["practices"] == ["Y99901"]


def test_report_xlsx_has_the_figures_suppressed_and_the_practices_named(demo_url, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "report.xlsx"
    result = run(demo_url, tmp_path, "report", "--user", "dr.patel", "--from", FROM, "--to",
                 TO, "--format", "xlsx", "--out", str(out), "--practice", "Y99901")
    assert result.returncode == 0, result.stderr
    book = load_workbook(out, read_only=True)
    about = [cell for row in book["About"].iter_rows(values_only=True) for cell in row if cell]
    assert any("Y99901" in str(cell) for cell in about)
    rows = list(book["referrals_by_source"].iter_rows(min_row=5, values_only=True))
    shown = {code: count for code, _label, count in rows if code}
    expected = {code: ("<5" if 0 < n < 5 else n) for code, n in
                sources(demo_url, "Y99901").items()}
    assert {code: shown[code] for code in expected} == expected
    assert "<5" in expected.values()


def test_report_pdf_has_the_figures_and_says_when_it_is_internal(demo_url, tmp_path):
    from pypdf import PdfReader

    internal = "not for use outside the practice"
    for extra, marking, absent in (((), "<5", internal), (("--internal",), internal, "<5")):
        out = tmp_path / f"report{len(extra)}.pdf"
        result = run(demo_url, tmp_path, "report", "--user", "dr.patel", "--from", FROM,
                     "--to", TO, "--format", "pdf", "--out", str(out), *extra)
        assert result.returncode == 0, result.stderr
        pages = PdfReader(out).pages
        words = " ".join(page.extract_text() for page in pages)
        assert "Referrals by source" in words and f"Page 1 of {len(pages)}" in words
        assert "Holbeck Moor Practice" in words  # the heading: every practice counted
        assert marking in words and absent not in words
