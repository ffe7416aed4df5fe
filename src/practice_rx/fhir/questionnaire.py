"""A referral form as a FHIR Questionnaire, and its answers as QuestionnaireResponse items.

Each section is a ``group`` item and each field an item whose ``linkId`` is the field's
key, so answers read back by key; a coded reason's "other" text is an item of its own
(``reasons_other``), shown when "other" is chosen, as the form shows it. Choice codes
keep the form's stable codes, in a code system per field.
"""

from __future__ import annotations

from typing import Any

from practice_rx.fhir.systems import PROFILES, answer_system, questionnaire_url
from practice_rx.forms import FieldType, FormDefinition, FormField

ITEM_TYPES = {
    FieldType.TEXT: "string",
    FieldType.LONG_TEXT: "text",
    FieldType.NUMBER: "decimal",
    FieldType.DATE: "date",
    FieldType.YES_NO: "boolean",
    FieldType.SINGLE_CHOICE: "choice",
    FieldType.MULTIPLE_CHOICE: "choice",
    FieldType.CODED_REASON: "choice",
}
REPEATING = frozenset({FieldType.MULTIPLE_CHOICE, FieldType.CODED_REASON})


def section_link_id(key: str) -> str:
    """A section's linkId, apart from its fields' (a section and a field may share a key)."""
    return f"section:{key}"


def questionnaire_reference(form_id: str, version: int) -> str:
    return f"{questionnaire_url(form_id)}|{version}"


def questionnaire(form: FormDefinition) -> dict[str, Any]:
    """The form as an active UK Core Questionnaire about a Patient."""
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "meta": {"profile": [PROFILES["Questionnaire"]]},
        "url": questionnaire_url(form.id),
        "version": str(form.version),
        "name": "".join(part.capitalize() for part in form.id.replace("-", "_").split("_")),
        "title": form.title,
        "status": "active",
        "subjectType": ["Patient"],
    }
    if form.description:
        resource["description"] = form.description
    resource["item"] = [_group(form, section) for section in form.sections]
    return resource


def _group(form: FormDefinition, section) -> dict[str, Any]:
    group: dict[str, Any] = {"linkId": section_link_id(section.key), "text": section.title,
                             "type": "group"}
    items: list[dict[str, Any]] = []
    for field in section.fields:
        items.append(_question(form, field))
        if field.other_text_key:
            items.append({
                "linkId": field.other_text_key, "text": f"{field.label}: other",
                "type": "string", "required": True,
                **({"maxLength": field.max_length} if field.max_length else {}),
                "enableWhen": [{"question": field.key, "operator": "=", "answerCoding": {
                    "system": answer_system(form.id, field.key), "code": "other"}}],
            })
    group["item"] = items
    return group


def _question(form: FormDefinition, field: FormField) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": field.key, "text": field.label,
                            "type": ITEM_TYPES[field.type]}
    if field.show_if is not None:
        item["enableWhen"] = [{"question": field.show_if.field, "operator": "=",
                               **_enable_answer(form, field.show_if.field, field.show_if.equals)}]
    if field.required:
        item["required"] = True
    if field.type in REPEATING:
        item["repeats"] = True
    if field.max_length and field.type in (FieldType.TEXT, FieldType.LONG_TEXT):
        item["maxLength"] = field.max_length
    if field.choices:
        item["answerOption"] = [{"valueCoding": {
            "system": answer_system(form.id, field.key), "code": choice.code,
            "display": choice.label}} for choice in field.choices]
    return item


def _enable_answer(form: FormDefinition, key: str, equals: str | bool) -> dict[str, Any]:
    if isinstance(equals, bool):
        return {"answerBoolean": equals}
    return {"answerCoding": {"system": answer_system(form.id, key), "code": equals}}


def response_items(form: FormDefinition, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """The answered questions, grouped by section as in :func:`questionnaire`."""
    groups = []
    for section in form.sections:
        items = []
        for field in section.fields:
            if field.key in answers and answers[field.key] not in (None, "", []):
                items.append({"linkId": field.key, "text": field.label,
                              "answer": _answers(form, field, answers[field.key])})
            other = field.other_text_key
            if other and answers.get(other):
                items.append({"linkId": other, "text": f"{field.label}: other",
                              "answer": [{"valueString": str(answers[other])}]})
        if items:
            groups.append({"linkId": section_link_id(section.key), "text": section.title,
                           "item": items})
    return groups


def _answers(form: FormDefinition, field: FormField, value: Any) -> list[dict[str, Any]]:
    if field.choices:
        codes = value if isinstance(value, list) else [value]
        return [{"valueCoding": {"system": answer_system(form.id, field.key), "code": str(code),
                                 "display": field.choice_label(str(code))}} for code in codes]
    if field.type is FieldType.YES_NO and isinstance(value, bool):
        return [{"valueBoolean": value}]
    if field.type is FieldType.NUMBER and isinstance(value, (int, float)) \
            and not isinstance(value, bool):
        return [{"valueDecimal": value}]
    if field.type is FieldType.DATE:
        return [{"valueDate": str(value)}]
    return [{"valueString": str(value)}]


def answer_values(items: list[dict[str, Any]], path: str) -> dict[str, tuple[list[Any], str]]:
    """Each answered linkId's values (codes for codings) and the path of its item."""
    found: dict[str, tuple[list[Any], str]] = {}
    for index, item in enumerate(items or []):
        here = f"{path}[{index}]"
        if item.get("answer"):
            found[str(item.get("linkId", ""))] = (
                [_value(answer) for answer in item["answer"]], here)
        found.update(answer_values(item.get("item") or [], f"{here}.item"))
    return found


def _value(answer: dict[str, Any]) -> Any:
    if "valueCoding" in answer:
        return answer["valueCoding"].get("code", "")
    if "valueDecimal" in answer:
        number = answer["valueDecimal"]
        return int(number) if float(number).is_integer() else float(number)
    for key in ("valueBoolean", "valueInteger", "valueString", "valueDate"):
        if key in answer:
            return answer[key]
    return next(iter(answer.values()), None)
