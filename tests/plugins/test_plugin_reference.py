"""docs/plugin-reference.md is the generator's output now, and it leaves nothing out.

The hooks, objects, fields and codes expected here are found from the code
itself (pluggy, the type hints, ``dataclasses.fields``, the enums and code
tables), never from the generator's own lists, so a generator that drops one
fails a test.
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import inspect
import re
import typing
from pathlib import Path

import pluggy
import pytest

from practice_rx import hookspecs
from practice_rx.catalogue_files import CatalogueFile, load_catalogue_file
from practice_rx.domain.categories import SERVICE_CATEGORIES
from practice_rx.domain.letter_kinds import LetterKind
from practice_rx.domain.reasons import REFERRAL_REASONS
from practice_rx.domain.referral_sources import ReceivedBy, ReferralSource
from practice_rx.domain.statuses import EVENT_CODES, Status
from practice_rx.forms import FieldType
from practice_rx.forms.core import CONSENT_METHOD_CODES, CORE_FIELDS, URGENCY_CODES
from practice_rx.letters.inputs import CONSENT_METHOD_LABELS, CONTACT_METHOD_LABELS, URGENCY_LABELS
from practice_rx.plugin_api import API_VERSION
from practice_rx.plugin_reference import PUBLIC_API, REGENERATE, generate, main, resolve
from practice_rx.services.catalogue import COSTS, REFERRAL_METHODS

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugin-reference.md"


@pytest.fixture(scope="module")
def reference() -> str:
    return DOC.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sections(reference) -> dict[str, str]:
    """Each ``### heading`` of the reference, with the text under it."""
    found: dict[str, str] = {}
    heading = None
    for line in reference.splitlines():
        if line.startswith("### "):
            heading = line[4:]
            found[heading] = ""
        elif line.startswith(("## ", "# ")):
            heading = None
        elif heading is not None:
            found[heading] += line + "\n"
    return found


def test_the_committed_reference_is_what_the_code_generates(reference):
    fresh = generate()
    if reference != fresh:
        diff = "".join(list(difflib.unified_diff(
            reference.splitlines(keepends=True), fresh.splitlines(keepends=True),
            "docs/plugin-reference.md", "generated"))[:40])
        pytest.fail(f"docs/plugin-reference.md is out of date; regenerate it with:\n"
                    f"    {REGENERATE}\n\n{diff}")


def test_check_option_fails_on_a_stale_file_and_passes_on_a_fresh_one(tmp_path, capsys):
    stale = tmp_path / "plugin-reference.md"
    stale.write_text("# An old reference\n", encoding="utf-8")
    assert main(["--check", str(stale)]) == 1
    assert REGENERATE in capsys.readouterr().err
    assert main(["--output", str(stale)]) == 0
    assert main(["--check", str(stale)]) == 0


# -- hooks ------------------------------------------------------------------------------


def _hooks() -> dict[str, typing.Callable[..., object]]:
    """The hooks pluggy itself finds in the spec module."""
    manager = pluggy.PluginManager("practice_rx")
    manager.add_hookspecs(hookspecs)
    names = [name for name in vars(manager.hook) if not name.startswith("_")]
    assert names, "pluggy found no hooks"
    return {name: getattr(hookspecs, name) for name in names}


HOOKS = _hooks()


@pytest.mark.parametrize("name", sorted(HOOKS))
def test_every_hook_is_in_the_reference_with_its_signature_and_docstring(name, sections):
    spec = HOOKS[name]
    heading = f"{name}{str(inspect.signature(spec)).replace(chr(39), '')}"
    assert heading in sections, f"hook {name} is missing from the reference (or its signature)"
    text = sections[heading]
    assert inspect.getdoc(spec).splitlines()[0] in text
    for parameter in inspect.signature(spec).parameters:
        assert f"`{parameter}`" in text, f"{name}: parameter {parameter} is not described"
    options = spec.practice_rx_spec
    assert ("firstresult" in text) == bool(options.get("firstresult"))


# -- objects ----------------------------------------------------------------------------


def _named_classes(hint: object) -> typing.Iterator[type]:
    if isinstance(hint, type):
        yield hint
    for argument in typing.get_args(hint):
        for item in argument if isinstance(argument, list) else [argument]:
            yield from _named_classes(item)


def _ours(cls: type) -> bool:
    """A PracticeRx object a plugin handles (codes are checked as codes, below)."""
    return cls.__module__.startswith("practice_rx.") and not issubclass(cls, enum.Enum)


def _hook_objects() -> list[type]:
    """Everything a hook is given or returns: the classes in the hooks' type hints and named
    with ``:class:`` in their docstrings, the catalogue file's result, and, closed over, the
    classes in their dataclass fields and in the methods of the protocols among them."""
    roots: list[type] = [CatalogueFile, typing.get_type_hints(load_catalogue_file)["return"]]
    for spec in HOOKS.values():
        for hint in typing.get_type_hints(spec).values():
            roots += _named_classes(hint)
        for target in re.findall(r":class:`~?([\w.]+)`", spec.__doc__ or ""):
            found = _resolve_class(target)
            if found is not None:
                roots.append(found)
    seen: list[type] = []
    pending = [cls for cls in roots if _ours(cls)]
    while pending:
        cls = pending.pop(0)
        if cls in seen:
            continue
        seen.append(cls)
        hints: list[object] = []
        if dataclasses.is_dataclass(cls):
            hints += typing.get_type_hints(cls).values()
        elif getattr(cls, "_is_protocol", False):
            for name, member in vars(cls).items():
                function = member.fget if isinstance(member, property) else member
                if not name.startswith("_") and callable(function):
                    hints += typing.get_type_hints(function).values()
        pending += [found for hint in hints for found in _named_classes(hint) if _ours(found)]
    return seen


def _resolve_class(target: str) -> type | None:
    if "." not in target:
        target = f"practice_rx.plugin_api.{target}"
    try:
        found = resolve(target)
    except (LookupError, AttributeError):
        return None
    return found if isinstance(found, type) else None


OBJECTS = _hook_objects()


def test_the_objects_found_include_the_ones_plugin_authors_asked_for():
    names = {cls.__name__ for cls in OBJECTS}
    assert {"ReferralSnapshot", "StatusChange", "ReferralAction", "ActionResult",
            "ServiceDetails", "LetterInputs", "FormDefinition", "Section", "FormField",
            "LetterTemplate", "CatalogueFile", "Report", "PatientInfo"} <= names


@pytest.mark.parametrize("cls", OBJECTS, ids=[cls.__name__ for cls in OBJECTS])
def test_every_hook_object_is_in_the_reference_with_every_field(cls, sections):
    assert cls.__name__ in sections, f"{cls.__name__} is missing from the reference"
    text = sections[cls.__name__]
    assert f"`{cls.__module__}.{cls.__qualname__}`" in text
    if dataclasses.is_dataclass(cls):
        for field in dataclasses.fields(cls):
            assert f"- `{field.name}: " in text, f"{cls.__name__}.{field.name} is missing"
    members = [name for name, value in vars(cls).items()
               if (not name.startswith("_") or name == "__call__")
               and (callable(value) or isinstance(value, property))]
    for name in members:
        assert f"- `{name}" in text, f"{cls.__name__}.{name} is missing"


# -- codes ------------------------------------------------------------------------------

CODES: dict[str, dict[str, str]] = {
    "Service categories": dict(SERVICE_CATEGORIES),
    "Referral reasons": dict(REFERRAL_REASONS),
    "Statuses": {status.value: status.label for status in Status},
    "Letter kinds": {kind.value: kind.label for kind in LetterKind},
    "Referral sources": {source.value: source.label for source in ReferralSource},
    "Received by": {way.value: way.label for way in ReceivedBy},
    "Form field types": {kind.value: "" for kind in FieldType},
    "Costs": dict(COSTS),
    "Referral methods": dict(REFERRAL_METHODS),
    "Urgencies": {code: URGENCY_LABELS[code] for code in URGENCY_CODES},
    "Consent methods": {code: CONSENT_METHOD_LABELS[code] for code in CONSENT_METHOD_CODES},
    "Preferred contact methods": dict(CONTACT_METHOD_LABELS),
    "Core fields": dict.fromkeys(CORE_FIELDS, ""),
}


@pytest.mark.parametrize("title", sorted(CODES))
def test_every_code_is_in_the_reference_with_its_label(title, sections):
    assert title in sections, f"the {title} table is missing from the reference"
    rows = {match.group(1): match.group(0) for match in
            re.finditer(r"^\| `([^`]+)` \|.*$", sections[title], re.MULTILINE)}
    for code, label in CODES[title].items():
        assert code in rows, f"{title}: code {code} is missing"
        if label:
            assert f"| {label} |" in rows[code], f"{title}: {code} is not shown as {label!r}"
    assert set(rows) == set(CODES[title]), f"{title}: codes the code does not have"


ENUMS = sorted({named for cls in OBJECTS if dataclasses.is_dataclass(cls)
                for hint in typing.get_type_hints(cls).values()
                for named in _named_classes(hint)
                if issubclass(named, enum.Enum) and named.__module__.startswith("practice_rx.")},
               key=lambda kind: kind.__name__)


@pytest.mark.parametrize("kind", ENUMS, ids=[kind.__name__ for kind in ENUMS])
def test_every_enum_a_hook_object_holds_has_its_codes_in_a_table(kind, reference):
    """Codes the table above does not know of yet (a new enum on a new object) too."""
    for member in kind:
        assert f"\n| `{member.value}` |" in reference, f"{kind.__name__}.{member.name} missing"


def test_the_statuses_table_shows_the_snomed_code_recorded_with_each_event(sections):
    for status, code in EVENT_CODES.items():
        row = next(line for line in sections["Statuses"].splitlines()
                   if line.startswith(f"| `{status.value}` |"))
        assert code in row


# -- the public API ---------------------------------------------------------------------


@pytest.mark.parametrize("entry", PUBLIC_API, ids=[entry.written for entry in PUBLIC_API])
def test_every_public_name_is_in_the_reference_and_exists(entry, reference):
    obj = resolve(entry.path)
    assert f"### {entry.written}" in reference
    if entry.written.startswith("practice_rx."):
        assert resolve(entry.written) is obj, f"{entry.written} is not {entry.path}"


def test_every_function_a_hook_docstring_names_is_public():
    public = {entry.path for entry in PUBLIC_API} | {entry.written for entry in PUBLIC_API}
    for spec in HOOKS.values():
        for target in re.findall(r":func:`~?([\w.]+)`", spec.__doc__ or ""):
            assert target in public, f"{target} is named by a hook but not in PUBLIC_API"


def test_the_reference_names_the_api_version_and_has_no_rest_markup_left(reference):
    assert f"Plugin API version **{API_VERSION}**" in reference
    for leftover in ("``", ":class:`", ":func:`", ":meth:`", ":data:`", ":param ",
                     ":returns:", "0x"):
        assert leftover not in reference, f"{leftover!r} left in the reference"
