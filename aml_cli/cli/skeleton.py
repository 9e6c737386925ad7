"""The three `--generate-cli-skeleton` forms, derived from the API description.

`input` must be byte-identical to what AWS CLI v2 prints (scripts diff it and
feed it back through --cli-input-json); `yaml-input` carries the same values
with each member's first doc sentence as a comment; `output` is the fake
response that then goes through the normal formatters.
"""

from __future__ import annotations

import json

from aml_cli.api.model import Operation, Shape

EPOCH_TEXT = "1970-01-01T00:00:00"


def input_skeleton(op: Operation) -> str:
    """Every input member in model order with a neutral value; enums show their first value."""
    return json.dumps(_sample(op.input), indent=4) + "\n"


def output_skeleton(op: Operation) -> dict:
    """A fake response: strings carry their member's name so the reader sees where each lands."""
    return _named_sample(op.output, "")


def yaml_input_skeleton(op: Operation) -> str:
    """The input skeleton as YAML, each member commented with [REQUIRED], its doc and its enum values."""
    lines: list[str] = []
    _yaml_structure(op.input, 0, "", lines, op.service)
    return "".join(line + "\n" for line in lines)


def _sample(shape: Shape) -> object:
    if shape.type == "structure":
        return {name: _sample(member) for name, member in shape.members.items()}
    if shape.type == "list":
        return [_sample(shape.member)]  # type: ignore[arg-type]
    if shape.type == "map":
        return {"KeyName": _sample(shape.value)}  # type: ignore[arg-type]
    if shape.type == "string":
        return shape.enum[0] if shape.enum else ""
    return _scalar_sample(shape)


def _named_sample(shape: Shape, name: str) -> object:
    """Like _sample, but a string is its member's name; list items take the element shape's name."""
    if shape.type == "structure":
        return {member: _named_sample(sub, member) for member, sub in shape.members.items()}
    if shape.type == "list":
        return [_named_sample(shape.member, shape.member.name)]  # type: ignore[arg-type, union-attr]
    if shape.type == "map":
        return {"KeyName": _named_sample(shape.value, "")}  # type: ignore[arg-type]
    if shape.type == "string":
        return name
    return _scalar_sample(shape)


def _scalar_sample(shape: Shape) -> object:
    if shape.type in ("integer", "long"):
        return 0
    if shape.type in ("float", "double"):
        return 0.0
    if shape.type == "boolean":
        return True
    if shape.type == "timestamp":
        return EPOCH_TEXT
    return ""


# YAML rendering. Grammar of what is written (block style, two-space indent):
#   structure := (indent key ":" (" " scalar | nested) comment? NL)*   comment := ("  " | " ") "# " text
#   nested    := NL (structure at indent+2 | list at indent | map at indent+2)
#   list      := indent "- " first-line-of-item, following lines at indent+2


def _yaml_structure(shape: Shape, indent: int, first_prefix: str, lines: list[str], service: str) -> None:
    """Members of a structure; the first line may start with a list item's "- " prefix."""
    pad = " " * indent
    for position, (name, member) in enumerate(shape.members.items()):
        lead = first_prefix if position == 0 and first_prefix else pad
        comment = _comment(shape, name, member, "  " if position == 0 else " ", service)
        if member.is_scalar:
            lines.append(f"{lead}{name}: {_yaml_scalar(_sample(member))}{comment}")
            continue
        lines.append(f"{lead}{name}:{comment}")
        _yaml_nested(member, indent, lines, service)


def _yaml_nested(shape: Shape, indent: int, lines: list[str], service: str) -> None:
    if shape.type == "structure":
        _yaml_structure(shape, indent + 2, "", lines, service)
    elif shape.type == "map":
        lines.append(f"{' ' * (indent + 2)}KeyName: {_yaml_scalar(_sample(shape.value))}")  # type: ignore[arg-type]
    else:  # list: items at the key's column
        item = shape.member
        dash = " " * indent + "- "
        if item.type == "structure":  # type: ignore[union-attr]
            _yaml_structure(item, indent + 2, dash, lines, service)  # type: ignore[arg-type]
        else:
            lines.append(dash + _yaml_scalar(_sample(item)))  # type: ignore[arg-type]


def _comment(parent: Shape, name: str, member: Shape, gap: str, service: str) -> str:
    """The end-of-line comment; v2's YAML library puts two spaces before the first member's, one after."""
    from aml_cli.api.docs import first_sentence, member_doc  # help text loads only when a comment needs it

    parts = ["[REQUIRED]"] if name in parent.required else []
    doc = member_doc(service, parent.name, name)
    if doc:
        parts.append(first_sentence(doc))
    if member.enum:
        parts.append(f"Valid values are: {', '.join(member.enum)}.")
    return f"{gap}# " + " ".join(parts) if parts else ""


def _yaml_scalar(value: object) -> str:
    """One scalar in YAML's plain or quoted form, as a YAML dumper would choose it."""
    import yaml

    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True)
    return text.removesuffix("\n...\n").rstrip("\n")
