"""Importing a directory into the catalogue: everything read and mapped first, then stored
in one transaction under ``oruk:<name>``, or nothing stored at all.

The imported catalogue belongs to no plugin, so the start-up sync leaves it alone
(:func:`practice_rx.services.catalogue.is_imported`) and only its next import
changes it: services it no longer lists are marked inactive, never deleted. The
source is kept in the import's audit entry, and another imported catalogue of the
same directory is reported, so a second copy under a new name is never a surprise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from urllib.parse import urlsplit

from practice_rx.oruk.catalogues import ImportedCatalogues, SameDirectory
from practice_rx.oruk.directory import DirectoryCatalogue, load_directory
from practice_rx.oruk.directory_reader import DEFAULT_PER_PAGE, is_url
from practice_rx.oruk.http_client import DirectoryError, JsonGetter
from practice_rx.oruk.taxonomy_mapping import TaxonomyMapping
from practice_rx.services import Services
from practice_rx.services.catalogue import SyncReport

PLUGIN_PREFIX = "oruk:"
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,59}$")


@dataclass(frozen=True)
class ImportReport:
    plugin: str
    catalogue: DirectoryCatalogue
    sync: SyncReport
    #: other imported catalogues of the same directory, found before this one was stored
    same_directory: list[SameDirectory] = field(default_factory=list)


def source_key(source: str | PathLike[str], catalogue: DirectoryCatalogue) -> str:
    """Where the services came from, as recorded and compared: the printable URL (no
    credentials or tokens), or a file's full path, so two files of one name differ."""
    return catalogue.source if is_url(source) else str(Path(source).resolve())


def default_name(source: str | PathLike[str]) -> str:
    """The catalogue's name when none is given: the directory's host, or the file's stem."""
    if is_url(source):
        raw = urlsplit(str(source)).hostname or "directory"
    else:
        raw = Path(source).stem
    name = re.sub(r"[^a-z0-9._-]+", "-", raw.lower()).strip("-._")[:60]
    return name or "directory"


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise DirectoryError(f"--name '{name}': use up to 60 lower-case letters, digits, dots, "
                             "dashes or underscores, starting with a letter or digit")
    return name


def import_directory(
    services: Services, source: str | PathLike[str], *, name: str | None = None,
    mapping: TaxonomyMapping | str | PathLike[str] | None = None,
    per_page: int = DEFAULT_PER_PAGE, user_id: int | None = None,
    getter: JsonGetter | None = None,
) -> ImportReport:
    """Read, map and store a directory whole; DirectoryError (nothing stored) when it
    cannot be read in full or gives no importable service at all, since an empty
    answer is far likelier a broken directory than an area with no services.

    ``user_id`` is who imports (audited); None is an administrator at the command line.
    """
    plugin = PLUGIN_PREFIX + check_name(name or default_name(source))
    catalogue = load_directory(source, mapping, per_page=per_page, getter=getter)
    if not catalogue.services:
        raise DirectoryError(f"{catalogue.source}: no service could be imported, so the "
                             f"catalogue {plugin} was left as it was"
                             + (f" ({len(catalogue.problems)} problem(s))"
                                if catalogue.problems else " (the directory listed none)"))
    where = source_key(source, catalogue)
    same = ImportedCatalogues.of(services).same_directory(
        plugin, where, (details.external_id for details in catalogue.services))
    report = services.catalogue.sync_one(plugin, catalogue.services, audited=True,
                                         user_id=user_id, source=where)
    return ImportReport(plugin, catalogue, report, same)
