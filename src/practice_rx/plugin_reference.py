"""The plugin reference, generated from the code so that it cannot drift from it.

``docs/plugin-reference.md`` is this module's output, and a test keeps the two
equal. It lists every hook in :mod:`practice_rx.hookspecs` with its signature
and docstring; every object a hook receives or returns, walked down through the
dataclasses it contains, with each field's type and default; the codes a plugin
reads and writes (categories, reasons, statuses, letter kinds…), each with its
label; and :data:`PUBLIC_API`, the functions a plugin or a script may call.
Regenerate it after changing any of them::

    python -m practice_rx.plugin_reference --output docs/plugin-reference.md

``--check docs/plugin-reference.md`` exits with status 1 when the file is out of
date. No Qt here: the reference is made from the core alone.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import enum
import functools
import importlib
import inspect
import io
import json
import re
import sys
import textwrap
import tokenize
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from practice_rx import hookspecs
from practice_rx.catalogue_files import CatalogueFile
from practice_rx.delivery import DeliveryFile, DeliveryResult
from practice_rx.domain.categories import SERVICE_CATEGORIES
from practice_rx.domain.letter_kinds import LetterKind
from practice_rx.domain.reasons import REFERRAL_REASONS
from practice_rx.domain.referral_sources import ReceivedBy, ReferralSource
from practice_rx.domain.statuses import EVENT_CODES, NOTE_REQUIRED, TRANSITIONS, Status
from practice_rx.forms import FieldType, FormDefinition
from practice_rx.forms.core import CONSENT_METHOD_CODES, CORE_FIELDS, URGENCY_CODES
from practice_rx.letters.inputs import (
    CONSENT_METHOD_LABELS,
    CONTACT_METHOD_LABELS,
    URGENCY_LABELS,
    LetterInputs,
)
from practice_rx.letters.templates import LetterTemplate
from practice_rx.oruk import DirectoryCatalogue
from practice_rx.plugin_api import (
    API_VERSION,
    ActionResult,
    ReferralAction,
    ReferralSnapshot,
    Report,
    StatusChange,
)
from practice_rx.services.catalogue import COSTS, REFERRAL_METHODS, ServiceDetails

REGENERATE = "python -m practice_rx.plugin_reference --output docs/plugin-reference.md"

#: The objects hooks receive and return (and what the catalogue readers give, to
#: return from a hook), in the order the reference shows them.
#: The dataclasses their fields hold (a form's sections and fields, a letter's parts)
#: are found by walking the fields, and shown after the first object that holds them.
HOOK_OBJECTS: tuple[type, ...] = (
    Report,
    ReferralSnapshot,
    StatusChange,
    ReferralAction,
    ActionResult,
    ServiceDetails,
    CatalogueFile,
    DirectoryCatalogue,
    FormDefinition,
    LetterTemplate,
    LetterInputs,
    DeliveryFile,
    DeliveryResult,
)


class ApiEntry(NamedTuple):
    """A name in the public API: how code writes it, where it is defined, and a note for
    what has no docstring of its own (pluggy's marker)."""

    written: str
    path: str
    note: str = ""


#: What a plugin, its tests or a script may call, and rely on within a major API
#: version; anything else in ``practice_rx`` may change in any release.
PUBLIC_API: tuple[ApiEntry, ...] = (
    ApiEntry("practice_rx.hookimpl", "practice_rx.hookimpl",
             "Marks a function as a hook implementation: `@hookimpl`, or "
             "`@hookimpl(tryfirst=True)` / `@hookimpl(trylast=True)` to be asked before or "
             "after the other plugins. Hook wrappers (`wrapper=True`, `hookwrapper=True`) are "
             "not supported: PracticeRx reports them and skips them."),
    ApiEntry("practice_rx.plugin_api.API_VERSION", "practice_rx.plugin_api.API_VERSION"),
    ApiEntry("practice_rx.catalogue_files.load_catalogue_file",
             "practice_rx.catalogue_files.load_catalogue_file"),
    ApiEntry("practice_rx.oruk.load_directory", "practice_rx.oruk.directory.load_directory"),
    ApiEntry("practice_rx.forms.form_from_dict", "practice_rx.forms.parse.form_from_dict"),
    ApiEntry("practice_rx.forms.load_form_file", "practice_rx.forms.parse.load_form_file"),
    ApiEntry("practice_rx.forms.clean_answers", "practice_rx.forms.answers.clean_answers"),
    ApiEntry("practice_rx.forms.is_visible", "practice_rx.forms.answers.is_visible"),
    ApiEntry("practice_rx.measures.measure_from_dict", "practice_rx.measures.parse.measure_from_dict"),
    ApiEntry("practice_rx.forms.core.core_field_problems",
             "practice_rx.forms.core.core_field_problems"),
    ApiEntry("practice_rx.plugins.national.form.national_form",
             "practice_rx.plugins.national.form.national_form"),
    ApiEntry("practice_rx.domain.statuses.allowed_next",
             "practice_rx.domain.statuses.allowed_next"),
    ApiEntry("practice_rx.letters.samples.sample_inputs",
             "practice_rx.letters.samples.sample_inputs"),
    ApiEntry("practice_rx.startup.start", "practice_rx.startup.start"),
    ApiEntry("app.services.catalogue.search",
             "practice_rx.services.catalogue.CatalogueService.search"),
    ApiEntry("app.services.catalogue.get", "practice_rx.services.catalogue.CatalogueService.get"),
    ApiEntry("app.services.forms.available", "practice_rx.services.forms.FormService.available"),
    ApiEntry("app.services.forms.get", "practice_rx.services.forms.FormService.get"),
    ApiEntry("app.close", "practice_rx.startup.App.close"),
)


@dataclass(frozen=True)
class CodeList:
    """One set of stable codes: where it is defined, which fields hold it, each code's label."""

    title: str
    source: str
    about: str
    codes: Mapping[str, str]  # code -> label ("" where the code has none)
    fields: tuple[str, ...] = ()  # "Class.field" of the documented objects that hold these codes
    extra: tuple[tuple[str, Mapping[str, str]], ...] = ()  # more columns: (heading, code -> text)


def code_lists() -> list[CodeList]:
    """Every code list a plugin meets, in the order the reference shows them."""
    def listed(codes: Iterable[str], labels: Mapping[str, str] | None = None) -> dict[str, str]:
        return {code: (labels or {}).get(code, "") for code in codes}

    return [
        CodeList("Service categories", "practice_rx.domain.categories.SERVICE_CATEGORIES",
                 "Every catalogue files its services under these, so searches and reports "
                 "work across catalogues.", dict(SERVICE_CATEGORIES),
                 fields=("ServiceDetails.category",)),
        CodeList("Referral reasons", "practice_rx.domain.reasons.REFERRAL_REASONS",
                 "The choices of every form's `reasons` field; `other` asks for text, kept "
                 "in the answers as `reasons_other`.", dict(REFERRAL_REASONS),
                 fields=("ReferralSnapshot.reasons", "ReferralFacts.reasons")),
        CodeList("Statuses", "practice_rx.domain.statuses.Status",
                 "A referral's place in its lifecycle; a final status never changes.",
                 {status.value: status.label for status in Status},
                 fields=("ReferralSnapshot.status", "StatusChange.from_status",
                         "StatusChange.to_status", "ReferralAction.statuses",
                         "ReferralFacts.status"),
                 extra=(
                     ("may move to", {status.value: ", ".join(sorted(TRANSITIONS[status]))
                                      or "— (final)" for status in Status}),
                     ("note", {status.value: "a reason is required" if status in NOTE_REQUIRED
                               else "" for status in Status}),
                     ("SNOMED CT code recorded", {status.value: EVENT_CODES.get(status, "")
                                                  for status in Status}),
                 )),
        CodeList("Letter kinds", "practice_rx.domain.letter_kinds.LetterKind",
                 "The letters a practice prints; a plugin's template for a kind replaces "
                 "the built-in one.", {kind.value: kind.label for kind in LetterKind},
                 fields=("LetterTemplate.kind", "LetterInputs.kind"),
                 extra=(("to the patient", {kind.value: "yes" if kind.to_patient else ""
                                            for kind in LetterKind}),)),
        CodeList("Referral sources", "practice_rx.domain.referral_sources.ReferralSource",
                 "Where a referral came from: the practice, another agency, or the person "
                 "themself.", {source.value: source.label for source in ReferralSource},
                 fields=("ReferralSnapshot.source",)),
        CodeList("Received by", "practice_rx.domain.referral_sources.ReceivedBy",
                 "How an inbound referral reached the practice.",
                 {way.value: way.label for way in ReceivedBy},
                 fields=("ReferralSnapshot.received_by",)),
        CodeList("Form field types", "practice_rx.forms.FieldType",
                 "The kinds of question a form can ask; the options each takes are in "
                 "[Forms are data](plugins.md#forms-are-data).",
                 listed(kind.value for kind in FieldType), fields=("FormField.type",)),
        CodeList("Costs", "practice_rx.services.catalogue.COSTS", "What a service costs.",
                 dict(COSTS), fields=("ServiceDetails.cost",)),
        CodeList("Referral methods", "practice_rx.services.catalogue.REFERRAL_METHODS",
                 "How a service takes referrals.", dict(REFERRAL_METHODS),
                 fields=("ServiceDetails.referral_method",)),
        CodeList("Urgencies", "practice_rx.forms.core.URGENCY_CODES",
                 "The choices of every form's `urgency` field.",
                 listed(sorted(URGENCY_CODES), URGENCY_LABELS),
                 fields=("ReferralSnapshot.urgency", "ReferralFacts.urgency")),
        CodeList("Consent methods", "practice_rx.forms.core.CONSENT_METHOD_CODES",
                 "The choices of every form's `consent_method` field.",
                 listed(sorted(CONSENT_METHOD_CODES), CONSENT_METHOD_LABELS),
                 fields=("ReferralFacts.consent_method",)),
        CodeList("Preferred contact methods", "practice_rx.letters.inputs.CONTACT_METHOD_LABELS",
                 "How the patient prefers to be contacted, from their record.",
                 dict(CONTACT_METHOD_LABELS), fields=("PatientInfo.preferred_contact",)),
        CodeList("Core fields", "practice_rx.forms.core.CORE_FIELDS",
                 "Every referral form must ask these field keys, required and always shown, "
                 "with exactly these types and choice codes (the core files referrals by "
                 "them). Starting from `national_form()` gives you all of them.",
                 listed(CORE_FIELDS),
                 extra=(
                     ("type", {key: kind.value for key, (kind, _) in CORE_FIELDS.items()}),
                     ("choice codes", {key: ", ".join(sorted(codes)) if codes else ""
                                       for key, (_, codes) in CORE_FIELDS.items()}),
                 )),
    ]


# -- finding what to document -----------------------------------------------------------


def hook_specs() -> list[tuple[str, Callable[..., Any], dict[str, Any]]]:
    """Each hook specification in the order ``hookspecs`` defines them, with its options."""
    marker = f"{hookspecs.hookspec.project_name}_spec"
    return [(name, function, dict(getattr(function, marker)))
            for name, function in vars(hookspecs).items()
            if inspect.isfunction(function) and hasattr(function, marker)]


def hook_roots() -> list[type]:
    """:data:`HOOK_OBJECTS`, then any other class a hook's type hints or docstring
    (``:class:``) names, so a new hook's objects are documented without a change here."""
    roots = list(HOOK_OBJECTS)
    for _, spec, _ in hook_specs():
        named = [found for hint in typing.get_type_hints(spec).values()
                 for found in _classes_in(hint)]
        for target in re.findall(r":class:`~?([\w.]+)`", spec.__doc__ or ""):
            try:
                named.append(resolve(target))
            except (LookupError, AttributeError):
                continue
        roots += [cls for cls in named if isinstance(cls, type) and _ours(cls)
                  and not issubclass(cls, enum.Enum) and cls not in roots]
    return roots


def _ours(cls: type) -> bool:
    return cls.__module__.startswith("practice_rx.")


def documented_objects() -> list[type]:
    """The hooks' objects and every dataclass their fields contain, each once."""
    found: list[type] = []

    def visit(cls: type) -> None:
        if cls in found:
            return
        found.append(cls)
        for contained in contained_classes(cls):
            visit(contained)

    for root in hook_roots():
        visit(root)
    return found


def enum_code_lists(objects: Iterable[type], covered: Iterable[type]) -> list[CodeList]:
    """A code list for each enum the objects' fields hold that :func:`code_lists` has not."""
    places: dict[type, list[str]] = {}
    for cls in objects:
        if not dataclasses.is_dataclass(cls):
            continue
        hints = typing.get_type_hints(cls)
        for field in dataclasses.fields(cls):
            for named in _classes_in(hints[field.name]):
                if issubclass(named, enum.Enum) and _ours(named) and named not in covered:
                    places.setdefault(named, []).append(f"{cls.__name__}.{field.name}")
    lists = []
    for kind, held in places.items():
        words = re.sub(r"(?<!^)(?=[A-Z])", " ", kind.__name__).lower().capitalize()
        lists.append(CodeList(
            f"{words}s", f"{kind.__module__}.{kind.__qualname__}", own_doc(kind),
            {str(member.value): str(getattr(member, "label", "")) for member in kind},
            fields=tuple(held)))
    return lists


def contained_classes(cls: type) -> list[type]:
    """The PracticeRx dataclasses named in ``cls``'s field types, in field order."""
    if not dataclasses.is_dataclass(cls):
        return []
    hints = typing.get_type_hints(cls)
    contained: list[type] = []
    for field in dataclasses.fields(cls):
        for named in _classes_in(hints[field.name]):
            if dataclasses.is_dataclass(named) and _ours(named) and named not in contained:
                contained.append(named)
    return contained


def _classes_in(hint: Any) -> Iterable[type]:
    if isinstance(hint, type):
        yield hint
    for argument in typing.get_args(hint):
        if isinstance(argument, list):  # Callable[[arguments], result]
            for item in argument:
                yield from _classes_in(item)
        else:
            yield from _classes_in(argument)


def resolve(path: str) -> Any:
    """The object a dotted path names: the longest importable module, then attributes."""
    parts = path.split(".")
    for split in range(len(parts), 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for name in parts[split:]:
            found = getattr(found, name)
        return found
    raise LookupError(path)


# -- docstrings -------------------------------------------------------------------------

_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|attr|data|mod|obj|exc):`~?([^`]+)`")
_LITERAL = re.compile(r"``(.+?)``")
_FIELD = re.compile(r":(param|parameter|arg|returns?|raises?)\s*([^:]*):\s?(.*)")


def own_doc(obj: Any) -> str:
    """The docstring written for ``obj`` itself: not one inherited, made up by
    ``dataclass`` (``Name(field: type, ...)``), or a decorator's own."""
    obj = inspect.unwrap(obj) if callable(obj) else obj
    doc = getattr(obj, "__doc__", None)
    if not isinstance(doc, str):
        return ""
    if isinstance(obj, type) and (doc.startswith(f"{obj.__name__}(") or any(
            doc == getattr(base, "__doc__", None) for base in obj.__mro__[1:])):
        return ""
    return doc


def attribute_doc(module: Any, name: str) -> str:
    """The ``#:`` comment lines written just above ``name = ...`` in a module's source."""
    lines = inspect.getsource(module).splitlines()
    for number, line in enumerate(lines):
        if re.match(rf"{re.escape(name)}\s*(:[^=]*)?=", line):
            comment: list[str] = []
            for above in reversed(lines[:number]):
                if not above.startswith("#:"):
                    break
                comment.insert(0, above[2:].strip())
            return "\n".join(comment)
    return ""


def field_comments(cls: type) -> dict[str, str]:
    """The comment written beside (or ``#:`` above) each field in a class's source."""
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        return {}
    comments = {token.start[0]: token.string.lstrip("#").strip()
                for token in tokenize.generate_tokens(io.StringIO(source).readline)
                if token.type == tokenize.COMMENT}
    found = {}
    [classdef] = [node for node in ast.parse(source).body if isinstance(node, ast.ClassDef)]
    for node in classdef.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            comment = comments.get(node.end_lineno or node.lineno)
            above = comments.get(node.lineno - 1, "")
            if comment is None and above.startswith(":"):
                comment = above[1:].strip()
            if comment:
                found[node.target.id] = comment
    return found


def anchor(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


class Renderer:
    """Docstrings and type names as Markdown, linking the names the reference documents."""

    def __init__(self, links: Mapping[str, str]) -> None:
        self.links = dict(links)  # name -> anchor

    def inline(self, text: str) -> str:
        """reST roles and double-backquoted literals as Markdown code (or links)."""
        def role(match: re.Match[str]) -> str:
            target = match.group(1).rstrip("()")
            parts = target.split(".")
            for index, part in enumerate(parts):
                if part in self.links:  # a documented class, or one of its members
                    return f"[`{'.'.join(parts[index:])}`](#{self.links[part]})"
            return f"`{target}`"

        return _ROLE.sub(role, _LITERAL.sub(lambda match: f"`{match.group(1)}`", text))

    def doc(self, obj: Any) -> str:
        """A docstring as Markdown: paragraphs kept, ``:param:`` as a list, ``:returns:``
        and ``:raises:`` as labelled paragraphs."""
        raw = obj if isinstance(obj, str) else own_doc(obj)
        if not raw.strip():
            return ""
        text: list[str] = []
        params: list[list[str]] = []
        others: list[tuple[str, list[str]]] = []
        current: list[str] | None = None
        for line in inspect.cleandoc(raw).splitlines():
            field = _FIELD.match(line)
            if field:
                kind, name, rest = field.groups()
                current = [f"`{name.strip()}`: {rest}" if name.strip() else rest]
                if kind.startswith(("param", "arg")):
                    params.append(current)
                else:
                    others.append(("Returns" if kind.startswith("return") else "Raises",
                                   current))
            elif current is not None and line.startswith((" ", "\t")):
                current.append(line.strip())
            else:
                current = None
                text.append(line)
        blocks = [_literal_blocks("\n".join(text).strip())] if "".join(text).strip() else []
        if params:
            blocks.append("Parameters:\n\n" + "\n".join("- " + " ".join(p) for p in params))
        blocks += [f"{label}: " + " ".join(entry) for label, entry in others]
        return self.inline("\n\n".join(blocks))

    def type_links(self, annotation: str) -> list[str]:
        """Links to the documented names an annotation mentions."""
        names = dict.fromkeys(re.findall(r"[A-Za-z_]\w*", annotation))
        return [f"[{name}](#{self.links[name]})" for name in names if name in self.links]


def _literal_blocks(text: str) -> str:
    """Each reST ``::`` literal block as a fenced code block."""
    lines, out, index = text.splitlines(), [], 0
    while index < len(lines):
        line = lines[index]
        if line.endswith("::") and index + 1 < len(lines) and not lines[index + 1].strip():
            out.append(line[:-1])
            block: list[str] = []
            index += 2
            while index < len(lines) and (not lines[index].strip()
                                          or lines[index].startswith((" ", "\t"))):
                block.append(lines[index])
                index += 1
            out += ["", "```", textwrap.dedent("\n".join(block)).strip("\n"), "```", ""]
            continue
        out.append(line)
        index += 1
    return "\n".join(out).strip()


def _signature(obj: Callable[..., Any], *, drop_self: bool = False) -> str:
    """``(name: type = default, ...) -> type`` as the source writes it, without quotes."""
    signature = inspect.signature(obj)
    parts: list[str] = []
    keyword_only = False
    parameters = list(signature.parameters.values())
    for parameter in parameters[1:] if drop_self else parameters:
        if parameter.kind is parameter.KEYWORD_ONLY and not keyword_only:
            parts.append("*")
        keyword_only = keyword_only or parameter.kind in (parameter.KEYWORD_ONLY,
                                                          parameter.VAR_POSITIONAL)
        prefix = {parameter.VAR_POSITIONAL: "*", parameter.VAR_KEYWORD: "**"}
        text = prefix.get(parameter.kind, "") + parameter.name
        if parameter.annotation is not parameter.empty:
            text += f": {_annotation(parameter.annotation)}"
        if parameter.default is not parameter.empty:
            joiner = " = " if parameter.annotation is not parameter.empty else "="
            text += joiner + _value(parameter.default)
        parts.append(text)
    shown = f"({', '.join(parts)})"
    if signature.return_annotation is not signature.empty:
        shown += f" -> {_annotation(signature.return_annotation)}"
    return shown


def _annotation(annotation: Any) -> str:
    if isinstance(annotation, str):
        return annotation.replace("'", "")
    return inspect.formatannotation(annotation)


def _value(value: Any) -> str:
    """A value as code would write it, the same in every run (no addresses)."""
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if inspect.isfunction(value) or isinstance(value, type):
        return value.__name__
    return repr(value)


def _indent(text: str, prefix: str = "  ") -> str:
    return textwrap.indent(text, prefix, lambda line: bool(line.strip()))


# -- the reference ----------------------------------------------------------------------


def _kind_of(cls: type) -> str:
    if dataclasses.is_dataclass(cls):
        frozen = cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
        return "frozen dataclass" if frozen else "dataclass"
    if getattr(cls, "_is_protocol", False):
        return "protocol: any object with these attributes and methods will do"
    return "class"


def _default(field: dataclasses.Field[Any]) -> str:
    if field.default is not dataclasses.MISSING:
        return f" = {_value(field.default)}"
    if field.default_factory is not dataclasses.MISSING:
        return f" = {_value(field.default_factory())}"
    return ""


def _members(cls: type) -> list[tuple[str, Any]]:
    """The public properties and methods the class itself defines (and ``__call__``)."""
    members = []
    for name, value in vars(cls).items():
        if name.startswith("_") and name != "__call__":
            continue
        if isinstance(value, (property, functools.cached_property, staticmethod, classmethod)) \
                or inspect.isfunction(value):
            members.append((name, value))
    return members


def _member_line(renderer: Renderer, name: str, value: Any) -> str:
    if isinstance(value, (property, functools.cached_property)):
        function = value.fget if isinstance(value, property) else value.func
        returns = inspect.signature(function).return_annotation
        typed = f": {_annotation(returns)}" if returns is not inspect.Signature.empty else ""
        shown = f"`{name}{typed}` (property)"
    else:
        function = value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
        shown = f"`{name}{_signature(function, drop_self=not isinstance(value, staticmethod))}`"
        if isinstance(value, classmethod):
            shown += " (class method)"
    text = renderer.doc(function)
    return f"- {shown}" + (": " + _indent(text).lstrip() if text else "")


def render_object(renderer: Renderer, cls: type, codes: Mapping[str, CodeList]) -> list[str]:
    lines = [f"### {cls.__name__}", "",
             f"`{cls.__module__}.{cls.__qualname__}`, a {_kind_of(cls)}."]
    doc = renderer.doc(cls)
    if doc:
        lines += ["", doc]
    if dataclasses.is_dataclass(cls):
        comments = field_comments(cls)
        lines += ["", "Fields:", ""]
        for field in dataclasses.fields(cls):
            annotation = _annotation(field.type)
            entry = f"- `{field.name}: {annotation}{_default(field)}`"
            notes = []
            if field.name in comments:
                notes.append(renderer.inline(comments[field.name]))
            held = codes.get(f"{cls.__name__}.{field.name}")
            links = [f"[{held.title}](#{anchor(held.title)})"] if held is not None else []
            links += [link for link in renderer.type_links(annotation) if link not in links
                      and (held is None or f"(#{anchor(held.title)})" not in link)]
            if links:
                notes.append("see " + ", ".join(links))
            lines.append(entry + (" — " + "; ".join(notes) if notes else ""))
    members = _members(cls)
    if members:
        heading = "Properties and methods:" if dataclasses.is_dataclass(cls) else "Members:"
        lines += ["", heading, ""]
        lines += [_member_line(renderer, name, value) for name, value in members]
    return lines + [""]


def render_code_list(renderer: Renderer, codes: CodeList) -> list[str]:
    has_labels = any(codes.codes.values())
    headings = ["code"] + (["label"] if has_labels else []) + [h for h, _ in codes.extra]
    lines = [f"### {codes.title}", "", f"`{codes.source}`. {renderer.doc(codes.about)}"]
    if codes.fields:
        lines += ["", "Held in " + ", ".join(
            f"[`{held}`](#{anchor(held.split('.')[0])})" for held in codes.fields) + "."]
    lines += ["", "| " + " | ".join(headings) + " |", "|" + " --- |" * len(headings)]
    for code, label in codes.codes.items():
        cells = [f"`{code}`"] + ([label] if has_labels else [])
        cells += [column.get(code, "") for _, column in codes.extra]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return lines + [""]


def render_api_entry(renderer: Renderer, entry: ApiEntry) -> list[str]:
    obj = resolve(entry.path)
    module, _, name = entry.path.rpartition(".")
    if inspect.isfunction(inspect.unwrap(obj)):
        method = "." in obj.__qualname__
        signature = _signature(obj, drop_self=method)
        lines = [f"### {entry.written}{signature}", ""]
        doc = renderer.doc(obj)
        links = renderer.type_links(signature)
        if links:
            doc += ("\n\n" if doc else "") + "See " + ", ".join(links) + "."
    elif callable(obj):  # pluggy's marker: its docstring is about pluggy, not PracticeRx
        lines, doc = [f"### {entry.written}", ""], ""
    else:
        lines = [f"### {entry.written}", ""]
        doc = f"`{name} = {_value(obj)}`"
        comment = renderer.doc(attribute_doc(resolve(module), name))
        doc += f"\n\n{comment}" if comment else ""
    if entry.written != entry.path:
        lines += [f"Defined in `{module}`.", ""]
    for text in (doc, renderer.inline(entry.note)):
        if text:
            lines += [text, ""]
    return lines


def generate() -> str:
    """The whole reference, as Markdown."""
    objects = documented_objects()
    lists = code_lists()
    covered = [kind for kind in map(resolve, (codes.source for codes in lists))
               if isinstance(kind, type)]
    lists += enum_code_lists(objects, covered)
    links = {cls.__name__: anchor(cls.__name__) for cls in objects}
    for codes in lists:
        kind = resolve(codes.source)
        if isinstance(kind, type):
            links[kind.__name__] = anchor(codes.title)
    renderer = Renderer(links)
    held = {place: codes for codes in lists for place in codes.fields}
    out = [
        "# PracticeRx plugin reference",
        "",
        "<!-- Generated from the code: do not edit. Regenerate with",
        f"     {REGENERATE} -->",
        "",
        (f"Plugin API version **{API_VERSION}**. This page is generated from the code "
         "(`practice_rx.plugin_reference`), and a test keeps the two equal. For a tutorial "
         "and the rules that go with these lists, read [Writing PracticeRx plugins]"
         "(plugins.md)."),
        "",
        "- [Hooks](#hooks)",
        "- [Objects passed to and returned by hooks](#objects-passed-to-and-returned-by-hooks)",
        "- [Codes](#codes)",
        "- [Functions a plugin or script may call](#functions-a-plugin-or-script-may-call)",
        "",
        "## Hooks",
        "",
        renderer.doc(hookspecs),
        "",
    ]
    for name, spec, options in hook_specs():
        out += [f"### {name}{_signature(spec)}", ""]
        if options.get("firstresult"):
            out += ["*firstresult*: PracticeRx stops at the first non-None result.", ""]
        out += [renderer.doc(spec), ""]
    out += ["## Objects passed to and returned by hooks", "",
            ("Each object a hook receives or returns (and the catalogue readers' results), "
             "then the objects its fields hold. A field without a default must "
             "be given when you make one; a minor API version may add fields, always with a "
             "default."), ""]
    for cls in objects:
        out += render_object(renderer, cls, held)
    out += ["## Codes", "",
            ("Stable codes, stored as they are and shown with their labels; a released code "
             "never changes meaning. A minor API version may add codes, so treat one you do "
             "not know as unknown (show it as it is) rather than fail."), ""]
    for codes in lists:
        out += render_code_list(renderer, codes)
    out += ["## Functions a plugin or script may call", "",
            ("The public API (`practice_rx.plugin_reference.PUBLIC_API`), kept compatible "
             "within a major API version; anything else in `practice_rx` may change in any "
             "release. `app` is what `practice_rx.startup.start` returns; the stored services "
             "and forms its `app.services` queries return are for reading only."), ""]
    for entry in PUBLIC_API:
        out += render_api_entry(renderer, entry)
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m practice_rx.plugin_reference",
        description="Print the plugin reference (docs/plugin-reference.md), made from the code.")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--output", type=Path, help="write the reference to this file")
    group.add_argument("--check", type=Path,
                       help="exit with status 1 if this file differs from the reference")
    args = parser.parse_args(argv)
    text = generate()
    if args.check is not None:
        current = args.check.read_text(encoding="utf-8") if args.check.exists() else ""
        if current != text:
            print(f"{args.check} is out of date; regenerate it with: {REGENERATE}",
                  file=sys.stderr)
            return 1
        return 0
    if args.output is not None:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.buffer.write(text.encode("utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
