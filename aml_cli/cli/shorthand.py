"""The AWS CLI shorthand syntax (`Key=a,Value=b`, `{...}`, `[...]`), parsed by recursive descent.

The parser is purely syntactic: every leaf is a string, and `a=b,c` is a
list. `apply_shape` then adjusts a parsed value to the API shape it is for
(numbers and booleans converted, a lone value wrapped in a list), as the
AWS CLI does after parsing. Errors point at the offending character.
"""

from __future__ import annotations

import functools
import re
import string
from typing import Any

from aml_cli.api.model import Shape

_WHITESPACE = frozenset(string.whitespace)
_KEY_CHARS = frozenset(string.ascii_letters + string.digits + "-_.#/:")
_MAX_DEPTH = 64

# Character classes of bare (unquoted) values, as the AWS CLI defines them: ranges up to \uffff, written here as
# their complements, which compile in a fraction of a millisecond where the ranges took ~20 ms
# (tests/cli/test_shorthand.py checks every code point against the ranges).
# A value may start with any printable character except space, quotes, `,`, `=`, `[` and `{`
# (the AWS CLI's `!#-&(-+\x2d-<>-Z\\-z|-\uffff`).
_START = r"""^\x00-\x20"',=\[{\U00010000-\U0010ffff"""
# The rest of a first value may also hold spaces, `=`, `[` and `{`, but not `]` or `}`
# (`\s!#-&(-+\x2d-\\^-|~-\uffff`).
_FIRST_REST = r"""^\x00-\x08\x0e-\x1b"',\]}\U00010000-\U0010ffff"""
# The rest of a later comma-separated value may hold `]` and `}`, but not `=` (`\s!#-&(-+\x2d-<>-\uffff`).
_SECOND_REST = r"""^\x00-\x08\x0e-\x1b"',=\U00010000-\U0010ffff"""
_ESCAPED_COMMA = r"\\,"

_PATTERNS = {
    "first": f"(?:{_ESCAPED_COMMA}|[{_START}])(?:{_ESCAPED_COMMA}|[{_FIRST_REST}])*",
    "second": f"(?:{_ESCAPED_COMMA}|[{_START}])(?:{_ESCAPED_COMMA}|[{_SECOND_REST}])*",
    "single": r"'(?:\\'|[^'])*'",
    "double": r'"(?:\\"|[^"])*"',
}


@functools.cache
def _pattern(name: str) -> re.Pattern[str]:
    """Compiled on first use: the wide character classes cost milliseconds that most commands never need."""
    return re.compile(_PATTERNS[name])


class ShorthandParseError(Exception):
    """Shorthand text that does not follow the grammar; the message marks where."""


_WINDOW = 200  # characters shown either side of the caret in a long input


def _pointer(text: str, index: int) -> str:
    """The input with a caret under `index`, on the line where that character is.

    A long input is shown only around the caret, with `...` where it was cut, so an error never echoes
    a huge value back in full.
    """
    if len(text) > 4 * _WINDOW:
        start, end = max(0, index - _WINDOW), min(len(text), index + _WINDOW)
        head = "..." if start else ""
        window = head + text[start:end].replace("\n", " ") + ("..." if end < len(text) else "")
        return _pointer(window, index - start + len(head))
    line_start = text.rfind("\n", 0, index) + 1
    line_end = text.find("\n", index)
    head, tail = (text, "") if line_end < 0 else (text[:line_end], text[line_end:])
    return f"{head}\n{' ' * (index - line_start)}^{tail}"


class _SyntaxProblem(ShorthandParseError):
    """One expected character or token was not found."""

    def __init__(self, text: str, expected: str, actual: str, index: int) -> None:
        self.index = index
        super().__init__(f"Expected: '{expected}', received: '{actual}' for input:\n{_pointer(text, index)}")


class _DuplicateKey(ShorthandParseError):
    """A key given twice at the top level, usually a `,` typed where a space was meant."""

    def __init__(self, text: str, key: str, index: int) -> None:
        super().__init__(
            f'Second instance of key "{key}" encountered for input:\n{_pointer(text, index)}\n'
            'This is often because there is a preceding "," instead of a space.'
        )


def parse_shorthand(text: str) -> dict[str, Any]:
    """Parse shorthand text into dicts, lists and strings (a top-level dict); ShorthandParseError if malformed."""
    return _Parser(text).parse()


class _Parser:
    """One pass over one input; `pos` only moves forward, except one documented backtrack."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0
        self.read_files = False

    # parameter = keyval *( "," keyval )   ; a repeated key is an error
    def parse(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        key, value = self.keyval()
        result[key] = value
        end_of_previous = self.pos
        while not self.at_end():
            self.expect(",", skip_space=True)
            key, value = self.keyval()
            if key in result:
                raise _DuplicateKey(self.text, key, end_of_previous + 1)
            result[key] = value
            end_of_previous = self.pos
        return result

    # keyval = key ["@"] "=" values   ; "@=" reads file:// and fileb:// values
    def keyval(self) -> tuple[str, Any]:
        key = self.key()
        self.assignment()
        return key, self.values()

    def assignment(self) -> None:
        self.skip_space()
        self.read_files = self.peek() == "@"
        if self.read_files:
            self.pos += 1
        self.expect("=", skip_space=True)

    # key = *( ALPHA / DIGIT / "-" / "_" / "." / "#" / "/" / ":" )
    def key(self) -> str:
        start = self.pos
        while not self.at_end() and self.text[self.pos] in _KEY_CHARS:
            self.pos += 1
        return self.text[start : self.pos]

    # values = "" (end of input) / explicit-list / hash-literal / csv-value
    def values(self) -> Any:
        if self.at_end():
            return ""
        if self.peek() == "[":
            return self.explicit_list()
        if self.peek() == "{":
            return self.hash_literal()
        return self.csv_value()

    # csv-value = first-value *( "," second-value )   ; one value stays a string, several make a list
    def csv_value(self) -> Any:
        first = self.first_value()
        self.skip_space()
        if self.at_end() or self.peek() != ",":
            return first
        self.expect(",", skip_space=True)
        items = [first]
        while True:
            try:
                item = self.second_value()
                self.skip_space()
                if self.at_end():
                    items.append(item)
                    break
                self.expect(",", skip_space=True)
                items.append(item)
            except _SyntaxProblem:
                # `a=b,c=d`: "c" was the next key, not a value; resume at the comma before it.
                if self.at_end():
                    raise
                self.pos = self.text.rindex(",", 0, self.pos + 1)
                break
        return first if len(items) == 1 else items

    # explicit-list = "[" [ item *( "," item ) ] "]"
    def explicit_list(self) -> list[Any]:
        self.enter()
        self.expect("[", skip_space=True)
        items: list[Any] = []
        while self.peek() != "]":
            items.append(self.item())
            self.skip_space()
            if self.peek() != "]":
                self.expect(",")
                self.skip_space()
        self.expect("]")
        self.depth -= 1
        return items

    # hash-literal = "{" [ key "=" item *( "," key "=" item ) ] "}"
    def hash_literal(self) -> dict[str, Any]:
        self.enter()
        self.expect("{", skip_space=True)
        result: dict[str, Any] = {}
        while self.peek() != "}":
            key = self.key()
            self.assignment()
            value = self.item()
            self.skip_space()
            if self.peek() != "}":
                self.expect(",")
                self.skip_space()
            result[key] = value
        self.expect("}")
        self.depth -= 1
        return result

    # item = explicit-list / hash-literal / first-value
    def item(self) -> Any:
        if self.peek() == "[":
            return self.explicit_list()
        if self.peek() == "{":
            return self.hash_literal()
        return self.first_value()

    # first-value = single-quoted / double-quoted / bare-first   ; bare-first may be empty
    def first_value(self) -> str | bytes:
        quoted = self.quoted()
        if quoted is not None:
            return quoted
        match = _pattern("first").match(self.text, self.pos)
        if match is None:
            return ""
        self.pos = match.end()
        return self.finish(match.group().replace("\\,", ",").rstrip())

    # second-value = single-quoted / double-quoted / bare-second   ; never empty
    def second_value(self) -> str | bytes:
        quoted = self.quoted()
        if quoted is not None:
            return quoted
        raw = self.consume(_pattern("second"), "second")
        return self.finish(raw.replace("\\,", ",").rstrip())

    # single-quoted = "'" *( "\'" / not-"'" ) "'"  ;  double-quoted likewise with '"'
    def quoted(self) -> str | bytes | None:
        char = self.peek()
        if char == "'":
            raw = self.consume(_pattern("single"), "singled quoted")
        elif char == '"':
            raw = self.consume(_pattern("double"), "double quoted")
        else:
            return None
        inner = raw[1:-1].replace("\\" + char, char).replace("\\\\", "\\")
        return self.finish(inner)

    def finish(self, value: str) -> str | bytes:
        """A value after `key@=` is read from its file when it is a file:// or fileb:// path."""
        if not self.read_files:
            return value
        from aml_cli.cli.paramfile import ParamFileError, resolve_param_file

        try:
            return resolve_param_file(value)
        except ParamFileError as err:
            raise ShorthandParseError(str(err)) from None

    def consume(self, pattern: re.Pattern[str], name: str) -> str:
        match = pattern.match(self.text, self.pos)
        if match is None:
            raise _SyntaxProblem(self.text, f"<{name}>", "<none>", self.pos)
        self.pos = match.end()
        return match.group()

    def expect(self, char: str, *, skip_space: bool = False) -> None:
        if skip_space:
            self.skip_space()
        if self.at_end():
            raise _SyntaxProblem(self.text, char, "EOF", self.pos)
        if self.text[self.pos] != char:
            raise _SyntaxProblem(self.text, char, self.text[self.pos], self.pos)
        self.pos += 1
        if skip_space:
            self.skip_space()

    def enter(self) -> None:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise ShorthandParseError(
                f"Nested too deeply (over {_MAX_DEPTH} levels) for input:\n{_pointer(self.text, self.pos)}"
            )

    def skip_space(self) -> None:
        while not self.at_end() and self.text[self.pos] in _WHITESPACE:
            self.pos += 1

    def peek(self) -> str | None:
        return None if self.at_end() else self.text[self.pos]

    def at_end(self) -> bool:
        return self.pos >= len(self.text)


def apply_shape(value: Any, shape: Shape) -> Any:
    """Adjust a parsed shorthand value to `shape`: lone values become one-item lists,
    integer/long -> int(), float/double -> float(), "true"/"false" -> bool (other text kept).

    Raises ValueError/TypeError when a number does not convert (the CLI reports those bare, exit 255).
    """
    kind = shape.type
    if kind == "structure":
        if isinstance(value, dict):
            for name, member in shape.members.items():
                if value.get(name) is not None:
                    value[name] = apply_shape(value[name], member)
        return value
    if kind == "map":
        if isinstance(value, dict) and shape.value is not None:
            for key, item in value.items():
                if item is not None:
                    value[key] = apply_shape(item, shape.value)
        return value
    if kind == "list":
        if not isinstance(value, list):
            return [value]
        if shape.member is None:
            return value
        return [item if item is None else apply_shape(item, shape.member) for item in value]
    return _convert_scalar(value, kind)


def _convert_scalar(value: Any, kind: str) -> Any:
    if kind in ("integer", "long"):
        return int(value)
    if kind in ("float", "double"):
        return float(value)
    if kind == "boolean" and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value
