"""Loads the national referral form from its packaged data file.

The form is data so a new version is a data change, checked by the same parser
as any third-party plugin's form.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from practice_rx.forms import FormDefinition, load_form_file

FORM_FILE = "national_form.yaml"


@cache
def national_form() -> FormDefinition:
    """The standard national social prescribing referral form (read once; it is immutable)."""
    return load_form_file(files("practice_rx.plugins.national") / FORM_FILE)
