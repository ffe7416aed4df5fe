"""Open Referral UK (ORUK v3.0) directories as PracticeRx service catalogues.

Councils publish their community directories in ORUK; this package reads one
(over its JSON API or from a saved file), maps each service to
:class:`~practice_rx.services.catalogue.ServiceDetails` through the area's taxonomy
mapping, and imports it whole or not at all. See ``docs/oruk-catalogues.md``.
No Qt here: the command line, a plugin and the application all use it.

The names below are loaded on first use: the command line registers
``catalogue import-oruk`` from :mod:`practice_rx.oruk.cli` at every start, and
must not pay for the services and SQLAlchemy before the sign-in screen shows.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from practice_rx.oruk.directory import DirectoryCatalogue, load_directory
    from practice_rx.oruk.http_client import DirectoryError
    from practice_rx.oruk.taxonomy_mapping import TaxonomyMapping, default_mapping, load_mapping

_HOMES = {
    "DirectoryCatalogue": "directory", "load_directory": "directory",
    "DirectoryError": "http_client",
    "TaxonomyMapping": "taxonomy_mapping", "default_mapping": "taxonomy_mapping",
    "load_mapping": "taxonomy_mapping",
}
__all__ = ["DirectoryCatalogue", "DirectoryError", "TaxonomyMapping", "default_mapping",
           "load_directory", "load_mapping"]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
