"""The Amazon ML data schema: parsed once, validated completely, kept verbatim.

Two spellings exist in the public record and both are accepted: the Developer
Guide's (`targetAttributeName`, `rowId`, `rowWeight`, `attributes` of
`attributeName`/`attributeType`, `excludedAttributeNames`) and the older one in
the API doc strings (`targetFieldName`, `recordAnnotationFieldName`,
`recordWeightFieldName`, `variables` of `fieldName`/`fieldType`,
`excludedVariableNames`). Absent optional keys take the guide's defaults:
version "1.0", dataFormat "CSV", no header.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

ATTRIBUTE_TYPES = ("NUMERIC", "CATEGORICAL", "TEXT", "BINARY")
SEQUENCE_TYPES = ("WEIGHTED_INT_SEQUENCE", "WEIGHTED_STRING_SEQUENCE")
MAX_ATTRIBUTES = 1000

# canonical role -> accepted spellings, guide's first
_TOP_KEYS: dict[str, tuple[str, ...]] = {
    "version": ("version",),
    "target": ("targetAttributeName", "targetFieldName"),
    "row_id": ("rowId", "recordAnnotationFieldName"),
    "row_weight": ("rowWeight", "recordWeightFieldName"),
    "data_format": ("dataFormat",),
    "has_header": ("dataFileContainsHeader",),
    "attributes": ("attributes", "variables"),
    "excluded": ("excludedAttributeNames", "excludedVariableNames"),
}
_ATTRIBUTE_KEYS: dict[str, tuple[str, ...]] = {
    "name": ("attributeName", "fieldName"),
    "type": ("attributeType", "fieldType"),
}


class SchemaError(ValueError):
    """The schema text is not a usable Amazon ML schema; the message names the field at fault."""


@dataclass(frozen=True)
class Attribute:
    name: str
    type: str


@dataclass(frozen=True)
class Schema:
    version: str
    target: str | None
    row_id: str | None
    row_weight: str | None
    data_format: str
    has_header: bool
    attributes: tuple[Attribute, ...]
    excluded: tuple[str, ...]
    text: str

    @property
    def names(self) -> tuple[str, ...]:
        """Column names in file order."""
        return tuple(attribute.name for attribute in self.attributes)

    def type_of(self, name: str) -> str:
        """The declared type of `name`; KeyError for a name the schema lacks."""
        for attribute in self.attributes:
            if attribute.name == name:
                return attribute.type
        raise KeyError(name)

    @property
    def input_attributes(self) -> tuple[Attribute, ...]:
        """Attributes a model may learn from: not the target, rowId, weight, nor excluded."""
        reserved = {self.target, self.row_id, self.row_weight, *self.excluded}
        return tuple(attribute for attribute in self.attributes if attribute.name not in reserved)


def parse_schema(text: str) -> Schema:
    """Parse and validate schema JSON text; raises SchemaError describing the first fault."""
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, TypeError) as err:
        raise SchemaError(f"schema is not valid JSON: {err}") from None
    if not isinstance(document, dict):
        raise SchemaError(f"schema must be a JSON object, not {_json_kind(document)}")
    fields = _pick_keys(document, _TOP_KEYS, "schema")
    attributes = _attributes(fields.get("attributes"))
    names = [attribute.name for attribute in attributes]
    target = _optional_name(fields, "target", names)
    row_id = _optional_name(fields, "row_id", names)
    row_weight = _optional_name(fields, "row_weight", names)
    excluded = _excluded(fields, names)
    _check_roles(fields, attributes, target, row_id, row_weight, excluded)
    return Schema(
        version=_version(fields),
        target=target,
        row_id=row_id,
        row_weight=row_weight,
        data_format=_data_format(fields),
        has_header=_has_header(fields),
        attributes=tuple(attributes),
        excluded=tuple(excluded),
        text=text,
    )


def _pick_keys(document: dict, spellings: dict[str, tuple[str, ...]], where: str) -> dict[str, tuple[str, Any]]:
    """Map each canonical role to (key as written, value); unknown or doubled keys are errors."""
    owner = {key: role for role, keys in spellings.items() for key in keys}
    unknown = [key for key in document if key not in owner]
    if unknown:
        known = ", ".join(spellings_list(spellings))
        raise SchemaError(f"{where} has unknown key(s) {', '.join(map(repr, unknown))}; known keys are {known}")
    picked: dict[str, tuple[str, Any]] = {}
    for key, value in document.items():
        role = owner[key]
        if role in picked:
            raise SchemaError(f"{where} has both {picked[role][0]!r} and {key!r}; give only one of them")
        picked[role] = (key, value)
    return picked


def spellings_list(spellings: dict[str, tuple[str, ...]]) -> list[str]:
    """Every accepted key, in a stable order, for error messages."""
    return [key for keys in spellings.values() for key in keys]


def _json_kind(value: object) -> str:
    kinds = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "an array",
             dict: "an object"}
    return "null" if value is None else kinds.get(type(value), type(value).__name__)


def _version(fields: dict) -> str:
    key, value = fields.get("version", ("version", "1.0"))
    if value != "1.0":
        raise SchemaError(f'{key} must be "1.0", not {json.dumps(value)}')
    return value


def _data_format(fields: dict) -> str:
    key, value = fields.get("data_format", ("dataFormat", "CSV"))
    if value != "CSV":
        raise SchemaError(f'{key} must be "CSV" (the only format Amazon ML reads), not {json.dumps(value)}')
    return value


def _has_header(fields: dict) -> bool:
    key, value = fields.get("has_header", ("dataFileContainsHeader", False))
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise SchemaError(f"{key} must be true or false, not {json.dumps(value)}")


def _attributes(field: tuple[str, Any] | None) -> list[Attribute]:
    if field is None:
        raise SchemaError("schema has no 'attributes' list")
    key, value = field
    if not isinstance(value, list):
        raise SchemaError(f"{key} must be an array of attributes, not {_json_kind(value)}")
    if not value:
        raise SchemaError(f"{key} is empty; a schema needs at least one attribute")
    if len(value) > MAX_ATTRIBUTES:
        raise SchemaError(f"{key} has {len(value)} attributes; Amazon ML allows at most {MAX_ATTRIBUTES}")
    attributes = [_attribute(position, item) for position, item in enumerate(value, start=1)]
    seen: dict[str, int] = {}
    for position, attribute in enumerate(attributes, start=1):
        if attribute.name in seen:
            raise SchemaError(
                f'attribute {position} ("{attribute.name}") has the same name as attribute {seen[attribute.name]}'
            )
        seen[attribute.name] = position
    return attributes


def _attribute(position: int, item: object) -> Attribute:
    where = f"attribute {position}"
    if not isinstance(item, dict):
        raise SchemaError(f"{where} must be an object with attributeName and attributeType, not {_json_kind(item)}")
    fields = _pick_keys(item, _ATTRIBUTE_KEYS, where)
    name_key, name = fields.get("name", ("attributeName", None))
    if not isinstance(name, str) or not name.strip():
        shown = "no name" if name is None else f"{name_key} {json.dumps(name)}"
        raise SchemaError(f"{where} has {shown}; a name must be a non-empty string")
    where = f'{where} ("{name}")'
    type_key, kind = fields.get("type", ("attributeType", None))
    if kind is None:
        raise SchemaError(f"{where} has no attributeType; expected NUMERIC, CATEGORICAL, TEXT or BINARY")
    if kind in SEQUENCE_TYPES:
        raise SchemaError(f"{where} has {type_key} {kind}, which aml does not support; use TEXT instead")
    if kind not in ATTRIBUTE_TYPES:
        raise SchemaError(
            f"{where} has unknown {type_key} {json.dumps(kind)}; expected NUMERIC, CATEGORICAL, TEXT or BINARY"
        )
    return Attribute(name=name, type=kind)


def _optional_name(fields: dict, role: str, names: list[str]) -> str | None:
    if role not in fields:
        return None
    key, value = fields[role]
    if value is None:
        return None
    if not isinstance(value, str):
        raise SchemaError(f"{key} must be an attribute name (a string), not {_json_kind(value)}")
    if value not in names:
        raise SchemaError(f'{key} "{value}" is not one of the schema\'s attributes')
    return value


def _excluded(fields: dict, names: list[str]) -> list[str]:
    key, value = fields.get("excluded", ("excludedAttributeNames", None))
    if value is None:
        return []
    if not isinstance(value, list):
        raise SchemaError(f"{key} must be an array of attribute names, not {_json_kind(value)}")
    for item in value:
        if not isinstance(item, str):
            raise SchemaError(f"{key} must contain attribute names (strings), not {_json_kind(item)}")
        if item not in names:
            raise SchemaError(f'{key} names "{item}", which is not one of the schema\'s attributes')
    duplicates = sorted({item for item in value if value.count(item) > 1})
    if duplicates:
        raise SchemaError(f'{key} lists "{duplicates[0]}" more than once')
    return list(value)


def _check_roles(
    fields: dict,
    attributes: list[Attribute],
    target: str | None,
    row_id: str | None,
    row_weight: str | None,
    excluded: list[str],
) -> None:
    """The target must be usable: not excluded, not also the rowId or the weight; the weight is a number."""
    target_key = fields.get("target", ("targetAttributeName", None))[0]
    if target is not None and target in excluded:
        raise SchemaError(f'{target_key} "{target}" is also in the excluded attributes; the target cannot be excluded')
    if target is not None and target in (row_id, row_weight):
        role_key = fields["row_id" if target == row_id else "row_weight"][0]
        raise SchemaError(f'{target_key} "{target}" is also the {role_key}; the target must be another attribute')
    if row_weight is not None:
        kind = next(attribute.type for attribute in attributes if attribute.name == row_weight)
        if kind != "NUMERIC":
            weight_key = fields["row_weight"][0]
            raise SchemaError(f'{weight_key} "{row_weight}" must be a NUMERIC attribute, not {kind}')


# -- the header line against the schema ---------------------------------------------------------

_SHOWN = 5


@dataclass(frozen=True)
class HeaderCheck:
    """error: the header cannot go with the schema (a different field count); warning: names differ."""

    error: str | None = None
    warning: str | None = None


def compare_header(schema: Schema, header: list[str], file_name: str) -> HeaderCheck:
    """Compare a file's header names with the schema's attribute names (surrounding spaces ignored).

    Values are matched by position, as the service did, so a header of the
    right length with other names (or the same names in another order) only
    warns; a header with more or fewer fields than the schema has attributes
    fails, naming the fields or attributes that have no counterpart.
    """
    names = [name.strip() for name in schema.names]
    fields = [value.strip() for value in header]
    if len(fields) != len(names):
        return HeaderCheck(error=_count_difference(names, fields, file_name))
    differing = [(i, field, name) for i, (field, name) in enumerate(zip(fields, names, strict=True), 1)
                 if field != name]
    if not differing:
        return HeaderCheck()
    shown = "; ".join(f"field {i} is `{field}` in the header and `{name}` in the schema"
                      for i, field, name in differing[:_SHOWN])
    more = f"; and {len(differing) - _SHOWN} more" if len(differing) > _SHOWN else ""
    how = ("has the schema's attribute names in another order" if sorted(fields) == sorted(names)
           else f"names {len(differing)} of its {len(names)} fields differently from the schema")
    return HeaderCheck(warning=f"the header line of {file_name} {how} (values are matched by position, "
                               f"as the service did): {shown}{more}")


def _count_difference(names: list[str], fields: list[str], file_name: str) -> str:
    """'the schema has 11 attributes but the header line of d.csv has 12 fields: the header's `x` has no attribute'."""
    opening = (f"the schema has {len(names)} attribute{'s' * (len(names) != 1)} but the header line of "
               f"{file_name} has {len(fields)} field{'s' * (len(fields) != 1)}")
    extra = [field for field in fields if field not in names]
    missing = [name for name in names if name not in fields]
    parts = []
    if extra:
        parts.append(f"the header's {_listed(extra)} {'has' if len(extra) == 1 else 'have'} no attribute")
    if missing:
        parts.append(f"the schema's {_listed(missing)} {'is' if len(missing) == 1 else 'are'} not in the header")
    if not parts:  # the same names, some repeated: say which positions have no counterpart
        common = min(len(names), len(fields))
        if len(fields) > len(names):
            parts.append(f"the header's fields {common + 1}-{len(fields)} ({_listed(fields[common:])}) "
                         "have no attribute")
        else:
            parts.append(f"the schema's attributes {common + 1}-{len(names)} ({_listed(names[common:])}) "
                         "have no field")
    return f"{opening}: {'; '.join(parts)}"


def _listed(values: list[str]) -> str:
    shown = ", ".join(f"`{value}`" for value in values[:_SHOWN])
    return shown + (f" and {len(values) - _SHOWN} more" if len(values) > _SHOWN else "")
