"""Render the sample report PDF from a seeded demo database (synthetic data) for the docs.

    .venv/bin/python docs/reports/make_sample.py [--dpi 100] [--pdf report.pdf]

Seeds a throwaway SQLite demo database (the report tests' seed and clock: 600
referrals), builds the report for a quarter (small enough that some counts are
suppressed, so the grey bars show), writes it as a suppressed PDF and renders
its first two pages with ``pdftoppm`` (poppler-utils) to ``report-page-1.png`` and
``report-page-2.png`` beside this file.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
from datetime import date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOW = datetime(2026, 11, 24, 9, 30)
PERIOD = (date(2026, 6, 1), date(2026, 8, 31))  # a quarter: small counts to suppress


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dpi", type=int, default=100)
    parser.add_argument("--pdf", type=Path, help="keep the PDF here as well")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        # a throwaway demo: its audit key goes with it, never to the config folder
        os.environ["PRACTICE_RX_AUDIT_KEY_FILE"] = str(Path(folder) / "audit.key")
        from practice_rx.reports import ReportPeriod, build_report
        from practice_rx.reports.export_pdf import write_report_pdf
        from practice_rx.services.demo import DEMO_PRACTICES, DemoSize, fill
        from practice_rx.startup import start

        app = start(f"sqlite:///{Path(folder) / 'demo.sqlite3'}", clock=lambda: NOW)
        try:
            fill(app.services.db, DemoSize(patients=80, referrals=600, services=14), seed=14,
                 clock=lambda: NOW)
            report = build_report(app.services.db, ReportPeriod(*PERIOD), today=NOW.date())
        finally:
            app.close()
        pdf = write_report_pdf(report, args.pdf or Path(folder) / "report.pdf",
                               heading="South Leeds demo network: " + ", ".join(
                                   f"{name} ({ods})" for ods, name, *_ in DEMO_PRACTICES)
                               + "; synthetic data")
        for page in (1, 2):
            subprocess.run(["pdftoppm", "-r", str(args.dpi), "-png", "-f", str(page),
                            "-l", str(page), "-singlefile", str(pdf),
                            str(HERE / f"report-page-{page}")], check=True)
    for png in sorted(HERE.glob("report-page-*.png")):
        print(png.name, png.stat().st_size)


if __name__ == "__main__":
    main()
