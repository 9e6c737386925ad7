"""The text layout of help pages, and what a page says about one member's shape.

Everything a page shows about a member is derived from the API description:
its type, `[required]`, its constraints (lengths, ranges, pattern, possible
values, and where aml relaxes the service's rule), the members of a structure
with their own docs, nested to any depth, and the shorthand and JSON syntax of
a structure, list or map. Nothing here is written per operation.
"""

from __future__ import annotations

import json
from textwrap import wrap

from aml_cli.api.model import Shape

STEP = 4  # how much deeper each level of a page is indented


class Page:
    """Lines of a help page, wrapped to one width; `service` is whose docs its members are described with."""

    def __init__(self, width: int, service: str = "machinelearning") -> None:
        self.width = max(40, width)
        self.service = service
        self.lines: list[str] = []

    def text(self) -> str:
        return "\n".join(self.lines).rstrip() + "\n"

    def blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def heading(self, title: str) -> None:
        self.blank()
        self.lines.append(f"{title}:")

    def para(self, text: str, depth: int) -> None:
        """A paragraph wrapped at the page width, every line `depth` spaces in."""
        for line in wrap_text(text, self.width - depth):
            self.lines.append(" " * depth + line)

    def verbatim(self, text: str, depth: int) -> None:
        self.lines.extend(" " * depth + line for line in text.splitlines())

    def row(self, term: str, text: str, depth: int, column: int) -> None:
        """A term at `depth` and its text from `column` on (starting below a term too long to share the line)."""
        lines = wrap_text(text, self.width - column) or [""]
        head = " " * depth + term
        if len(head) + 2 > column:
            self.lines.append(head)
        else:
            self.lines.append(head.ljust(column) + lines.pop(0))
        self.lines.extend(" " * column + line for line in lines)


def wrap_text(text: str, width: int) -> list[str]:
    """Words are never broken: option names and patterns stay whole even past the width."""
    return wrap(" ".join(text.split()), max(20, width), break_on_hyphens=False, break_long_words=False)


def type_label(shape: Shape) -> str:
    """`string`, `structure`, `list of structure`, `map of string to string`."""
    if shape.type == "list" and shape.member is not None:
        return f"list of {type_label(shape.member)}"
    if shape.type == "map" and shape.key is not None and shape.value is not None:
        return f"map of {type_label(shape.key)} to {type_label(shape.value)}"
    return shape.type


def constraints(shape: Shape, service: str = "machinelearning") -> list[str]:
    """The rules a value of `shape` must keep, in words; where aml relaxes the service's rule, aml's rule."""
    from aml_cli.api import docs
    from aml_cli.api.validate import RELAXED_BY_SERVICE

    relaxed = RELAXED_BY_SERVICE.get(service, {})
    if shape.name in relaxed:
        rule = relaxed[shape.name].rsplit(": ", 1)[-1]  # the rule validate applies, after its reason
        return [f"{rule} ({docs.of(service).RELAXED_DOCS[shape.name]})"]
    unit = {"string": "characters", "list": "items", "map": "entries"}.get(shape.type)
    rules = []
    if unit is not None or shape.type in ("integer", "long", "float", "double"):
        bounds = _bounds(shape.min if shape.min else None, shape.max)
        if bounds:
            rules.append(f"{bounds} {unit}" if unit else bounds)
    if shape.pattern:
        rules.append(f"matches the pattern {shape.pattern}")
    return rules


def _bounds(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low} to {high}"
    if high is not None:
        return f"at most {high}"
    return f"at least {low}" if low is not None else ""


def describe_value(page: Page, shape: Shape, depth: int) -> None:
    """Constraints, then the members a structure (or the items of a list, the entries of a map) holds."""
    _rules(page, "Constraints", shape, depth)
    if shape.type == "list" and shape.member is not None:
        item = shape.member
        if item.type == "structure":
            page.para("Each item is a structure:", depth)
            describe_members(page, item, depth)
        else:
            _rules(page, "Each item", item, depth)
    elif shape.type == "map" and shape.key is not None and shape.value is not None:
        _rules(page, "Keys", shape.key, depth)
        _rules(page, "Values", shape.value, depth)
    elif shape.type == "structure":
        describe_members(page, shape, depth)


def _rules(page: Page, label: str, shape: Shape, depth: int) -> None:
    """`label: rules.` and the possible values, when the shape has any."""
    rules = constraints(shape, page.service)
    if rules:
        page.para(f"{label}: " + "; ".join(rules) + ".", depth)
    if shape.enum:
        prefix = "Possible values" if label == "Constraints" else f"{label}, possible values"
        page.para(f"{prefix}: " + ", ".join(shape.enum) + ".", depth)


def describe_members(page: Page, shape: Shape, depth: int) -> None:
    """Every member of a structure: name, type, [required], its doc, its rules, its own members."""
    for name, member in shape.members.items():
        page.blank()
        required = " [required]" if name in shape.required else ""
        page.lines.append(f"{' ' * depth}{name} -> ({type_label(member)}){required}")
        describe_doc(page, shape.name, name, depth + STEP)
        describe_value(page, member, depth + STEP)


def describe_doc(page: Page, structure: str, member: str, depth: int) -> None:
    """The member's doc from its service's docs, then the help topic that explains its value, if there is one."""
    from aml_cli.api import docs

    page.para(docs.member_doc(page.service, structure, member), depth)
    topic = getattr(docs.of(page.service), "MEMBER_TOPICS", {}).get(member)
    if topic:
        page.para(f"See `aml help {topic}`.", depth)


def has_syntax(shape: Shape) -> bool:
    """Values that have a shape of their own get their shorthand and JSON syntax shown."""
    return shape.type in ("structure", "list", "map")


def describe_syntax(page: Page, shape: Shape, depth: int) -> None:
    page.blank()
    page.para("Shorthand syntax:", depth)
    page.verbatim(shorthand_syntax(shape), depth + STEP)
    page.blank()
    page.para("JSON syntax (also accepted from a file as file://path):", depth)
    page.verbatim(json_syntax(shape), depth + STEP)


def shorthand_syntax(shape: Shape) -> str:
    """The option's value in shorthand: lists show two items as two words, maps two entries."""
    if shape.type == "list" and shape.member is not None:
        item = _shorthand_top(shape.member)
        return f"{item} {item}"
    return _shorthand_top(shape)


def _shorthand_top(shape: Shape) -> str:
    if shape.type == "structure":
        return ",".join(f"{name}={_shorthand_nested(member)}" for name, member in shape.members.items())
    if shape.type == "map" and shape.value is not None:
        value = _shorthand_nested(shape.value)
        return f"KeyName1={value},KeyName2={value}"
    return _placeholder_text(shape)


def _shorthand_nested(shape: Shape) -> str:
    if shape.type in ("structure", "map"):
        return "{" + _shorthand_top(shape) + "}"
    if shape.type == "list" and shape.member is not None:
        item = _shorthand_nested(shape.member)
        return f"[{item},{item}]" if shape.member.type in ("structure", "map") else f"{item},{item}"
    return _placeholder_text(shape)


def json_syntax(shape: Shape) -> str:
    """The same value as `shorthand_syntax`, as JSON."""
    return json.dumps(sample_value(shape), indent=2)


def sample_value(shape: Shape) -> object:
    """A value of `shape` with placeholders; lists and maps hold two of everything."""
    if shape.type == "structure":
        return {name: sample_value(member) for name, member in shape.members.items()}
    if shape.type == "list" and shape.member is not None:
        return [sample_value(shape.member), sample_value(shape.member)]
    if shape.type == "map" and shape.value is not None:
        return {"KeyName1": sample_value(shape.value), "KeyName2": sample_value(shape.value)}
    return _PLACEHOLDERS.get(shape.type, "string")


_PLACEHOLDERS: dict[str, object] = {
    "integer": 0,
    "long": 0,
    "float": 0.0,
    "double": 0.0,
    "boolean": True,
    "timestamp": "1970-01-01T00:00:00",
}


def _placeholder_text(shape: Shape) -> str:
    value = _PLACEHOLDERS.get(shape.type, "string")
    return json.dumps(value) if not isinstance(value, str) else value
