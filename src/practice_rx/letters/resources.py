"""Finding the files letters need (fonts, an optional logo) wherever PracticeRx runs.

In a source checkout they live in ``resources/`` at the top of the repository;
an installed wheel carries them as ``practice_rx/_resources`` (the same way the
migrations are found in :mod:`practice_rx.storage.migrate`).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

FONT_FILES = {
    "regular": "DejaVuSans.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "italic": "DejaVuSans-Oblique.ttf",
    "bold_italic": "DejaVuSans-BoldOblique.ttf",
}
LOGO_NAMES = ("logo.png", "logo.jpg", "logo.jpeg")


@cache
def resources_dir() -> Path:
    """The folder holding ``fonts/`` (and perhaps a practice logo)."""
    source = Path(__file__).resolve().parents[3] / "resources"
    if (source / "fonts" / FONT_FILES["regular"]).exists():
        return source
    return Path(str(resources.files("practice_rx") / "_resources"))


def font_path(face: str) -> Path:
    """The TrueType file of one face: ``regular``, ``bold``, ``italic`` or ``bold_italic``."""
    return resources_dir() / "fonts" / FONT_FILES[face]


def default_logo() -> Path | None:
    """A logo dropped into ``resources/`` (``logo.png`` or ``logo.jpg``), if there is one."""
    for name in LOGO_NAMES:
        candidate = resources_dir() / name
        if candidate.is_file():
            return candidate
    return None
