"""Open Referral UK (ORUK v3.0) directories as PracticeRx service catalogues.

Councils publish their community directories in ORUK; this package reads one
(over its JSON API or from a saved file), maps each service to
:class:`~practice_rx.services.catalogue.ServiceDetails` through the area's taxonomy
mapping, and imports it whole or not at all. See ``docs/oruk-catalogues.md``.
No Qt here: the command line, a plugin and the application all use it.
"""

from practice_rx.oruk.directory import DirectoryCatalogue, load_directory
from practice_rx.oruk.http_client import DirectoryError
from practice_rx.oruk.taxonomy_mapping import TaxonomyMapping, default_mapping, load_mapping

__all__ = ["DirectoryCatalogue", "DirectoryError", "TaxonomyMapping", "default_mapping",
           "load_directory", "load_mapping"]
