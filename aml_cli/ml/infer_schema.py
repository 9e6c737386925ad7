"""A data schema inferred from a sample of the data, by rules a user can predict (README, "infer-schema").

The sample is the first SAMPLE_RECORDS records, and at most SAMPLE_BYTES of
text, of the files in order: bounded time and memory whatever the data.
Each column's present values (blank is missing) decide its type, in order:

1. no value at all: CATEGORICAL;
2. every value is a BINARY value aml reads (0/1, y/n, yes/no, t/f,
   true/false, any case): BINARY;
3. every value is a number aml reads: NUMERIC, except codes, which are
   CATEGORICAL: a value with a leading zero (`007`, `02134`), or whole
   numbers in a column named like an identifier or a code (its last word is
   one of ID_WORDS: `customer_id`, `jobId`, `zip`, `postcode`);
4. otherwise text: TEXT when the values average at least 5 words, or at
   least 2 words with more than half of the values distinct (free text);
   else CATEGORICAL (labels, names of a few things).

The rowId is CATEGORICAL (its values are copied verbatim to predictions);
a target that would be TEXT is CATEGORICAL (a target cannot be TEXT).
The first row is a header when its fields are non-empty, distinct and not
numbers, and either some column's other values are all numbers or all BINARY
values while its first-row value is not, or (no column being typed) none of
its values occurs again in its column. Without a header, columns are named
Var01, Var02, ... (zero-padded to the widest number).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from .binary import parse_binary
from .reader import parse_numbers
from .records import BOM, open_data
from .schema import parse_schema

SAMPLE_RECORDS = 10_000
SAMPLE_BYTES = 8 << 20
SAMPLE_CELLS = 2_000_000  # wide files keep fewer rows: at least 100
_STEP = 1 << 20
ID_WORDS = frozenset({"id", "ids", "code", "codes", "zip", "zipcode", "postcode", "key"})
TEXT_WORDS = 5  # this many words on average is free text whatever the repetition
PHRASE_WORDS = 2  # this many words on average is free text when most values are distinct
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_LEADING_ZERO = re.compile(r"^[+-]?0\d", re.MULTILINE)


class InferenceError(ValueError):
    """No schema can be inferred (no records, or a role names no column); the message says why."""


def read_sample(files: list[Path], *, records: int = SAMPLE_RECORDS,
                limit: int = SAMPLE_BYTES) -> list[list[list[str]]]:
    """Per file, in order, its first rows as strings (quoted fields may span lines), within the budgets.

    Reads at most `limit` bytes in all and stops once `records` + 1 rows (a
    header's worth of slack) are in hand; a row cut by the byte limit is left
    out, and so are blank lines.
    """
    sample: list[list[list[str]]] = []
    budget, wanted = limit, records + 1
    for path in files:
        if budget <= 0 or wanted <= 0:
            break
        with open_data(path) as stream:
            rows, used = _first_rows(stream, budget, wanted)
        budget -= used
        wanted -= len(rows)
        sample.append(rows)
    return sample


def _first_rows(stream, budget: int, wanted: int) -> tuple[list[list[str]], int]:
    """(rows, bytes used): read in steps until `wanted` rows are parsed, the file ends or the budget is spent."""
    data = bytearray()
    while True:
        piece = stream.read(min(_STEP, budget + 1 - len(data)))
        data += piece
        ended, over = not piece, len(data) > budget
        if ended or over or data.count(b"\n") > wanted:  # enough lines, unless records span lines
            rows = _rows(bytes(data[:budget]), wanted, cut=not ended)
            if ended or over or len(rows) >= wanted:
                return rows, min(len(data), budget)


def _rows(data: bytes, wanted: int, cut: bool) -> list[list[str]]:
    text = data.removeprefix(BOM).decode("utf-8", errors="replace")
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            if row:
                rows.append(row)
            if len(rows) > wanted:
                return rows[:wanted]
    except csv.Error:  # a field over the csv module's limit: the sample ends before it
        cut = True
    return rows[:-1] if cut and rows else rows


def infer_schema(sample: list[list[list[str]]], *, header: bool | None = None, target: str | None = None,
                 row_id: str | None = None, excluded: tuple[str, ...] = ()) -> dict:
    """The schema document for the sampled rows; `header` None means detect it."""
    first_file = sample[0] if sample else []
    if not first_file:
        raise InferenceError("the data has no records to infer a schema from")
    width = Counter(len(row) for row in first_file[1:] or first_file).most_common(1)[0][0]
    rest = _frame(first_file[1:], width)
    kinds = {column: value_kind(rest[column]) for column in rest}
    if header is None:
        header = _looks_like_header(first_file[0], rest, kinds)
    if header and len(first_file[0]) != width:
        raise InferenceError(f"the header line has {len(first_file[0])} fields but the records have {width}")
    names = _names(first_file[0] if header else [], width)
    _check_roles(names, target=target, row_id=row_id, excluded=excluded)
    body = _frame([row for rows in sample for row in rows[1 if header else 0 :]], width)
    if body.empty:
        raise InferenceError("the data has no records after its header line to infer a schema from")
    if not (header and len(sample) == 1):  # the types of the rows after the first are the types of them all
        kinds = {column: value_kind(body[column]) for column in body}
    types = {name: _type(kinds[i], body[i], name) for i, name in enumerate(names)}
    if row_id is not None:
        types[row_id] = "CATEGORICAL"
    if target is not None and types[target] == "TEXT":
        types[target] = "CATEGORICAL"
    return _document(names, types, header=header, target=target, row_id=row_id, excluded=excluded)


def _frame(rows: list[list[str]], width: int) -> pd.DataFrame:
    """Rows of the common field count, values stripped, at most SAMPLE_CELLS cells (others would be invalid)."""
    kept = [[value.strip() for value in row] for row in rows if len(row) == width]
    kept = kept[: max(100, SAMPLE_CELLS // max(width, 1))]
    return pd.DataFrame(kept, columns=range(width), dtype=object)


def _check_roles(names: list[str], *, target: str | None, row_id: str | None, excluded: tuple[str, ...]) -> None:
    roles = [("targetAttributeName", target), ("rowId", row_id), *(("excludedAttributeNames", n) for n in excluded)]
    for role, name in roles:
        if name is not None and name not in names:
            raise InferenceError(f'{role} "{name}" is not one of the columns ({", ".join(names)})')


def _document(names: list[str], types: dict[str, str], *, header: bool, target: str | None, row_id: str | None,
              excluded: tuple[str, ...]) -> dict:
    """The guide's spelling, in the guide's order; parsed back once so that what is printed is valid."""
    document = {"version": "1.0", "rowId": row_id, "targetAttributeName": target, "dataFormat": "CSV",
                "dataFileContainsHeader": header,
                "attributes": [{"attributeName": name, "attributeType": types[name]} for name in names],
                "excludedAttributeNames": list(excluded)}
    parse_schema(json.dumps(document))  # SchemaError (e.g. the target excluded) says what is wrong
    return document


def value_kind(values: pd.Series) -> str:
    """EMPTY, BINARY (every present value a BINARY value), NUMBERS (every one a number aml reads) or STRINGS."""
    present = values[values != ""]
    if present.empty:
        return "EMPTY"
    if not parse_binary(present.iloc[:64]).invalid.any() and not parse_binary(present).invalid.any():
        return "BINARY"  # (the head first: most columns show at once that they are not)
    numbers, invalid = parse_numbers(present)
    return "NUMBERS" if not invalid.any() and not np.isnan(numbers).all() else "STRINGS"


def _type(kind: str, values: pd.Series, name: str) -> str:
    """The attribute type of a column of stripped strings of the given kind (rules in the module docstring)."""
    if kind == "EMPTY":
        return "CATEGORICAL"
    if kind == "BINARY":
        return "BINARY"
    present = values[values != ""]
    if kind == "NUMBERS":
        return "CATEGORICAL" if _is_code(present, name) else "NUMERIC"
    words = present.str.split().str.len().mean()
    distinct = present.nunique() / len(present)
    return "TEXT" if words >= TEXT_WORDS or (words >= PHRASE_WORDS and distinct > 0.5) else "CATEGORICAL"


def _is_code(present: pd.Series, name: str) -> bool:
    """Numbers that label rather than measure: leading zeros, or whole numbers under an ID-like name."""
    if _LEADING_ZERO.search("\n".join(present.tolist())):
        return True
    words = _WORD.findall(name)
    if not words or words[-1].lower() not in ID_WORDS:
        return False
    numbers = parse_numbers(present)[0]
    numbers = numbers[~np.isnan(numbers)]
    return bool((numbers == np.round(numbers)).all())


def _looks_like_header(first: list[str], rest: pd.DataFrame, kinds: dict[int, str]) -> bool:
    """Names, not values: non-empty, distinct, not numbers; unlike the typed columns' values, or never repeated."""
    fields = [value.strip() for value in first]
    if any(not value for value in fields) or len(set(fields)) != len(fields):
        return False
    if not np.isnan(parse_numbers(pd.Series(fields, dtype=object))[0]).all():
        return False  # a number is a value, not a name
    if rest.empty:
        return True
    typed = [i for i in rest if i < len(fields) and kinds[i] in ("BINARY", "NUMBERS")]
    if typed:
        return any(value_kind(pd.Series([fields[i]], dtype=object)) != kinds[i] for i in typed)
    return not any(rest[i].eq(fields[i]).any() for i in rest if i < len(fields))


def _names(header: list[str], width: int) -> list[str]:
    """Header names made valid attribute names (blank -> VarNN, repeats -> name_2); VarNN without a header."""
    digits = max(2, len(str(width)))
    names: list[str] = []
    seen: set[str] = set()
    for position in range(width):
        name = header[position].strip() if position < len(header) else ""
        name = name or f"Var{position + 1:0{digits}d}"
        base, suffix = name, 2
        while name in seen:
            name, suffix = f"{base}_{suffix}", suffix + 1
        seen.add(name)
        names.append(name)
    return names
