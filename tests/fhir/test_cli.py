"""``practice-rx export fhir`` and ``import fhir`` run as commands on a demo database.

Each command runs in its own process, as a practice would run it, on both backends.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from practice_rx.fhir.uk_core import check_uk_core
from practice_rx.services import Services
from practice_rx.services.demo import DemoSize, fill
from practice_rx.storage.database import Database
from practice_rx.storage.models import Referral
from tests.fhir.helpers import parse
from tests.support.factories import install_national_form

ROOT = Path(__file__).resolve().parents[2]


def run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    return subprocess.run([sys.executable, "-m", "practice_rx.cli", "--database", url, *args],
                          capture_output=True, text=True, timeout=300, env=env, check=False)


def demo(url: str, clock) -> tuple[list[int], int]:
    """A small demo network; two referrals the services are working on, and the count."""
    db = Database.open(url)
    try:
        install_national_form(Services(db, clock))
        fill(db, DemoSize(patients=12, referrals=40, services=4), clock=clock)
        with db.reading() as session:
            sent = session.scalars(select(Referral.id).where(Referral.status.in_(
                ("sent", "accepted", "contacted", "in_progress"))).order_by(Referral.id)
                .limit(2)).all()
            count = session.scalar(select(func.count()).select_from(Referral))
    finally:
        db.close()
    return list(sent), count


def test_export_then_import_from_the_command_line(db_url, clock, tmp_path):
    sent, count = demo(db_url, clock)
    assert len(sent) == 2
    out = tmp_path / "bundles"
    exported = run(db_url, "export", "fhir", *map(str, sent), "--user", "dr.patel",
                   "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    files = sorted(out.iterdir())
    assert [f.name for f in files] == [f"PRX-{i:06d}-fhir.json" for i in sent]
    for file in files:
        bundle = json.loads(file.read_text(encoding="utf-8"))
        parse(bundle)
        assert check_uk_core(bundle) == []

    imported = run(db_url, "import", "fhir", str(files[0]), "--user", "linkworker.ahmed")
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith(f"Imported as referral {count + 1}, an inbound draft")

    form = run(db_url, "export", "fhir-questionnaire", "national", "--version", "1",
               "--out", str(tmp_path))
    assert form.returncode == 0, form.stderr
    assert json.loads((tmp_path / "questionnaire-national-1.json").read_text())["url"] == \
        "https://practice-rx.example/fhir/Questionnaire/national"


def test_a_bad_bundle_is_refused_with_its_paths(db_url, clock, tmp_path):
    sent, count = demo(db_url, clock)
    out = tmp_path / "bundles"
    assert run(db_url, "export", "fhir", str(sent[0]), "--user", "dr.patel",
               "--out", str(out)).returncode == 0
    (file,) = out.iterdir()
    bundle = json.loads(file.read_text(encoding="utf-8"))
    del bundle["entry"][0]["resource"]["subject"]
    bundle["entry"][0]["resource"]["status"] = "sent"
    file.write_text(json.dumps(bundle), encoding="utf-8")
    refused = run(db_url, "import", "fhir", str(file), "--user", "linkworker.ahmed")
    assert refused.returncode == 2
    lines = refused.stderr.splitlines()
    assert lines[0] == f"practice-rx: {file} was not imported, nothing was saved:"
    assert any(line.startswith("  Bundle.entry[0].resource.subject: ") for line in lines)
    assert any(line.startswith("  Bundle.entry[0].resource.status: 'sent' is not a code")
               for line in lines)
    db = Database.open(db_url)
    try:
        with db.reading() as session:
            assert session.scalar(select(func.count()).select_from(Referral)) == count
    finally:
        db.close()
    unknown = run(db_url, "export", "fhir", "999999", "--user", "dr.patel", "--out",
                  str(tmp_path / "none"))
    assert unknown.returncode == 2 and "Referral 999999 does not exist" in unknown.stderr


def test_the_command_line_starts_without_the_fhir_models():
    probe = ("import sys, practice_rx.cli as cli; cli.build_parser(); "
             "print([m for m in ('fhir.resources', 'pydantic', 'practice_rx.fhir.bundle') "
             "if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert result.stdout.strip() == "[]"
