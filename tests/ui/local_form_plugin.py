"""A local area's plugin with its own form and a default-form answer naming it.

The form id sorts after ``national``, so a dialog that ignores the default
starts on the national form, which is first in the list.
"""

from __future__ import annotations

from practice_rx import hookimpl
from practice_rx.forms import form_from_dict
from practice_rx.plugins.national.form import national_form

FORM_ID = "wetherby_pcn"


@hookimpl
def practice_rx_register_referral_forms():
    form = national_form().to_dict()
    form.update(id=FORM_ID, version=2, title="Wetherby PCN referral")
    return [form_from_dict(form)]


@hookimpl
def practice_rx_default_form_id():
    return FORM_ID
