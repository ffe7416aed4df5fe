"""The built-in ``national`` plugin: the standard referral form and a national catalogue.

It is registered through the same hooks as any local area's plugin, so what it
does, they can do, or replace.
"""

from __future__ import annotations

from importlib.resources import files

from practice_rx import hookimpl
from practice_rx.catalogue_files import load_catalogue_file
from practice_rx.forms import FormDefinition
from practice_rx.measures import MeasureDefinition, builtin_measures
from practice_rx.plugin_api import Report
from practice_rx.plugins.national.form import national_form

PRACTICE_RX_API = ">=1.1,<2"
CATALOGUE_FILE = "national_services.yaml"


@hookimpl
def practice_rx_register_referral_forms() -> list[FormDefinition]:
    return [national_form()]


@hookimpl
def practice_rx_register_services(report: Report) -> list[object]:
    catalogue = load_catalogue_file(files(__name__) / CATALOGUE_FILE)
    report.each(catalogue.problems)
    return list(catalogue.services)


@hookimpl(trylast=True)
def practice_rx_default_form_id() -> str:
    return national_form().id


@hookimpl
def practice_rx_register_outcome_measures() -> list[MeasureDefinition]:
    """The ONS measures, free to use; licensed ones come from the area that holds the licence."""
    return list(builtin_measures())


@hookimpl
def practice_rx_register_delivery_channels() -> list[object]:
    """MESH, set up in the settings file and the keyring (see docs/mesh.md)."""
    from practice_rx.delivery.mesh_settings import MeshSettingsChannel

    return [MeshSettingsChannel()]
