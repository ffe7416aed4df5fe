"""Which PracticeRx category an ORUK taxonomy term puts a service in, as the area says.

Directories use their own taxonomies (the LGA's service types, OpenActive
activities, a council's own list), so an area writes a mapping file; PracticeRx
never guesses a category from a term's wording. A term is matched by its id first,
then by its taxonomy and term (or name), case and spacing aside. The built-in
``default_mapping.toml`` maps a few plain term names, in any taxonomy, and is used
only when the area gives no file of its own.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from os import PathLike
from pathlib import Path
from typing import Any

import yaml

from practice_rx.domain.categories import SERVICE_CATEGORIES
from practice_rx.errors import ValidationError

ANY_TAXONOMY = "*"


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Term:
    """A taxonomy term as a service's ``attributes`` carry it; ``taxonomy`` is the term's
    ``taxonomy`` text or, failing that, its ``taxonomy_id``."""

    id: str
    name: str = ""
    taxonomy: str = ""
    term: str = ""

    def __str__(self) -> str:
        label = self.term or self.name
        where = f"{self.taxonomy}: " if self.taxonomy else ""
        return f"{self.id} ({where}{label})" if label else self.id


@dataclass(frozen=True)
class TaxonomyMapping:
    """Term id → category, and (taxonomy, term) → category (taxonomy ``*``: any)."""

    by_id: Mapping[str, str] = field(default_factory=dict)
    by_taxonomy: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    source: str = "built-in default"

    def category(self, term: Term) -> str | None:
        """The term's category, or None when the mapping does not place it."""
        if term.id in self.by_id:
            return self.by_id[term.id]
        labels = [_key(text) for text in (term.term, term.name) if text]
        for taxonomy in (_key(term.taxonomy), ANY_TAXONOMY):
            terms = self.by_taxonomy.get(taxonomy, {})
            for label in labels:
                if label in terms:
                    return terms[label]
        return None

    def first_category(self, terms: Iterable[Term]) -> str | None:
        """The category of the first term (in the record's order) the mapping places."""
        for term in terms:
            found = self.category(term)
            if found is not None:
                return found
        return None


def mapping_from_dict(data: Any, source: str) -> TaxonomyMapping:
    """A mapping from ``{"terms": {id: category}, "taxonomies": {name: {term: category}}}``;
    a ValidationError lists every bad entry (an unknown category, a wrong shape)."""
    if not isinstance(data, dict):
        raise ValidationError.single("mapping", f"{source}: expected 'terms' and/or "
                                     "'taxonomies' tables")
    problems: list[str] = []
    unknown = sorted(set(data) - {"terms", "taxonomies"})
    if unknown:
        problems.append(f"{source}: unknown key(s) {', '.join(unknown)}; expected terms, "
                        "taxonomies")

    def categories(table: Any, where: str) -> dict[str, str]:
        if not isinstance(table, dict):
            problems.append(f"{source}: {where} must be a table of term to category")
            return {}
        good = {}
        for term, category in table.items():
            if category not in SERVICE_CATEGORIES:
                problems.append(f"{source}: {where}.{term}: '{category}' is not a category; "
                                f"use one of {', '.join(SERVICE_CATEGORIES)}")
            else:
                good[str(term)] = str(category)
        return good

    by_id = categories(data.get("terms", {}), "terms")
    taxonomies = data.get("taxonomies", {})
    by_taxonomy: dict[str, dict[str, str]] = {}
    if not isinstance(taxonomies, dict):
        problems.append(f"{source}: taxonomies must be a table of taxonomy to terms")
    else:
        for taxonomy, table in taxonomies.items():
            terms = categories(table, f"taxonomies.{taxonomy}")
            by_taxonomy[_key(str(taxonomy))] = {_key(k): v for k, v in terms.items()}
    if problems:
        raise ValidationError({f"mapping{index}": problem
                               for index, problem in enumerate(problems)})
    return TaxonomyMapping(by_id, by_taxonomy, source)


def load_mapping(path: str | PathLike[str]) -> TaxonomyMapping:
    """An area's mapping file: ``.toml``, ``.json``, ``.yaml`` or ``.yml``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ValidationError.single("mapping", f"{path.name}: cannot be read "
                                     f"({error.strerror})") from None
    try:
        if path.suffix == ".toml":
            data: Any = tomllib.loads(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        elif path.suffix in (".yaml", ".yml"):
            data = yaml.safe_load(text)
        else:
            raise ValidationError.single("mapping", f"{path.name}: use a .toml, .json or "
                                         ".yaml file")
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, yaml.YAMLError) as error:
        raise ValidationError.single("mapping", f"{path.name}: cannot be read ({error})"
                                     ) from None
    return mapping_from_dict(data, path.name)


def default_mapping() -> TaxonomyMapping:
    """The built-in mapping of a few plain term names (``default_mapping.toml``)."""
    text = files(__package__).joinpath("default_mapping.toml").read_text(encoding="utf-8")
    return mapping_from_dict(tomllib.loads(text), "built-in default")
