"""An ORUK directory as a catalogue: its services as ServiceDetails, and what was wrong.

:func:`load_directory` is what a plugin's ``practice_rx_register_services`` calls
and what the import command stores; it has the shape of
:class:`practice_rx.catalogue_files.CatalogueFile` (``.services``, ``.problems``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from os import PathLike

from practice_rx.catalogue_files import first_of_each_id
from practice_rx.oruk.directory_reader import DEFAULT_PER_PAGE, RawDirectory, read_directory
from practice_rx.oruk.http_client import JsonGetter
from practice_rx.oruk.service_mapping import (
    RecordProblem,
    UnmappedTerms,
    is_active,
    record_label,
    to_details,
)
from practice_rx.oruk.taxonomy_mapping import TaxonomyMapping, default_mapping, load_mapping
from practice_rx.services.catalogue import ServiceDetails


@dataclass(frozen=True)
class DirectoryCatalogue:
    """The importable services, a message for each record left out for a problem
    (``unmapped`` counts those left out only for their taxonomy terms), and how many
    the directory itself marks as not active (left out, not a problem)."""

    source: str
    services: list[ServiceDetails]
    problems: list[str] = field(default_factory=list)
    unmapped: int = 0
    not_active: int = 0


def catalogue_from(raw: RawDirectory, mapping: TaxonomyMapping) -> DirectoryCatalogue:
    """Map every record; a bad one is a problem and the rest are kept."""
    good: list[tuple[str, ServiceDetails]] = []
    problems = list(raw.problems)
    unmapped = not_active = 0
    for number, record in enumerate(raw.records, start=1):
        where = record_label(record, number, raw.source)
        if not is_active(record):
            not_active += 1
            continue
        try:
            good.append((where, to_details(record, mapping, where, problems)))
        except UnmappedTerms as problem:
            unmapped += 1
            problems.append(str(problem))
        except RecordProblem as problem:
            problems.append(f"{problem}; not imported")
    kept, repeats = first_of_each_id(good)
    return DirectoryCatalogue(raw.source, kept, problems + repeats, unmapped, not_active)


def load_directory(
    source: str | PathLike[str], mapping: TaxonomyMapping | str | PathLike[str] | None = None,
    *, per_page: int = DEFAULT_PER_PAGE, getter: JsonGetter | None = None,
) -> DirectoryCatalogue:
    """A directory's services, from a base URL (``https://directory.example/api``: its
    ``/services`` pages and ``/services/{id}``) or a saved JSON file.

    ``mapping`` is a :class:`TaxonomyMapping` or the path of a mapping file; None uses
    the built-in default. Raises :class:`DirectoryError` when the directory cannot be
    read in full (nothing of it is returned then) and ValidationError for a bad mapping.
    """
    if mapping is None:
        mapping = default_mapping()
    elif not isinstance(mapping, TaxonomyMapping):
        mapping = load_mapping(mapping)
    return catalogue_from(read_directory(source, per_page, getter), mapping)
