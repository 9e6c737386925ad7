"""`--output table`: the AWS CLI's boxed tables, cell for cell.

Building and drawing are separate: `_Builder` walks the response into a flat
list of `_Section`s (title, optional header, rows, indent level), and
`_draw` sizes all sections to one common width, turns one-row sections
vertical when the table would not fit the terminal, and draws them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

_VALUE_STYLE = ("\x1b[1m\x1b[34m", "\x1b[0m")  # bright blue values
_BAR_STYLE = ("\x1b[2m\x1b[33m", "\x1b[0m")  # dim yellow nesting bars
_PADDING = 4  # two spaces before a cell's text, at least two after


def display_width(text: object) -> int:
    """Terminal columns of `str(text)`: East-Asian wide, full-width and ambiguous characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in str(text))


@dataclass
class _Section:
    title: str = ""
    indent: int = 0
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    widest: list[int] = field(default_factory=list)  # widest cell per column, header included

    def set_header(self, names: list[str]) -> None:
        self.header = list(names)
        self._measure(self.header)

    def add_row(self, cells: list[Any]) -> None:
        row = [str(cell) for cell in cells]
        self.rows.append(row)
        self._measure(row)

    def _measure(self, cells: list[str]) -> None:
        sizes = [display_width(cell) for cell in cells]
        if not self.widest:
            self.widest = sizes
        else:
            self.widest = [max(old, new) for old, new in zip(self.widest, sizes, strict=False)] + self.widest[
                len(sizes) :
            ]

    def natural_width(self) -> int:
        """Columns this section needs including its borders and the bars of its nesting level."""
        cells = sum(w + _PADDING for w in self.widest) + 2 + 2 * self.indent
        return max(display_width(self.title) + 2 + 2 * self.indent, cells)

    def column_widths(self, total: int) -> list[int]:
        """Scale the padded columns to fill `total` exactly, fixing rounding from the left (shrink) or right (grow)."""
        natural = [w + _PADDING for w in self.widest]
        if not natural:
            return []
        factor = total / float(sum(natural))
        scaled = [round(factor * w) for w in natural]  # round half to even, as the AWS CLI
        excess = sum(scaled) - total
        while excess:
            order = range(len(scaled)) if excess > 0 else reversed(range(len(scaled)))
            for i in order:
                step = 1 if excess > 0 else -1
                scaled[i] -= step
                excess -= step
                if not excess:
                    break
        return scaled

    def vertical(self) -> _Section:
        flipped = _Section(title=self.title, indent=self.indent)
        for name, cell in zip(self.header, self.rows[0], strict=False):
            flipped.add_row([name, cell])
        return flipped


class _Builder:
    """Turns a JSON value into sections the way the AWS CLI's table formatter walks it."""

    def __init__(self) -> None:
        self.sections: list[_Section] = []
        self.current: _Section | None = None

    def _new_section(self, title: str, indent: int) -> None:
        self.current = _Section(title=title, indent=indent)
        self.sections.append(self.current)

    def _section(self) -> _Section:
        if self.current is None:  # only reachable for untitled nested lists at the top
            self._new_section("", 0)
        assert self.current is not None
        return self.current

    def build(self, title: str | None, value: Any, indent: int = 0) -> None:
        if not value:
            return
        if title is not None:
            self._new_section(title, indent)
        if isinstance(value, list):
            self._build_list(title, value, indent)
        elif isinstance(value, dict):
            self._build_dict(value, indent)

    def _build_list(self, title: str | None, value: list, indent: int) -> None:
        if isinstance(value[0], dict):
            self._build_dict_list(title, value, indent)
            return
        for item in value:
            if not _is_nested(item):
                self._section().add_row([item])
            elif all(not _is_nested(el) for el in item):
                self._section().add_row(list(item))
            else:
                self.build(None, item)

    def _build_dict(self, value: dict, indent: int) -> None:
        scalars, nested = _split_keys([value])
        section = self._section()
        if len(scalars) == 1:
            section.add_row([scalars[0], value[scalars[0]]])
        elif scalars:
            section.set_header(scalars)
            section.add_row([value[k] for k in scalars])
        for key in nested:
            self.build(key, value[key], indent + 1)

    def _build_dict_list(self, title: str | None, value: list, indent: int) -> None:
        scalars, nested = _split_keys([item for item in value if isinstance(item, dict)])
        self._section().set_header(scalars)
        for position, item in enumerate(value):
            if position and nested:  # each element with nested members gets its own titled block
                self._new_section(title or "", indent)
                self._section().set_header(scalars)
            self._section().add_row([item.get(k, "") for k in scalars])
            for key in nested:
                if key in item:
                    self.build(key, item[key], indent + 1)


def _is_nested(value: Any) -> bool:
    return isinstance(value, (dict, list))


def _split_keys(items: list[dict]) -> tuple[list[str], list[str]]:
    """Sorted keys holding scalars (in any item) and sorted keys holding lists or dicts."""
    scalars: set[str] = set()
    nested: set[str] = set()
    for item in items:
        for key, member in item.items():
            (nested if _is_nested(member) else scalars).add(key)
    return sorted(scalars), sorted(nested)


def format_table(value: Any, *, title: str, width: int = 80, color: bool = False) -> str:
    """Render `value` as the AWS CLI's table titled `title`; a falsy value renders as nothing."""
    builder = _Builder()
    builder.build(title, value)
    if not builder.sections:
        return ""
    return _draw(builder.sections, width, color)


def _draw(sections: list[_Section], terminal_width: int, color: bool) -> str:
    total = max(s.natural_width() for s in sections)
    if total > terminal_width:
        sections = [s.vertical() if s.header and len(s.rows) == 1 else s for s in sections]
        total = max(s.natural_width() for s in sections)
    out = ["-" * total]
    for section in sections:
        bar = _styled("|", _BAR_STYLE) if color else "|"
        left, right = bar * section.indent, bar * section.indent
        out.extend(left + line + right for line in _section_lines(section, total - 2 * section.indent, color))
    return "".join(line + "\n" for line in out)


def _section_lines(section: _Section, width: int, color: bool) -> list[str]:
    lines: list[str] = []
    if section.title:
        lines.append(_centred(section.title, width, "|", "|"))
        if not section.header and not section.rows:
            lines.append("+" + "-" * (width - 2) + "+")
    widths = section.column_widths(width)
    if section.header:
        lines.append(_rule(widths))
        lines.append(
            "".join(_centred(name, w, "|" if i == 0 else "", "|") for i, (w, name) in _cells(widths, section.header))
        )
    if section.rows and widths:
        lines.append(_rule(widths))
        for row in section.rows:
            lines.append("".join(_left(cell, w, "|" if i == 0 else "", color) for i, (w, cell) in _cells(widths, row)))
        lines.append(_rule(widths))
    return lines


def _cells(widths: list[int], cells: list[str]) -> Iterator[tuple[int, tuple[int, str]]]:
    return enumerate(zip(widths, cells, strict=False))


def _rule(widths: list[int]) -> str:
    """`+-----+------+`: the first cell owns both corners, later cells only their right one."""
    parts = ["+" + "-" * (widths[0] - 2) + "+"] + ["-" * (w - 1) + "+" for w in widths[1:]]
    return "".join(parts)


def _centred(text: str, width: int, left: str, right: str) -> str:
    size = display_width(text)
    start = width // 2 - size // 2 - 1
    head = left + " " * start + text
    used = len(left) + start + size
    return head + " " * (width - len(right) - used) + right


def _left(text: str, width: int, left: str, color: bool) -> str:
    """A cell: two spaces, the text, then spaces up to the right border (no indent when it cannot fit)."""
    size = display_width(text)
    pad = 2 if width - (size + 2 + len(left) + 1) >= 0 else 0
    shown = _styled(text, _VALUE_STYLE) if color else text
    return left + " " * pad + shown + " " * (width - len(left) - pad - size - 1) + "|"


def _styled(text: str, style: tuple[str, str]) -> str:
    return style[0] + text + style[1]
