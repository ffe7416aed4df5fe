"""Reading bundles in tests: entries by type, and the parse by fhir.resources' R4B models."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.bundle import Bundle


def parse(bundle: dict[str, Any]) -> Bundle:
    """The bundle as fhir.resources' FHIR R4B model: raises if its structure is wrong."""
    return Bundle.model_validate(bundle)


def entries(bundle: dict[str, Any], kind: str) -> list[tuple[int, dict[str, Any]]]:
    return [(number, entry["resource"]) for number, entry in enumerate(bundle["entry"])
            if entry["resource"]["resourceType"] == kind]


def only(bundle: dict[str, Any], kind: str) -> dict[str, Any]:
    (found,) = entries(bundle, kind)
    return found[1]


def resolve(bundle: dict[str, Any], reference: dict[str, str]) -> dict[str, Any]:
    (found,) = [entry["resource"] for entry in bundle["entry"]
                if entry["fullUrl"] == reference["reference"]]
    return found
