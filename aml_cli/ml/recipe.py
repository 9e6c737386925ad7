"""The Amazon ML recipe language: parse, resolve and type-check a recipe.

A recipe is JSON with three sections in this order: ``groups`` (named sets
of input variables), ``assignments`` (named expressions), ``outputs`` (the
expressions the model learns from). An empty ``dependencies`` object is
accepted and ignored, as the service's own recipes carried one. ``//``
comments may follow an outputs entry, inside its string or after it.

Parsing resolves every group and assignment down to the input variables, so
a :class:`Recipe` is a flat tuple of :class:`Output` s, one per (expression,
variable) pair: ``quantile_bin(NUMS, 10)`` over a group of three becomes
three outputs. Types follow the transformations:

================  ==========================  ===========
transformation    argument                    result
================  ==========================  ===========
lowercase         TEXT or CATEGORICAL         same type
no_punct          TEXT or CATEGORICAL         same type
split_punct       TEXT                        TEXT (aml's addition)
ngram(x, 2..10)   TEXT                        TOKENS
osb(x, 2..10)     TEXT                        TOKENS
quantile_bin(x,   a NUMERIC variable          CATEGORICAL
5..1000)
normalize         a NUMERIC variable          NUMERIC
cartesian(a, b)   CATEGORICAL, BINARY, TEXT   CATEGORICAL if both sides
                  or TOKENS                   are single values, else TOKENS
================  ==========================  ===========
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from itertools import product
from typing import NamedTuple

NUMERIC, CATEGORICAL, TEXT, BINARY, TOKENS = "NUMERIC", "CATEGORICAL", "TEXT", "BINARY", "TOKENS"
PREDEFINED = {"ALL_TEXT": TEXT, "ALL_NUMERIC": NUMERIC, "ALL_CATEGORICAL": CATEGORICAL, "ALL_BINARY": BINARY}
ALL_INPUTS = "ALL_INPUTS"
SECTIONS = ("groups", "assignments", "outputs")
MAX_OUTPUTS = 10_000
MAX_DEPTH = 32
_SPECIAL = set(",'\"\t\r\n()\\")
_BLANKS = " \t\r\n"
_QUOTED_OR_COMMENT = re.compile(r"'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"|//")
_JSON_STRING_OR_COMMENT = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*')
# text to text, applied to a variable's values before they are tokenised (every consumer walks these chains)
TEXT_OPS = ("lowercase", "no_punct", "split_punct")
# function -> (argument count, parameter range or None)
_FUNCTIONS: dict[str, tuple[int, tuple[int, int] | None]] = {
    "lowercase": (1, None), "no_punct": (1, None), "split_punct": (1, None), "normalize": (1, None),
    "ngram": (1, (2, 10)), "osb": (1, (2, 10)), "quantile_bin": (1, (5, 1000)), "cartesian": (2, None),
}


class RecipeError(ValueError):
    """A recipe the service would refuse; the message says where and why."""

    def __init__(self, message: str, *, where: str = "", text: str | None = None, position: int | None = None):
        self.where, self.text, self.position, self.reason = where, text, position, message
        full = f"Invalid recipe: {where}: {message}" if where else f"Invalid recipe: {message}"
        if text is not None and position is not None and "\n" not in text:
            full += f"\n    {text}\n    {' ' * position}^"
        super().__init__(full)


@dataclass(frozen=True)
class Var:
    """An input variable of the data source."""

    name: str

    def __str__(self) -> str:
        return self._text

    @cached_property
    def _text(self) -> str:
        return quote_name(self.name)


@dataclass(frozen=True)
class Apply:
    """A transformation applied to resolved arguments (``param`` is n for ngram, osb, quantile_bin)."""

    func: str
    args: tuple[Var | Apply, ...]
    param: int | None = None

    def __str__(self) -> str:
        return self._text

    @cached_property
    def _text(self) -> str:
        """Built once per expression: featurizing one Predict record names every output several times."""
        inner = ",".join([str(arg) for arg in self.args] + ([str(self.param)] if self.param is not None else []))
        return f"{self.func}({inner})"


Expr = Var | Apply


@dataclass(frozen=True)
class Output:
    """One variable the model learns from: ``name`` is the canonical expression text."""

    expr: Expr
    type: str

    @property
    def name(self) -> str:
        return str(self.expr)


@dataclass(frozen=True)
class Recipe:
    """A parsed recipe: resolved groups and assignments, and the flat outputs."""

    text: str
    groups: dict[str, tuple[str, ...]]
    assignments: dict[str, tuple[Output, ...]]
    outputs: tuple[Output, ...]
    variables: dict[str, str] = field(default_factory=dict)


def quote_name(name: str) -> str:
    """A name as a recipe writes it: bare if it may be, else single-quoted with \\ escapes."""
    if _bare_ok(name):
        return name
    return "'" + name.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _bare_ok(name: str) -> bool:
    return (0 < len(name) <= 64 and name[0].isalpha() and not (_SPECIAL & set(name))
            and " " not in name and "//" not in name)


# ---- expression syntax -------------------------------------------------------

class _Name(NamedTuple):
    value: str
    quoted: bool
    pos: int


class _Number(NamedTuple):
    digits: str
    pos: int


class _Call(NamedTuple):
    func: str
    args: tuple
    pos: int


_Node = _Name | _Number | _Call


class _Parser:
    """Recursive descent over one expression string; errors carry a caret position."""

    def __init__(self, text: str, where: str, comments: bool):
        self.text, self.where, self.pos = text, where, 0
        self.end = self._comment_start() if comments else len(text)

    def fail(self, message: str, pos: int | None = None) -> RecipeError:
        return RecipeError(message, where=self.where, text=self.text, position=self.pos if pos is None else pos)

    def _comment_start(self) -> int:
        for match in _QUOTED_OR_COMMENT.finditer(self.text):
            if match.group() == "//":
                return match.start()
        return len(self.text)

    def skip(self) -> None:
        while self.pos < self.end and self.text[self.pos] in _BLANKS:
            self.pos += 1

    def peek(self) -> str:
        self.skip()
        return self.text[self.pos] if self.pos < self.end else ""

    # document := expr END
    def parse(self) -> _Node:
        node = self.expr(0)
        if self.peek():
            raise self.fail("unexpected text after the expression")
        return node

    # expr := quoted | word | word '(' expr (',' expr)* ')'
    def expr(self, depth: int) -> _Node:
        if depth > MAX_DEPTH:
            raise self.fail(f"expressions nest deeper than {MAX_DEPTH} levels")
        ch = self.peek()
        if not ch:
            raise self.fail("expected a name or a transformation")
        if ch in "'\"":
            return self.quoted()
        if ch in _SPECIAL:
            raise self.fail(f"unexpected {ch!r}")
        start = self.pos
        word = self.word()
        head, _, tail = word.rpartition(" ")
        if head and tail.isdigit():  # "quantile_bin(age 10)": a missing comma, not a name with a space
            raise self.fail("expected ',' or ')'", start + len(head) + 1)
        if self.peek() != "(":
            if word.isdigit():
                return _Number(word, start)
            if not word[:1].isalpha():
                raise self.fail("a name must start with a letter or be quoted", start)
            if len(word) > 64:
                raise self.fail("a name is 1 to 64 characters long unless quoted", start)
            return _Name(word, False, start)
        self.pos += 1
        args = [self.expr(depth + 1)]
        while self.peek() == ",":
            self.pos += 1
            args.append(self.expr(depth + 1))
        if self.peek() != ")":
            raise self.fail("expected ',' or ')'")
        self.pos += 1
        return _Call(word, tuple(args), start)

    def word(self) -> str:
        start = self.pos
        while self.pos < self.end and self.text[self.pos] not in _SPECIAL:
            self.pos += 1
        return self.text[start:self.pos].rstrip(" ")

    def quoted(self) -> _Name:
        start, quote = self.pos, self.text[self.pos]
        chars: list[str] = []
        self.pos += 1
        while self.pos < self.end and self.text[self.pos] != quote:
            if self.text[self.pos] == "\\" and self.pos + 1 < self.end:
                self.pos += 1
            chars.append(self.text[self.pos])
            self.pos += 1
        if self.pos >= self.end:
            raise self.fail("unterminated quoted name", start)
        self.pos += 1
        if not chars:
            raise self.fail("a quoted name may not be empty", start)
        return _Name("".join(chars), True, start)


def parse_expression(text: str, where: str = "", *, comments: bool = False) -> _Node:
    """Syntax only (used by the resolver and by tests)."""
    if not isinstance(text, str):
        raise RecipeError(f"expected a string, got {type(text).__name__}", where=where)
    return _Parser(text, where, comments).parse()


# ---- resolution --------------------------------------------------------------

@dataclass(frozen=True)
class _Context:
    where: str
    text: str

    def fail(self, message: str, pos: int | None = None) -> RecipeError:
        return RecipeError(message, where=self.where, text=self.text, position=pos)


class _Resolver:
    """Resolves names to variables, lazily and in any order; a name met twice on the way is a cycle."""

    def __init__(self, variables: dict[str, str], groups: dict[str, str], assignments: dict[str, str]):
        self.variables, self.group_src, self.assign_src = variables, groups, assignments
        self.groups: dict[str, tuple[str, ...]] = {}
        self.assigned: dict[str, tuple[Output, ...]] = {}
        self.stack: list[str] = []

    def _enter(self, name: str, ctx: _Context | None, pos: int | None) -> None:
        if name in self.stack:
            chain = " -> ".join([*self.stack[self.stack.index(name):], name])
            raise (ctx.fail if ctx else RecipeError)(f"'{name}' refers to itself ({chain})", pos)
        self.stack.append(name)

    def group(self, name: str, ctx: _Context | None = None, pos: int | None = None) -> tuple[str, ...]:
        if name in PREDEFINED:
            return tuple(v for v, t in self.variables.items() if t == PREDEFINED[name])
        if name not in self.groups:
            self._enter(name, ctx, pos)
            own = _Context(f"groups, entry '{name}'", self.group_src[name])
            self.groups[name] = self._group_node(parse_expression(own.text, own.where), own)
            self.stack.pop()
        return self.groups[name]

    # group := 'group' '(' member (',' member)* ')' | 'group_remove' '(' group (',' member)+ ')'
    def _group_node(self, node: _Node, ctx: _Context) -> tuple[str, ...]:
        if not isinstance(node, _Call) or node.func not in ("group", "group_remove"):
            raise ctx.fail("a group is defined as group(...) or group_remove(...)", getattr(node, "pos", 0))
        if node.func == "group_remove":
            if len(node.args) < 2:
                raise ctx.fail("group_remove needs a group and at least one name to remove", node.pos)
            base = node.args[0]
            if not (isinstance(base, _Name) and (base.value in PREDEFINED or base.value in self.group_src)):
                raise ctx.fail("the first argument of group_remove must be a group", getattr(base, "pos", node.pos))
            removed = {m for arg in node.args[1:] for m in self._members(arg, ctx)}
            return tuple(m for m in self.group(base.value, ctx, base.pos) if m not in removed)
        members: dict[str, None] = {}
        for arg in node.args:
            members.update(dict.fromkeys(self._members(arg, ctx)))
        return tuple(members)

    def _members(self, node: _Node, ctx: _Context) -> tuple[str, ...]:
        if not isinstance(node, _Name):
            raise ctx.fail("a group holds variables and groups only", node.pos)
        name = node.value
        if name == ALL_INPUTS:
            raise ctx.fail("ALL_INPUTS cannot be used inside a group", node.pos)
        if name in self.variables:
            return (name,)
        if name in PREDEFINED or name in self.group_src:
            return self.group(name, ctx, node.pos)
        if name in self.assign_src:
            raise ctx.fail(f"assignment '{name}' cannot be used inside a group", node.pos)
        raise ctx.fail(f"unknown variable or group '{name}'", node.pos)

    def assignment(self, name: str, ctx: _Context | None = None, pos: int | None = None) -> tuple[Output, ...]:
        if name not in self.assigned:
            self._enter(name, ctx, pos)
            own = _Context(f"assignments, entry '{name}'", self.assign_src[name])
            self.assigned[name] = self.expr(parse_expression(own.text, own.where), own)
            self.stack.pop()
        return self.assigned[name]

    def expr(self, node: _Node, ctx: _Context) -> tuple[Output, ...]:
        if isinstance(node, _Number):
            raise ctx.fail("a number may only be the last argument of ngram, osb or quantile_bin", node.pos)
        if isinstance(node, _Name):
            return self._name(node, ctx)
        if node.func in ("group", "group_remove"):
            raise ctx.fail(f"{node.func}() may only define a group in the groups section", node.pos)
        if node.func not in _FUNCTIONS:
            raise ctx.fail(f"unknown transformation '{node.func}'", node.pos)
        n_args, bounds = _FUNCTIONS[node.func]
        args, param = list(node.args), None
        if bounds is not None:
            param = self._param(node, args, bounds, ctx)
        if len(args) != n_args:
            raise ctx.fail(f"{node.func} takes {_arity_text(n_args, bounds)}", node.pos)
        resolved = [self.expr(arg, ctx) for arg in args]
        return tuple(_apply(node, combo, param, ctx) for combo in product(*resolved))

    def _param(self, node: _Call, args: list[_Node], bounds: tuple[int, int], ctx: _Context) -> int:
        last = args.pop() if len(args) > 1 else None
        if not isinstance(last, _Number):
            raise ctx.fail(f"{node.func} takes a variable and a number from {bounds[0]} to {bounds[1]}", node.pos)
        if len(last.digits) > 6 or not bounds[0] <= int(last.digits) <= bounds[1]:
            raise ctx.fail(f"{node.func} takes a number from {bounds[0]} to {bounds[1]}, not {last.digits}",
                           last.pos)
        return int(last.digits)

    def _name(self, node: _Name, ctx: _Context) -> tuple[Output, ...]:
        name = node.value
        if name in self.variables:
            return (Output(Var(name), self.variables[name]),)
        if name == ALL_INPUTS:
            return tuple(Output(Var(v), t) for v, t in self.variables.items())
        if name in PREDEFINED or name in self.group_src:
            return tuple(Output(Var(v), self.variables[v]) for v in self.group(name, ctx, node.pos))
        if name in self.assign_src:
            return self.assignment(name, ctx, node.pos)
        raise ctx.fail(f"unknown variable, group or assignment '{name}'", node.pos)


def _arity_text(n_args: int, bounds: tuple[int, int] | None) -> str:
    if bounds is not None:
        return f"a variable and a number from {bounds[0]} to {bounds[1]}"
    return "one argument" if n_args == 1 else f"{n_args} arguments"


_SINGLE = (CATEGORICAL, BINARY)


def _apply(node: _Call, args: tuple[Output, ...], param: int | None, ctx: _Context) -> Output:
    """Type-check one application of a transformation to resolved arguments."""
    func, first = node.func, args[0]
    pos = getattr(node.args[0], "pos", node.pos)

    def need(kinds: tuple[str, ...], what: str, out: Output) -> None:
        if out.type not in kinds:
            raise ctx.fail(f"{func} needs {what}, but {out.name} is {out.type}", pos)

    if func in ("lowercase", "no_punct"):
        need((TEXT, CATEGORICAL), "a TEXT or CATEGORICAL value", first)
        result = first.type
    elif func == "split_punct":
        need((TEXT,), "a TEXT value", first)
        result = TEXT
    elif func in ("ngram", "osb"):
        need((TEXT,), "a TEXT value", first)
        result = TOKENS
    elif func in ("quantile_bin", "normalize"):
        need((NUMERIC,), "a NUMERIC variable", first)
        if not isinstance(first.expr, Var):
            raise ctx.fail(f"{func} needs a NUMERIC variable as read, not {first.name}", pos)
        result = CATEGORICAL if func == "quantile_bin" else NUMERIC
    else:
        for out in args:
            need((*_SINGLE, TEXT, TOKENS), "categorical or text values (bin numbers with quantile_bin)", out)
        result = CATEGORICAL if all(out.type in _SINGLE for out in args) else TOKENS
    return Output(Apply(func, tuple(out.expr for out in args), param), result)


def evaluation_kind(expr: Expr, variables: dict[str, str]) -> str:
    """The kind under which a featurizer evaluates a cartesian argument: a variable's own type, a text chain's
    argument's, CATEGORICAL for a bin and for a cross of single values, else TEXT (a sequence of tokens)."""
    if isinstance(expr, Var):
        return variables[expr.name]
    if expr.func in TEXT_OPS:
        return evaluation_kind(expr.args[0], variables)
    if expr.func == "quantile_bin":
        return CATEGORICAL
    if expr.func == "cartesian":
        singles = all(evaluation_kind(a, variables) in (CATEGORICAL, BINARY) for a in expr.args)
        return CATEGORICAL if singles else TEXT
    return TEXT

# ---- the recipe document -------------------------------------------------------

def parse_recipe(text: str, schema_attributes: dict[str, str]) -> Recipe:
    """Parse a recipe against the data source's usable inputs (name -> type).

    Raises :class:`RecipeError` for anything the service would refuse.
    """
    try:
        return _parse(text, dict(schema_attributes))
    except RecursionError:
        raise RecipeError("the recipe nests too deeply") from None


def _parse(text: str, variables: dict[str, str]) -> Recipe:
    document = _load_json(text)
    groups = _definitions(document, "groups")
    assignments = _definitions(document, "assignments")
    _check_names(variables, groups, assignments)
    resolver = _Resolver(variables, groups, assignments)
    resolved_groups = {name: resolver.group(name) for name in groups}
    resolved_assignments = {name: resolver.assignment(name) for name in assignments}
    outputs: dict[str, Output] = {}
    for index, entry in enumerate(_output_entries(document)):
        where = f"outputs[{index}]"
        if not isinstance(entry, str):
            raise RecipeError(f"an outputs entry is a string, not {_json_type(entry)}", where=where)
        if not entry.strip():
            raise RecipeError("an outputs entry may not be empty", where=where)
        parser = _Parser(entry, where, comments=True)
        if not entry[: parser.end].strip():
            continue
        for out in resolver.expr(parser.parse(), _Context(where, entry)):
            outputs.setdefault(out.name, out)
        if len(outputs) > MAX_OUTPUTS:
            raise RecipeError(f"the outputs make more than {MAX_OUTPUTS} variables", where=where)
    if not outputs:
        raise RecipeError("the outputs select no variables", where="outputs")
    return Recipe(text, resolved_groups, resolved_assignments, tuple(outputs.values()), variables)


def _load_json(text: str) -> dict:
    if not isinstance(text, str):
        raise RecipeError(f"a recipe is text, not {type(text).__name__}")
    cleaned = _blank_comments(text)
    try:
        document = json.loads(cleaned, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as err:
        lines = cleaned.split("\n")
        line = lines[err.lineno - 1] if err.lineno <= len(lines) else ""
        raise RecipeError(f"not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})",
                          text=line, position=err.colno - 1) from None
    if not isinstance(document, dict):
        raise RecipeError(f"a recipe is a JSON object, not {_json_type(document)}")
    order = [SECTIONS.index(key) for key in document if key in SECTIONS]
    for key in document:
        if key not in (*SECTIONS, "dependencies"):
            raise RecipeError(f"unknown section '{key}' (expected groups, assignments, outputs)")
    if order != sorted(order):
        raise RecipeError("sections must come in the order groups, assignments, outputs")
    if document.get("dependencies") not in (None, {}, []):
        raise RecipeError("the dependencies section must be empty", where="dependencies")
    return document


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict:
    seen: dict[str, object] = {}
    for key, value in pairs:
        if key in seen:
            raise RecipeError(f"'{key}' is defined twice")
        seen[key] = value
    return seen


def _blank_comments(text: str) -> str:
    """Replace // comments outside JSON strings by spaces, keeping every position."""
    return _JSON_STRING_OR_COMMENT.sub(lambda m: m.group() if m.group()[0] == '"' else " " * len(m.group()), text)


def _definitions(document: dict, section: str) -> dict[str, str]:
    raw = document.get(section, {})
    if not isinstance(raw, dict):
        raise RecipeError(f"{section} is a JSON object, not {_json_type(raw)}", where=section)
    result: dict[str, str] = {}
    for key, value in raw.items():
        name = _definition_name(key, section)
        if not isinstance(value, str):
            raise RecipeError(f"the definition is a string, not {_json_type(value)}", where=f"{section}, entry '{key}'")
        if name in result:
            raise RecipeError(f"'{name}' is defined twice", where=section)
        result[name] = value
    return result


def _definition_name(key: str, section: str) -> str:
    where = f"{section}, entry '{key}'"
    name = key
    if len(key) >= 2 and key[0] == key[-1] and key[0] in "'\"":
        name = key[1:-1]
    elif not key[:1].isalpha() or _SPECIAL & set(key):
        raise RecipeError("a name must start with a letter and avoid , ' \" ( ) \\ and line breaks, or be quoted",
                          where=where)
    if not 1 <= len(name) <= 64:
        raise RecipeError("a name is 1 to 64 characters long", where=where)
    return name


def _check_names(variables: dict[str, str], groups: dict[str, str], assignments: dict[str, str]) -> None:
    reserved = {*PREDEFINED, ALL_INPUTS}
    for section, names in (("groups", groups), ("assignments", assignments)):
        for name in names:
            if name in reserved:
                raise RecipeError(f"'{name}' is a predefined group", where=f"{section}, entry '{name}'")
            if name in variables:
                where = f"{section}, entry '{name}'"
                raise RecipeError(f"'{name}' is already a variable of the data source", where=where)
    for name in assignments:
        if name in groups:
            raise RecipeError(f"'{name}' is both a group and an assignment", where=f"assignments, entry '{name}'")


def _output_entries(document: dict) -> list:
    entries = document.get("outputs")
    if entries is None:
        raise RecipeError("the outputs section is missing")
    if not isinstance(entries, list):
        raise RecipeError(f"outputs is a JSON array, not {_json_type(entries)}", where="outputs")
    if not entries:
        raise RecipeError("the outputs section is empty", where="outputs")
    return entries


def _json_type(value: object) -> str:
    names: dict[type, str] = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
                              int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


