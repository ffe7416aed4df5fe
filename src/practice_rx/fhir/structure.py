"""FHIR's own structure and types, checked by ``fhir.resources``' R4B models.

``fhir.resources`` 8 has no FHIR 4.0.1 models: its root package is R5 and R4B (4.3.0)
is the nearest to UK Core's 4.0.1; the resources exchanged here have the same elements
in both (see ``docs/fhir.md``). It is imported on first use, so the command line and
the services start without it.
"""

from __future__ import annotations

from typing import Any


def structure_problems(resource: Any, kind: str = "Bundle") -> list[str]:
    """Each structural problem as ``"path: message"``; empty when ``resource`` parses."""
    import pydantic
    from fhir.resources.R4B import get_fhir_model_class

    model = get_fhir_model_class(kind)
    try:
        model.model_validate(resource)
    except pydantic.ValidationError as error:
        return [f"{_path(kind, problem['loc'])}: {' '.join(problem['msg'].split())}"
                for problem in error.errors()]
    except (TypeError, ValueError) as error:  # a root that is not an object at all
        return [f"{kind}: {error}"]
    return []


def _path(kind: str, location: tuple[Any, ...]) -> str:
    path = kind
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path
