"""Render one sample letter of each kind (synthetic data) to PNG for the README.

    .venv/bin/python docs/letters/make_samples.py [--dpi 70]

Needs ``pdftoppm`` (poppler-utils). Writes ``<kind>-<page>.png`` beside this file, and
``care-plan-long-<page>.png``: a plan with 12 actions and long own words, over pages.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

from practice_rx.letters import LetterKind, builtin_templates
from practice_rx.letters.samples import long_casework, sample_inputs

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dpi", type=int, default=70)
    args = parser.parse_args()
    for old in HERE.glob("*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as folder:
        for template in builtin_templates():
            pdf = Path(folder) / f"{template.kind}.pdf"
            pdf.write_bytes(template.render(sample_inputs(template.kind)))
            stem = HERE / str(template.kind).replace("_", "-")
            subprocess.run(["pdftoppm", "-r", str(args.dpi), "-png", str(pdf), str(stem)],
                           check=True)
            if template.kind == LetterKind.CARE_PLAN:
                long = Path(folder) / "care_plan_long.pdf"
                long.write_bytes(template.render(replace(sample_inputs(template.kind),
                                                         casework=long_casework())))
                subprocess.run(["pdftoppm", "-r", str(args.dpi), "-png", str(long),
                                str(HERE / "care-plan-long")], check=True)
    for png in sorted(HERE.glob("*.png")):
        print(png.name, png.stat().st_size)


if __name__ == "__main__":
    main()
